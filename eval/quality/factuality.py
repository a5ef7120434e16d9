"""The check on public factuality benchmarks: does "flagged" agree with people's judgement?

    python -m eval.quality.factuality [--write-results]

Runs over the 7 sets of ``../shared/data/factuality/`` (validation halves, 2,878 items: an
article, a machine summary, a human label; README there) and reports, per set and per source
(CNN/DailyMail or XSum), with the numbers of items:

* the balanced accuracy of "flagged" (= inconsistent) against the human label (chance 0.5);
* the precision and recall of "flagged" on the inconsistent summaries;

for, side by side in one run:

* **baseline**: the README's rule (a number, or a capitalised word that does not open a
  sentence, that the article lacks, by a case-insensitive token match);
* **flags**: the project's name and number flags alone (``summarizer.grounding.find_flags``);
* **check**: what ``--strict`` decides: a flag, or the learned consistency score under its
  threshold. The score is trained on these same validation halves (``python -m
  eval.train.consistency``), so its figures come three ways: *in-sample* (the shipped weights,
  optimistic), *5-fold* (cross-validation over articles, each fold's model and threshold
  fitted without it: the estimate for the test halves of these sets) and *leave-one-set-out*
  (fitted on the other 6 sets: the estimate for a kind of data never seen).

Items are read in place; no text from them is printed or written.
"""

from __future__ import annotations

import os
import re
import time

import click
import numpy as np

from eval.results_md import publish
from eval.train.consistency import FACTUALITY, Trained, balanced_accuracy, fit_all

# Published checkers, as issue 26 gives them: means over LLM-AggreFact (other cuts of some of these sets and
# others; not comparable item for item), with NLI models this machine does not have.
PUBLISHED = [
    ("SummaC-ZS (Laban et al. 2022)", "about 0.68", "LLM-AggreFact mean, as cited in issue 26"),
    ("MiniCheck-Flan-T5-L (Tang et al. 2024)", "about 0.75", "LLM-AggreFact mean, as cited in issue 26"),
]
# The README's baseline on the full sets (both halves), as measured when the files were made.
README_BASELINE = {"cliff": 0.763, "frank": 0.559, "goyal21": 0.518, "polytope_full": 0.527, "qags_xsum": 0.573,
                   "summac_factcc": 0.500, "xsumfaith_full": 0.569}


def baseline_flags(document: str, summary: str) -> bool:
    """The README's rule: a number, or a capitalised word not opening a sentence, that the article lacks."""
    article = {t.lower() for t in re.findall(r"\w+", document)}
    tokens = list(re.finditer(r"\w+", summary))
    for k, m in enumerate(tokens):
        t = m.group()
        opens = k == 0 or re.search(r"[.!?]\s*$", summary[: m.start()]) is not None
        if (any(c.isdigit() for c in t) or (t[0].isupper() and not opens)) and t.lower() not in article:
            return True
    return False


