"""``summarize eval --engine ray``: the same files as the local engine, a resumed run, and
its errors in one line. One local Ray instance (2 CPUs) serves the whole module; the
cheap ``lead`` model keeps each run to seconds. Benchmarks are in eval/bench/ray.py."""

from __future__ import annotations

import json
import logging
import shutil
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from summarizer.cli import cli
from summarizer.errors import ModelError, UsageError
from summarizer.evaluate.engines import EngineError, RayEngine, _rebuild, _worker_error, cpu_share
from test_eval_cli import write_dataset

FILES = ("predictions.jsonl", "scores.jsonl", "report.json", "report.md")


@pytest.fixture(scope="module")
def ray_instance():
    ray = pytest.importorskip("ray", reason="Ray is not installed: pip install 'summarizer[ray]'")
    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR)
    yield ray
    ray.shutdown()


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    return write_dataset(tmp_path_factory.mktemp("data") / "news.jsonl", 40, seed=6)


def eval_run(dataset: Path, out: Path, *extra: str):
    args = ["eval", "--dataset", dataset, "--model", "lead", "--out", out, "--samples", "200", "--docs-per-call", "4",
            "--oracle", *extra]
    r = CliRunner().invoke(cli, [str(a) for a in args])
    assert r.exit_code == 0, r.output
    return r


@pytest.fixture(scope="module")
def local_run(dataset, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("local") / "run"
    eval_run(dataset, out)
    return out


def assert_same_run(ray_out: Path, local_out: Path) -> None:
    """Byte for byte, but for the --out folder named in the recorded command."""
    for name in FILES:
        ours = (ray_out / name).read_text(encoding="utf-8").replace(str(ray_out), "OUT")
        theirs = (local_out / name).read_text(encoding="utf-8").replace(str(local_out), "OUT")
        assert ours == theirs, name


def test_a_ray_run_writes_what_a_local_run_writes(ray_instance, dataset, local_run, tmp_path):
    out = tmp_path / "ray"
    r = eval_run(dataset, out, "--engine", "ray", "--workers", "2")
    assert_same_run(out, local_run)
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert "--engine" not in report["command"]  # it cannot change a figure
    assert "Ray" not in r.stderr  # Ray's own logs and progress bars stay off the console


def test_a_ray_run_resumes_after_a_kill(ray_instance, dataset, local_run, tmp_path):
    out = tmp_path / "resumed"
    shutil.copytree(local_run, out)
    lines = (out / "predictions.jsonl").read_bytes().splitlines(keepends=True)
    kept = b"".join(lines[:13])
    (out / "predictions.jsonl").write_bytes(kept + lines[13][:30])  # 13 whole lines and a torn one
    for name in FILES[1:]:
        (out / name).unlink()
    r = eval_run(dataset, out, "--engine", "ray", "--workers", "2", "--resume")
    assert "torn last line" in r.stderr
    assert (out / "predictions.jsonl").read_bytes().startswith(kept)  # the 13 were not redone
    assert_same_run(out, local_run)


def test_without_ray_the_error_says_how_to_install_it(monkeypatch, dataset, tmp_path):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray fails as if not installed
    r = CliRunner().invoke(cli, ["eval", "-d", str(dataset), "-m", "lead", "--out", str(tmp_path / "r"),
                                 "--engine", "ray"])
    assert r.exit_code == 1
    assert r.output.count("\n") == 1 and "pip install 'summarizer[ray]'" in r.output
    assert not (tmp_path / "r").exists()  # said before the dataset is read or the folder made


def test_ray_options_need_the_ray_engine(dataset, tmp_path):
    r = CliRunner().invoke(cli, ["eval", "-d", str(dataset), "--out", str(tmp_path / "r"), "--address", "auto"])
    assert r.exit_code == 2 and "--address applies to --engine ray" in r.output


def test_no_cluster_at_the_address_is_one_line():
    def refuse(**kw):
        raise ConnectionError("Could not find any running Ray instance.\nmore detail")

    fake = SimpleNamespace(is_initialized=lambda: False, init=refuse)
    with pytest.raises(EngineError, match=r"^cannot join a Ray cluster on this machine \(--address auto\): "
                                          r"Could not find any running Ray instance; start one with `ray start"):
        RayEngine(address="auto").connect(fake)


def test_a_workers_error_comes_back_as_itself():
    sent = json.dumps(["summarizer.errors", "ModelError", "cannot load the model 'x'"])
    e = _rebuild(sent)
    assert type(e) is ModelError and str(e) == "cannot load the model 'x'"
    # UnknownModelError takes (name, known): it comes back as the usage error it is
    e = _rebuild(json.dumps(["summarizer.errors", "UnknownModelError", "unknown model 'x'"]))
    assert type(e) is UsageError and str(e) == "unknown model 'x'"


def test_an_unexpected_worker_exception_is_named_in_one_line():
    text = ("\x1b[36mray::MapWorker(MapBatches(_SummarizeBatches)).submit()\x1b[39m (pid=1, ip=10.0.0.2)\n"
            "  File \"x.py\", line 3, in f\n"
            "MemoryError: cannot allocate 2 GiB\n\n"
            "ray.exceptions.UserCodeException: UDF failed to process a data block.")
    assert str(_worker_error(RuntimeError(text))) == "a Ray worker failed: MemoryError: cannot allocate 2 GiB"


@pytest.mark.parametrize("nodes, workers, share", [([2], 2, 1), ([2], 1, 2), ([16, 16], 4, 8), ([16, 16], 3, 8),
                                                   ([16, 4], 3, 5), ([2], 3, 0), ([], 1, 0)])
def test_cpu_share_places_every_worker(nodes, workers, share):
    assert cpu_share(nodes, workers) == share
    if share:
        assert sum(n // share for n in nodes) >= workers
