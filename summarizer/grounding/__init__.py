"""Grounding: is an abstractive key point backed by its article?

One package for every backend that writes key points (``llm``, ``seq2seq``), for
``summarizer.check`` and for ``summarize check``. For each key point:

* ``support``: the article sentences closest to it, by cosine of the embedded encoder's
  vectors (``SUPPORT_SENTENCES`` of them, best first), each with its score; a key point
  merging two sentences finds both;
* ``flags`` (``flags.py``): what it states that the article does not contain, each with
  the reason in words: numbers, amounts, percentages, scores and dates compared by value
  (``numbers.py``), and names (``names.py``);
* ``consistency`` (``consistency.py``): the learned probability that the article backs it;
  under the model's threshold, a key point with no name or number amiss gets a "support"
  flag. ``--strict`` drops flagged key points, and a run's flag rate counts them.

The modules, each a stage: ``numbers`` and ``names`` read a text; ``flags`` compares a key
point with its article's facts; ``consistency`` scores it; ``weights`` (a leaf) holds the
learned files' paths and sha256.

>>> [f.text for f in find_flags("Shares rose 12% to $84.5 million on Friday.", Facts.of("shares rose 12 percent to 84.5 million dollars on monday."))]
['Friday']
>>> [f.text for f in find_flags("Two men held after a two-hour chase in the U.S.", Facts.of("police held 2 men after a chase of two hours in the us."))]
[]
>>> [(f.kind, f.text) for f in find_flags("Smith paid $5 million in 2014.", Facts.of("jones paid $4 million in 2014."))]
[('name', 'Smith'), ('amount', '$5 million')]
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING, Iterable, Sequence

from ..results import KeyPoint, Summary, Support
from .flags import Facts, find_flags, is_furniture
from .names import name_phrases
from .numbers import Quantity, quantities, value_key

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from ..article import Article

SUPPORT_SENTENCES = 2  # supporting sentences listed per key point: a point often merges two
LEGEND = "[! ...] = names or numbers the article does not contain, or no sentence says it; check them (details: -f json)"
_key = value_key  # the old private name, for scripts written against it

# -- support ----------------------------------------------------------------------------------

_ENCODER = None


def sentence_vectors(texts: Sequence[str]) -> "np.ndarray":
    """L2-normalised vectors of ``texts`` from the embedded encoder (the one place grounding calls it)."""
    global _ENCODER
    if _ENCODER is None:
        from ..encoder import SentenceEncoder

        _ENCODER = SentenceEncoder()
    return _ENCODER.encode(list(texts))


def ground(article: "Article", points: Sequence[str]) -> tuple[KeyPoint, ...]:
    """Key points for ``points`` with their ``support`` in ``article`` (best first), their ``flags``
    (each with its reason) and their ``consistency`` (the learned score, each point taken alone).
    A point the score puts under its threshold, with no name or number amiss, gets a "support" flag."""
    return ground_with_summary(article, points)[0]


def ground_with_summary(article: "Article", points: Sequence[str]) -> tuple[tuple[KeyPoint, ...], float | None]:
    """``ground``'s key points, and the consistency score of all of them together (None when there are none)."""
    from .consistency import ArticleText, features, shipped_model, support_sims, unsupported_flag

    if not points:
        return (), None
    sents = article.sentences
    facts = Facts.of(facts_text(article))
    text = ArticleText.of(article.body, [s.text for s in sents])
    model = shipped_model()
    vecs = sentence_vectors([s.text for s in sents] + list(points))
    sims, pair = support_sims(vecs[: len(sents)], vecs[len(sents):])
    all_flags = [find_flags(p, facts) for p in points]
    out = []
    for k, point in enumerate(points):
        order = sorted(range(len(sents)), key=lambda i: (-float(sims[k, i]), i))[:SUPPORT_SENTENCES]
        support = tuple(Support(i, round(float(sims[k, i]), 4), (sents[i].start, sents[i].end)) for i in order)
        flags = all_flags[k]
        p = model.probability(features(text, sims[k : k + 1], pair[k : k + 1], [point], [flags]))
        if p < model.keypoint_threshold and not flags and not is_furniture(point):
            best = support[0] if support else None
            flags = [unsupported_flag(p, best.score if best else 0.0, best.sentence if best else None,
                                      model.keypoint_threshold)]
        out.append(KeyPoint(point, support=support, flags=tuple(flags), consistency=round(p, 4)))
    whole = model.probability(features(text, sims, pair, list(points), all_flags))
    return tuple(out), round(whole, 4)


def facts_text(article: "Article") -> str:
    """What a key point is checked against: the article's body, and its headline, byline, date and caption where
    it has them (a key point may name the author of an opinion piece, or the day of the story, from those)."""
    return "\n".join(t for t in (article.title, article.author, article.date, article.caption, article.body) if t)


def flag_rate(points: Iterable[KeyPoint]) -> float:
    """Fraction of grounded key points with at least one flag, a name or number the article lacks or
    a consistency score under its threshold (NaN when there are none)."""
    checked = [p for p in points if p.flags is not None]
    return sum(p.flagged for p in checked) / len(checked) if checked else math.nan


def drop_flagged(summary: Summary) -> Summary:
    """``summary`` without its flagged key points (``--strict``); ``info["dropped_flagged"]`` counts them."""
    kept = tuple(k for k in summary.key_points if not k.flagged)
    dropped = len(summary.key_points) - len(kept)
    return replace(summary, key_points=kept, info={**summary.info, "dropped_flagged": dropped})


__all__ = ["LEGEND", "SUPPORT_SENTENCES", "Facts", "Quantity", "drop_flagged", "facts_text", "find_flags", "flag_rate",
           "ground", "ground_with_summary",
           "is_furniture", "name_phrases", "quantities", "sentence_vectors", "value_key"]
