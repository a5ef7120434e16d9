"""Benchmark: the Ray engine with 1 and 2 workers against the local engine, in the same run.

    python -m eval.bench.ray                  # 200 dev articles, the default model; print the table
    python -m eval.bench.ray --write-results  # and record it in eval/RESULTS.md

Each configuration summarizes the first ``--limit`` dev stories (read in place from
../shared/data) through the engine ``summarize eval`` uses, in its own fresh process:

* **local**: ``LocalEngine``, the model in that process, with torch's default threads (one
  per core);
* **ray, N workers**: ``RayEngine(workers=N)`` on a Ray instance of N CPUs started for the
  run: N actors, each holding the model and reserving one CPU, for which Ray sets
  ``OMP_NUM_THREADS=1``, so torch uses one thread per worker (measured in a worker, shown
  in the table). Without that, two workers of two threads each would fight over two cores.

Timed: start-up (to the first batch of predictions: for Ray, ``ray.init``, starting the
actors, loading the model in each; for local, loading the model), the steady rate (over
the second half of the batches, when every worker has its model), the overall rate (all
articles over the total time), and for Ray the ``ray.init`` and ``ray.shutdown`` calls. Scaling efficiency is the 2-worker steady rate over
twice the 1-worker rate. Scoring is not timed: it is the same code, on the driver, for
every engine. Every configuration must give the same key points for every article (the
script says whether they do).
"""

from __future__ import annotations

import json
import os
import platform
import shlex
import subprocess
import sys
import time
from pathlib import Path

import click

from eval.results_md import publish

REPO = Path(__file__).resolve().parents[2]
DEV = REPO.parent / "shared" / "data" / "cnndm_dev_from_test.jsonl"


def run_config(engine: str, workers: int, opts_json: str) -> dict:
    """One configuration, in this (fresh) process: timings and the predictions."""
    from summarizer.evaluate import DatasetOptions, EvalOptions
    from summarizer.evaluate.engines import Job, LocalEngine, RayEngine, import_ray
    from summarizer.evaluate.runs import batches

    o = json.loads(opts_json)
    opts = EvalOptions(DatasetOptions(str(DEV), limit=o["limit"]), o["model"], Path("unused"), settings=o["settings"],
                       num_points=o["num_points"], docs_per_call=o["docs_per_call"])
    todo = list(batches(opts.data.load().documents, opts.docs_per_call))
    job = Job(opts.model, opts.settings, opts.num_points)
    out: dict = {"engine": engine, "workers": workers}
    if engine == "ray":
        ray = import_ray()
        t = time.perf_counter()
        RayEngine(workers=workers).connect(ray)  # as the engine starts it; then predict() leaves it up
        out["init_s"] = time.perf_counter() - t
        run = RayEngine(workers=workers).predict(todo, job)
    else:
        import torch

        out["threads"] = torch.get_num_threads()
        run = LocalEngine().predict(todo, job)
    t0 = time.perf_counter()
    preds, arrived, sizes = [], [], []
    for batch in run:
        arrived.append(time.perf_counter() - t0)
        sizes.append(len(batch))
        preds += batch
    out.update(first_batch_s=arrived[0], arrived=arrived, sizes=sizes, articles=len(preds))
    if engine == "ray":
        # what torch sees in a worker that reserves one CPU, as the engine's workers do
        out["threads"] = ray.get(ray.remote(num_cpus=1)(_torch_threads).remote())
        t = time.perf_counter()
        ray.shutdown()
        out["shutdown_s"] = time.perf_counter() - t
    out["predictions"] = {p.id: list(p.summary) for p in preds}
    return out


def _torch_threads() -> int:
    import torch

    return torch.get_num_threads()


