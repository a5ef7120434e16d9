"""The learned sentence scorer of the ``extractive`` backend.

Flow: the encoder's sentence vectors and a few cheap features (:func:`features`) go through
a small transformer over the article's sentence sequence (``ScorerNet`` in
:mod:`summarizer.backends.extractive.net`, in the style of BertSumExt's inter-sentence
transformer), which gives each sentence a probability of being a key point; :func:`choose`
keeps the best ones, with trigram blocking against repeats. The labels it is trained on come
from :func:`summarizer.evaluate.oracle.oracle`, BertSum's greedy ROUGE oracle.

The network is trained with torch; by default it runs in numpy (:class:`NumpyNet`, the same
arithmetic in float32, no torch import), ``runtime="torch"`` runs the torch module. Its
attention spans at most :data:`WINDOW` sentences: a longer article is scored in overlapping
windows (:func:`windows`), so memory grows linearly with the article, while the features
still describe the whole article; an article of at most ``WINDOW`` sentences (every news
story seen so far: the dev set's longest has 164) is scored in one piece, exactly as
without windows.

The weights, their settings and their checks are in :mod:`.weights`.
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from ...errors import ModelError
from .weights import FEATURES, LEAD_SLOTS, WEIGHTS, ScorerConfig, fix_hint, read_weights

_STOP = frozenset(
    """the a an and or but of to in on at for with by from as is was are were be been has have had
    it its he she they his her their this that these those not no said says will would who which
    than then there into about after over more also""".split()
)
_WORDS = re.compile(r"[a-z0-9]+")


def features(vectors: np.ndarray, texts: Sequence[str], min_words: int = 4) -> np.ndarray:
    """The cheap features of an article's sentences, shape ``(len(texts), len(FEATURES))``.

    >>> features(np.eye(2, dtype=np.float32), ["One two three four.", "Short."]).shape
    (2, 21)
    """
    k = len(texts)
    out = np.zeros((k, len(FEATURES)), dtype=np.float32)
    if k == 0:
        return out
    idx = np.arange(k, dtype=np.float32)

    def unit(v: np.ndarray) -> np.ndarray:
        return v / (np.linalg.norm(v) or 1.0)

    words = np.array([len(t.split()) for t in texts], dtype=np.float32)
    out[:, 0] = np.minimum(idx, 50) / 50
    out[:, 1] = idx / max(k - 1, 1)
    out[:, 2] = 1 / np.sqrt(1 + idx)
    out[:, 3] = vectors @ unit(vectors.mean(0))
    out[:, 4] = vectors @ unit(vectors[:3].mean(0))
    out[:, 5] = vectors @ vectors[0]
    out[:, 6] = np.minimum(words, 80) / 40
    out[:, 7] = words < min_words
    out[:, 8] = min(k, 100) / 50
    content = [{w for w in _WORDS.findall(t.lower()) if w not in _STOP} for t in texts]
    df = Counter(w for c in content for w in c)
    for i, c in enumerate(content):
        if c:
            out[i, 9] = np.mean([math.log1p(df[w] - 1) for w in c]) / math.log1p(max(k - 1, 1))
            out[i, 10] = len(c & content[0]) / len(c)
        out[i, 11] = any(q in texts[i] for q in '"“”')
        out[i, 12] = any(map(str.isdigit, texts[i]))  # map: the same test, without a generator frame per character
    lead = min(k, LEAD_SLOTS)
    out[np.arange(lead), 13 + np.arange(lead)] = 1
    return out


# --- the network in numpy ----------------------------------------------------------------


def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w + b


class NumpyNet:
    """``ScorerNet``'s forward pass in float32 numpy (eval mode: no dropout), one article
    window at a time, so no padding and no mask.

    >>> net = NumpyNet.random(ScorerConfig(d_model=8, heads=2, ff=16), seed=0)
    >>> net.probs(np.zeros((3, 384), np.float32), np.zeros((3, len(FEATURES)), np.float32)).shape
    (3,)
    """

    def __init__(self, tensors: dict[str, np.ndarray], config: ScorerConfig):
        self.t = {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in tensors.items()}
        self.config = config

    @classmethod
    def random(cls, config: ScorerConfig, seed: int = 0) -> "NumpyNet":
        """Random weights of the right shapes (for tests and examples)."""
        rng = np.random.default_rng(seed)
        c, t = config, {}

        def lin(name: str, out: int, inp: int) -> None:
            t[f"{name}.weight"] = rng.normal(0, inp ** -0.5, (out, inp)).astype(np.float32)
            t[f"{name}.bias"] = rng.normal(0, 0.1, out).astype(np.float32)

        lin("embed", c.d_model, c.dim)
        lin("feat", c.d_model, c.num_features)
        for i in range(c.layers):
            p = f"context.layers.{i}."
            lin(p + "self_attn.in_proj", 3 * c.d_model, c.d_model)
            t[p + "self_attn.in_proj_weight"] = t.pop(p + "self_attn.in_proj.weight")
            t[p + "self_attn.in_proj_bias"] = t.pop(p + "self_attn.in_proj.bias")
            lin(p + "self_attn.out_proj", c.d_model, c.d_model)
            lin(p + "linear1", c.ff, c.d_model)
            lin(p + "linear2", c.d_model, c.ff)
            for norm in ("norm1", "norm2"):
                t[p + norm + ".weight"] = (1 + rng.normal(0, 0.1, c.d_model)).astype(np.float32)
                t[p + norm + ".bias"] = rng.normal(0, 0.1, c.d_model).astype(np.float32)
        t["norm.weight"] = np.ones(c.d_model, np.float32)
        t["norm.bias"] = np.zeros(c.d_model, np.float32)
        lin("out", 1, c.d_model)
        return cls(t, config)

    def _lin(self, x: np.ndarray, name: str) -> np.ndarray:
        return x @ self.t[f"{name}.weight"].T + self.t[f"{name}.bias"]

    def probs(self, vectors: np.ndarray, feats: np.ndarray) -> np.ndarray:
        """Key-point probabilities of one window's sentences, shape ``(len(vectors),)``."""
        c, t = self.config, self.t
        k, heads = len(vectors), c.heads
        dh = c.d_model // heads
        x = self._lin(vectors.astype(np.float32), "embed") + self._lin(feats.astype(np.float32), "feat")
        for i in range(c.layers):
            p = f"context.layers.{i}."
            h = _layer_norm(x, t[p + "norm1.weight"], t[p + "norm1.bias"])
            qkv = h @ t[p + "self_attn.in_proj_weight"].T + t[p + "self_attn.in_proj_bias"]
            q, kk, v = (qkv[:, j * c.d_model : (j + 1) * c.d_model].reshape(k, heads, dh).transpose(1, 0, 2)
                        for j in range(3))
            att = q @ kk.transpose(0, 2, 1) / np.float32(math.sqrt(dh))  # (heads, k, k): k <= WINDOW
            att = np.exp(att - att.max(-1, keepdims=True))
            att /= att.sum(-1, keepdims=True)
            o = (att @ v).transpose(1, 0, 2).reshape(k, c.d_model)
            x = x + self._lin(o, p + "self_attn.out_proj")
            h = _layer_norm(x, t[p + "norm2.weight"], t[p + "norm2.bias"])
            x = x + self._lin(np.maximum(self._lin(h, p + "linear1"), 0), p + "linear2")
        logits = self._lin(_layer_norm(x, t["norm.weight"], t["norm.bias"]), "out")[:, 0]
        return (1 / (1 + np.exp(-logits))).astype(np.float32)

    def run(self, items: Sequence[tuple[np.ndarray, np.ndarray]]) -> list[np.ndarray]:
        """Probabilities of each ``(vectors, features)`` window.

        On one BLAS thread: the products are tiny, and waking BLAS threads cost far more
        than they save (on 2 busy cores, 78 ms an article with OpenBLAS's 2 threads, 9 ms
        with one).
        """
        with _blas_controller().limit(limits=1, user_api="blas"):
            return [self.probs(v, f) for v, f in items]