def precision_recall(flagged: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """Precision and recall of ``flagged`` as a finder of inconsistent (label 0) items."""
    hits = int((flagged & (labels == 0)).sum())
    raised, wanted = int(flagged.sum()), int((labels == 0).sum())
    return (hits / raised if raised else float("nan")), (hits / wanted if wanted else float("nan"))


BOOTSTRAP = 2000  # resamples of a set's items for the interval of a difference in balanced accuracy


def difference_interval(a: np.ndarray, b: np.ndarray, y: np.ndarray, seed: int = 0) -> tuple[float, float, float]:
    """BA(``a``) - BA(``b``) on the same items, and its 95% paired bootstrap interval (items resampled, seeded)."""
    rng = np.random.default_rng(seed)
    diffs = []
    for _ in range(BOOTSTRAP):
        k = rng.integers(0, len(y), len(y))
        diffs.append(balanced_accuracy(a[k], y[k]) - balanced_accuracy(b[k], y[k]))
    lo, hi = np.quantile(diffs, [0.025, 0.975])
    return balanced_accuracy(a, y) - balanced_accuracy(b, y), float(lo), float(hi)


def _f(v: float) -> str:
    return "–" if v != v else f"{v:.3f}"


@click.command()
@click.option("--write-results", is_flag=True, help="Write the tables into eval/RESULTS.md.")
def main(write_results: bool) -> None:
    """Balanced accuracy, precision and recall of the check, its flags and the README's baseline, per set."""
    if not FACTUALITY.is_dir():
        click.echo(f"skipped: the factuality sets are not at {FACTUALITY}")
        return
    from summarizer.grounding.consistency import shipped_model

    t0 = time.perf_counter()
    t: Trained = fit_all(echo=lambda m: click.echo(m, err=True))
    model = shipped_model()
    p_ship = np.array([model.probability(row) for row in t.x])
    t_ship = np.array([model.summary_threshold(row) for row in t.x])
    y = t.y.astype(int)
    decisions = {
        "baseline": np.array([baseline_flags(it.document, it.summary) for it in t.items]),
        "flags": t.ruled,
        "check, in-sample": t.ruled | (p_ship < t_ship),
        "check, 5-fold": t.ruled | (t.p_kfold < t.t_kfold),
        "check, leave-one-set-out": t.ruled | (t.p_loso < t.t_loso),
    }
    sources = np.array([it.source for it in t.items])
    rows = []
    for name in sorted(set(t.sets)):
        rows.append((name, None, t.sets == name))
        kinds = sorted(set(sources[t.sets == name]))
        if len(kinds) > 1:  # a set of one source: its row says it
            rows += [(name, src, (t.sets == name) & (sources == src)) for src in kinds]
    lines = [
        "## Factuality benchmarks: the check against human labels (`eval/quality/factuality.py`)",
        "",
        f"Command: `python -m eval.quality.factuality{' --write-results' if write_results else ''}`: the validation "
        f"halves of 7 public sets in `../shared/data/factuality/` ({len(t.items)} items). Flagged = judged "
        "inconsistent. Balanced accuracy (BA) = mean of the recall on inconsistent and on consistent summaries "
        "(chance 0.5; a group with one label: that label's recall alone). *check* is what `--strict` decides: a name "
        f"or number flag, or the consistency score under its threshold ({model.threshold:.2f} for summaries of "
        f"several sentences and claims, {model.threshold_one_sentence:.2f} for one-sentence summaries of a whole "
        "article, the XSum items; both chosen on these halves, on the mean per-set BA less a penalty for each set "
        "where the check trails the simple rule). The score is trained on these same items: **in-sample** figures "
        "are optimistic; the **5-fold** "
        "column (5 folds of articles; each fold judged by a model and thresholds fitted without it, penalty chosen "
        f"the same way: l2 {t.l2:g}) is the honest estimate for the sets' test halves, and **leave-one-set-out** "
        "(fitted on the 6 other sets) the estimate for a kind of data never seen. Load average "
        f"{os.getloadavg()[0]:.1f}.",
        "",
        "| set | source | items (consistent / inconsistent) | baseline BA | flags BA | check BA in-sample | "
        "check BA 5-fold | check BA leave-one-set-out | README baseline BA (full sets) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    means: dict[str, list[float]] = {n: [] for n in decisions}
    for name, src, k in rows:
        bas = {n: balanced_accuracy(d[k], y[k]) for n, d in decisions.items()}
        if src is None:
            for n, v in bas.items():
                means[n].append(v)
        lines.append(
            f"| {name if src is None else '  ' + name} | {src or '/'.join(sorted(set(sources[k])))} | {int(k.sum())} ({int((y[k] == 1).sum())} / "
            f"{int((y[k] == 0).sum())}) | {_f(bas['baseline'])} | {_f(bas['flags'])} | {_f(bas['check, in-sample'])} | "
            f"**{_f(bas['check, 5-fold'])}** | {_f(bas['check, leave-one-set-out'])} | "
            f"{_f(README_BASELINE.get(name, float('nan'))) if src is None else ''} |")
    mean_row = {n: float(np.mean(v)) for n, v in means.items()}
    lines.append(f"| **mean of the 7 sets** | | {len(t.items)} | {_f(mean_row['baseline'])} | {_f(mean_row['flags'])} | "
                 f"{_f(mean_row['check, in-sample'])} | **{_f(mean_row['check, 5-fold'])}** | "
                 f"{_f(mean_row['check, leave-one-set-out'])} | {np.mean(list(README_BASELINE.values())):.3f} |")
    beats = [name for name, src, k in rows if src is None and
             balanced_accuracy(decisions["check, 5-fold"][k], y[k]) > balanced_accuracy(decisions["baseline"][k], y[k])]
    trails = [f"{name} ({balanced_accuracy(decisions['check, 5-fold'][k], y[k]):.3f} against "
              f"{balanced_accuracy(decisions['baseline'][k], y[k]):.3f})"
              for name, src, k in rows if src is None and name not in beats]
    lines += [
        "",
        f"The check (5-fold) beats the baseline on {len(beats)} of 7 sets ({', '.join(beats) or 'none'})"
        + (f"; it trails it on {', '.join(trails)}" if trails else "") + ". How sure each difference is, with "
        f"sets this size (check 5-fold BA less baseline BA; 95% paired bootstrap over the set's items, {BOOTSTRAP} "
        "resamples, seed 0):",
        "",
        "| set | items | check - baseline BA [95% interval] |",
        "| --- | --- | --- |",
    ]
    for name, src, k in rows:
        d, lo, hi = difference_interval(decisions["check, 5-fold"][k], decisions["baseline"][k], y[k])
        lines.append(f"| {name if src is None else '  ' + name + ' (' + src + ')'} | {int(k.sum())} | "
                     f"{d:+.3f} [{lo:+.3f}, {hi:+.3f}] |")
    lines += [
        "",
        "Precision and recall of \"flagged\" as a finder of inconsistent summaries (check: 5-fold):",
        "",
        "| set | inconsistent | baseline precision | baseline recall | flags precision | flags recall | "
        "check precision | check recall |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, src, k in rows:
        if src is not None:
            continue
        pr = {n: precision_recall(decisions[n][k], y[k]) for n in ("baseline", "flags", "check, 5-fold")}
        lines.append(f"| {name} | {int((y[k] == 0).sum())} | {_f(pr['baseline'][0])} | {_f(pr['baseline'][1])} | "
                     f"{_f(pr['flags'][0])} | {_f(pr['flags'][1])} | {_f(pr['check, 5-fold'][0])} | "
                     f"{_f(pr['check, 5-fold'][1])} |")
    lines += [
        "",
        "Published checkers (their own cuts and models; not comparable item for item, and the README gives no "
        "per-set figures for them):",
        "",
        "| checker | mean BA | where |",
        "| --- | --- | --- |",
        *[f"| {c} | {v} | {w} |" for c, v, w in PUBLISHED],
        "",
        "What the check can see: names, numbers, amounts, percentages, scores and dates that the article lacks "
        "(the flags; names only where the summary is cased), and wording that no article sentence supports: "
        "novel words and n-grams, weak encoder similarity to every article sentence (the score). What it cannot "
        "see: a wrong relation between things the article does mention (who did what to whom, a negation, a "
        "swapped date between two events it names), an unsupported inference worded like the article, and "
        "names in lowercased text. Most errors in the XSum sets are such extrinsic but fluent additions, and "
        "many in FRANK and CLIFF are intrinsic (relations, circumstances): there the encoder's similarity is a "
        "weak signal, and an NLI model (SummaC, MiniCheck) does better.",
        "",
        f"Ran in {time.perf_counter() - t0:.0f} s (encoder vectors cached on disk by `eval.train.vector_cache`).",
    ]
    publish("factuality", "\n".join(lines), write_results)


if __name__ == "__main__":
    main()
