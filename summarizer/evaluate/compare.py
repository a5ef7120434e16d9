"""Several runs on the same documents: one table with intervals and a significance mark
against the first run, and plots of the per-document scores.

The intervals are computed again here from ``scores.jsonl`` with one seed for all rows,
so every row resamples the same documents; runs whose scorer settings differ (another
tokenizer, no stemming, ...) are refused rather than set side by side.
"""

from __future__ import annotations

import html
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from ..errors import InputError, UsageError
from .aggregate import CONFIDENCE, SAMPLES, SEED, Interval, PairedTest, bootstrap, paired_test
from .baselines import ORACLE_NAME
from .report import LABELS, Report, fmt_interval, read_report
from .runs import SCORES
from .scores import SystemScores, read_scores

ALPHA = 0.05  # a row is marked when p < ALPHA against the first run
# Scorer settings that change the figures; the bootstrap ones are redone here anyway.
_MUST_MATCH = ("rouge_score_version", "metrics", "stemming", "tokenizer", "lsum_split", "multi_ref", "stopwords",
               "word_limit", "byte_limit")


def _implementation(report: Report) -> str:
    return report.scorer.get("implementation", "rouge-score")  # reports from before rouge155 lack it


@dataclass(frozen=True)
class Run:
    """A finished run folder: its report and per-document scores."""

    path: Path
    report: Report
    systems: tuple[SystemScores, ...]

    @property
    def system(self) -> SystemScores:
        return next(s for s in self.systems if s.role == "system")

    def baseline(self, name: str) -> SystemScores | None:
        return next((s for s in self.systems if s.role == "baseline" and s.name == name), None)


@dataclass(frozen=True)
class Row:
    label: str
    role: str
    scores: SystemScores
    f1: dict[str, Interval] = field(hash=False)
    versus_first: dict[str, PairedTest] = field(hash=False)  # empty for the first row


@dataclass(frozen=True)
class Comparison:
    rows: tuple[Row, ...]
    metrics: tuple[str, ...]
    documents: int
    samples: int
    seed: int
    test: str
    confidence: float
    signature: str
    # the runs compared: rows[i] is runs[i]'s system for i < len(runs), the rest are runs[0]'s baselines
    runs: tuple[Run, ...] = field(default=(), hash=False)

    def _cells(self, row: Row) -> list[str]:
        cells = []
        for m in self.metrics:
            t = row.versus_first.get(m)
            mark = "*" if t is not None and t.p_value < ALPHA else ""
            cells.append(fmt_interval(row.f1[m]) + mark)
        return cells

    def _notes(self) -> list[str]:
        return [
            f"{self.documents} documents; F1 x 100, mean [{100 * self.confidence:g}% bootstrap interval, "
            f"{self.samples} samples, seed {self.seed}].",
            f"`*`: differs from the first row with p < {ALPHA} (paired {self.test} test, two-sided, "
            f"{self.samples} samples, seed {self.seed}).",
            f"Scorer: `{self.signature}`",
        ]

    def to_markdown(self) -> str:
        head = ["run", *[LABELS.get(m, m) for m in self.metrics], "words"]
        lines = ["| " + " | ".join(head) + " |", "| " + " | ".join("---" for _ in head) + " |"]
        for row in self.rows:
            words = sum(d.words for d in row.scores.documents) / len(row.scores.documents)
            lines.append("| " + " | ".join([row.label, *self._cells(row), f"{words:.1f}"]) + " |")
        return "\n".join(lines + [""] + self._notes()) + "\n"

    def to_html(self) -> str:
        head = ["run", *[LABELS.get(m, m) for m in self.metrics], "words"]
        header = "".join(f"<th>{html.escape(h)}</th>" for h in head)
        out = ["<table>", f"<thead><tr>{header}</tr></thead>", "<tbody>"]
        for row in self.rows:
            words = sum(d.words for d in row.scores.documents) / len(row.scores.documents)
            cells = [row.label, *self._cells(row), f"{words:.1f}"]
            out.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
        out += ["</tbody>", "</table>"] + [f"<p>{html.escape(n.replace('`', ''))}</p>" for n in self._notes()]
        return "\n".join(out) + "\n"


def load_run(path: Path) -> Run:
    path = Path(path)
    report = read_report(path)
    systems = read_scores(path / SCORES, report.metrics)
    if not any(s.role == "system" for s in systems):
        raise InputError(f"{path / SCORES}: no system scores")
    return Run(path, report, tuple(systems))


def _label(run: Run, taken: set[str]) -> str:
    base = run.system.name
    label = base if base not in taken else f"{base} ({run.path.name})"
    n = 2
    while label in taken:
        label, n = f"{base} ({run.path.name} {n})", n + 1
    return label


