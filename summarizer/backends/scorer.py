"""The learned sentence scorer of the ``extractive`` backend, and the oracle it learns from.

Flow: the encoder's sentence vectors and a few cheap features (:func:`features`) go through
a small transformer over the article's sentence sequence (:class:`ScorerNet`, in the style
of BertSumExt's inter-sentence transformer), which gives each sentence a probability of being
a key point; :func:`choose` keeps the best ones, with trigram blocking against repeats.
The labels it is trained on come from :func:`oracle`, BertSum's greedy ROUGE oracle.

The weights ship in ``summarizer/data`` as safetensors (tensors only: loading runs no code)
with their settings in the file's metadata; their sha256 is recorded here and checked on load.
``eval/train_scorer.py`` reproduces them from the shared training stories.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import struct
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
import torch
from torch import nn

from ..errors import ModelError

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
WEIGHTS = DATA_DIR / "scorer-v1.safetensors"
# sha256 of the shipped file, printed by eval/train_scorer.py; a retrained file needs a new value here.
WEIGHTS_SHA256 = "13585c906cd6785835e2940890fdd38832c492256ddbd4d8cad056605cd37ff0"
REGENERATE = "python eval/train_scorer.py --out summarizer/data/scorer-v1.safetensors"

# What each sentence brings besides its vector, in this order (see features()).
LEAD_SLOTS = 8  # one-hot slots for the first sentences: news leads have a sharp, learnable shape
FEATURES = (
    "index_scaled",  # min(index, 50) / 50
    "relative_position",  # index / (sentences - 1)
    "position_prior",  # 1 / sqrt(1 + index): the lead carries a news story
    "cos_article",  # similarity to the article's mean vector: about the whole story
    "cos_lead",  # similarity to the mean of the first three sentences
    "cos_first",  # similarity to the first sentence
    "words_scaled",  # min(words, 80) / 40
    "is_short",  # fewer than min_words words: a dateline, "video.", a caption
    "sentences_scaled",  # min(sentences, 100) / 50: long stories spread their key points
    "word_centrality",  # how many other sentences share its content words (log, scaled)
    "first_overlap",  # share of its content words found in the first sentence
    "has_quote",  # a quotation: highlights report, they rarely quote
    "has_digit",  # numbers: counts, ages, money are often key facts
    *(f"index_{i}" for i in range(LEAD_SLOTS)),
)
_STOP = frozenset(
    """the a an and or but of to in on at for with by from as is was are were be been has have had
    it its he she they his her their this that these those not no said says will would who which
    than then there into about after over more also""".split()
)
_WORDS = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class ScorerConfig:
    """The network's shape; stored in the weights' metadata."""

    dim: int = 384  # the encoder's vector size (all-MiniLM-L6-v2)
    num_features: int = len(FEATURES)
    d_model: int = 128  # small: the vectors already carry the meaning; this mixes context
    layers: int = 2  # BertSumExt found 2 inter-sentence layers enough
    heads: int = 4
    ff: int = 256
    dropout: float = 0.1


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
        out[i, 12] = any(ch.isdigit() for ch in texts[i])
    lead = min(k, LEAD_SLOTS)
    out[np.arange(lead), 13 + np.arange(lead)] = 1
    return out


class ScorerNet(nn.Module):
    """Sentence vectors + features -> a key-point logit per sentence, with article context."""

    def __init__(self, config: ScorerConfig):
        super().__init__()
        c = config
        self.config = c
        self.embed = nn.Linear(c.dim, c.d_model)
        self.feat = nn.Linear(c.num_features, c.d_model)
        layer = nn.TransformerEncoderLayer(
            c.d_model, c.heads, c.ff, c.dropout, batch_first=True, norm_first=True
        )
        self.context = nn.TransformerEncoder(layer, c.layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(c.d_model)
        self.out = nn.Linear(c.d_model, 1)

    def forward(self, vectors: torch.Tensor, feats: torch.Tensor, pad: torch.Tensor) -> torch.Tensor:
        """Logits ``(batch, sentences)``; ``pad`` is True where a row has no sentence."""
        x = self.embed(vectors) + self.feat(feats)
        x = self.context(x, src_key_padding_mask=pad)
        return self.out(self.norm(x)).squeeze(-1)


def batch(items: Sequence[tuple[np.ndarray, np.ndarray]]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Pad ``(vectors, features)`` of several articles into tensors and a padding mask."""
    width = max(1, max(len(v) for v, _ in items))
    dim, nf = items[0][0].shape[1], items[0][1].shape[1]
    vec = torch.zeros(len(items), width, dim)
    feat = torch.zeros(len(items), width, nf)
    pad = torch.ones(len(items), width, dtype=torch.bool)
    for row, (v, f) in enumerate(items):
        vec[row, : len(v)] = torch.from_numpy(v)
        feat[row, : len(f)] = torch.from_numpy(f)
        pad[row, : len(v)] = False
    return vec, feat, pad


# --- weights on disk -------------------------------------------------------------------


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def save_weights(model: ScorerNet, meta: dict, path: Path) -> str:
    """Write ``model`` and ``meta`` (JSON-able) as safetensors; return the file's sha256.

    Beside a file other than the shipped one goes ``<file>.sha256``, which a load checks;
    the shipped file's checksum is ``WEIGHTS_SHA256``, in the code.
    """
    from safetensors.torch import save

    state = {k: v.detach().contiguous() for k, v in sorted(model.state_dict().items())}
    data = save(state, metadata={"scorer": json.dumps({**meta, "config": asdict(model.config)}, sort_keys=True)})
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    if Path(path).resolve() != WEIGHTS.resolve():
        Path(str(path) + ".sha256").write_text(digest + "\n")
    return digest


