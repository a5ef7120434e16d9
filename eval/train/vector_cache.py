"""Encoder vectors of sentences, cached on disk by sentence text, for training experiments.

    python -m eval.train.vector_cache            # fill the cache for the training and dev stories

The vectors are those of the default settings (``ExtractiveSettings()``: ONNX Runtime, int8).

Encoding is the expensive step (a few articles a second on a shared CPU), so the vectors
of the shared stories are computed once and reused by eval/train/scorer.py and
eval/train/eval_scorer.py. The cache is keyed by the sentence *text*, not by story and index:
a change to the sentence splitter only costs encoding the sentences that changed. The
encoder is built exactly as the extractive backend builds it (same batch size, token limit
and quantization), so training sees the vectors the backend will see when serving.
Shards are written as they are finished, so an interrupted run keeps its progress.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Iterable, Sequence

import click
import numpy as np

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data"
TRAIN = DATA / "cnndm_train_from_test.jsonl"
TRAIN_MORE = DATA / "cnndm_train_more_from_test.jsonl"
DEV = DATA / "cnndm_dev_from_test.jsonl"
CACHE_DIR = Path(os.environ.get("SCORER_CACHE", "/tmp/scorer_cache"))
SHARD = 4000  # sentences per shard file: small enough that an interruption loses little


def read_stories(path: Path, limit: int | None = None) -> list[dict]:
    """The stories of a shared JSONL file (``article``, ``highlights``, ``id``)."""
    if not path.is_file():
        sys.exit(f"{path} is missing: the shared data folder must sit beside the repository")
    with open(path, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return rows[:limit] if limit else rows


class VectorCache:
    """Sentence text -> encoder vector, on disk under ``directory``, per encoder setting."""

    def __init__(self, directory: Path = CACHE_DIR, settings=None):
        from summarizer.backends.extractive.backend import ExtractiveSettings

        self.settings = settings or ExtractiveSettings()
        s = self.settings
        # torch's int8 kept the old name, so its vectors stay usable
        runtime = "" if s.runtime == "torch" else f"{s.runtime}-"
        self.dir = Path(directory) / f"minilm-{runtime}{s.quantize or 'fp32'}-t{s.max_tokens}-b{s.batch_size}"
        self.dir.mkdir(parents=True, exist_ok=True)
        self._rows: dict[str, int] = {}  # text -> row of self.vectors
        parts: list[np.ndarray] = []
        for shard in sorted(self.dir.glob("shard-*.npy")):
            texts = json.loads(shard.with_suffix(".json").read_text(encoding="utf-8"))
            try:
                vecs = np.load(shard)
            except (OSError, ValueError):  # a shard cut short while being written: skip it
                continue
            if len(texts) != len(vecs):
                continue
            base = sum(len(p) for p in parts)
            for i, t in enumerate(texts):
                self._rows.setdefault(t, base + i)
            parts.append(vecs)
        self.vectors = np.concatenate(parts) if parts else np.zeros((0, 384), np.float32)
        self._encoder = None

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        if self._encoder is None:
            from summarizer.encoder.model import SentenceEncoder

            s = self.settings
            self._encoder = SentenceEncoder(
                batch_size=s.batch_size, batch_tokens=s.batch_tokens, max_tokens=s.max_tokens, quantize=s.quantize,
                threads=s.threads, workers=s.workers, runtime=s.runtime,
            )
        return self._encoder.encode(texts)

    def fill(self, texts: Iterable[str], progress: bool = False) -> None:
        """Encode and store the texts not cached yet."""
        missing = sorted({t for t in texts if t not in self._rows})
        start = time.perf_counter()
        for b in range(0, len(missing), SHARD):
            chunk = missing[b : b + SHARD]
            vecs = self._encode(chunk)
            name = self.dir / f"shard-{len(list(self.dir.glob('shard-*.npy'))):05d}"
            # the vectors last: a shard counts only once both files are whole
            name.with_suffix(".json").write_text(json.dumps(chunk), encoding="utf-8")
            np.save(name.with_suffix(".npy"), vecs)
            base = len(self.vectors)
            for i, t in enumerate(chunk):
                self._rows[t] = base + i
            self.vectors = np.concatenate([self.vectors, vecs])
            if progress:
                done = b + len(chunk)
                rate = done / (time.perf_counter() - start)
                print(f"  {done}/{len(missing)} sentences, {rate:.0f}/s", file=sys.stderr, flush=True)

    def get(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of ``texts`` (rows of norm 1), encoding those not cached yet."""
        self.fill(texts)
        if not texts:
            return np.zeros((0, self.vectors.shape[1]), np.float32)
        return self.vectors[[self._rows[t] for t in texts]]


@click.command()
def main() -> None:
    """Fill the vector cache ($SCORER_CACHE, default /tmp/scorer_cache) for the training and dev stories."""
    from summarizer.article import Article

    cache = VectorCache()
    for path in (TRAIN, TRAIN_MORE, DEV):
        texts = [s.text for r in read_stories(path) for s in Article(body=r["article"]).sentences]
        print(f"{path.name}: {len(texts)} sentences, {len(set(texts) - set(cache._rows))} to encode", file=sys.stderr)
        cache.fill(texts, progress=True)
    print(f"cache: {cache.dir} ({len(cache._rows)} sentences)", file=sys.stderr)


if __name__ == "__main__":
    main()
