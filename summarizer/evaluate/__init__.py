"""The evaluation harness: summarize a dataset, score it with ROUGE against the human key
points, and report means with seeded bootstrap intervals, paired tests and baselines.

One module per stage: ``datasets`` (read) → ``runs`` (resumable predictions) →
``rouge`` (rouge-score's rules) or ``rouge155`` (ROUGE-1.5.5's) and ``scores`` (per-document ROUGE) → ``aggregate`` (intervals, tests) →
``report`` → ``compare`` (several runs: tables and plots); ``harness`` joins them.

>>> from summarizer.evaluate import Scorer
>>> Scorer().score(reference=["Rain fell."], prediction=["Rain fell all day."])["rouge1"].recall
1.0
"""

from .aggregate import Interval, PairedTest, bootstrap, paired_test
from .datasets import Dataset, Document, Fields, load_dataset
from .harness import DatasetOptions, EvalOptions, run_eval, score_predictions
from .report import Report, ScoringSettings, read_report
from .rouge import RougeConfig, Score, Scorer, score_pairs

__all__ = [
    "Dataset",
    "DatasetOptions",
    "Document",
    "EvalOptions",
    "Fields",
    "Interval",
    "PairedTest",
    "Report",
    "RougeConfig",
    "Score",
    "Scorer",
    "ScoringSettings",
    "bootstrap",
    "load_dataset",
    "paired_test",
    "read_report",
    "run_eval",
    "score_pairs",
    "score_predictions",
]