@functools.lru_cache(maxsize=1)
def _blas_controller():
    """threadpoolctl's view of the loaded BLAS libraries, found once: finding them walks every
    loaded library (about 3 ms an article on 2 busy cores), and numpy's BLAS, the one limited
    here, is loaded with numpy."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


# --- long articles: windows ----------------------------------------------------------------

WINDOW = 512  # sentences the scorer's attention spans at most; the dev set's longest story has 164


def windows(k: int, size: int = WINDOW) -> list[tuple[int, int, int, int]]:
    """``(start, stop, keep_start, keep_stop)`` of each window over ``k`` sentences.

    Windows of ``size`` sentences start every ``size // 2``, the last one flush with the end;
    each sentence takes its score from the one window whose kept part holds it (the kept
    parts tile ``range(k)``), cut in the middle of two windows' overlap, so every sentence
    is scored with at least ``size // 4`` sentences of context on each side where the
    article has them. ``k <= size``: one window, the whole article.

    >>> windows(5, 8)
    [(0, 5, 0, 5)]
    >>> windows(12, 8)
    [(0, 8, 0, 6), (4, 12, 6, 12)]
    """
    if k <= size:
        return [(0, k, 0, k)]
    starts = list(range(0, k - size, size // 2)) + [k - size]
    cuts = [(nxt + prev + size) // 2 for prev, nxt in zip(starts, starts[1:])]  # middle of each overlap
    bounds = [0, *cuts, k]
    return [(s, s + size, bounds[j], bounds[j + 1]) for j, s in enumerate(starts)]


# --- choosing sentences ----------------------------------------------------------------


def _trigrams(text: str) -> set[tuple[str, ...]]:
    w = _WORDS.findall(text.lower())
    return set(zip(w, w[1:], w[2:]))


@dataclass(frozen=True)
class Adaptive:
    """How many key points when none is asked for; the shipped values are tuned on held-out
    training stories and stored with the weights."""

    threshold: float = 0.1  # add the next best sentence only while its probability reaches this
    min_points: int = 2
    max_points: int = 4
    word_budget: int | None = 60  # ... and while the key points have fewer words: ROUGE F1 is about length too


def choose(
    scores: np.ndarray,
    texts: Sequence[str],
    n: int | None,
    eligible: np.ndarray | None = None,
    adaptive: Adaptive = Adaptive(),
    block_trigrams: bool = True,
) -> list[int]:
    """Indices (in article order) of the key points: the best scores, skipping a sentence
    that shares a word trigram with one already chosen (BertSum's trigram blocking).

    With ``n``, exactly ``min(n, eligible sentences)``: blocked sentences fill in when too
    few remain. Without it, sentences are added from the best while their score reaches
    ``adaptive.threshold`` and the chosen ones have fewer than ``adaptive.word_budget``
    words, at least ``min_points`` and at most ``max_points``.

    >>> choose(np.array([0.9, 0.2, 0.8]), ["a b c d", "e f g h", "a b c x"], 2)
    [0, 1]
    """
    k = len(scores)
    ok = np.ones(k, dtype=bool) if eligible is None or not eligible.any() else eligible
    order = [int(i) for i in np.argsort(-scores, kind="stable") if ok[i]]
    limit = min(n if n is not None else adaptive.max_points, len(order))
    chosen: list[int] = []
    blocked: list[int] = []
    seen: set[tuple[str, ...]] = set()
    words = 0
    for i in order:
        if len(chosen) >= limit:
            break
        if n is None and len(chosen) >= adaptive.min_points and (
            scores[i] < adaptive.threshold or (adaptive.word_budget is not None and words >= adaptive.word_budget)
        ):
            break
        grams = _trigrams(texts[i])
        if block_trigrams and grams & seen:
            blocked.append(i)
            continue
        chosen.append(i)
        seen |= grams
        words += len(texts[i].split())
    if n is not None:
        chosen += blocked[: limit - len(chosen)]
    return sorted(chosen)


class LearnedScorer:
    """The shipped (or a given) scorer, ready to score articles' sentences.

    ``runtime``: ``"numpy"`` (default; no torch import) or ``"torch"`` (the training
    module, as the package ran it before numpy); both give the same choices.
    """

    def __init__(self, path: str | Path | None = None, runtime: str = "numpy"):
        if runtime not in ("numpy", "torch"):
            raise ModelError(f"unknown scorer runtime {runtime!r}; use numpy or torch")
        self.path = Path(path) if path else WEIGHTS
        data, self.meta = read_weights(self.path)
        self.sha256 = hashlib.sha256(data).hexdigest()
        self.runtime = runtime
        config = ScorerConfig(**self.meta["config"])
        if runtime == "torch":
            from .net import TorchNet

            self.net = TorchNet(data, config, self.path)
        else:
            from safetensors.numpy import load

            try:
                self.net = NumpyNet(load(data), config)
            except Exception as e:  # safetensors raises its own error type for a bad file
                raise ModelError(f"scorer weights {self.path} cannot be read ({e}); {fix_hint(self.path)}") from None
        self.adaptive = Adaptive(**self.meta.get("adaptive", {}))
        self.min_words = int(self.meta.get("min_words", 4))

    def score(self, articles: Sequence[tuple[np.ndarray, Sequence[str]]]) -> list[np.ndarray]:
        """Key-point probabilities of each article's sentences, from ``(vectors, texts)``.

        Features describe the whole article; the network sees it through :func:`windows`.
        """
        out = [np.zeros(len(t), np.float32) for _, t in articles]
        items, places = [], []
        for i, (v, t) in enumerate(articles):
            if not len(t):
                continue
            f = features(v, t, self.min_words)
            for start, stop, keep_start, keep_stop in windows(len(t)):
                items.append((v[start:stop], f[start:stop]))
                places.append((i, start, keep_start, keep_stop))
        for probs, (i, start, keep_start, keep_stop) in zip(self.net.run(items), places):
            out[i][keep_start:keep_stop] = probs[keep_start - start : keep_stop - start]
        return out

    @property
    def description(self) -> dict:
        """What Summary.settings records about the scorer."""
        return {
            "weights": self.path.name,
            "sha256": self.sha256[:12],
            "seed": self.meta.get("seed"),
            "runtime": self.runtime,
            "adaptive": asdict(self.adaptive),
        }
