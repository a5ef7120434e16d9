"""The house's layering is a contract the suite checks (``[tool.importlinter]`` in pyproject.toml):
no import circle in any package, and no arrow that climbs from a lower layer to a higher one."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CONFIG = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]


def test_the_import_contracts_are_kept():
    run = subprocess.run(
        [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports; "
         "sys.exit(lint_imports(no_cache=True))"],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert f"{len(CONFIG['contracts'])} kept, 0 broken" in run.stdout


def test_every_top_level_module_has_a_layer():
    """A new module or package must be placed in the layers, or it escapes the contract."""
    layers = next(c for c in CONFIG["contracts"] if c["type"] == "layers" and "containers" not in c)["layers"]
    placed = {name.strip() for layer in layers for name in layer.split("|")}
    package = REPO / "summarizer"
    present = {f"summarizer.{p.stem}" for p in package.glob("*.py") if p.stem not in ("__init__", "__main__")}
    present |= {f"summarizer.{p.name}" for p in package.iterdir() if (p / "__init__.py").is_file()}
    assert present - placed == set()
    assert placed - present == set()  # no layer names a module that is gone


def test_every_backend_room_has_a_layer():
    family = next(c for c in CONFIG["contracts"] if c.get("containers") == ["summarizer.backends"])
    placed = {name.strip() for layer in family["layers"] for name in layer.split("|")}
    rooms = REPO / "summarizer" / "backends"
    present = {p.stem for p in rooms.glob("*.py") if p.stem != "__init__"}
    present |= {p.name for p in rooms.iterdir() if (p / "__init__.py").is_file()}
    assert present == placed
