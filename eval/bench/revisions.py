"""The same user-facing timings on two revisions of the package, interleaved in one run.

    python -m eval.bench.revisions --base REV [--cold-runs 9] [--limit 1000] [--bulk-runs 2] [--alone 200]
                                   [--write-results]

A change that moves code (a new layout, a refactor) must not make the tool slower to start
or slower in bulk. This checks out ``--base`` (a commit, a tag, a branch) in a temporary git
worktree and measures it beside the working tree, each in new processes with its own
``summarizer`` first on ``PYTHONPATH``:

* **cold start**: ``python -m summarizer examples/cnbc_article.txt`` (the default model,
  its ONNX encoder already in the per-user cache), and ``python -m summarizer --help``;
  the two revisions alternate, ``--cold-runs`` times each; wall-clock medians;
* **bulk**: the first ``--limit`` dev stories through ``get_summarizer("extractive")`` in a
  fresh process, 32 articles a call as ``summarize`` calls it, the adaptive number of key
  points, start-up timed apart; ``--bulk-runs`` per revision in ABBA order; articles/s and
  a sha256 of every key point written, so the outputs are shown to be the same too;
* **one story a call** (what a server or ``summarize FILE`` asks of the model): the first
  ``--alone`` dev stories, each read (``parse_article``) and summarized alone with 3 key
  points, in one warm process per revision; the two take turns story by story (which goes
  first alternates), so both see the same load; median and 99th percentile milliseconds, the
  median of the per-story ratios, how many stories got the same key points on both, and
  each revision's mean ROUGE-1/2/Lsum F1 against the highlights (the harness's scorer).

``--cold-runs 0``, ``--bulk-runs 0`` or ``--alone 0`` leave a measure out.

Timings on a shared 2-core machine are noisy: read the ratios, measured side by side, and
the load average printed with them.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import click

from ..results_md import publish

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / "shared" / "data" / "cnndm_dev_from_test.jsonl"
EXAMPLE = "examples/cnbc_article.txt"

# What both scripts begin with: the model loaded and warmed on one short story, and the first
# sys.argv[2] dev stories of sys.argv[1] read (after the timed start-up).
_LOAD = """
from summarizer import get_summarizer, parse_article
model = get_summarizer("extractive")
model.summarize([parse_article("The council met on Monday. It voted to close the bridge.")])
"""
_READ = """
stories = []
with open(sys.argv[1], encoding="utf-8") as f:
    for line in f:
        stories.append(json.loads(line)["article"])
        if len(stories) == int(sys.argv[2]):
            break
"""

_BULK = r"""
import hashlib, json, sys, time
t0 = time.perf_counter()
""" + _LOAD + """start = time.perf_counter() - t0
""" + _READ + r"""articles = [parse_article(s) for s in stories]
digest = hashlib.sha256()
t = time.perf_counter()
for k in range(0, len(articles), 32):
    for s in model.summarize(articles[k : k + 32], num_points=None):
        digest.update(json.dumps(s.texts).encode())
seconds = time.perf_counter() - t
print(json.dumps({"start": start, "seconds": seconds, "articles": len(articles), "sha256": digest.hexdigest()}))
"""


_ALONE = r"""
import json, sys, time
""" + _LOAD + _READ + r"""print("ready", flush=True)
for line in sys.stdin:
    t = time.perf_counter()
    summary = model.summarize([parse_article(stories[int(line)])], num_points=3)[0]
    seconds = time.perf_counter() - t
    print(json.dumps({"seconds": seconds, "texts": summary.texts}), flush=True)
