"""The consistency score: how likely the article backs a summary (or one key point), learned.

A small logistic regression (numpy; weights in ``summarizer/data/consistency-v1.safetensors``,
sha256-checked on load; ``python -m eval.train.consistency`` trains it on the validation halves
of 7 public factuality sets) over features computed offline, in ``FEATURES`` order:

* support: each summary sentence's cosine with its closest article sentence, and with the
  mean of its two closest (a sentence merging two), through the embedded sentence encoder;
* the names, numbers and dates that the flags find unsupported;
* novel words, bigrams and trigrams: the share of the summary's that the article lacks; and
  the share of each sentence's content words that its two best article sentences lack;
* length (summary words and sentences, article sentences, their ratio), and the kind of text
  (an article in lower case, where names cannot be checked; a summary of one sentence; a
  one-sentence summary of a whole article, XSum style, as opposed to key points);
* the factuality data's simple rule, counted: capitalised words and tokens with a digit that
  no article token matches (cruder than the flags, and catching some they let pass);
* novel word 4-grams.

Each feature also enters times the "one-sentence summary of a whole article" mark, so that
such summaries (XSum's: nearly all inconsistent, in their own ways) get their own weights
and their own threshold.

It gives ``P(consistent)``; a summary under the model's threshold for its style (chosen on
the validation halves, stored with the weights) is flagged as unsupported. A key point, one sentence judged
alone, is flagged under a lower threshold, one that at most 2% of the training stories' human
highlights fall under (summaries in the factuality sets are mostly inconsistent; key points a
person or a model writes mostly are not). The flags still say
*what* in it the article lacks; the score also sees what they cannot: a summary that no article
sentence says, in words the article does not use. It cannot see a wrong relation between
things the article does mention ("A beat B" where B beat A) unless its wording strays.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Sequence

from ..results import Flag
from .weights import CONSISTENCY, CONSISTENCY_SHA256, read_consistency

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

FEATURES = (
    "support_min",  # lowest, over summary sentences, of the best cosine with one article sentence
    "support_mean",  # mean of the same
    "support_pair_min",  # lowest cosine with the mean vector of a sentence's two best article sentences
    "names_unsupported",  # log(1 + name flags)
    "numbers_unsupported",  # log(1 + number, amount, percentage and score flags)
    "dates_unsupported",  # log(1 + date flags)
    "novel_words",  # share of the summary's content words the article lacks
    "novel_bigrams",  # share of its word pairs the article lacks
    "novel_trigrams",  # share of its word triples the article lacks
    "local_novel_max",  # highest, over summary sentences, share of content words its two best sentences lack
    "local_novel_mean",  # mean of the same
    "summary_words",  # log(1 + words)
    "summary_sentences",  # log(sentences)
    "article_sentences",  # log(1 + article sentences)
    "article_lowercased",  # 1 when the article has (almost) no capitals: names cannot be checked
    "one_sentence",  # 1 for a summary of one sentence (a claim, an XSum-style summary, a key point)
    "raw_names_unmatched",  # log(1 + capitalised words, not opening a sentence, that no article token matches)
    "raw_numbers_unmatched",  # log(1 + tokens with a digit that no article token matches)
    "raw_names_unmatched_share",  # the share of those capitalised words that no article token matches
    "raw_rule",  # 1 when either count above is not zero (the factuality data's simple baseline rule)
    "novel_4grams",  # share of the summary's word 4-grams the article lacks
    "length_ratio",  # log(1 + summary words) - log(1 + article words)
    "one_sentence_summary",  # 1 for a one-sentence summary of a whole article (XSum style); 0 for key points
)
# The model also sees every feature times "one_sentence_summary": in effect one set of weights for key points
# and multi-sentence summaries, another for one-sentence summaries of a whole article (their errors differ).
STYLE = FEATURES.index("one_sentence_summary")
_STOP = frozenset("""
a an the and or but if of to in on at by for with from as is are was were be been being has have had do does did
it its this that these those he she they we you i his her their our my your him them us me who whom which what
when where why how not no so than then there here also just only very can could will would should may might must
into over after before about up down out off more most some any all each both such own same other said says say
""".split())
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")


def _words(text: str) -> list[str]:
    return [w.replace("’", "'") for w in _WORD.findall(text.lower())]


@dataclass(frozen=True)
class ArticleText:
    """What the features need of an article besides its vectors: its word n-grams and whether it is lowercased."""

    unigrams: frozenset[str]
    bigrams: frozenset[tuple[str, str]]
    trigrams: frozenset[tuple[str, str, str]]
    lowercased: bool
    sentence_words: tuple[frozenset[str], ...]  # the words of each article sentence
    tokens: frozenset[str] = frozenset()  # lower-cased \w+ tokens, for the raw rule
    fourgrams: frozenset[tuple[str, str, str, str]] = frozenset()
    length: int = 0  # words

    @classmethod
    def of(cls, body: str, sentences: Sequence[str]) -> "ArticleText":
        w = _words(body)
        letters = sum(c.isalpha() for c in body)
        capitals = sum(c.isupper() for c in body)
        return cls(frozenset(w), frozenset(zip(w, w[1:])), frozenset(zip(w, w[1:], w[2:])),
                   capitals < 0.005 * max(letters, 1), tuple(frozenset(_words(s)) for s in sentences),
                   frozenset(t.lower() for t in _TOKEN.findall(body)), frozenset(zip(w, w[1:], w[2:], w[3:])), len(w))


_TOKEN = re.compile(r"\w+")


def _raw_unmatched(article: ArticleText, points: Sequence[str]) -> tuple[int, int, int]:
    """(capitalised words not opening a sentence, tokens with a digit) that no article token matches without
    case, and the number of such capitalised words: the factuality data's simple rule, counted."""
    names = numbers = capitalised = 0
    for p in points:
        toks = list(_TOKEN.finditer(p))
        for k, m in enumerate(toks):
            t = m.group()
            opens = k == 0 or re.search(r"[.!?]\s*$", p[: m.start()]) is not None
            digit = any(c.isdigit() for c in t)
            if t[0].isupper() and not opens and not digit:
                capitalised += 1
                names += t.lower() not in article.tokens
            elif digit:
                numbers += t.lower() not in article.tokens
    return names, numbers, capitalised


