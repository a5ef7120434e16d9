"""Per-document agreement of ``--implementation rouge155`` (and of rouge-score) with the
perl ROUGE-1.5.5 script on the 3,000 published See et al. (2017) dev outputs.

    python -m eval.rouge155.parity                  # print the table (perl runs, or its cache)
    python -m eval.rouge155.parity --write-fixture  # and record perl's scores for the tests
    python -m eval.rouge155.parity --write-results  # and write the section of eval/RESULTS.md

The references are the dev stories' highlights, one a line; the summaries the published
outputs, one sentence a line; both written as pyrouge writes them (SEE format, not
escaped) and scored with ``ROUGE-1.5.5.pl -c 95 -r 1000 -n 2 -m -a -d`` (``eval/rouge155/perl.py``),
one run per system. A document agrees exactly when |F1 difference| < 0.005 points (perl
prints five decimals). The corpus rows set perl's printed ``Average_F`` (the mean of its
bootstrap resamples) beside the plain mean of the per-document F1 each scorer gives.

The fixture (``tests/data/rouge155_perl_see2017_dev.json``) holds ids and perl's numbers
only; the texts stay in ../shared/data.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from eval.results_md import publish

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / "shared" / "data"
FIXTURE = REPO / "tests" / "data" / "rouge155_perl_see2017_dev.json"
METRICS = ("rouge1", "rouge2", "rougeLsum")
LABELS = {"rouge1": "ROUGE-1", "rouge2": "ROUGE-2", "rougeLsum": "ROUGE-L"}
EXACT = 0.005  # F1 points: half the last digit perl prints


def load() -> tuple[list[str], dict[str, list[tuple[str, list[str], str]]]]:
    """The systems, and per system its (id, reference highlights, summary) in file order."""
    with (DATA / "cnndm_dev_from_test.jsonl").open(encoding="utf-8") as f:
        highlights = {r["id"]: r["highlights"] for r in map(json.loads, f)}
    by_system: dict[str, list[tuple[str, list[str], str]]] = {}
    with (DATA / "see2017_outputs_dev1000.jsonl").open(encoding="utf-8") as f:
        for o in map(json.loads, f):
            by_system.setdefault(o["system"], []).append((o["id"], highlights[o["id"]], o["summary"]))
    return list(by_system), by_system


def python_scores(rows, implementation: str) -> list[dict[str, tuple[float, float, float]]]:
    from summarizer.evaluate import rouge, rouge155
    from summarizer.evaluate.rouge import RougeConfig

    refs, preds = [[h] for _, h, _ in rows], [s for _, _, s in rows]
    if implementation == "rouge155":
        got = rouge155.score_pairs(references=refs, predictions=preds, config=RougeConfig(implementation="rouge155"))
    else:
        got = rouge.score_pairs(references=refs, predictions=preds, config=RougeConfig(metrics=METRICS))
    return [{m: (s[m].precision, s[m].recall, s[m].fmeasure) for m in METRICS} for s in got]


@click.command()
@click.option("--write-fixture", is_flag=True, help="Record perl's per-document scores in tests/data.")
@click.option("--write-results", is_flag=True, help="Write the rouge155_parity section of eval/RESULTS.md.")
def main(write_fixture: bool, write_results: bool) -> None:
    """Agreement of rouge155 and rouge-score with the perl script, per document and corpus."""
    from eval.rouge155 import perl as rouge155_perl

    systems, by_system = load()
    perl, averages = {}, {}
    for name in systems:
        rows = by_system[name]
        run = rouge155_perl.run([[h] for _, h, _ in rows], [s for _, _, s in rows])
        perl[name], averages[name] = run.scores, run.averages
    ours = {impl: {name: python_scores(by_system[name], impl) for name in systems} for impl in ("rouge155", "rouge-score")}
    n = sum(len(by_system[s]) for s in systems)

    lines = [f"{n:,} See et al. (2017) dev outputs ({len(systems)} systems) against the highlights; perl "
             f"`ROUGE-1.5.5.pl -c 95 -r 1000 -n 2 -m -a -d` on the SEE files pyrouge writes. Exact: |F1 difference| "
             f"< {EXACT} points. Load average {os.getloadavg()[0]:.1f}.", "",
             "| scorer | metric | exact F1 | mean abs. F1 diff (points) | max abs. diff | P, R, F all identical |",
             "| --- | --- | --- | --- | --- | --- |"]
    differing = []
    for impl in ("rouge155", "rouge-score"):
        for m in METRICS:
            diffs, same = [], 0
            for name in systems:
                for (doc, _, _), a, b in zip(by_system[name], ours[impl][name], perl[name]):
                    d = abs(a[m][2] - b[m][2]) * 100
                    diffs.append(d)
                    same += a[m] == b[m]
                    if impl == "rouge155" and d >= EXACT:
                        differing.append((name, doc, m, a[m], b[m]))
            exact = sum(d < EXACT for d in diffs) / len(diffs)
            label = "rouge155 (this package)" if impl == "rouge155" else "rouge-score (stemming, rougeLsum)"
            lines.append(f"| {label} | {LABELS[m]} | {100 * exact:.2f}% | {sum(diffs) / len(diffs):.4f} | "
                         f"{max(diffs):.4f} | {same:,} of {len(diffs):,} |")
    from summarizer.evaluate.rouge155 import script_average

    lines += ["", "Corpus F1 x 100. perl: its printed Average_F, the mean of its 1,000 bootstrap resamples; "
              "rouge155 mean: the plain mean of the per-document F1 (what the harness reports); "
              "`script_average`: rouge155's per-document F1 through `rouge155.script_average`, perl's resampling:", "",
              "| system | metric | perl | rouge155 mean | difference | `script_average` | rouge-score mean |",
              "| --- | --- | --- | --- | --- | --- | --- |"]
    for name in systems:
        order = sorted(range(len(by_system[name])), key=lambda i: f"{i}.A")  # the script's order of eval ids
        for m in METRICS:
            p = 100 * averages[name][m]["F"]
            mean = {impl: 100 * sum(s[m][2] for s in ours[impl][name]) / len(ours[impl][name]) for impl in ours}
            replayed = 100 * script_average([ours["rouge155"][name][i][m][2] for i in order])[0]
            lines.append(f"| {name} | {LABELS[m]} | {p:.3f} | {mean['rouge155']:.3f} | "
                         f"{mean['rouge155'] - p:+.3f} | {replayed:.3f} | {mean['rouge-score']:.3f} |")
    lines += ["", f"Documents where rouge155 and perl differ: {len(differing)}."]
    lines += [f"- {name} {doc} {m}: ours {a}, perl {b}" for name, doc, m, a, b in differing[:20]]
    lines += ["", "Command: `python -m eval.rouge155.parity --write-results`"]
    publish("rouge155_parity", "## ROUGE-1.5.5 parity: rouge155 and rouge-score against the perl script\n\n"
            + "\n".join(lines), write_results)
    if write_fixture:
        FIXTURE.parent.mkdir(exist_ok=True)
        rows = [[doc, k, *[v for m in METRICS for v in scores[m]]]
                for k, name in enumerate(systems) for (doc, _, _), scores in zip(by_system[name], perl[name])]
        FIXTURE.write_text(json.dumps({
            "about": "perl ROUGE-1.5.5 per-document scores of the See et al. (2017) dev outputs in "
                     "../shared/data; ids and numbers only. Written by python -m eval.rouge155.parity --write-fixture.",
            "command": " ".join(["ROUGE-1.5.5.pl", "-c", "95", "-r", "1000", "-n", "2", "-a", "-d",
                                 *rouge155_perl.PerlOptions().flags()]),
            "systems": systems,
            "columns": ["id", "system"] + [f"{m}_{x}" for m in METRICS for x in ("precision", "recall", "fmeasure")],
            "averages": averages,
            "rows": rows,
        }, separators=(",", ":")) + "\n")
        click.echo(f"wrote {FIXTURE}", err=True)


if __name__ == "__main__":
    main()