def in_process(engine: str, workers: int, opts: dict) -> dict:
    r = subprocess.run([sys.executable, "-m", "eval.bench.ray", "--child", f"{engine}:{workers}",
                        "--child-opts", json.dumps(opts)], capture_output=True, text=True, cwd=REPO)
    if r.returncode != 0:
        raise click.ClickException(f"{engine} with {workers} workers failed:\n{r.stderr[-3000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def steady_rate(d: dict) -> float:
    """Articles/s over the second half of the batches, when every worker has loaded its model."""
    t, sizes = d["arrived"], d["sizes"]
    h = max(1, len(t) // 2)
    return sum(sizes[h:]) / (t[-1] - t[h - 1]) if len(t) > 1 and t[-1] > t[h - 1] else float("nan")


def total_s(d: dict) -> float:
    return d.get("init_s", 0) + d["arrived"][-1] + d.get("shutdown_s", 0)


def table(rows: list[dict], opts: dict, command: str, load: tuple[float, float]) -> str:
    import ray

    local = rows[0]
    one, two = rows[1], rows[2]
    efficiency = steady_rate(two) / (2 * steady_rate(one))
    overall = (two["articles"] / total_s(two)) / (2 * one["articles"] / total_s(one))
    same = [sum(d["predictions"][k] != local["predictions"][k] for k in local["predictions"]) for d in rows[1:]]
    settings = " ".join(f"-o {k}={v}" for k, v in opts["settings"].items())
    lines = [
        f"{local['articles']} dev articles, model `{opts['model']}`{(' ' + settings) if settings else ''}, "
        f"{opts['docs_per_call']} documents per call; {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"Ray {ray.__version__}, load average {load[0]:.1f} before, {load[1]:.1f} after. "
        "Each configuration in its own process, one after another.",
        "",
        "| engine | workers | torch threads per worker | start-up to first batch s | steady articles/s "
        "| total s | articles/s overall | ray.init s | ray.shutdown s |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for d in rows:
        start = d.get("init_s", 0) + d["first_batch_s"]
        total = total_s(d)
        ray_cells = f"{d['init_s']:.1f} | {d['shutdown_s']:.1f}" if d["engine"] == "ray" else "- | -"
        lines.append(f"| {d['engine']} | {d['workers'] or '-'} | {d['threads']} | {start:.1f} | {steady_rate(d):.2f} "
                     f"| {total:.1f} | {d['articles'] / total:.2f} | {ray_cells} |")
    overhead = [d["init_s"] + d["first_batch_s"] + d["shutdown_s"] - local["first_batch_s"] for d in rows[1:]]
    lines += [
        "",
        f"**Scaling efficiency** (2-worker steady rate / 2 x 1-worker rate): {100 * efficiency:.0f}%; "
        f"overall, start-up included: {100 * overall:.0f}%.",
        "Steady: articles/s over the second half of the batches, when every worker has its model; "
        "overall: all articles over the total time, Ray's start and stop included.",
        f"**Ray overhead per run** (start-up to first batch plus shutdown, beyond the local engine's "
        f"model load): {overhead[0]:.1f} s with 1 worker, {overhead[1]:.1f} s with 2.",
        "**Same key points as the local engine**: "
        + ", ".join(f"{d['workers']} worker{'s' * (d['workers'] > 1)}: "
                    + ("yes, all articles" if n == 0 else f"**no**, {n} articles differ")
                    for d, n in zip(rows[1:], same)) + ".",
        "",
        "Threads: the local engine's torch uses every core; a Ray worker reserves one CPU and Ray "
        "sets `OMP_NUM_THREADS` to it, so two workers use the two cores without oversubscribing them. "
        "On one machine the local engine is the baseline to beat; Ray pays off when workers are on "
        "more machines (or GPUs) than one.",
        "",
        f"Command: `{command}`",
    ]
    return "\n".join(lines)


@click.command()
@click.option("--limit", type=click.IntRange(min=1), default=200, show_default=True, help="Dev articles.")
@click.option("--model", "-m", default="extractive", show_default=True, help="The model (as summarize eval -m).")
@click.option("-o", "--option", "options", multiple=True, metavar="KEY=VALUE", help="A model setting, as summarize -o.")
@click.option("--docs-per-call", type=click.IntRange(min=1), default=16, show_default=True,
              help="Documents per summarize call (summarize eval's default).")
@click.option("-n", "--num-points", type=click.IntRange(min=1), default=3, show_default=True, help="Key points.")
@click.option("--write-results", is_flag=True, help="Record the table in eval/RESULTS.md.")
@click.option("--child", hidden=True, default=None)
@click.option("--child-opts", hidden=True, default=None)
def main(limit: int, model: str, options: tuple[str, ...], docs_per_call: int, num_points: int, write_results: bool,
         child: str | None, child_opts: str | None) -> None:
    """Time the Ray engine (1 and 2 workers) against the local engine on the same dev articles."""
    if child is not None:
        engine, _, workers = child.partition(":")
        click.echo(json.dumps(run_config(engine, int(workers), child_opts)))
        return
    if not DEV.is_file():
        raise click.ClickException(f"the shared data is not in {DEV.parent}: it lives in ../shared/data beside the clone")
    from summarizer.cli.options import parse_settings
    from summarizer.evaluate.engines import import_ray

    import_ray()
    opts = {"limit": limit, "model": model, "settings": parse_settings(model, options), "num_points": num_points,
            "docs_per_call": docs_per_call}
    load_before = os.getloadavg()
    rows = []
    for engine, workers in (("local", 0), ("ray", 1), ("ray", 2)):
        click.echo(f"{engine} {workers or ''}...", err=True)
        rows.append(in_process(engine, workers, opts))
    load_after = os.getloadavg()
    args = [a for a in sys.argv[1:] if a != "--write-results"]
    command = shlex.join(["python", "-m", "eval.bench.ray", *args, "--write-results"])
    text = table(rows, opts, command, (load_before[0], load_after[0]))
    publish("bench_ray", "## Ray engine: 1 and 2 workers against the local engine (`eval/bench/ray.py`)\n\n" + text,
            write_results)


if __name__ == "__main__":
    main()
