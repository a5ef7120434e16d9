"""Benchmark the default extractive model against a naive baseline, in the same run.

    python eval/bench_extractive.py [--limit 1000] [--baseline-limit 200] [--write-results]

Each configuration runs in its own subprocess, so its peak RSS (``ru_maxrss``) is its own:

* **default**: ``get_summarizer("extractive")`` with its default settings (int8 linear layers,
  sentences of all the articles in a call encoded together, sorted by length, in batches of
  at most 64 sentences and 1,024 padded word pieces, two batches at a time on one torch
  thread each), called on chunks of articles the way ``summarize`` calls it (``--chunk``,
  the CLI's chunk size);
* **the same, 1 batch at a time** (``-o workers=1``): what encoding two batches at once
  adds, on the same articles;
* **naive**: the same encoder in fp32 without length sorting, one article's sentences in one
  forward pass on all torch threads (``quantize=None, workers=1, batch_tokens=None``), one
  article a call, then the same selection (the default scorer).

Throughput is measured after start-up: the model load (and one warm-up sentence) is timed
apart. The naive baseline is slow (about 2 articles/s on 2 cores), hence its own
``--baseline-limit``; both use the first articles of the dev file, and sentences/s is shown
beside articles/s because the two sets differ in length. ``summarize --help`` is timed as
the median of 5 fresh processes. Targets (2 CPU cores): >= 5 articles/s, >= 3x naive, peak
RSS <= 1 GB, --help < 0.5 s.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import click

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "cnndm_dev_from_test.jsonl"
TARGETS = {"articles_per_s": 5.0, "speedup": 3.0, "peak_rss_mb": 1024.0, "help_s": 0.5}


def _load_articles(data: Path, limit: int):
    from summarizer.article import Article

    with open(data, encoding="utf-8") as f:
        rows = [json.loads(line) for _, line in zip(range(limit), f)]
    return [Article(body=r["article"], name=r["id"]) for r in rows]


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def run_config(data: Path, limit: int, n: int, *, naive: bool, chunk: int, workers: int | None = None) -> dict:
    """One configuration, timed after start-up.

    default: the backend as ``summarize`` calls it, ``chunk`` articles per call;
    naive: fp32, no length sorting, one article a call; the same selection either way.
    ``workers`` overrides the default's batches encoded at once (1: the ablation row).
    """
    articles = _load_articles(data, limit)
    t0 = time.perf_counter()
    from summarizer.backends import get_summarizer

    settings = {"quantize": None, "workers": 1, "batch_tokens": None} if naive else {"workers": workers}
    model = get_summarizer("extractive", **settings)
    if naive:
        model.encoder.sort_by_length = False
        chunk = 1
    model.encoder.encode(["A warm-up sentence."])
    load_s = time.perf_counter() - t0
    rss_loaded = _peak_rss_mb()
    t1 = time.perf_counter()
    points = 0
    for i in range(0, len(articles), chunk):
        points += sum(len(s.key_points) for s in model.summarize(articles[i : i + chunk], num_points=n))
    run_s = time.perf_counter() - t1
    import torch

    return {
        "articles": len(articles),
        "sentences": sum(len(a.sentences) for a in articles),
        "key_points": points,
        "load_s": load_s,
        "run_s": run_s,
        "rss_after_load_mb": rss_loaded,
        "peak_rss_mb": _peak_rss_mb(),
        "threads": torch.get_num_threads(),
        "settings": {k: v for k, v in vars(model.settings).items()
                     if k in ("quantize", "batch_size", "batch_tokens", "max_tokens")},
        "workers": model.encoder.active_workers(),
    }


def _worker(args: list[str]) -> dict:
    r = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True)
    if r.returncode != 0:
        raise click.ClickException(f"worker {' '.join(args)} failed:\n{r.stderr[-3000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def time_help(runs: int) -> list[float]:
    """Wall times of ``summarize --help`` in fresh processes (the installed console script)."""
    script = Path(sys.executable).with_name("summarize")
    cmd = [str(script), "--help"] if script.exists() else [sys.executable, "-m", "summarizer", "--help"]
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - t)
    return times


def _mark(ok: bool) -> str:
    return "yes" if ok else "**no**"


def table(fast: dict, serial: dict, naive: dict, help_times: list[float], chunk: int, command: str) -> str:
    def rate(d: dict, key: str) -> float:
        return d[key] / d["run_s"]

    speedup = rate(fast, "articles") / rate(naive, "articles")
    speedup_s = rate(fast, "sentences") / rate(naive, "sentences")
    help_s = statistics.median(help_times)
    rows = [
        ("default: int8, batched across articles "
         f"({chunk} a call), sorted by length, {fast['workers']} batches at a time", fast),
        ("the same, 1 batch at a time on all torch threads (`-o workers=1`)", serial),
        ("naive: fp32, one article at a time, unsorted", naive),
    ]
    lines = [
        "## Extractive benchmark (`eval/bench_extractive.py`)",
        "",
        f"Command: `{command}` on `{DATA.name}`; {os.cpu_count()} CPU cores visible, torch threads "
        f"{fast['threads']}. Each configuration ran in its own process; throughput excludes start-up "
        "(model load and one warm-up sentence).",
        "",
        "| configuration | articles | sentences | start-up (s) | articles/s | sentences/s | RSS after start-up (MB) | peak RSS (MB) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, d in rows:
        lines.append(
            f"| {name} | {d['articles']} | {d['sentences']} | {d['load_s']:.1f} | {rate(d, 'articles'):.2f} "
            f"| {rate(d, 'sentences'):.0f} | {d['rss_after_load_mb']:.0f} | {d['peak_rss_mb']:.0f} |"
        )
    lines += [
        f"| ratio default / naive | | | | {speedup:.2f}x | {speedup_s:.2f}x | | "
        f"{fast['peak_rss_mb'] / naive['peak_rss_mb']:.2f}x |",
        "",
        f"The naive baseline ran on the first {naive['articles']} articles, the default on the first "
        f"{fast['articles']}; sentences/s compares them per unit of work. Two batches at a time against one: "
        f"{rate(fast, 'articles') / rate(serial, 'articles'):.2f}x.",
        "",
        "| target (2 CPU cores) | measured | met |",
        "| --- | --- | --- |",
        f"| >= {TARGETS['articles_per_s']:g} articles/s after start-up | {rate(fast, 'articles'):.2f} "
        f"| {_mark(rate(fast, 'articles') >= TARGETS['articles_per_s'])} |",
        f"| >= {TARGETS['speedup']:g}x the naive baseline | {speedup:.2f}x (articles/s), {speedup_s:.2f}x "
        f"(sentences/s) | {_mark(min(speedup, speedup_s) >= TARGETS['speedup'])} |",
        f"| peak RSS <= 1 GB | {fast['peak_rss_mb']:.0f} MB | {_mark(fast['peak_rss_mb'] <= TARGETS['peak_rss_mb'])} |",
        f"| `summarize --help` < {TARGETS['help_s']:g} s | {help_s:.2f} s (median of {len(help_times)}; "
        f"min {min(help_times):.2f}, max {max(help_times):.2f}) | {_mark(help_s < TARGETS['help_s'])} |",
    ]
    return "\n".join(lines)


@click.command()
@click.option("--data", type=click.Path(dir_okay=False, path_type=Path), default=DATA, show_default=True,
              help="Dev stories (JSONL with an article field).")
@click.option("--limit", type=click.IntRange(min=1), default=1000, show_default=True,
              help="Articles for the default model.")
@click.option("--baseline-limit", type=click.IntRange(min=1), default=200, show_default=True,
              help="Articles for the naive baseline (about 2 articles/s on 2 cores).")
@click.option("--chunk", type=click.IntRange(min=1), default=None,
              help="Articles per summarize() call for the default model [default: the CLI's chunk size].")
@click.option("-n", "--num-points", type=click.IntRange(min=1), default=3, show_default=True, help="Key points per article.")
@click.option("--help-runs", type=click.IntRange(min=1), default=5, show_default=True, help="Timed `summarize --help` runs.")
@click.option("--write-results", is_flag=True, help="Write the section to eval/RESULTS.md.")
@click.option("--worker", type=click.Choice(["default", "serial", "naive"]), hidden=True)
def main(data: Path, limit: int, baseline_limit: int, chunk: int | None, num_points: int, help_runs: int,
         write_results: bool, worker: str | None) -> None:
    """Articles/s and peak RSS of the default extractive model beside a naive baseline."""
    if not data.is_file():
        raise click.ClickException(f"{data}: not found; the shared data lives in ../shared/data beside the clone")
    if chunk is None:
        from summarizer.cli.run_cmd import CHUNK

        chunk = CHUNK
    if worker == "default":
        click.echo(json.dumps(run_config(data, limit, num_points, naive=False, chunk=chunk)))
        return
    if worker == "serial":
        click.echo(json.dumps(run_config(data, limit, num_points, naive=False, chunk=chunk, workers=1)))
        return
    if worker == "naive":
        click.echo(json.dumps(run_config(data, baseline_limit, num_points, naive=True, chunk=1)))
        return

    common = ["--data", str(data), "-n", str(num_points)]
    click.echo(f"default model on {limit} articles ...", err=True)
    fast = _worker([*common, "--worker", "default", "--limit", str(limit), "--chunk", str(chunk)])
    click.echo(f"the same, 1 batch at a time, on {limit} articles ...", err=True)
    serial = _worker([*common, "--worker", "serial", "--limit", str(limit), "--chunk", str(chunk)])
    click.echo(f"naive baseline on {baseline_limit} articles ...", err=True)
    naive = _worker([*common, "--worker", "naive", "--baseline-limit", str(baseline_limit)])
    help_times = time_help(help_runs)
    command = "python eval/bench_extractive.py " + " ".join(sys.argv[1:])
    text = table(fast, serial, naive, help_times, chunk, command.strip())
    click.echo(text)
    if write_results:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from results_md import write_section

        write_section("bench_extractive", text)
        click.echo("wrote the bench_extractive section of eval/RESULTS.md", err=True)


if __name__ == "__main__":
    main()
