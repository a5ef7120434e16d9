"""Dev-set table of summary-level selection (the extractive default) through the harness:
against Lead-3 and against the sentence-by-sentence choice (``-o selection=sentences``).

    python -m eval.quality.selection_dev                    # print the table
    python -m eval.quality.selection_dev --write-results    # ... and write its section of eval/RESULTS.md

Four ``summarize eval`` runs on ../shared/data/cnndm_dev_from_test.jsonl (1,000 stories) into
eval/runs/ (not committed): the default (``selection=set``, the number of key points chosen
with them; with the oracle), ``-o selection=sentences`` (the previous default), and both
with ``-n 3``. Each run scores Lead-3 on the same stories. ROUGE is the harness's
(rouge-score's rules, stemming, mean F1 x 100, ROUGE-Lsum on one key point per line); each
system is compared with Lead-3, and set with sentences, by the harness's paired approximate
randomization test (two-sided, seeded) and a seeded bootstrap 95% interval of the difference.

It also counts key points that begin inside a quotation (``summarizer.backends.extractive.quotes``:
e.g. ``...," Tillerson said.`` with no opening mark), from each key point's offsets.
"""

from __future__ import annotations

import json
import shlex
import sys
from collections import Counter
from pathlib import Path

import click
import numpy as np

from eval.results_md import publish
from eval.train.eval_scorer import DEV, METRICS, harness_run


def quote_tails(preds, data: Path) -> tuple[int, int]:
    """Key points that begin inside a quotation, and all key points, from their offsets."""
    from summarizer.article import Article
    from summarizer.backends.extractive.quotes import begins_inside_quote

    with open(data, encoding="utf-8") as f:
        bodies = {r["id"]: r["article"] for r in map(json.loads, f)}
    tails = total = 0
    for p in preds:
        art = Article(body=bodies[p.id])
        starts = [s.start for s in art.sentences]
        flags = dict(zip(starts, begins_inside_quote(art.body, starts)))
        for span in p.spans:
            total += 1
            tails += bool(flags.get(span[0][0], False))
    return tails, total


def compare(a, b, samples: int, seed: int) -> tuple[str, str]:
    """The difference a - b per metric: mean [95% CI], and the paired test's p-values."""
    from summarizer.evaluate import bootstrap, paired_test

    fa, fb = 100 * a.f1(METRICS), 100 * b.f1(METRICS)
    diff = bootstrap(fa - fb, samples=samples, seed=seed)
    tests = [paired_test(fa[:, i], fb[:, i], samples=samples, seed=seed) for i in range(len(METRICS))]
    delta = " / ".join(f"{d.mean:+.2f} [{d.low:+.2f}, {d.high:+.2f}]" for d in diff)
    # the smallest p a randomization test can give is 1 / (trials + 1)
    p = " / ".join(f"{t.p_value:.4f}" if t.p_value > 1 / (samples + 1) else f"≤ {1 / (samples + 1):.4f}" for t in tests)
    return delta, p


@click.command()
@click.option("--data", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=DEV,
              show_default=True, help="Dev stories (JSONL with article and highlights).")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Only the first N stories (a quick check).")
@click.option("--samples", default=10000, show_default=True, help="Randomization trials and bootstrap resamples.")
@click.option("--seed", default=0, show_default=True, help="Seed of the significance tests.")
@click.option("--write-results", is_flag=True, help="Write the table to eval/RESULTS.md.")
@click.option("--jobs", type=click.IntRange(1, 4), default=1, show_default=True,
              help="Harness runs at once, each in its own process (the results are the same).")
