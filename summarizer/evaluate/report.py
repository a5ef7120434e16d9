"""The report of a run: mean F1 with bootstrap intervals per system, tests against Lead-3,
and the scorer signature, as ``report.json`` and ``report.md``.

The report holds no clock time or host name: the same predictions and settings give the
same file, byte for byte.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from ..credentials import redact
from ..errors import InputError, UsageError
from .aggregate import CONFIDENCE, SAMPLES, SEED, TESTS, Interval, PairedTest, bootstrap, paired_test
from .baselines import LEAD_NAME
from .rouge import RougeConfig
from .runs import REPORT_JSON, REPORT_MD, read_json, write_atomic
from .scores import SystemScores

FORMAT = "summarizer-eval-report/1"
LABELS = {"rouge1": "ROUGE-1", "rouge2": "ROUGE-2", "rougeL": "ROUGE-L", "rougeLsum": "ROUGE-Lsum"}


@dataclass(frozen=True)
class ScoringSettings:
    """Everything that decides the figures beyond the summaries: ROUGE and the statistics."""

    rouge: RougeConfig = field(default_factory=RougeConfig)
    samples: int = SAMPLES  # bootstrap resamples and randomization trials
    seed: int = SEED  # numpy.random.default_rng(seed): the same figures on every run
    confidence: float = CONFIDENCE
    test: str = "randomization"  # paired test against Lead-3 (and in compare): or "bootstrap"

    def __post_init__(self) -> None:
        if self.test not in TESTS:
            raise UsageError(f"unknown test {self.test!r}; known tests: {', '.join(TESTS)}")

    def signature(self) -> dict[str, Any]:
        return {
            **self.rouge.signature(),
            "bootstrap_samples": self.samples,
            "seed": self.seed,
            "confidence": self.confidence,
            "test": self.test,
        }


def signature_line(sig: dict[str, Any]) -> str:
    """The signature in one line, to quote beside the figures.

    >>> signature_line(ScoringSettings().signature()).split("|")[1:4]
    ['metrics:rouge1+rouge2+rougeL+rougeLsum', 'stem:yes', 'tok:default']
    """
    if sig.get("implementation") == "rouge155":
        limit = (f"words:{sig['word_limit']}" if sig.get("word_limit") else
                 f"bytes:{sig['byte_limit']}" if sig.get("byte_limit") else "none")
        rouge = ["impl:rouge155", "metrics:" + "+".join(sig["metrics"]), f"stem:{'yes' if sig['stemming'] else 'no'}",
                 f"stop:{'yes' if sig.get('stopwords') else 'no'}", f"limit:{limit}"]
    else:
        rouge = [f"rouge-score:{sig['rouge_score_version']}", "metrics:" + "+".join(sig["metrics"]),
                 f"stem:{'yes' if sig['stemming'] else 'no'}", f"tok:{sig['tokenizer']}"]
    return "|".join(
        [
            *rouge,
            "lsum:" + ("lines" if sig["lsum_split"] == "one key point per line" else sig["lsum_split"]),
            f"refs:{sig['multi_ref']}",
            f"boot:{sig['bootstrap_samples']}",
            f"ci:{100 * sig['confidence']:g}",
            f"seed:{sig['seed']}",
            f"test:{sig['test']}",
        ]
    )


@dataclass(frozen=True)
class MetricResult:
    """Mean precision and recall, and mean F1 with its interval (all 0 to 1)."""

    precision: float
    recall: float
    f1: Interval

    def to_dict(self) -> dict[str, float]:
        return {"precision": self.precision, "recall": self.recall, "f1": self.f1.mean,
                "f1_low": self.f1.low, "f1_high": self.f1.high}

    @classmethod
    def from_dict(cls, d: dict[str, float]) -> "MetricResult":
        return cls(d["precision"], d["recall"], Interval(d["f1"], d["f1_low"], d["f1_high"]))


@dataclass(frozen=True)
class SystemResult:
    """One row of a report."""

    name: str
    role: str  # "system" or "baseline"
    documents: int
    words: float  # mean summary length
    metrics: dict[str, MetricResult] = field(hash=False)
    versus: dict[str, PairedTest] = field(default_factory=dict, hash=False)  # F1 against Lead-3

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"name": self.name, "role": self.role, "documents": self.documents,
                             "words": self.words, "metrics": {m: r.to_dict() for m, r in self.metrics.items()}}
        if self.versus:
            d["versus_" + LEAD_NAME] = {m: t.to_dict() for m, t in self.versus.items()}
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "SystemResult":
        versus = {m: PairedTest(**t) for m, t in d.get("versus_" + LEAD_NAME, {}).items()}
        return cls(d["name"], d["role"], d["documents"], d["words"],
                   {m: MetricResult.from_dict(r) for m, r in d["metrics"].items()}, versus)


@dataclass(frozen=True)
class Report:
    """The figures of one run and everything needed to reproduce them."""

    dataset: dict[str, Any] = field(hash=False)  # spec, documents scored, skipped, missing
    run: dict[str, Any] = field(hash=False)  # model and settings, or the predictions file
    scorer: dict[str, Any] = field(hash=False)  # the signature
    systems: tuple[SystemResult, ...]
    command: str | None = None  # as recorded: masked of anything that looks like a credential

    def __post_init__(self) -> None:
        if self.command:  # the one place a command is recorded (report.json, report.md, report.html)
            object.__setattr__(self, "command", redact(self.command))

    @property
    def signature(self) -> str:
        return signature_line(self.scorer)

    @property
    def metrics(self) -> list[str]:
        return list(self.scorer["metrics"])

    def system(self, name: str) -> SystemResult:
        for s in self.systems:
            if s.name == name:
                return s
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        return {"format": FORMAT, "command": self.command, "dataset": self.dataset, "run": self.run,
                "scorer": self.scorer, "signature": self.signature,
                "systems": [s.to_dict() for s in self.systems]}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Report":
        return cls(d["dataset"], d["run"], d["scorer"], tuple(SystemResult.from_dict(s) for s in d["systems"]),
                   d.get("command"))

    def to_markdown(self) -> str:
        sig = self.scorer
        metrics = self.metrics
        n = self.dataset.get("scored")
        lines = [
            f"{n} documents of `{self.dataset.get('spec')}`; F1 x 100, mean "
            f"[{100 * sig['confidence']:g}% bootstrap interval].",
            "",
            "| system | " + " | ".join(LABELS.get(m, m) for m in metrics) + " | words |",
            "| --- | " + " | ".join("---" for _ in metrics) + " | --- |",
        ]
        for s in self.systems:
            label = s.name if s.role == "system" else f"{s.name} ({'ceiling' if s.name == 'oracle' else 'baseline'})"
            cells = [fmt_interval(s.metrics[m].f1) for m in metrics]
            lines.append(f"| {label} | " + " | ".join(cells) + f" | {s.words:.1f} |")
        for s in self.systems:
            if s.versus:
                t = next(iter(s.versus.values()))
                parts = [f"{LABELS.get(m, m)} {100 * v.delta:+.2f} (p = {v.p_value:.3f})" for m, v in s.versus.items()]
                lines += ["", f"{s.name} against {LEAD_NAME} (paired {t.test} test, {t.samples} samples, "
                              f"seed {t.seed}): " + "; ".join(parts) + "."]
        lines += ["", f"Scorer: `{self.signature}`"]
        if self.command:
            lines.append(f"Command: `{self.command}`")
        return "\n".join(lines) + "\n"


def fmt_interval(i: Interval) -> str:
    return f"{100 * i.mean:.2f} [{100 * i.low:.2f}, {100 * i.high:.2f}]"


def build_report(
    systems: Sequence[SystemScores],
    settings: ScoringSettings,
    *,
    dataset: dict[str, Any],
    run: dict[str, Any],
    command: str | None = None,
) -> Report:
    """Aggregate each system's per-document scores; test each system row against Lead-3."""
    metrics = settings.rouge.metrics
    lead = next((s for s in systems if s.name == LEAD_NAME and s.role == "baseline"), None)
    rows = []
    for s in systems:
        f1 = bootstrap(s.f1(metrics), samples=settings.samples, seed=settings.seed, confidence=settings.confidence)
        results = {
            m: MetricResult(float(s.column(m, "precision").mean()), float(s.column(m, "recall").mean()), ci)
            for m, ci in zip(metrics, f1)
        }
        versus = {}
        if lead is not None and s.role == "system":
            versus = {m: paired_test(s.column(m), lead.column(m), test=settings.test, samples=settings.samples,
                                     seed=settings.seed) for m in metrics}
        words = sum(d.words for d in s.documents) / len(s.documents)
        rows.append(SystemResult(s.name, s.role, len(s.documents), words, results, versus))
    return Report(dataset, run, settings.signature(), tuple(rows), command)


def write_report(out: Path, report: Report) -> None:
    write_atomic(Path(out) / REPORT_JSON, json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n")
    write_atomic(Path(out) / REPORT_MD, report.to_markdown())


def read_report(run_dir: Path) -> Report:
    path = Path(run_dir) / REPORT_JSON
    if not path.exists():
        raise InputError(
            f"{run_dir}: no {REPORT_JSON}; is it a finished `summarize eval` or `summarize score --out` run?"
        )
    d = read_json(path)
    if d.get("format") != FORMAT:
        raise InputError(f"{path}: not a report of this version (format {d.get('format')!r}, expected {FORMAT!r})")
    try:
        return Report.from_dict(d)
    except (KeyError, TypeError) as e:
        raise InputError(f"{path}: incomplete report ({type(e).__name__}: {e})") from None
