"""Key points chosen as a set: summary-level selection over the sentence scorer's short list.

The sentence scorer (:mod:`.scorer`) rates each sentence on its own. Here the best
``shortlist`` sentences it rates (6 by default) make candidate summaries: every subset of
2 to 4 of them (with ``-n N``, of exactly N), in article order. Each candidate is described as
a whole (:func:`candidate_features`: its sentences' scores, length, repeats among its
sentences, how much of the article it covers, where its sentences stand) and scored by a small
network trained to rank candidates by their ROUGE against the human highlights (a ranking
loss, as MatchSum's; ``python -m eval.train.selection``); the best candidate is the summary.
How many key points an article gets falls out of the same choice: candidates of every size
compete.

A sentence that begins in the middle of a quotation (:mod:`.quotes`) never starts a key
point here: it is left out of the short list unless too few sentences remain without it.

Runs in numpy (no torch import); the weights and their checks are in :mod:`.weights`.

>>> candidates([4, 1, 7], 2, 2)
[(1, 4), (1, 7), (4, 7)]
"""

from __future__ import annotations

import hashlib
import itertools
import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from ...errors import ModelError
from .weights import CANDIDATE_FEATURES, SELECTOR, SelectorConfig, read_selector, selector_fix_hint

_WORDS = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    """the a an and or but of to in on at for with by from as is was are were be been has have had
    it its he she they his her their this that these those not no said says will would who which
    than then there into about after over more also""".split()
)


def shortlist(probs: np.ndarray, eligible: np.ndarray, size: int) -> list[int]:
    """The ``size`` eligible sentences the scorer rates best, best first.

    >>> shortlist(np.array([0.1, 0.9, 0.5, 0.7]), np.array([True, True, True, False]), 2)
    [1, 2]
    """
    order = np.argsort(-probs, kind="stable")
    return [int(i) for i in order if eligible[i]][:size]


def candidates(short: Sequence[int], min_size: int, max_size: int) -> list[tuple[int, ...]]:
    """Every subset of ``short`` of ``min_size`` to ``max_size`` sentences, in article order."""
    ordered = sorted(short)
    out: list[tuple[int, ...]] = []
    for size in range(min_size, min(max_size, len(ordered)) + 1):
        out += itertools.combinations(ordered, size)
    return out


def _content(text: str) -> set[str]:
    return {w for w in _WORDS.findall(text.lower()) if w not in _STOP}


def _trigrams(text: str) -> set[tuple[str, ...]]:
    w = _WORDS.findall(text.lower())
    return set(zip(w, w[1:], w[2:]))


