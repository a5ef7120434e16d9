"""The shipped scorer's weights: where they are, their settings, and the checks on load (a leaf).

The weights ship in ``summarizer/data`` as safetensors (tensors only: loading runs no code)
with their settings in the file's metadata; their sha256 is recorded here and checked on load.
``python -m eval.train.scorer`` reproduces them from the shared training stories.
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
REGENERATE = "python -m eval.train.scorer --out summarizer/data/scorer-v1.safetensors"

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


# --- weights on disk -------------------------------------------------------------------


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read_weights(path: Path | None = None) -> tuple[bytes, dict]:
    """The bytes of a scorer weights file and its metadata, after a sha256 check.

    The shipped file is checked against ``WEIGHTS_SHA256``; another file against the
    ``.sha256`` file that eval/train/scorer.py writes beside it.
    """
    path = Path(path) if path else WEIGHTS
    fix = fix_hint(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ModelError(f"cannot read the scorer weights {path} ({e.strerror}); {fix}") from None
    if path.resolve() == WEIGHTS.resolve():
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
        ScorerConfig(**meta["config"])
    except (KeyError, ValueError, TypeError, struct.error) as e:
        raise ModelError(f"scorer weights {path} cannot be loaded ({type(e).__name__}: {e}); {fix}") from None
    return data, meta


def fix_hint(path: Path) -> str:
    """What to do about a bad weights file."""
    if Path(path).resolve() == WEIGHTS.resolve():
        return f"reinstall the package or regenerate them with: {REGENERATE}"
    return f"regenerate them with: python -m eval.train.scorer --out {path}"