def features(article: ArticleText, sims: "np.ndarray", pair_sims: Sequence[float], points: Sequence[str],
             flags: Sequence[Sequence[Flag]], whole_article_sentence: bool = False) -> list[float]:
    """The ``FEATURES`` of a summary made of ``points`` (its sentences or key points).

    ``sims``: each point's cosines with every article sentence (points x sentences);
    ``pair_sims``: each point's cosine with the mean vector of its two best article sentences;
    ``flags``: each point's flags; ``whole_article_sentence``: the summary is one sentence that sums up
    the whole article (XSum style), not key points.
    """
    best = [float(row.max()) if row.size else 0.0 for row in sims]
    kinds = [f.kind for fl in flags for f in fl]
    words = [w for p in points for w in _words(p)]
    content = [w for w in words if w not in _STOP]
    grams2 = [g for p in points for g in zip(_words(p), _words(p)[1:])]
    grams3 = [g for p in points for g in zip(_words(p), _words(p)[1:], _words(p)[2:])]
    grams4 = [g for p in points for g in zip(_words(p), _words(p)[1:], _words(p)[2:], _words(p)[3:])]
    raw_names, raw_numbers, capitalised = _raw_unmatched(article, points)

    def novel(items: list, known: frozenset) -> float:
        return sum(i not in known for i in items) / len(items) if items else 0.0

    local = []
    for k, p in enumerate(points):
        if not sims[k].size:
            local.append(1.0)
            continue
        top = sorted(range(sims.shape[1]), key=lambda i: (-float(sims[k, i]), i))[:2]
        near = frozenset().union(*(article.sentence_words[i] for i in top))
        local.append(novel([w for w in _words(p) if w not in _STOP], near))

    return [
        min(best) if best else 0.0,
        sum(best) / len(best) if best else 0.0,
        min(pair_sims) if len(pair_sims) else 0.0,
        math.log1p(kinds.count("name")),
        math.log1p(sum(k in ("number", "amount", "percentage", "score") for k in kinds)),
        math.log1p(kinds.count("date")),
        novel(content, article.unigrams),
        novel(grams2, article.bigrams),
        novel(grams3, article.trigrams),
        max(local) if local else 0.0,
        sum(local) / len(local) if local else 0.0,
        math.log1p(len(words)),
        math.log(max(len(points), 1)),
        math.log1p(len(article.sentence_words)),
        float(article.lowercased),
        float(len(points) == 1),
        math.log1p(raw_names),
        math.log1p(raw_numbers),
        raw_names / capitalised if capitalised else 0.0,
        float(raw_names + raw_numbers > 0),
        novel(grams4, article.fourgrams),
        math.log1p(len(words)) - math.log1p(article.length),
        float(whole_article_sentence),
    ]