def candidate_features(
    vectors: np.ndarray,
    texts: Sequence[str],
    probs: np.ndarray,
    eligible: np.ndarray,
    cands: Sequence[tuple[int, ...]],
) -> np.ndarray:
    """What the selector sees of each candidate, shape ``(len(cands), len(CANDIDATE_FEATURES))``.

    ``vectors``: the article's sentence vectors (rows of norm 1); ``probs``: the sentence
    scorer's probabilities; ``eligible``: the sentences a key point may be.

    >>> v = np.eye(3, dtype=np.float32)
    >>> f = candidate_features(v, ["a b c d", "e f g h", "i j k l"], np.array([.9, .5, .2]), np.ones(3, bool), [(0, 1)])
    >>> f.shape
    (1, 38)
    """
    out = np.zeros((len(cands), len(CANDIDATE_FEATURES)), dtype=np.float32)
    if not cands:
        return out
    col = {name: i for i, name in enumerate(CANDIDATE_FEATURES)}
    k = len(texts)
    short = sorted({i for c in cands for i in c})
    pos = {i: j for j, i in enumerate(short)}
    members = np.zeros((len(cands), len(short)), dtype=bool)
    for row, c in enumerate(cands):
        members[row, [pos[i] for i in c]] = True
    size = members.sum(1).astype(np.float32)
    m = members.astype(np.float32)

    def where_max(values: np.ndarray, fill: float = -np.inf) -> np.ndarray:
        return np.where(members, values[None, :], fill).max(1)

    def where_min(values: np.ndarray) -> np.ndarray:
        return np.where(members, values[None, :], np.inf).min(1)

    p = probs[short].astype(np.float32)
    logit = np.clip(np.log(np.maximum(p, 1e-6) / np.maximum(1 - p, 1e-6)), -8, 8)
    order = np.argsort(-probs, kind="stable")
    rank_of = np.empty(k, dtype=np.float32)
    rank_of[order] = np.arange(k)
    rank = rank_of[short] / max(len(short), 1)
    words = np.array([len(texts[i].split()) for i in short], dtype=np.float32)
    index = np.minimum(np.array(short, dtype=np.float32), 50) / 50

    for s in (2, 3, 4):
        out[:, col[f"size_{s}"]] = size == s
    out[:, col["size_scaled"]] = size / 4
    out[:, col["p_mean"]] = m @ p / size
    out[:, col["p_min"]] = where_min(p)
    out[:, col["p_max"]] = where_max(p)
    out[:, col["p_sum_scaled"]] = m @ p / 4
    out[:, col["logit_mean"]] = m @ logit / size / 4
    out[:, col["rank_mean"]] = m @ rank / size
    out[:, col["rank_max"]] = where_max(rank)
    total = m @ words
    out[:, col["words_scaled"]] = total / 60
    out[:, col["words_sq"]] = (total / 60) ** 2
    out[:, col["words_min"]] = where_min(words) / 40
    out[:, col["words_max"]] = where_max(words) / 40

    # pairs of the candidate's sentences: repeats
    sv = vectors[short]
    sim = sv @ sv.T
    grams = [_trigrams(texts[i]) for i in short]
    shares = np.array([[bool(a & b) for b in grams] for a in grams], dtype=np.float32)
    pairs = members[:, :, None] & members[:, None, :] & np.triu(np.ones((len(short),) * 2, dtype=bool), 1)[None]
    n_pairs = np.maximum(pairs.sum((1, 2)), 1)
    out[:, col["sim_max"]] = np.where(pairs, sim[None], 0).max((1, 2))
    out[:, col["sim_mean"]] = (pairs * sim[None]).sum((1, 2)) / n_pairs
    out[:, col["trigram_pairs"]] = (pairs * shares[None]).sum((1, 2)) / n_pairs

    content = [_content(t) for t in texts]
    vocab = sorted(set().union(*(content[i] for i in short)))
    wid = {w: j for j, w in enumerate(vocab)}
    bag = np.zeros((len(short), len(vocab)), dtype=np.float32)
    for j, i in enumerate(short):
        bag[j, [wid[w] for w in content[i]]] = 1
    counts = m @ bag
    total_words = np.maximum(counts.sum(1), 1)
    out[:, col["word_overlap"]] = 1 - (counts > 0).sum(1) / total_words

    # coverage of the article
    doc = vectors.mean(0)
    doc = doc / (np.linalg.norm(doc) or 1.0)
    centroid = m @ sv / size[:, None]
    centroid /= np.maximum(np.linalg.norm(centroid, axis=1, keepdims=True), 1e-9)
    out[:, col["cos_doc"]] = centroid @ doc
    to_all = sv @ vectors.T  # (short, k)
    best = np.where(members[:, :, None], to_all[None], -np.inf).max(1)  # (cands, k)
    out[:, col["coverage"]] = best.mean(1)
    weight = probs.astype(np.float32)
    out[:, col["coverage_p"]] = best @ weight / max(float(weight.sum()), 1e-6)
    df = Counter(w for c in content for w in c)
    repeated = [w for w in vocab if df[w] >= 2]
    n_repeated = len(df) - list(df.values()).count(1)
    if repeated and n_repeated:
        out[:, col["content_coverage"]] = (counts[:, [wid[w] for w in repeated]] > 0).sum(1) / n_repeated

    short_arr = np.array(short)
    out[:, col["has_first"]] = m @ (short_arr == 0).astype(np.float32)
    out[:, col["lead_share"]] = m @ (short_arr < 3).astype(np.float32) / size
    out[:, col["index_mean"]] = m @ index / size
    out[:, col["index_min"]] = where_min(index)
    out[:, col["index_max"]] = where_max(index)
    quote = np.array([any(q in texts[i] for q in "\"“”'‘’") for i in short], dtype=np.float32)
    digit = np.array([any(map(str.isdigit, texts[i])) for i in short], dtype=np.float32)
    out[:, col["quotes"]] = m @ quote / size
    out[:, col["digits"]] = m @ digit / size

    # the article as a whole (the same for every candidate: it matters through the size)
    out[:, col["doc_sentences"]] = min(k, 100) / 50
    out[:, col["doc_p_sum"]] = float(probs[eligible].sum()) / 4 if eligible.any() else 0.0
    top = np.sort(p)[::-1]
    for j in range(5):
        out[:, col[f"top{j + 1}"]] = top[j] if j < len(top) else 0.0
    rest = [int(i) for i in order if eligible[i] and i not in pos]
    next_p = float(probs[rest[0]]) if rest else 0.0
    left = np.where(members, 0.0, p[None, :]).max(1)
    out[:, col["p_gap_next"]] = np.maximum(left, next_p) - out[:, col["p_min"]]
    return out


