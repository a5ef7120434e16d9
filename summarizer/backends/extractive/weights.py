"""The shipped weights: where they are, their settings, and the checks on load (a leaf).

Two files ship in ``summarizer/data`` as safetensors (tensors only: loading runs no code)
with their settings in the file's metadata; their sha256 is recorded here and checked on load:

* the sentence scorer's (``scorer-v1``), from ``python -m eval.train.scorer``;
* the summary-level selector's (``selector-v1``), from ``python -m eval.train.selection``.
"""

from __future__ import annotations

import hashlib
import json
import struct
from dataclasses import dataclass
from pathlib import Path

from ...errors import ModelError

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
WEIGHTS = DATA_DIR / "scorer-v1.safetensors"
# sha256 of the shipped file, printed by eval/train/scorer.py; a retrained file needs a new value here.
WEIGHTS_SHA256 = "7814c6e3ffc7c6cdbe00eefcf8d4614c76f1578bfeb971c5e275bccbb3329dd8"

SELECTOR = DATA_DIR / "selector-v1.safetensors"
# sha256 of the shipped selector, printed by eval/train/selection.py; a retrained file needs a new value here.
SELECTOR_SHA256 = "30f4037ae06e220b9f608c4dcc0ca94be1e1cbee19146f47b10409b0dda83d13"

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


# What the selector sees of each candidate summary, in this order (see selection.candidate_features()).
CANDIDATE_FEATURES = (
    "size_2", "size_3", "size_4",  # one-hot; sizes outside 2-4 leave all three at 0
    "size_scaled",  # size / 4
    "p_mean", "p_min", "p_max",  # the sentence scorer's probabilities of its sentences
    "p_sum_scaled",  # sum / 4
    "logit_mean",  # mean log-odds, clipped to [-8, 8], / 4
    "rank_mean", "rank_max",  # ranks in the short list, / its length
    "words_scaled", "words_sq",  # total words / 60 and its square: ROUGE F1 rewards a length
    "words_min", "words_max",  # / 40
    "sim_max", "sim_mean",  # cosine between its sentences: repeats
    "trigram_pairs",  # share of pairs of its sentences sharing a word trigram
    "word_overlap",  # share of its content words that another of its sentences has too
    "cos_doc",  # its mean vector against the article's
    "coverage",  # mean over the article's sentences of the best cosine to one of its sentences
    "coverage_p",  # the same weighted by the scorer's probabilities
    "content_coverage",  # share of the article's repeated content words it contains
    "has_first",  # holds the first sentence
    "lead_share",  # share of its sentences among the first three
    "index_mean", "index_min", "index_max",  # min(index, 50) / 50
    "quotes", "digits",  # share of its sentences with a quotation mark, with a digit
    "doc_sentences",  # min(sentences, 100) / 50
    "doc_p_sum",  # the scorer's probabilities over the whole article, summed, / 4
    "top1", "top2", "top3", "top4", "top5",  # the short list's best probabilities
    "p_gap_next",  # probability of the best sentence left out, minus the candidate's lowest
)


@dataclass(frozen=True)
class SelectorConfig:
    """The selector's shape and its candidates; stored in the weights' metadata."""

    num_features: int = len(CANDIDATE_FEATURES)
    hidden: int = 64  # two hidden layers: ~7k parameters for ~40 features, plenty for 350k candidates
    shortlist: int = 6  # the scorer's best sentences that candidates are made of (C(6,2)+C(6,3)+C(6,4) = 50)
    min_size: int = 2  # candidate sizes without -n; -n N: size N
    max_size: int = 4
    max_n: int = 5  # -n N up to this: candidates of N sentences (sizes 1 to 5 are trained); beyond: one by one
    members: int = 5  # networks from seeds seed..seed+4, their scores averaged: steadier than one seed


# --- weights on disk -------------------------------------------------------------------


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def checked_bytes(path: Path, shipped: Path, shipped_sha256: str, what: str, fix: str) -> bytes:
    """The bytes of a weights file after a sha256 check: the shipped file against the value in
    this module, another file against the ``.sha256`` file written beside it when it was trained."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ModelError(f"cannot read the {what} weights {path} ({e.strerror}); {fix}") from None
    if path.resolve() == shipped.resolve():
        expected = shipped_sha256
    else:
        side = Path(str(path) + ".sha256")
        if not side.is_file():
            raise ModelError(f"{what} weights {path} have no checksum file {side.name} beside them; {fix}")
        expected = side.read_text().strip()
    found = hashlib.sha256(data).hexdigest()
    if found != expected:
        raise ModelError(f"{what} weights {path} fail their sha256 check ({found[:12]}..., expected {expected[:12]}...); {fix}")
    return data


def metadata(data: bytes, key: str) -> dict:
    """The JSON stored under ``key`` in a safetensors file's metadata."""
    (n,) = struct.unpack("<Q", data[:8])
    return json.loads(json.loads(data[8 : 8 + n])["__metadata__"][key])


def read_weights(path: Path | None = None) -> tuple[bytes, dict]:
    """The bytes of a scorer weights file and its metadata, after a sha256 check.

    The shipped file is checked against ``WEIGHTS_SHA256``; another file against the
    ``.sha256`` file that eval/train/scorer.py writes beside it.
    """
    return _read(Path(path) if path else WEIGHTS, WEIGHTS, WEIGHTS_SHA256, "scorer", FEATURES, ScorerConfig,
                 "eval.train.scorer")


def fix_hint(path: Path) -> str:
    """What to do about a bad scorer weights file."""
    return _fix_hint(path, WEIGHTS, "eval.train.scorer")


def read_selector(path: Path | None = None) -> tuple[bytes, dict]:
    """The bytes of a selector weights file and its metadata, after a sha256 check (as
    :func:`read_weights`: the shipped file against ``SELECTOR_SHA256``)."""
    return _read(Path(path) if path else SELECTOR, SELECTOR, SELECTOR_SHA256, "selector", CANDIDATE_FEATURES,
                 SelectorConfig, "eval.train.selection")


def selector_fix_hint(path: Path) -> str:
    """What to do about a bad selector file."""
    return _fix_hint(path, SELECTOR, "eval.train.selection")


def _read(path: Path, shipped: Path, shipped_sha256: str, kind: str, features: tuple[str, ...], config: type,
          trainer: str) -> tuple[bytes, dict]:
    """A weights file's bytes (sha256 checked) and metadata, whose features and config this
    code must match; one line naming the fix otherwise."""
    fix = _fix_hint(path, shipped, trainer)
    data = checked_bytes(path, shipped, shipped_sha256, kind, fix)
    try:
        meta = metadata(data, kind)
        if meta.get("features") != list(features):
            raise ValueError(f"trained on the features {meta.get('features')}, this code computes {list(features)}")
        config(**meta["config"])
    except (KeyError, ValueError, TypeError, struct.error) as e:
        raise ModelError(f"{kind} weights {path} cannot be loaded ({type(e).__name__}: {e}); {fix}") from None
    return data, meta


def _fix_hint(path: Path, shipped: Path, trainer: str) -> str:
    if Path(path).resolve() == shipped.resolve():
        return f"reinstall the package or regenerate them with: python -m {trainer} --out summarizer/data/{shipped.name}"
    return f"regenerate them with: python -m {trainer} --out {path}"