def support_sims(article_vecs: "np.ndarray", point_vecs: "np.ndarray") -> tuple["np.ndarray", list[float]]:
    """Cosines of each point with each article sentence, and with the mean of its two best sentences."""
    import numpy as np

    sims = point_vecs @ article_vecs.T if len(article_vecs) else np.zeros((len(point_vecs), 0), np.float32)
    pair = []
    for k in range(len(point_vecs)):
        if sims.shape[1] == 0:
            pair.append(0.0)
            continue
        top = np.argsort(-sims[k], kind="stable")[:2]
        mean = article_vecs[top].mean(axis=0)
        pair.append(float(point_vecs[k] @ mean / (np.linalg.norm(mean) or 1.0)))
    return sims, pair


@dataclass(frozen=True)
class ConsistencyModel:
    """A logistic regression over standardised ``FEATURES`` and their products with ``one_sentence_summary``
    (``expand``): ``probability(x)`` = P(consistent)."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    threshold: float  # under it a summary of key points or sentences is flagged (chosen on the validation halves)
    keypoint_threshold: float  # under it a key point alone is flagged (no more than 2% of training highlights)
    threshold_one_sentence: float = 0.5  # under it a one-sentence summary of a whole article is flagged

    def probability(self, x: Sequence[float]) -> float:
        z = self.intercept + sum(c * (v - m) / s for c, v, m, s in zip(self.coef, expand(x), self.mean, self.scale))
        return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))

    def summary_threshold(self, x: Sequence[float]) -> float:
        """The threshold a whole summary with features ``x`` is judged by (its style's)."""
        return self.threshold_one_sentence if x[STYLE] else self.threshold

    @classmethod
    def from_arrays(cls, arrays: dict, meta: dict) -> "ConsistencyModel":
        if meta.get("features") != list(FEATURES):
            from ..errors import ModelError

            raise ModelError(f"the consistency weights were trained on the features {meta.get('features')}, this code "
                             f"computes {list(FEATURES)}; regenerate them with: python -m eval.train.consistency")
        return cls(tuple(arrays["mean"].tolist()), tuple(arrays["scale"].tolist()), tuple(arrays["coef"].tolist()),
                   float(arrays["intercept"][0]), float(meta["threshold"]), float(meta["keypoint_threshold"]),
                   float(meta["threshold_one_sentence"]))


def expand(x: Sequence[float]) -> list[float]:
    """``x`` and each of its values times its ``one_sentence_summary`` value (the model's inputs)."""
    return list(x) + [v * x[STYLE] for v in x]


@lru_cache(maxsize=1)
def shipped_model() -> ConsistencyModel:
    """The shipped consistency model (read once, after its sha256 check)."""
    arrays, meta = read_consistency(CONSISTENCY, CONSISTENCY_SHA256)
    return ConsistencyModel.from_arrays(arrays, meta)


def unsupported_flag(p: float, best: float, sentence: int | None, threshold: float) -> Flag:
    """The flag of a key point that the consistency score finds unsupported, though no name or number is amiss."""
    where = f"the closest article sentence (number {sentence + 1}) scores {best:.2f}" if sentence is not None else \
        "the article has no sentences"
    return Flag("support", "unsupported",
                f"no article sentence says this in these words: {where}, and the consistency score is "
                f"{p:.2f}, under {threshold:.2f}")
