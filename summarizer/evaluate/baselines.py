"""The rows every report carries beside a system: Lead-3, and the extractive oracle.

* Lead-3: the first three sentences of each article, from the ``lead`` backend (so with
  this package's sentence splitter), the baseline news papers report.
* Oracle: the greedy extractive oracle of BertSum (Liu & Lapata, 2019): add the article
  sentence that most raises ROUGE-1 F1 + ROUGE-2 F1 against the references, up to
  ``size`` sentences, stopping when no sentence raises it. A ceiling for extractive
  systems, not a system: it reads the references.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from .datasets import Document
from .oracle import greedy_oracle

if TYPE_CHECKING:  # pragma: no cover
    from ..results import Summary
from .rouge import Scorer

LEAD_NAME = "lead-3"
ORACLE_NAME = "oracle"


def lead3_summaries(documents: Sequence[Document]) -> list["Summary"]:
    """Lead-3's summary of each document (the ``lead`` backend: key points with offsets)."""
    from ..backends import get_summarizer

    return get_summarizer("lead").summarize([d.article for d in documents], num_points=3)


def lead3(documents: Sequence[Document]) -> list[list[str]]:
    """The first three sentences of each document, as key points."""
    return [s.texts for s in lead3_summaries(documents)]


def oracle_summary(document: Document, scorer: Scorer, size: int = 3) -> list[str]:
    """The oracle's sentences for one document, in article order, against each of its references."""
    sentences = document.article.sentences
    tokens = [scorer.tokenizer.tokenize(s.text) for s in sentences]
    refs = [[t for line in scorer.tokenize(ref) for t in line] for ref in document.references]
    return [sentences[i].text for i in greedy_oracle(tokens, refs, size)]
