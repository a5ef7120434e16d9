"""The documents stay true: every command example in README.md and docs/*.md runs.

Which blocks run: every fenced block marked ``bash``, ``sh``, ``console`` (its ``$ `` lines)
or ``python``. HTML comments on the lines right above a fence annotate it:

* ``<!-- not run: REASON -->`` skips the block (it needs a model, a server, the Hub, a
  cluster, or it runs for minutes); a skip without a reason fails
  :func:`test_every_skipped_block_says_why`;
* ``<!-- exit status: N ... -->`` expects exit status N instead of 0 (``summarize check``
  exits 3 when it flags a key point).

How: a shell block runs with ``bash -e -o pipefail``, a Python block with this interpreter,
each in a new process group (killed afterwards, so a server an example started in the
background cannot outlive it). The working directory is a temporary stand-in for the
repository root: a copy of ``examples/``, with ``../shared`` linked to the real shared data,
so the examples read as a user types them and their run folders (``eval/runs/...``) land
in the temporary copy. The blocks of one document share one such folder and run in the
document's order (a ``compare`` reads the runs made above it), so a block picked alone with
``-k`` may miss what an earlier block made. The repository's code is first on
``PYTHONPATH``; ``HF_HUB_OFFLINE=1``. A block that reads ``../shared/data`` skips where that
folder is absent, as the other tests do.

Also checked: every relative link and ``#anchor`` in the documents resolves, and README's
``<!-- test-command -->`` block (what ``.ci/run`` runs) is marked not run here, since it
runs this file.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
RUN_LANGUAGES = {"bash", "sh", "console", "python"}
BLOCK_TIMEOUT = 300  # seconds; the slowest block (an eval of 100 stories) takes well under a minute

FENCE = re.compile(r"^(```+|~~~+)\s*([\w+-]*)")
COMMENT = re.compile(r"^<!--\s*(.*?)\s*-->$")


@dataclass(frozen=True)
class Block:
    doc: str  # path relative to the repository, e.g. docs/cli.md
    line: int  # the opening fence's line, 1-based
    language: str
    code: str
    notes: tuple[str, ...]  # the HTML comments right above the fence

    @property
    def id(self) -> str:
        return f"{self.doc}:{self.line}"

    def note(self, key: str) -> str | None:
        """The text after ``key:`` in an annotation, or None when there is none."""
        for n in self.notes:
            if n == key or n.startswith(key + ":"):
                return n[len(key) + 1:].strip()
        return None


def blocks(path: Path) -> list[Block]:
    """The fenced blocks of a Markdown file, each with the comments on the lines above it."""
    lines = path.read_text(encoding="utf-8").splitlines()
    out, i = [], 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, language, start = m.group(1), m.group(2).lower(), i
        notes, j = [], i - 1
        while j >= 0 and (not lines[j].strip() or COMMENT.match(lines[j].strip())):
            if lines[j].strip():
                notes.append(COMMENT.match(lines[j].strip()).group(1))
            j -= 1
        i += 1
        while i < len(lines) and not lines[i].startswith(fence[0] * len(fence)):
            i += 1
        code = "\n".join(lines[start + 1:i]) + "\n"
        out.append(Block(str(path.relative_to(REPO)), start + 1, language, code, tuple(reversed(notes))))
        i += 1
    return out


ALL = [b for doc in DOCS for b in blocks(doc)]
RUNNABLE = [b for b in ALL if b.language in RUN_LANGUAGES]


def script(block: Block) -> list[str]:
    """The command that runs a block."""
    if block.language == "python":
        return [sys.executable, "-c", block.code]
    code = block.code
    if block.language == "console":
        code = "\n".join(line[2:] for line in code.splitlines() if line.startswith("$ ")) + "\n"
    return ["bash", "-e", "-o", "pipefail", "-c", code]


@pytest.fixture(scope="session")
def checkouts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One stand-in for the repository root per document, made when first asked for."""

    class Checkouts(dict):
        def __missing__(self, doc: str) -> Path:
            root = tmp_path_factory.mktemp(re.sub(r"\W", "-", doc))
            repo = root / "repo"
            shutil.copytree(REPO / "examples", repo / "examples")
            if SHARED.is_dir():
                (root / "shared").symlink_to(SHARED, target_is_directory=True)
            self[doc] = repo
            return repo

    return Checkouts()