def load_weights(path: Path | None = None) -> tuple[ScorerNet, dict]:
    """The scorer network (in eval mode) and its metadata, after a sha256 check.

    The shipped file is checked against ``WEIGHTS_SHA256``; another file against the
    ``.sha256`` file that eval/train_scorer.py writes beside it.
    """
    from safetensors.torch import load

    path = Path(path) if path else WEIGHTS
    shipped = path.resolve() == WEIGHTS.resolve()
    fix = f"reinstall the package or regenerate them with: {REGENERATE}" if shipped else (
        f"regenerate them with: python eval/train_scorer.py --out {path}"
    )
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ModelError(f"cannot read the scorer weights {path} ({e.strerror}); {fix}") from None
    if shipped:
        expected = WEIGHTS_SHA256
    else:
        side = Path(str(path) + ".sha256")
        if not side.is_file():
            raise ModelError(f"scorer weights {path} have no checksum file {side.name} beside them; {fix}")
        expected = side.read_text().strip()
    found = hashlib.sha256(data).hexdigest()
    if found != expected:
        raise ModelError(f"scorer weights {path} fail their sha256 check ({found[:12]}..., expected {expected[:12]}...); {fix}")
    try:
        (n,) = struct.unpack("<Q", data[:8])
        meta = json.loads(json.loads(data[8 : 8 + n])["__metadata__"]["scorer"])
        if meta.get("features") != list(FEATURES):
            raise ValueError(f"trained on the features {meta.get('features')}, this code computes {list(FEATURES)}")
        model = ScorerNet(ScorerConfig(**meta["config"]))
        model.load_state_dict(load(data))
    except (KeyError, ValueError, TypeError, RuntimeError, struct.error) as e:
        raise ModelError(f"scorer weights {path} cannot be loaded ({type(e).__name__}: {e}); {fix}") from None
    model.eval()
    return model, meta


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


# --- the oracle ------------------------------------------------------------------------


def _f1(overlap: int, pred: int, ref: int) -> float:
    if not overlap:
        return 0.0
    p, r = overlap / pred, overlap / ref
    return 2 * p * r / (p + r)


def _rouge12(tokens: list[str], ref1: Counter, ref2: Counter) -> float:
    """ROUGE-1 F1 + ROUGE-2 F1 of ``tokens``, counted as rouge-score counts them."""
    c1, c2 = Counter(tokens), Counter(zip(tokens, tokens[1:]))
    return _f1(sum((c1 & ref1).values()), len(tokens), sum(ref1.values())) + _f1(
        sum((c2 & ref2).values()), max(len(tokens) - 1, 0), sum(ref2.values())
    )


def oracle(
    sentences: Sequence[str],
    highlights: Sequence[str],
    max_sentences: int = 3,
    eligible: Sequence[bool] | None = None,
    tokenize=None,
) -> list[int]:
    """Greedy ROUGE oracle (BertSum): add the sentence that most raises ROUGE-1 + ROUGE-2 F1
    against the highlights, while it rises, up to ``max_sentences``; indices in article order.

    The scores are rouge-score's for the chosen sentences joined by newlines in article
    order against the highlights joined by newlines (stemmed tokens; ``tokenize`` defaults
    to rouge-score's stemming tokenizer).

    >>> oracle(["the cat sat.", "dogs bark loudly.", "the cat sat on the mat."], ["the cat sat on the mat"])
    [2]
    """
    if tokenize is None:
        from rouge_score.tokenizers import DefaultTokenizer

        tokenize = DefaultTokenizer(use_stemmer=True).tokenize
    ref = tokenize("\n".join(highlights))
    ref1, ref2 = Counter(ref), Counter(zip(ref, ref[1:]))
    if not ref:
        return []
    tokens = [tokenize(s) for s in sentences]
    chosen: list[int] = []
    best = 0.0
    for _ in range(max_sentences):
        pick = None
        for i in range(len(sentences)):
            if i in chosen or (eligible is not None and not eligible[i]) or not tokens[i]:
                continue
            cand = [t for j in sorted(chosen + [i]) for t in tokens[j]]
            score = _rouge12(cand, ref1, ref2)
            if score > best:
                pick, best = i, score
        if pick is None:
            break
        chosen.append(pick)
    return sorted(chosen)


class LearnedScorer:
    """The shipped (or a given) scorer, ready to score articles' sentences."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path else WEIGHTS
        self.model, self.meta = load_weights(self.path)
        self.sha256 = sha256(self.path)
        self.adaptive = Adaptive(**self.meta.get("adaptive", {}))
        self.min_words = int(self.meta.get("min_words", 4))

    def score(self, articles: Sequence[tuple[np.ndarray, Sequence[str]]], batch_size: int = 64) -> list[np.ndarray]:
        """Key-point probabilities of each article's sentences, from ``(vectors, texts)``."""
        out = [np.zeros(len(t), np.float32) for _, t in articles]
        todo = [(i, v, features(v, t, self.min_words)) for i, (v, t) in enumerate(articles) if len(t)]
        with torch.inference_mode():
            for b in range(0, len(todo), batch_size):
                chunk = todo[b : b + batch_size]
                probs = torch.sigmoid(self.model(*batch([(v, f) for _, v, f in chunk]))).numpy()
                for row, (i, v, _) in enumerate(chunk):
                    out[i] = probs[row, : len(v)].copy()
        return out

    @property
    def description(self) -> dict:
        """What Summary.settings records about the scorer."""
        return {
            "weights": self.path.name,
            "sha256": self.sha256[:12],
            "seed": self.meta.get("seed"),
            "adaptive": asdict(self.adaptive),
        }
def sha256_short(path: Path) -> str:
    return sha256(path)[:12]
