"""Benchmark: scoring 10,000 real prediction/reference pairs (ROUGE-1, -2, -Lsum, stemming)
and a 1,000-resample bootstrap, the harness against a plain rouge-score loop.

    python -m eval.bench.scoring                  # print the table
    python -m eval.bench.scoring --write-results  # and record it in eval/RESULTS.md

The pairs are real text from ../shared/data, nothing made up: the 3,000 published See et
al. (2017) outputs against the dev highlights, Lead-3 of the 1,000 dev and 3,000 training
stories against theirs, and sentences 4-6 of the training (then dev) stories against theirs.

* baseline: one process, ``RougeScorer(..., use_stemmer=True).score(ref, pred)`` per
  pair, then rouge-score's ``BootstrapAggregator(n_samples=1000)``;
* harness: ``summarizer.evaluate.score_pairs`` over ``--jobs`` processes (cached stems,
  pruned LCS tables), then the seeded ``summarizer.evaluate.bootstrap``; and the same
  with one process, to show what the processes add.

Both run in this process, one after the other, from a cold stem cache. Every per-pair
precision, recall and F1 must be identical (the script fails otherwise), so the means are
too; the intervals differ only in their random draws (rouge-score's are unseeded).
"""

from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path

import click
import numpy as np

from eval.results_md import publish

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / "shared" / "data"
METRICS = ("rouge1", "rouge2", "rougeLsum")


def load_pairs(n: int) -> list[tuple[str, str]]:
    """(reference, prediction) texts, one key point a line, from the shared data."""
    from summarizer.article import Article

    def stories(name: str) -> list[dict]:
        with (DATA / name).open(encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]

    dev, train = stories("cnndm_dev_from_test.jsonl"), stories("cnndm_train_from_test.jsonl")
    refs = {s["id"]: "\n".join(s["highlights"]) for s in dev + train}
    pairs = [(refs[o["id"]], o["summary"]) for o in stories("see2017_outputs_dev1000.jsonl")]
    sentences = {s["id"]: [x.text for x in Article(body=s["article"]).sentences] for s in dev + train}
    for s in dev + train:
        pairs.append((refs[s["id"]], "\n".join(sentences[s["id"]][:3])))
    for s in train + dev:
        if len(sentences[s["id"]]) > 3:
            pairs.append((refs[s["id"]], "\n".join(sentences[s["id"]][3:6])))
    if len(pairs) < n:
        raise click.ClickException(f"only {len(pairs)} pairs in {DATA}; ask for --pairs {len(pairs)} or fewer")
    return pairs[:n]


def baseline(pairs: list[tuple[str, str]], samples: int) -> tuple[list[tuple], float, float]:
    from rouge_score import rouge_scorer, scoring

    scorer = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)
    t0 = time.perf_counter()
    scores = [scorer.score(ref, pred) for ref, pred in pairs]
    t1 = time.perf_counter()
    agg = scoring.BootstrapAggregator(n_samples=samples)
    for s in scores:
        agg.add_scores(s)
    agg.aggregate()
    t2 = time.perf_counter()
    flat = [tuple(v for m in METRICS for v in s[m]) for s in scores]
    return flat, t1 - t0, t2 - t1


def harness(pairs: list[tuple[str, str]], samples: int, jobs: int) -> tuple[list[tuple], float, float]:
    from summarizer.evaluate import RougeConfig, bootstrap, score_pairs
    from summarizer.evaluate import rouge

    rouge._STEMS.clear()  # a cold start, as in a fresh process
    t0 = time.perf_counter()
    scores = score_pairs(references=[[ref] for ref, _ in pairs], predictions=[pred for _, pred in pairs],
                         config=RougeConfig(metrics=METRICS), jobs=jobs)
    t1 = time.perf_counter()
    bootstrap(np.array([[s[m].fmeasure for m in METRICS] for s in scores]), samples=samples, seed=0)
    t2 = time.perf_counter()
    flat = [tuple(v for m in METRICS for v in (s[m].precision, s[m].recall, s[m].fmeasure)) for s in scores]
    return flat, t1 - t0, t2 - t1


@click.command()
@click.option("--pairs", "n", default=10_000, show_default=True, help="Prediction/reference pairs to score.")
@click.option("--samples", default=1000, show_default=True, help="Bootstrap resamples.")
@click.option("--jobs", default=2, show_default=True, help="Harness scoring processes.")
@click.option("--write-results", is_flag=True, help="Record the table in eval/RESULTS.md.")
def main(n: int, samples: int, jobs: int, write_results: bool) -> None:
    """Time the harness against a single-process rouge-score loop on the same pairs."""
    if not DATA.is_dir():
        raise click.ClickException(f"the shared data is not in {DATA}")
    pairs = load_pairs(n)
    import rouge_score.rouge_scorer  # noqa: F401  (NLTK's import, seconds, is not timed for either side)

    load_before = os.getloadavg()
    rows = [("harness", jobs, *harness(pairs, samples, jobs))]
    if jobs != 1:
        rows.append(("harness", 1, *harness(pairs, samples, 1)))
    base = baseline(pairs, samples)
    rows.append(("baseline: RougeScorer.score loop + BootstrapAggregator", 1, *base))
    load_after = os.getloadavg()

    for name, _, flat, _, _ in rows[:-1]:
        if flat != base[0]:
            bad = next(i for i, (a, b) in enumerate(zip(flat, base[0])) if a != b)
            raise click.ClickException(f"{name}: pair {bad} differs from rouge-score: {flat[bad]} vs {base[0][bad]}")
    base_total = base[1] + base[2]
    lines = [
        f"{len(pairs):,} real pairs (ROUGE-1, -2, -Lsum, stemming; bootstrap {samples} resamples); "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"load average {load_before[0]:.1f} before, {load_after[0]:.1f} after.",
        "",
        "| scorer | processes | scoring s | bootstrap s | total s | speed-up |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, procs, _, score_s, boot_s in rows:
        total = score_s + boot_s
        lines.append(f"| {name} | {procs} | {score_s:.2f} | {boot_s:.2f} | {total:.2f} | {base_total / total:.2f}x |")
    means = np.array(base[0]).reshape(len(pairs), len(METRICS), 3)[:, :, 2].mean(0)
    options = "".join([f" --pairs {n}" if n != 10_000 else "", f" --samples {samples}" if samples != 1000 else "",
                       f" --jobs {jobs}" if jobs != 2 else ""])
    lines += [
        "",
        "Every per-pair precision, recall and F1 is identical to rouge-score's (checked); mean F1 x 100: "
        + ", ".join(f"{m} {100 * v:.2f}" for m, v in zip(METRICS, means)) + ".",
        "",
        f"Command: `python -m eval.bench.scoring{options} --write-results`",
    ]
    publish("bench_scoring", "## Scoring speed: harness against rouge-score\n\n" + "\n".join(lines), write_results)


if __name__ == "__main__":
    main()
