"""Per-document scores of a system: computed from summaries, kept in ``scores.jsonl``.

One line per document and system::

    {"id": "...", "system": "lead", "role": "system", "words": 41,
     "rouge1": {"precision": 0.4, "recall": 0.5, "fmeasure": 0.44}, ...}

``role`` is ``system`` for the run's own summaries and ``baseline`` for Lead-3 and the
oracle, which every report carries beside them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from ..errors import InputError
from .datasets import Document
from . import rouge155
from .rouge import RougeConfig, Score, score_pairs


@dataclass(frozen=True)
class DocScores:
    """The scores of one system's summary of one document."""

    id: str
    system: str
    role: str  # "system" or "baseline"
    words: int  # summary length in white-space words
    scores: dict[str, Score] = field(hash=False)

    def to_dict(self) -> dict[str, object]:
        d: dict[str, object] = {"id": self.id, "system": self.system, "role": self.role, "words": self.words}
        d.update({m: s.to_dict() for m, s in self.scores.items()})
        return d


@dataclass(frozen=True)
class SystemScores:
    """All per-document scores of one system, in dataset order."""

    name: str
    role: str
    documents: tuple[DocScores, ...]

    @property
    def ids(self) -> list[str]:
        return [d.id for d in self.documents]

    def f1(self, metrics: Sequence[str]) -> np.ndarray:
        """F1 matrix, documents x metrics."""
        return np.array([[d.scores[m].fmeasure for m in metrics] for d in self.documents], dtype=np.float64)

    def column(self, metric: str, what: str = "fmeasure") -> np.ndarray:
        return np.array([getattr(d.scores[metric], what) for d in self.documents], dtype=np.float64)


def score_system(
    name: str,
    role: str,
    documents: Sequence[Document],
    summaries: Sequence[Sequence[str]],
    config: RougeConfig,
    *,
    jobs: int | None = None,
) -> SystemScores:
    """Score each summary (its key points) against its document's references."""
    if len(documents) != len(summaries):
        raise ValueError(f"{len(summaries)} summaries for {len(documents)} documents")
    score = rouge155.score_pairs if config.implementation == "rouge155" else score_pairs
    results = score(references=[d.references for d in documents], predictions=[list(s) for s in summaries],
                    config=config, jobs=jobs)
    return SystemScores(
        name,
        role,
        tuple(
            DocScores(doc.id, name, role, sum(len(k.split()) for k in summary), scores)
            for doc, summary, scores in zip(documents, summaries, results)
        ),
    )


def to_jsonl(systems: Sequence[SystemScores]) -> str:
    return "".join(json.dumps(d.to_dict(), ensure_ascii=False) + "\n" for s in systems for d in s.documents)


def read_scores(path: Path, metrics: Sequence[str]) -> list[SystemScores]:
    """The systems in a ``scores.jsonl``, in the order they first appear."""
    by_system: dict[tuple[str, str], list[DocScores]] = {}
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror or e})") from None
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            scores = {m: Score(**d[m]) for m in metrics}
            doc = DocScores(str(d["id"]), d["system"], d["role"], int(d["words"]), scores)
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as e:
            raise InputError(f"{path}:{lineno}: not a scores line ({type(e).__name__}: {e})") from None
        by_system.setdefault((doc.system, doc.role), []).append(doc)
    return [SystemScores(name, role, tuple(docs)) for (name, role), docs in by_system.items()]