# --- the network in numpy -------------------------------------------------------------------


class SelectorNet:
    """Candidate features -> a score: for each of ``config.members`` networks, standardized
    features, two ReLU layers and a linear output; the mean of their scores
    (``CandidateEnsemble`` in :mod:`.net`, in float32 numpy).

    >>> net = SelectorNet.random(SelectorConfig(hidden=8, members=2), seed=0)
    >>> net.scores(np.zeros((5, SelectorConfig().num_features), np.float32)).shape
    (5,)
    """

    def __init__(self, tensors: dict[str, np.ndarray], config: SelectorConfig):
        self.t = {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in tensors.items()}
        self.config = config

    @classmethod
    def random(cls, config: SelectorConfig, seed: int = 0) -> "SelectorNet":
        """Random weights of the right shapes (for tests and examples)."""
        rng = np.random.default_rng(seed)
        c, h = config, config.hidden
        t = {}
        for j in range(c.members):
            p = f"members.{j}."
            t[p + "mean"], t[p + "std"] = np.zeros(c.num_features), np.ones(c.num_features)
            for name, out, inp in (("l1", h, c.num_features), ("l2", h, h), ("out", 1, h)):
                t[f"{p}{name}.weight"] = rng.normal(0, inp ** -0.5, (out, inp))
                t[f"{p}{name}.bias"] = rng.normal(0, 0.1, out)
        return cls(t, config)

    def scores(self, feats: np.ndarray) -> np.ndarray:
        """One score per candidate (higher is better), shape ``(len(feats),)``."""
        t, f = self.t, feats.astype(np.float32)
        total = np.zeros(len(f), dtype=np.float32)
        for j in range(self.config.members):
            p = f"members.{j}."
            x = (f - t[p + "mean"]) / t[p + "std"]
            x = np.maximum(x @ t[p + "l1.weight"].T + t[p + "l1.bias"], 0)
            x = np.maximum(x @ t[p + "l2.weight"].T + t[p + "l2.bias"], 0)
            total += (x @ t[p + "out.weight"].T + t[p + "out.bias"])[:, 0]
        return total / self.config.members


@dataclass(frozen=True)
class Choice:
    """The chosen key points (indices in article order) and the selector's score of the set."""

    indices: tuple[int, ...]
    score: float


class Selector:
    """The shipped (or a given) selector: chooses an article's key points as a set."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path else SELECTOR
        data, self.meta = read_selector(self.path)
        self.sha256 = hashlib.sha256(data).hexdigest()
        self.config = SelectorConfig(**self.meta["config"])
        from safetensors.numpy import load

        try:
            self.net = SelectorNet(load(data), self.config)
        except Exception as e:  # safetensors raises its own error type for a bad file
            raise ModelError(f"selector weights {self.path} cannot be read ({e}); {selector_fix_hint(self.path)}") from None

    def choose(
        self,
        vectors: np.ndarray,
        texts: Sequence[str],
        probs: np.ndarray,
        eligible: np.ndarray,
        n: int | None,
    ) -> Choice:
        """The best candidate summary; ``n``: of exactly ``n`` key points (or all the eligible
        sentences when there are fewer), None: of ``min_size`` to ``max_size``."""
        c = self.config
        if n is not None and n <= 0:
            return Choice((), 0.0)
        lo, hi = (c.min_size, c.max_size) if n is None else (n, n)
        short = shortlist(probs, eligible, max(c.shortlist, hi))
        if len(short) <= lo:  # too few to choose from: all of them
            return Choice(tuple(sorted(short)), math.nan)
        cands = candidates(short, lo, hi)
        scores = self.net.scores(candidate_features(vectors, texts, probs, eligible, cands))
        best = int(np.argmax(scores))
        return Choice(cands[best], float(scores[best]))

    @property
    def description(self) -> dict:
        """What Summary.settings records about the selector."""
        return {"weights": self.path.name, "sha256": self.sha256[:12], "seed": self.meta.get("seed"),
                "shortlist": self.config.shortlist, "sizes": [self.config.min_size, self.config.max_size]}
