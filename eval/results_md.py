"""Write one section of eval/RESULTS.md, between markers, leaving the others alone.

Benchmark and evaluation scripts end with ``publish(name, markdown, write_results)``: the
section is printed, and recorded only behind the script's ``--write-results`` flag, so that
every figure in RESULTS.md comes from a script run, with the command that produced it.
``write_section`` is the atomic replace underneath.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
_HEAD = "# Recorded results\n\nEvery section below is written by the script it names; do not edit figures by hand.\n"


def write_section(name: str, markdown: str, path: Path = RESULTS) -> None:
    """Replace (or append) the section ``name`` of ``path`` with ``markdown``, atomically."""
    begin, end = f"<!-- BEGIN {name} -->", f"<!-- END {name} -->"
    text = path.read_text(encoding="utf-8") if path.exists() else _HEAD
    block = f"{begin}\n{markdown.strip()}\n{end}"
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.DOTALL)
    text = pattern.sub(lambda _: block, text) if pattern.search(text) else text.rstrip() + "\n\n" + block + "\n"
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".results-")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def publish(name: str, markdown: str, write: bool, path: Path = RESULTS) -> None:
    """Print ``markdown``; with ``write`` (a script's ``--write-results``), record it as section ``name``."""
    print("\n" + markdown)
    if write:
        write_section(name, markdown, path)
        print(f"\nwritten to the {name} section of {path}")
