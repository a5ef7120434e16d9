"""The article-extraction benchmark's metric, written from its definition (``README.md`` of
``../shared/data/extraction/``), not copied from its code.

* Tokens are ``re.findall(r"\\w+", text)`` (Unicode word characters, case kept); a text is
  the multiset of its 4-token shingles; a text of 1 to 3 tokens gives one shingle of all
  of them, an empty one none.
* A page's tp, fp and fn are the multiset overlaps of predicted and true shingles, each
  divided by tp + fp + fn, so that every page weighs the same. Precision is tp / (tp + fp)
  and recall tp / (tp + fn); both are 1 when fp and fn are both 0, and 0 when tp is 0.
* Over the corpus, precision is the mean over pages with a prediction (an empty one
  lowers only recall), recall the mean over pages with a true text, F1 = 2PR / (P + R) of
  those two means, and accuracy the share of pages whose token lists are identical.

>>> m = page_match(true="a b c d e", pred="a b c d")
>>> round(m.tp, 3), round(m.fp, 3), round(m.fn, 3), m.exact
(0.5, 0.0, 0.5, False)
>>> corpus([m]).f1 == 2 * 1.0 * 0.5 / 1.5
True
"""

from __future__ import annotations

import random
import re
import statistics
from collections import Counter
from dataclasses import dataclass
from typing import Sequence

SHINGLE = 4
_TOKEN = re.compile(r"\w+")


def tokens(text: str) -> list[str]:
    """The benchmark's tokens: runs of Unicode word characters, case kept."""
    return _TOKEN.findall(text or "")


def shingles(toks: Sequence[str], n: int = SHINGLE) -> Counter:
    """The multiset of ``n``-token shingles; fewer than ``n`` tokens give one shingle of them all."""
    if not toks:
        return Counter()
    if len(toks) < n:
        return Counter([tuple(toks)])
    return Counter(tuple(toks[i:i + n]) for i in range(len(toks) - n + 1))


@dataclass(frozen=True)
class PageMatch:
    """One page's shares of true positives, false positives and false negatives (summing to 1)."""

    tp: float
    fp: float
    fn: float
    exact: bool  # the token lists are identical
    predicted: bool  # the prediction has text

    @property
    def precision(self) -> float:
        if self.fp == self.fn == 0:
            return 1.0
        return 0.0 if self.tp == 0 else self.tp / (self.tp + self.fp)

    @property
    def recall(self) -> float:
        if self.fp == self.fn == 0:
            return 1.0
        return 0.0 if self.tp == 0 else self.tp / (self.tp + self.fn)


def page_match(*, true: str, pred: str) -> PageMatch:
    """How ``pred`` matches ``true`` on one page (keyword-only: easy to call backwards)."""
    t_tok, p_tok = tokens(true), tokens(pred)
    t, p = shingles(t_tok), shingles(p_tok)
    tp = sum((t & p).values())
    fp = sum((p - t).values())
    fn = sum((t - p).values())
    total = tp + fp + fn
    if total:
        tp, fp, fn = tp / total, fp / total, fn / total
    return PageMatch(tp, fp, fn, t_tok == p_tok, bool(p_tok))


@dataclass(frozen=True)
class Corpus:
    f1: float
    precision: float
    recall: float
    accuracy: float


def corpus(matches: Sequence[PageMatch]) -> Corpus:
    """The benchmark's figures over pages."""
    precs = [m.precision for m in matches if m.predicted]
    recs = [m.recall for m in matches if m.tp + m.fn > 0]
    p = statistics.fmean(precs) if precs else 0.0
    r = statistics.fmean(recs) if recs else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    acc = sum(m.exact for m in matches) / len(matches) if matches else 0.0
    return Corpus(f1, p, r, acc)


def bootstrap_std(matches: Sequence[PageMatch], samples: int = 1000, seed: int = 0) -> Corpus:
    """Standard deviation of each figure over ``samples`` resamples of the pages (seeded)."""
    rng = random.Random(seed)
    runs = [corpus([matches[rng.randrange(len(matches))] for _ in matches]) for _ in range(samples)]
    return Corpus(*(statistics.stdev(getattr(c, k) for c in runs) for k in ("f1", "precision", "recall", "accuracy")))