def environment() -> dict[str, str]:
    env = dict(os.environ)
    bin_dir = str(Path(sys.executable).parent)  # `summarize` and `python` of this environment
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["HF_HUB_OFFLINE"] = "1"
    env["TRANSFORMERS_OFFLINE"] = "1"
    env.pop("PYTHONSTARTUP", None)
    return env


@pytest.mark.parametrize("block", RUNNABLE, ids=[b.id for b in RUNNABLE])
def test_example_runs(block: Block, checkouts: dict[str, Path], tmp_path: Path) -> None:
    reason = block.note("not run")
    if reason is not None:
        pytest.skip(f"not run: {reason}")
    if "../shared/data" in block.code and not (SHARED / "data").is_dir():
        pytest.skip(f"shared data not found at {SHARED / 'data'}: it lives in ../shared/data beside the clone")
    expected = int((block.note("exit status") or "0").split()[0])
    cwd = checkouts[block.doc]
    out, err = tmp_path / "stdout", tmp_path / "stderr"
    with open(out, "wb") as o, open(err, "wb") as e:
        proc = subprocess.Popen(script(block), cwd=cwd, env=environment(), stdin=subprocess.DEVNULL,
                                stdout=o, stderr=e, start_new_session=True)
        try:
            rc = proc.wait(timeout=BLOCK_TIMEOUT)
        except subprocess.TimeoutExpired:
            rc = None
        finally:
            try:  # whatever the block left running (a server started with &), and the block itself
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
    tail = (f"\n--- stdout ---\n{out.read_text(errors='replace')[-3000:]}"
            f"\n--- stderr ---\n{err.read_text(errors='replace')[-3000:]}")
    assert rc is not None, f"{block.id} ran past {BLOCK_TIMEOUT} s{tail}"
    assert rc == expected, f"{block.id} exited {rc}, expected {expected}:\n{block.code}{tail}"


def test_every_skipped_block_says_why() -> None:
    bare = [b.id for b in ALL if b.note("not run") == ""]
    assert not bare, f"give a reason after 'not run:' for {bare}"
    unknown = [(b.id, n) for b in ALL for n in b.notes
               if not re.match(r"(not run|exit status|test-command)\b", n)]
    assert not unknown, f"unknown annotations (not run: REASON, exit status: N): {unknown}"


def test_the_ci_command_is_not_run_here() -> None:
    """.ci/run takes the first fenced block after the marker line; this test file must not run it."""
    readme = [b for b in ALL if b.doc == "README.md"]
    marked = [b for b in readme if "test-command" in b.notes]
    assert len(marked) == 1, "README.md needs exactly one <!-- test-command --> block"
    assert marked[0].note("not run"), "the test-command block runs this test suite: mark it not run"
    lines = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    marker = lines.index("<!-- test-command -->")
    assert lines[marker + 1].startswith("```"), ".ci/run expects the fence right after <!-- test-command -->"


def slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    found, seen, fenced = set(), {}, False
    for line in path.read_text(encoding="utf-8").splitlines():
        if FENCE.match(line):
            fenced = not fenced
        if fenced or not line.startswith("#"):
            continue
        s = slug(line.lstrip("#"))
        n = seen.get(s, 0)
        seen[s] = n + 1
        found.add(s if n == 0 else f"{s}-{n}")
    return found


def prose(path: Path) -> str:
    """The text of a document outside its fenced blocks and code spans."""
    out, fenced = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        if FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            out.append(re.sub(r"`[^`]*`", "", line))
    return "\n".join(out)


@pytest.mark.parametrize("doc", DOCS, ids=[str(d.relative_to(REPO)) for d in DOCS])
def test_links_resolve(doc: Path) -> None:
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", prose(doc)):
        if re.match(r"[a-z]+:", target):
            continue  # https:, mailto:
        file, _, anchor = target.partition("#")
        dest = (doc.parent / file).resolve() if file else doc
        if not dest.exists():
            broken.append(f"{target}: no such file")
        elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
            broken.append(f"{target}: no heading with that anchor")
    assert not broken, f"{doc.relative_to(REPO)}: {broken}"
