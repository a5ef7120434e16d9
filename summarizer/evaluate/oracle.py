"""The greedy extractive oracle of BertSum (Liu & Lapata, 2019), the one copy in the package.

Add the article sentence that most raises ROUGE-1 F1 + ROUGE-2 F1 against the reference,
while it rises, up to ``size`` sentences; the chosen sentences are scored joined in article
order, counted as rouge-score counts them. With several references the best one counts
(the "max" policy). It is the ceiling row of every report
(:mod:`summarizer.evaluate.baselines`) and the labels the extractive scorer learns from
(``python -m eval.train.scorer``).

>>> oracle(["the cat sat.", "dogs bark loudly.", "the cat sat on the mat."], ["the cat sat on the mat"])
[2]
"""

from __future__ import annotations

from collections import Counter
from typing import Callable, Sequence

from .rouge import fmeasure

Tokens = Sequence[str]


def _f1(overlap: int, predicted: int, reference: int) -> float:
    return fmeasure(overlap / predicted, overlap / reference) if overlap else 0.0


class _Reference:
    def __init__(self, tokens: Tokens):
        self.uni, self.bi = Counter(tokens), Counter(zip(tokens, tokens[1:]))
        self.uni_total, self.bi_total = sum(self.uni.values()), sum(self.bi.values())

    def rouge12(self, tokens: Tokens) -> float:
        """ROUGE-1 F1 + ROUGE-2 F1 of ``tokens`` against this reference."""
        uni, bi = Counter(tokens), Counter(zip(tokens, tokens[1:]))
        return _f1(sum((uni & self.uni).values()), len(tokens), self.uni_total) + _f1(
            sum((bi & self.bi).values()), max(len(tokens) - 1, 0), self.bi_total
        )


def greedy_oracle(
    sentences: Sequence[Tokens],
    references: Sequence[Tokens],
    size: int = 3,
    eligible: Sequence[bool] | None = None,
) -> list[int]:
    """Indices (in article order) of the oracle's sentences, from tokenized ``sentences`` and
    ``references``; ``eligible`` leaves sentences out of the choice.

    >>> greedy_oracle([["a", "b"], ["c"], ["a", "b", "c"]], [["a", "b", "c"]])
    [2]
    """
    refs = [_Reference(r) for r in references if r]
    if not refs:
        return []
    chosen: list[int] = []
    best = 0.0
    while len(chosen) < size:
        pick = None
        for i in range(len(sentences)):
            if i in chosen or (eligible is not None and not eligible[i]) or not sentences[i]:
                continue
            candidate = [t for j in sorted([*chosen, i]) for t in sentences[j]]
            value = max(r.rouge12(candidate) for r in refs)
            if value > best:
                pick, best = i, value
        if pick is None:
            break
        chosen.append(pick)
    return sorted(chosen)


def oracle(
    sentences: Sequence[str],
    highlights: Sequence[str],
    max_sentences: int = 3,
    eligible: Sequence[bool] | None = None,
    tokenize: Callable[[str], list[str]] | None = None,
) -> list[int]:
    """:func:`greedy_oracle` on texts against one reference, the ``highlights`` joined by
    newlines; ``tokenize`` defaults to rouge-score's stemming tokenizer."""
    if tokenize is None:
        from rouge_score.tokenizers import DefaultTokenizer

        tokenize = DefaultTokenizer(use_stemmer=True).tokenize
    return greedy_oracle([tokenize(s) for s in sentences], [tokenize("\n".join(highlights))], max_sentences, eligible)
