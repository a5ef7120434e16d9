"""``eval/`` is a package by kind, run with ``python -m`` from the repository root: every module
is importable under its dotted name, every script answers ``--help``, nothing edits ``sys.path``,
and neither the benchmarks nor the package import the tests' helpers."""

from __future__ import annotations

import ast
import importlib.util
import json
import subprocess
import sys

from helpers import REPO

EVAL = REPO / "eval"
FILES = sorted(EVAL.rglob("*.py"))


def dotted(path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path) -> set[str]:
    """Top-level names of the modules ``path`` imports (absolute imports only)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.add(node.module.split(".")[0])
    return out


def runnable(path) -> bool:
    return 'if __name__ == "__main__":' in path.read_text(encoding="utf-8")


def test_no_sys_path_edits_under_eval():
    assert [str(p.relative_to(REPO)) for p in FILES if "sys.path" in p.read_text(encoding="utf-8")] == []


def test_every_folder_is_a_package_and_every_module_is_found_where_it_lies():
    folders = {p.parent for p in FILES}
    assert [str(f.relative_to(REPO)) for f in sorted(folders) if not (f / "__init__.py").is_file()] == []
    for path in FILES:
        spec = importlib.util.find_spec(dotted(path))
        assert spec is not None and spec.origin == str(path), dotted(path)


def test_the_scripts_are_the_kinds_the_docs_name():
    scripts = {dotted(p) for p in FILES if runnable(p)}
    assert {s.split(".")[1] for s in scripts} == {"bench", "train", "quality", "rouge155", "assemble_gguf"}
    assert "eval.results_md" not in scripts and not any(s.startswith("eval.common") for s in scripts)


def test_benchmarks_never_import_the_tests_helpers_and_the_package_never_imports_eval():
    test_modules = {p.stem for p in (REPO / "tests").glob("*.py")} | {"tests"}
    for path in FILES:
        assert not imported(path) & test_modules, path
    for path in (REPO / "summarizer").rglob("*.py"):
        assert not imported(path) & {"eval", "tests"}, path


# One process imports every script as ``python -m`` would and asks each for its help: the
# imports are paid once (torch among them), not once a script.
HELP = r"""
import contextlib, io, json, sys
import click

out = {}
for name in sys.argv[1:]:
    main = __import__(name, fromlist=["main"]).main
    text = io.StringIO()
    try:
        with contextlib.redirect_stdout(text):
            if isinstance(main, click.Command):
                code = main.main(["--help"], prog_name=name, standalone_mode=False)
            else:  # argparse
                sys.argv = [name, "--help"]
                main()
                code = "returned without exiting"
    except SystemExit as e:
        code = e.code
    out[name] = [code or 0, text.getvalue()]
print(json.dumps(out))
"""


def test_every_script_answers_help():
    scripts = sorted(dotted(p) for p in FILES if runnable(p))
    assert len(scripts) >= 20
    r = subprocess.run([sys.executable, "-c", HELP, *scripts], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    answers = json.loads(r.stdout.strip().splitlines()[-1])
    for name in scripts:
        code, text = answers[name]
        assert code == 0 and "usage:" in text.lower(), (name, code, text[-500:])
