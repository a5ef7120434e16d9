"""The rows every report carries beside a system: Lead-3, and the extractive oracle.

* Lead-3: the first three sentences of each article, from the ``lead`` backend (so with
  this package's sentence splitter), the baseline news papers report.
* Oracle: the greedy extractive oracle of BertSum (Liu & Lapata, 2019): add the article
  sentence that most raises ROUGE-1 F1 + ROUGE-2 F1 against the references, up to
  ``size`` sentences, stopping when no sentence raises it. A ceiling for extractive
  systems, not a system: it reads the references.
"""

from __future__ import annotations

from collections import Counter
from typing import Sequence

from .datasets import Document
from .rouge import Scorer

LEAD_NAME = "lead-3"
ORACLE_NAME = "oracle"


def lead3(documents: Sequence[Document]) -> list[list[str]]:
    """The first three sentences of each document, as key points."""
    from ..backends import get_summarizer

    lead = get_summarizer("lead")
    return [s.texts for s in lead.summarize([d.article for d in documents], num_points=3)]


def _f1(overlap: int, pred_total: int, ref_total: int) -> float:
    if not overlap:
        return 0.0
    p, r = overlap / pred_total, overlap / ref_total
    return 2 * p * r / (p + r)


def _gain(pred: Counter, ref: Counter, ref_total: int) -> float:
    overlap = sum(min(c, ref[g]) for g, c in pred.items())
    return _f1(overlap, sum(pred.values()), ref_total)


def greedy_oracle(document: Document, scorer: Scorer, size: int = 3) -> list[str]:
    """The oracle's sentences for one document, in article order."""
    sentences = document.article.sentences
    tokens = [scorer.tokenizer.tokenize(s.text) for s in sentences]
    refs = []
    for ref in document.references:
        flat = [t for line in scorer.tokenize(ref) for t in line]
        uni, bi = Counter(flat), Counter(zip(flat, flat[1:]))
        refs.append((uni, sum(uni.values()), bi, sum(bi.values())))
    best_value, chosen = 0.0, []  # type: float, list[int]
    while len(chosen) < size:
        best_i = None
        for i in range(len(sentences)):
            if i in chosen:
                continue
            flat = [t for j in sorted([*chosen, i]) for t in tokens[j]]
            uni, bi = Counter(flat), Counter(zip(flat, flat[1:]))
            # several references: the best one, as the "max" policy
            value = max(_gain(uni, u, ut) + _gain(bi, b, bt) for u, ut, b, bt in refs)
            if value > best_value:
                best_value, best_i = value, i
        if best_i is None:
            break
        chosen.append(best_i)
    return [sentences[i].text for i in sorted(chosen)]