def compare_runs(
    paths: Sequence[Path],
    *,
    samples: int = SAMPLES,
    seed: int = SEED,
    test: str = "randomization",
    confidence: float = CONFIDENCE,
) -> Comparison:
    """The table of several runs on the same documents (the first is the reference),
    followed by the first run's Lead-3 (and oracle) rows."""
    if not paths:
        raise UsageError("give at least one run folder")
    runs = [load_run(p) for p in paths]
    first = runs[0]
    for run in runs[1:]:
        if _implementation(run.report) != _implementation(first.report):
            raise UsageError(
                f"{run.path} was scored with {_implementation(run.report)} and {first.path} with "
                f"{_implementation(first.report)}: the two ROUGE implementations give different numbers; score both "
                "with the same --implementation (summarize score) to compare them"
            )
        diffs = [k for k in _MUST_MATCH if run.report.scorer.get(k) != first.report.scorer.get(k)]
        if diffs:
            raise UsageError(
                f"{run.path} was scored with other settings than {first.path} ({', '.join(diffs)}); "
                "score both the same way (summarize score) to compare them"
            )
        if set(run.system.ids) != set(first.system.ids):
            raise InputError(
                f"{run.path} scored {len(run.system.ids)} documents and {first.path} {len(first.system.ids)}, "
                f"not the same ones; compare runs on the same documents (same dataset and --limit or --sample)"
            )
    order = first.system.ids
    metrics = tuple(first.report.metrics)

    def aligned(s: SystemScores) -> SystemScores:
        by_id = {d.id: d for d in s.documents}
        return SystemScores(s.name, s.role, tuple(by_id[i] for i in order))

    entries: list[tuple[str, str, SystemScores]] = []
    taken: set[str] = set()
    for run in runs:
        label = _label(run, taken)
        taken.add(label)
        entries.append((label, "system", aligned(run.system)))
    for s in first.systems:
        if s.role == "baseline":
            label = "oracle (ceiling)" if s.name == ORACLE_NAME else f"{s.name} (baseline)"
            entries.append((label, "baseline", aligned(s)))

    rows = []
    ref = entries[0][2]
    for i, (label, role, s) in enumerate(entries):
        f1 = dict(zip(metrics, bootstrap(s.f1(metrics), samples=samples, seed=seed, confidence=confidence)))
        tests = {} if i == 0 else {
            m: paired_test(s.column(m), ref.column(m), test=test, samples=samples, seed=seed) for m in metrics
        }
        rows.append(Row(label, role, s, f1, tests))
    return Comparison(tuple(rows), metrics, len(order), samples, seed, test, confidence, first.report.signature,
                      tuple(runs))


def figures(comparison: Comparison, *, metric: str = "rougeLsum") -> dict[str, bytes]:
    """Two PNG images by file name: per-document score distributions, and summary length
    against the score. matplotlib is imported here, so the rest of the harness does without it."""
    if metric not in comparison.metrics:
        raise UsageError(f"metric {metric!r} was not scored; scored: {', '.join(comparison.metrics)}")
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise UsageError("plots need matplotlib: pip install matplotlib") from None
    label = LABELS.get(metric, metric)
    rows = comparison.rows
    values = [100 * r.scores.column(metric) for r in rows]
    out: dict[str, bytes] = {}

    def png(fig: "Figure", name: str) -> None:
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=120, metadata={"Software": None})  # no version stamp: same bytes
        out[name] = buf.getvalue()

    fig = Figure(figsize=(max(6.0, 1.3 * len(rows) + 2), 4.5), layout="constrained")
    ax = fig.add_subplot()
    mean_marker = {"marker": "D", "markerfacecolor": "white", "markeredgecolor": "black"}
    ax.boxplot(values, showmeans=True, meanprops=mean_marker)
    ax.set_xticks(range(1, len(rows) + 1), [r.label for r in rows], rotation=20, ha="right")
    ax.set_ylabel(f"{label} F1 (x 100), per document")
    ax.set_title(f"Per-document {label} ({comparison.documents} documents; diamond: mean)")
    png(fig, f"distribution_{metric}.png")

    fig = Figure(figsize=(7.0, 5.0), layout="constrained")
    ax = fig.add_subplot()
    for r, v in zip(rows, values):
        words = [d.words for d in r.scores.documents]
        ax.scatter(words, v, s=8, alpha=0.4, label=r.label)
    ax.set_xlabel("summary length (words)")
    ax.set_ylabel(f"{label} F1 (x 100)")
    ax.set_title(f"Summary length against {label}")
    ax.legend(markerscale=2, fontsize="small")
    png(fig, f"length_{metric}.png")
    return out

