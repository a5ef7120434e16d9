"""Benchmark the default extractive model (ONNX Runtime) against ``-o runtime=torch``, in the same run.

    python -m eval.bench.extractive [--limit 1000] [--cold-runs 5] [--long-sentences 8000] [--write-results]

* **cold start**: ``summarize examples/cnbc_article.txt`` in a new process, the default and
  ``-o runtime=torch``, and a bare ``python -c "import torch, transformers"``, the three
  interleaved ``--cold-runs`` times; wall-clock medians and each process's peak RSS (from
  ``wait4``). The ONNX model is in the per-user cache already (``summarize prepare``).
* **bulk**: the first ``--limit`` dev articles through ``get_summarizer("extractive")``
  (each runtime in its own process, so its peak RSS is its own), ``--chunk`` articles a
  call as ``summarize`` calls it, the adaptive number of key points; start-up (model load
  and one warm-up sentence) is timed apart from the throughput.
* **quality**: the key points of both bulk runs scored by the harness's ROUGE
  (``summarizer.evaluate.Scorer``: rouge-score's rules, stemming, ROUGE-Lsum one key point a
  line) against the human highlights, and compared with the harness's paired
  randomization test (``summarizer.evaluate.paired_test``, seeded).
* **a long article**: one article of ``--long-sentences`` short sentences (our own words)
  beside a normal dev article, in one call: peak RSS, which the scorer's windows keep
  linear in the article's length.
* ``summarize --help``: median of 5 new processes.

The load average is printed at the start and the end: on a shared machine the ratios
(measured side by side) mean more than the absolute times.
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
import numpy as np

from eval.results_md import publish

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / "shared" / "data" / "cnndm_dev_from_test.jsonl"
EXAMPLE = REPO / "examples" / "cnbc_article.txt"
TARGETS = {"cold_s": 1.5, "cold_speedup": 5.0, "cold_vs_import": 0.6, "bulk_speedup": 1.4, "articles_per_s": 15.0,
           "rss_one_mb": 400.0, "rss_bulk_mb": 700.0, "rouge_delta": 0.15, "help_s": 0.5, "long_rss_mb": 1536.0}
METRICS = ("rouge1", "rouge2", "rougeLsum")


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _summarize_cmd(*args: str) -> list[str]:
    script = Path(sys.executable).with_name("summarize")
    return [str(script), *args] if script.exists() else [sys.executable, "-m", "summarizer", *args]


def timed(cmd: list[str], ok: tuple[int, ...] = (0,)) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one new process running ``cmd``, whose exit status must be in ``ok``."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
    if os.waitstatus_to_exitcode(status) not in ok:
        raise click.ClickException(f"{' '.join(cmd)} failed: {p.stderr.read().decode()[-2000:]}")
    p.stderr.close()
    p.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_maxrss / 1024


def cold(runs: int) -> dict[str, list[tuple[float, float]]]:
    cmds = {
        "default": _summarize_cmd(str(EXAMPLE)),
        "torch": _summarize_cmd("-o", "runtime=torch", str(EXAMPLE)),
        "import": [sys.executable, "-c", "import torch, transformers"],
    }
    timed(cmds["default"])  # the ONNX model is built (once) if the cache lacks it; not timed
    out: dict[str, list[tuple[float, float]]] = {k: [] for k in cmds}
    for _ in range(runs):
        for name, cmd in cmds.items():  # interleaved: each sees the same machine
            out[name].append(timed(cmd))
    return out


def bulk(data: Path, limit: int, chunk: int, runtime: str) -> dict:
    """One runtime on the dev articles, timed after start-up, with its key points."""
    from summarizer.article import Article

    with open(data, encoding="utf-8") as f:
        rows = [json.loads(line) for _, line in zip(range(limit), f)]
    articles = [Article(body=r["article"], name=r["id"]) for r in rows]
    t0 = time.perf_counter()
    from summarizer.backends import get_summarizer

    model = get_summarizer("extractive", runtime=runtime)
    model.encoder.encode(["A warm-up sentence."])
    load_s = time.perf_counter() - t0
    rss_loaded = _peak_rss_mb()
    t1 = time.perf_counter()
    picks = []
    for i in range(0, len(articles), chunk):
        picks += [s.texts for s in model.summarize(articles[i : i + chunk], num_points=None)]
    run_s = time.perf_counter() - t1
    return {
        "articles": len(articles),
        "sentences": sum(len(a.sentences) for a in articles),
        "load_s": load_s,
        "run_s": run_s,
        "rss_after_load_mb": rss_loaded,
        "peak_rss_mb": _peak_rss_mb(),
        "workers": model.encoder.active_workers(),
        "encoder": model.encoder.description,
        "scorer": model.scorer.description["sha256"],
        "picks": {r["id"]: p for r, p in zip(rows, picks)},
    }


def long_article(data: Path, sentences: int) -> dict:
    """One article of ``sentences`` short sentences beside a normal one, in one call."""
    from summarizer.article import Article

    with open(data, encoding="utf-8") as f:
        normal = Article(body=json.loads(f.readline())["article"])
    words = ["council", "harbor", "budget", "ferry", "school", "bridge", "market", "river"]
    body = " ".join(f"Item {i} notes that the {words[i % 8]} report {i % 97} was filed on time." for i in range(sentences))
    long = Article(body=body)
    from summarizer.backends import get_summarizer

    model = get_summarizer("extractive")
    t = time.perf_counter()
    out = model.summarize([long, normal], num_points=None)
    return {"sentences": len(long.sentences), "mb": len(body.encode()) / 1e6, "seconds": time.perf_counter() - t,
            "peak_rss_mb": _peak_rss_mb(), "points": [len(s.key_points) for s in out]}


def _worker(args: list[str]) -> dict:
    r = subprocess.run([sys.executable, "-m", "eval.bench.extractive", *args], capture_output=True, text=True, cwd=REPO)
    if r.returncode != 0:
        raise click.ClickException(f"worker {' '.join(args)} failed:\n{r.stderr[-3000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def quality(data: Path, runs: dict[str, dict], samples: int = 10000, seed: int = 0) -> dict:
    """Per-article ROUGE F1 x 100 of each run's key points, means and the paired test."""
    from summarizer.evaluate import Scorer, paired_test

    refs = {}
    with open(data, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            refs[r["id"]] = r["highlights"]
    scorer = Scorer()
    f1 = {}
    for name, run in runs.items():
        rows = []
        for doc_id, picks in run["picks"].items():
            s = scorer.score(reference=refs[doc_id], prediction=picks)
            rows.append([100 * s[m].fmeasure for m in METRICS])
        f1[name] = np.array(rows)
    a, b = f1["default"], f1["torch"]
    tests = [paired_test(a[:, i], b[:, i], samples=samples, seed=seed) for i in range(len(METRICS))]
    same = sum(run_a == run_b for run_a, run_b in zip(runs["default"]["picks"].values(), runs["torch"]["picks"].values()))
    return {"means": {k: v.mean(0).tolist() for k, v in f1.items()}, "p": [t.p_value for t in tests],
            "same": same, "samples": samples, "seed": seed}


def time_help(runs: int) -> list[float]:
    return [timed(_summarize_cmd("--help"))[0] for _ in range(runs)]


def _mark(ok: bool) -> str:
    return "yes" if ok else "**no**"


def table(c: dict, fast: dict, slow: dict, q: dict, long: dict | None, help_times: list[float], chunk: int,
          loads: tuple[float, float], command: str) -> str:
    med = {k: statistics.median(w for w, _ in v) for k, v in c.items()}
    rss = {k: max(r for _, r in v) for k, v in c.items()}
    rate = {k: d["articles"] / d["run_s"] for k, d in (("default", fast), ("torch", slow))}
    srate = {k: d["sentences"] / d["run_s"] for k, d in (("default", fast), ("torch", slow))}
    runs = len(c["default"])
    lines = [
        "## Extractive benchmark: ONNX Runtime against `-o runtime=torch` (`eval/bench/extractive.py`)",
        "",
        f"Command: `{command}`; {os.cpu_count()} CPU cores, load average {loads[0]:.1f} at the start and "
        f"{loads[1]:.1f} at the end (a shared machine: compare the ratios).",
        "",
        f"**Cold start**: `summarize examples/cnbc_article.txt` in a new process, {runs} runs of each, interleaved; "
        "the ONNX model already in the per-user cache.",
        "",
        "| command | median s | min s | max s | peak RSS (MB, max) |",
        "| --- | --- | --- | --- | --- |",
    ]
    names = {"default": "`summarize FILE` (default: ONNX Runtime)", "torch": "`summarize -o runtime=torch FILE`",
             "import": "`python -c \"import torch, transformers\"`"}
    for k, label in names.items():
        ws = [w for w, _ in c[k]]
        lines.append(f"| {label} | {med[k]:.2f} | {min(ws):.2f} | {max(ws):.2f} | {rss[k]:.0f} |")
    lines += [
        "",
        f"**Bulk**: the first {fast['articles']} dev articles ({fast['sentences']} sentences), {chunk} a call, "
        "adaptive number of key points; each runtime in its own process; throughput after start-up.",
        "",
        "| runtime | start-up s | articles/s | sentences/s | RSS after start-up (MB) | peak RSS (MB) | ROUGE-1 | ROUGE-2 | ROUGE-Lsum |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for k, d in (("default", fast), ("torch", slow)):
        m = q["means"][k]
        label = f"onnx (default), {d['workers']} batches at a time" if k == "default" else "torch (`-o runtime=torch`)"
        lines.append(f"| {label} | {d['load_s']:.1f} | {rate[k]:.2f} | {srate[k]:.0f} | {d['rss_after_load_mb']:.0f} "
                     f"| {d['peak_rss_mb']:.0f} | {m[0]:.2f} | {m[1]:.2f} | {m[2]:.2f} |")
    delta = [a - b for a, b in zip(q["means"]["default"], q["means"]["torch"])]
    lines += [
        f"| onnx - torch | | {rate['default'] / rate['torch']:.2f}x | {srate['default'] / srate['torch']:.2f}x | | "
        f"| {delta[0]:+.2f} | {delta[1]:+.2f} | {delta[2]:+.2f} |",
        "",
        f"ROUGE: the harness's scorer (rouge-score's rules, stemming, ROUGE-Lsum one key point a line), F1 x 100 "
        f"against the human highlights. Paired randomization test onnx vs torch ({q['samples']} trials, seed "
        f"{q['seed']}), p for R1 / R2 / RLsum: {' / '.join(f'{p:.3f}' for p in q['p'])}. The same key points in "
        f"{q['same']} of {fast['articles']} articles (the encoders differ: ONNX int8 with per-channel weights, "
        "torch int8 with one scale per matrix). Scorer weights: sha256 "
        f"{fast['scorer']}... (both runtimes).",
    ]
    if long:
        lines += ["", f"**A long article**: {long['sentences']} short sentences ({long['mb']:.1f} MB) beside a normal "
                      f"dev article, one call of the default model: {long['seconds']:.1f} s, peak RSS "
                      f"{long['peak_rss_mb']:.0f} MB."]
    help_s = statistics.median(help_times)
    lines += [
        "",
        "| target (2 CPU cores) | measured | met |",
        "| --- | --- | --- |",
        f"| cold `summarize FILE` <= {TARGETS['cold_s']} s | {med['default']:.2f} s | {_mark(med['default'] <= TARGETS['cold_s'])} |",
        f"| cold: >= {TARGETS['cold_speedup']:g}x faster than `-o runtime=torch` | {med['torch'] / med['default']:.1f}x "
        f"| {_mark(med['torch'] / med['default'] >= TARGETS['cold_speedup'])} |",
        f"| cold: < 60% of `import torch, transformers` | {100 * med['default'] / med['import']:.0f}% "
        f"| {_mark(med['default'] / med['import'] < TARGETS['cold_vs_import'])} |",
        f"| bulk >= {TARGETS['bulk_speedup']}x `-o runtime=torch` | {rate['default'] / rate['torch']:.2f}x "
        f"| {_mark(rate['default'] / rate['torch'] >= TARGETS['bulk_speedup'])} |",
        f"| bulk > {TARGETS['articles_per_s']:g} articles/s | {rate['default']:.1f} | {_mark(rate['default'] > TARGETS['articles_per_s'])} |",
        f"| peak RSS, one article <= {TARGETS['rss_one_mb']:g} MB | {rss['default']:.0f} MB | {_mark(rss['default'] <= TARGETS['rss_one_mb'])} |",
        f"| peak RSS, {fast['articles']} articles <= {TARGETS['rss_bulk_mb']:g} MB | {fast['peak_rss_mb']:.0f} MB "
        f"| {_mark(fast['peak_rss_mb'] <= TARGETS['rss_bulk_mb'])} |",
        f"| dev ROUGE within {TARGETS['rouge_delta']} of runtime=torch | "
        f"{' / '.join(f'{d:+.2f}' for d in delta)} | {_mark(max(abs(d) for d in delta) <= TARGETS['rouge_delta'])} |",
    ]
    if long:
        lines.append(f"| long article peak RSS <= 1.5 GB | {long['peak_rss_mb']:.0f} MB "
                     f"| {_mark(long['peak_rss_mb'] <= TARGETS['long_rss_mb'])} |")
    lines.append(f"| `summarize --help` < {TARGETS['help_s']:g} s | {help_s:.2f} s (median of {len(help_times)}) "
                 f"| {_mark(help_s < TARGETS['help_s'])} |")
    return "\n".join(lines)


@click.command()
@click.option("--data", type=click.Path(dir_okay=False, path_type=Path), default=DATA, show_default=True,
              help="Dev stories (JSONL with article, highlights and id).")
@click.option("--limit", type=click.IntRange(min=1), default=1000, show_default=True, help="Articles for the bulk runs.")
@click.option("--chunk", type=click.IntRange(min=1), default=None,
              help="Articles per summarize() call [default: the CLI's chunk size].")
@click.option("--cold-runs", type=click.IntRange(min=1), default=5, show_default=True, help="New processes of each kind.")
@click.option("--long-sentences", type=click.IntRange(min=0), default=8000, show_default=True,
              help="Sentences of the long article (0: skip).")
@click.option("--help-runs", type=click.IntRange(min=1), default=5, show_default=True, help="Timed `summarize --help` runs.")
@click.option("--write-results", is_flag=True, help="Write the section to eval/RESULTS.md.")
@click.option("--worker", type=click.Choice(["onnx", "torch", "long"]), hidden=True)
def main(data: Path, limit: int, chunk: int | None, cold_runs: int, long_sentences: int, help_runs: int,
         write_results: bool, worker: str | None) -> None:
    """Cold start, bulk throughput, quality and peak RSS of the default extractive model beside runtime=torch."""
    if not data.is_file():
        raise click.ClickException(f"{data}: not found; the shared data lives in ../shared/data beside the clone")
    if chunk is None:
        from summarizer.cli.run_cmd import CHUNK

        chunk = CHUNK
    if worker == "long":
        click.echo(json.dumps(long_article(data, long_sentences)))
        return
    if worker:
        click.echo(json.dumps(bulk(data, limit, chunk, worker)))
        return
    loads = [os.getloadavg()[0]]
    click.echo(f"cold starts, {cold_runs} of each ...", err=True)
    c = cold(cold_runs)
    common = ["--data", str(data), "--limit", str(limit), "--chunk", str(chunk)]
    click.echo(f"bulk: onnx on {limit} articles ...", err=True)
    fast = _worker([*common, "--worker", "onnx"])
    click.echo(f"bulk: torch on {limit} articles ...", err=True)
    slow = _worker([*common, "--worker", "torch"])
    long = None
    if long_sentences:
        click.echo(f"a {long_sentences}-sentence article ...", err=True)
        long = _worker(["--data", str(data), "--long-sentences", str(long_sentences), "--worker", "long"])
    help_times = time_help(help_runs)
    loads.append(os.getloadavg()[0])
    q = quality(data, {"default": fast, "torch": slow})
    command = "python -m eval.bench.extractive " + " ".join(sys.argv[1:])
    text = table(c, fast, slow, q, long, help_times, chunk, (loads[0], loads[1]), command.strip())
    publish("bench_extractive", text, write_results)


if __name__ == "__main__":
    main()