"""


def _alone(trees: dict[str, Path], limit: int) -> dict[str, dict]:
    """One story a call in a warm process per revision, taking turns story by story."""
    procs = {name: subprocess.Popen([sys.executable, "-c", _ALONE, str(DATA), str(limit)], cwd=tree, env=_env(tree),
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
             for name, tree in trees.items()}
    out: dict[str, dict] = {name: {"seconds": [], "texts": []} for name in trees}
    try:
        for p in procs.values():
            if p.stdout.readline().strip() != "ready":
                raise click.ClickException("a one-story worker failed to start")
        for i in range(limit):
            for name in (list(trees) if i % 2 == 0 else list(reversed(trees))):
                procs[name].stdin.write(f"{i}\n")
                procs[name].stdin.flush()
                answer = json.loads(procs[name].stdout.readline())
                out[name]["seconds"].append(answer["seconds"])
                out[name]["texts"].append(answer["texts"])
    finally:
        for p in procs.values():
            p.stdin.close()
            p.wait(30)
    return out


def _rouge(texts: list[list[str]]) -> dict[str, float]:
    """Mean F1 of ``texts`` against the first dev stories' highlights (the harness's scorer)."""
    from summarizer.evaluate.rouge import Scorer

    with open(DATA, encoding="utf-8") as f:
        refs = [json.loads(line)["highlights"] for _, line in zip(range(len(texts)), f)]
    scorer = Scorer()
    totals: dict[str, float] = {}
    for ref, pred in zip(refs, texts):
        for metric, score in scorer.score(reference=ref, prediction=pred).items():
            totals[metric] = totals.get(metric, 0.0) + score.fmeasure
    return {m: 100 * v / len(texts) for m, v in totals.items()}


def _env(tree: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(tree), "HF_HUB_OFFLINE": "1"}


def _wall(tree: Path, args: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "summarizer", *args], cwd=tree, env=_env(tree), check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


def _bulk(tree: Path, limit: int) -> dict:
    out = subprocess.run([sys.executable, "-c", _BULK, str(DATA), str(limit)], cwd=tree, env=_env(tree),
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


@click.command()
@click.option("--base", required=True, help="The revision to compare the working tree with (git rev).")
@click.option("--cold-runs", type=click.IntRange(min=0), default=9, show_default=True,
              help="New processes of each kind per revision (0: none).")
@click.option("--limit", type=click.IntRange(min=1), default=1000, show_default=True, help="Dev stories for bulk.")
@click.option("--bulk-runs", type=click.IntRange(min=0), default=2, show_default=True,
              help="Bulk processes per revision (ABBA order; 0: none).")
@click.option("--alone", type=click.IntRange(min=0), default=200, show_default=True,
              help="Dev stories summarized one a call, the revisions taking turns (0: none).")
@click.option("--write-results", is_flag=True, help="Record the table in eval/RESULTS.md.")
def main(base: str, cold_runs: int, limit: int, bulk_runs: int, alone: int, write_results: bool) -> None:
    """Cold start, --help, bulk throughput and one story a call, --base against the working tree, interleaved."""
    if not DATA.is_file():
        raise click.ClickException(f"{DATA} is missing: the shared dev stories are needed")
    rev = subprocess.run(["git", "rev-parse", "--short", base], cwd=REPO, check=True, capture_output=True,
                         text=True).stdout.strip()
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, check=True, capture_output=True,
                          text=True).stdout.strip()
    tmp = Path(tempfile.mkdtemp(prefix="summarizer-base-"))
    old = tmp / "tree"
    subprocess.run(["git", "worktree", "add", "--detach", "-q", str(old), base], cwd=REPO, check=True)
    trees = {"base": old, "working tree": REPO}
    loads = [os.getloadavg()[0]]
    try:
        if cold_runs:
            _wall(old, [EXAMPLE]), _wall(REPO, [EXAMPLE])  # the ONNX cache and the page cache, warm for both
        cold = {name: [] for name in trees}
        helps = {name: [] for name in trees}
        for k in range(cold_runs):
            order = list(trees.items()) if k % 2 == 0 else list(reversed(trees.items()))
            for name, tree in order:
                cold[name].append(_wall(tree, [EXAMPLE]))
                helps[name].append(_wall(tree, ["--help"]))
            click.echo(f"cold run {k + 1}/{cold_runs}", err=True)
        bulk = {name: [] for name in trees}
        for k in range(bulk_runs):
            order = list(trees.items()) if k % 2 == 0 else list(reversed(trees.items()))
            for name, tree in order:
                bulk[name].append(_bulk(tree, limit))
                click.echo(f"bulk {name}: {bulk[name][-1]['articles'] / bulk[name][-1]['seconds']:.1f} articles/s",
                           err=True)
        single = _alone(trees, alone) if alone else {}
        loads.append(os.getloadavg()[0])
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(old)], cwd=REPO, check=False)
        shutil.rmtree(tmp, ignore_errors=True)

    def med(xs: list[float]) -> float:
        return statistics.median(xs)

    rows = []
    notes = []
    if cold_runs:
        rows += [("`summarize examples/cnbc_article.txt`, new process (s)", med(cold["base"]), med(cold["working tree"])),
                 ("`summarize --help`, new process (s)", med(helps["base"]), med(helps["working tree"]))]
        notes.append(f"Medians of {cold_runs} new processes per revision for the cold rows, the revisions alternating.")
    same = True
    if bulk_runs:
        rate = {n: med([b["articles"] / b["seconds"] for b in bulk[n]]) for n in trees}
        start = {n: med([b["start"] for b in bulk[n]]) for n in trees}
        same = len({b["sha256"] for n in trees for b in bulk[n]}) == 1
        rows += [("bulk: model load and warm-up (s)", start["base"], start["working tree"]),
                 (f"bulk: {limit:,} dev stories, articles/s", rate["base"], rate["working tree"])]
        notes.append(f"{bulk_runs} bulk processes per revision in ABBA order. Key points of the bulk runs: "
                     + ("the same, byte for byte, on both revisions" if same else "**they differ between the revisions**")
                     + f" (sha256 {bulk['working tree'][0]['sha256'][:12]}).")
    if alone:
        ms = {n: [1000 * t for t in single[n]["seconds"]] for n in trees}
        ratio = med([b / a for a, b in zip(ms["base"], ms["working tree"])])
        rows += [(f"one story a call: {alone:,} dev stories, p50 ms", med(ms["base"]), med(ms["working tree"])),
                 ("one story a call: p99 ms", _p99(ms["base"]), _p99(ms["working tree"]))]
        agree = sum(a == b for a, b in zip(single["base"]["texts"], single["working tree"]["texts"]))
        rouge = {n: _rouge(single[n]["texts"]) for n in trees}
        notes.append(f"One story a call: the median of the per-story ratios (working tree / {rev}) is {ratio:.3f}; "
                     f"the same key points on {agree:,} of {alone:,} stories; mean F1 against the highlights, "
                     + "; ".join(f"{n}: " + ", ".join(f"{m} {v:.2f}" for m, v in rouge[n].items() if m != "rougeL")
                                 for n in trees) + ".")
    lines = [
        f"## The working tree ({head}) against {rev}, interleaved (`eval/bench/revisions.py`)",
        "",
        f"| measure | {rev} | working tree | working tree / {rev} |",
        "| --- | --- | --- | --- |",
        *[f"| {label} | {a:.3f} | {b:.3f} | {b / a:.3f} |" for label, a, b in rows],
        "",
        " ".join(notes) + f" {os.cpu_count()} CPU cores, load average {loads[0]:.1f} at the start and "
        f"{loads[-1]:.1f} at the end.",
        "",
        f"Command: `python -m eval.bench.revisions --base {base} --cold-runs {cold_runs} --limit {limit} "
        f"--bulk-runs {bulk_runs} --alone {alone}{' --write-results' if write_results else ''}`",
    ]
    publish("bench_revisions", "\n".join(lines), write_results)
    if not same:
        sys.exit(1)


def _p99(values: list[float]) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(0.99 * len(s)) - 1))]


if __name__ == "__main__":
    main()