def main(data: Path, limit: int | None, samples: int, seed: int, write_results: bool, jobs: int) -> None:
    """Summary-level selection against Lead-3 and the sentence-by-sentence choice on the dev set."""
    command = "python -m eval.quality.selection_dev" + "".join(f" {shlex.quote(a)}" for a in sys.argv[1:])
    specs = {
        "set": ("set", {}, None, True, limit, data),
        "sentences": ("sentences", {"selection": "sentences"}, None, False, limit, data),
        "set-n3": ("set-n3", {}, 3, False, limit, data),
        "sentences-n3": ("sentences-n3", {"selection": "sentences"}, 3, False, limit, data),
    }
    if jobs == 1:
        runs = {name: harness_run(*spec) for name, spec in specs.items()}
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = {name: pool.submit(harness_run, *spec) for name, spec in specs.items()}
            runs = {name: f.result() for name, f in futures.items()}
    lead = runs["set"][0]["lead-3"]
    for systems, _, _ in runs.values():
        assert systems["lead-3"].ids == lead.ids == systems["extractive"].ids  # same stories, same order
    rows = [
        ("oracle (greedy ROUGE, up to 3 sentences): the ceiling", runs["set"][0]["oracle"], "set"),
        ("Lead-3", lead, None),
        ("extractive -o selection=sentences (the previous default), adaptive number", runs["sentences"][0]["extractive"], "sentences"),
        ("**extractive (selection=set, the number chosen with the set): the default**", runs["set"][0]["extractive"], "set"),
        ("extractive -o selection=sentences -n 3", runs["sentences-n3"][0]["extractive"], "sentences-n3"),
        ("extractive -n 3 (selection=set, candidates of 3)", runs["set-n3"][0]["extractive"], "set-n3"),
    ]
    lines = [
        "| system | ROUGE-1 | ROUGE-2 | ROUGE-Lsum | Δ vs Lead-3: R1 / R2 / RLsum [95% CI] | p vs Lead-3: R1 / R2 / RLsum "
        "| words | key points beginning inside a quotation |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    tails = {}
    for label, system, run in rows:
        means = (100 * system.f1(METRICS)).mean(0)
        words = np.mean([d.words for d in system.documents])
        delta = p = ""
        if system is not lead:
            delta, p = compare(system, lead, samples, seed)
        tail = ""
        if run and system is runs[run][0]["extractive"]:
            tails[run] = quote_tails(runs[run][1], data)
            tail = f"{tails[run][0]} of {tails[run][1]}"
        lines.append(f"| {label} | {means[0]:.2f} | {means[1]:.2f} | {means[2]:.2f} | {delta} | {p} | {words:.1f} | {tail} |")
    lines += ["", "| set against sentences | Δ R1 / R2 / RLsum [95% CI] | p: R1 / R2 / RLsum |", "| --- | --- | --- |"]
    for label, a, b in (("adaptive number (the defaults)", "set", "sentences"), ("-n 3", "set-n3", "sentences-n3")):
        delta, p = compare(runs[a][0]["extractive"], runs[b][0]["extractive"], samples, seed)
        lines.append(f"| {label} | {delta} | {p} |")
    counts = {name: Counter(len(p.summary) for p in runs[name][1]) for name in ("set", "sentences")}
    settings = runs["set"][1][0].settings
    scorer, selector = settings.get("scorer_model", {}), settings.get("selector_model", {})
    lines += [
        "",
        f"{len(lead.documents)} dev stories; F1 x 100 from the harness (rouge-score's rules, stemming, ROUGE-Lsum on "
        f"one key point per line). CI: bootstrap of the per-story difference (`summarizer.evaluate.bootstrap`, "
        f"{samples} resamples, seed {seed}); p: paired approximate randomization, two-sided "
        f"(`summarizer.evaluate.paired_test`, {samples} trials, seed {seed}). Sentence scorer `{scorer.get('weights')}` "
        f"(sha256 {scorer.get('sha256')}...), selector `{selector.get('weights')}` (sha256 {selector.get('sha256')}..., "
        f"training seed {selector.get('seed')}, short list of {selector.get('shortlist')}). Key points per story "
        "without -n: set " + ", ".join(f"{k}: {v}" for k, v in sorted(counts["set"].items()))
        + "; sentences " + ", ".join(f"{k}: {v}" for k, v in sorted(counts["sentences"].items())) + ".",
        "",
        "Runs: " + "; ".join(f"`{cmd}`" for _, _, cmd in runs.values()) + ".",
    ]
    publish("selection-dev", "## Summary-level selection vs Lead-3 and the sentence-by-sentence choice "
            "(dev set, through the harness)\n\n" + "\n".join(lines) + f"\n\nCommand: `{command}`", write_results)


if __name__ == "__main__":
    main()
