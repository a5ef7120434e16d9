"""The check's learned files, their sha256, and the checks on load (a leaf).

Two files in ``summarizer/data``, both written by ``python -m eval.train.consistency``:

* ``common-words.txt``: the words that are not names when capitalised to open a sentence;
* ``consistency-v1.safetensors``: the consistency score's weights (tensors only: loading runs
  no code), its feature names, threshold and training record in the file's metadata.

Their sha256 is recorded here and checked on load, like the extractive scorer's
(``summarizer/backends/extractive/weights.py``); a retrained file needs a new value here.
"""

from __future__ import annotations

import hashlib
import json
import struct
from pathlib import Path

from ..errors import ModelError

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
COMMON_WORDS = DATA_DIR / "common-words.txt"
COMMON_WORDS_SHA256 = "6a3dd2460ef9265bda2a3457994135bc5db35ec71377579ea4b3875879f98189"
CONSISTENCY = DATA_DIR / "consistency-v1.safetensors"
CONSISTENCY_SHA256 = "0bde871347b68f838479fa2df939789cf7ecb18f17cb51ba623a11ea0984db32"
REGENERATE = "python -m eval.train.consistency"
_DTYPES = {"F32": "<f4", "F64": "<f8"}


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read_checked(path: Path, expected: str, what: str) -> bytes:
    """The bytes of a shipped file, after its sha256 check; a ModelError that says the fix otherwise."""
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise ModelError(f"cannot read the {what} {path} ({e.strerror}); reinstall the package or "
                         f"regenerate it with: {REGENERATE}") from None
    found = hashlib.sha256(data).hexdigest()
    if found != expected:
        raise ModelError(f"the {what} {path} fails its sha256 check ({found[:12]}..., expected {expected[:12]}...); "
                         f"reinstall the package or regenerate it with: {REGENERATE} (and record the new sha256 "
                         "in summarizer/grounding/weights.py)")
    return data


def read_common_words(path: Path = COMMON_WORDS, expected: str = COMMON_WORDS_SHA256) -> frozenset[str]:
    return frozenset(read_checked(path, expected, "common-word list").decode("utf-8").split())


def read_safetensors(data: bytes) -> tuple[dict, dict]:
    """Arrays (numpy) and metadata of a safetensors file's bytes; only float tensors are expected."""
    import numpy as np

    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    meta = header.pop("__metadata__", {})
    arrays = {}
    for name, t in header.items():
        start, end = t["data_offsets"]
        arrays[name] = np.frombuffer(data[8 + n + start : 8 + n + end], dtype=_DTYPES[t["dtype"]]).reshape(t["shape"])
    return arrays, meta


def read_consistency(path: Path = CONSISTENCY, expected: str = CONSISTENCY_SHA256) -> tuple[dict, dict]:
    """The consistency score's arrays and its metadata (``meta["consistency"]`` parsed from JSON)."""
    data = read_checked(path, expected, "consistency weights")
    try:
        arrays, meta = read_safetensors(data)
        return arrays, json.loads(meta["consistency"])
    except (KeyError, ValueError, TypeError, struct.error) as e:
        raise ModelError(f"the consistency weights {path} cannot be loaded ({type(e).__name__}: {e}); "
                         f"regenerate them with: {REGENERATE}") from None
