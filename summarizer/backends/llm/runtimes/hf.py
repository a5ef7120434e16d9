"""The transformers runtime: a causal LM from a directory or a GGUF file, in this process.

Conversations are rendered with the tokenizer's chat template (control tokens inside the
messages encoded as plain text, so an article cannot close a turn), sorted by length,
left-padded into batches bounded by an estimate of their KV cache, and generated with the
cache in inference mode. Greedy unless a temperature is given; torch is seeded before
every batch. torch and transformers are imported lazily.

Batching pays in decoding, where one step reads every weight once for all the rows; a
prompt's prefill is already a large matrix product, and padding a short prompt to a long
one's width only adds work. So a batch's prompts are prefilled in groups of nearly equal
length (``batching.encoder_groups``, as the seq2seq backend encodes), their KV caches are
laid side by side, left-padded to the batch's width, and ``generate`` decodes the batch from
that cache. A model whose cache is not plain full attention (sliding windows, recurrent
layers) has the padded batch prefilled by ``generate`` itself.
"""

from __future__ import annotations

import contextlib
import functools
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Sequence

from ....errors import ModelError, UsageError, first_line
from ...hf.batching import ENCODER_MAX_TOKENS, encoder_groups, is_oom, oom_message, pad, plan_batches
from ...hf.devices import pick_device, pick_dtype
from ..models import LLMFiles, find_llm
from . import Generation, Message

if TYPE_CHECKING:  # pragma: no cover
    import torch


def refuse_remote_code(files: LLMFiles) -> None:
    """The one place a model folder is checked for custom code before loading (issue 16's
    ``safety.refuse_remote_code``); transformers is also called with ``trust_remote_code=False``."""
    from ...hf.safety import refuse_remote_code as refuse

    refuse(files.path)


def load_files(files: LLMFiles, dtype: "torch.dtype") -> tuple[Any, Any]:
    """The tokenizer and ``AutoModelForCausalLM`` from a directory or a GGUF file, offline."""
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    refuse_remote_code(files)
    kwargs: dict[str, Any] = {"local_files_only": True, "trust_remote_code": False}
    if files.gguf_file:
        try:
            import accelerate  # noqa: F401  (transformers needs both to read GGUF)
            import gguf  # noqa: F401
        except ImportError:
            raise ModelError(
                f"{files.display} is a GGUF file, which needs the gguf and accelerate packages: "
                "pip install 'summarizer[gguf]'"
            ) from None
        kwargs["gguf_file"] = files.gguf_file
    try:
        tokenizer = AutoTokenizer.from_pretrained(files.path, **kwargs)
    except (OSError, ValueError, TypeError, KeyError) as e:
        raise ModelError(f"cannot load the tokenizer of {files.display}: {first_line(e)}") from e
    try:
        with _quiet_gguf_progress(bool(files.gguf_file) and not sys.stderr.isatty()):
            model = AutoModelForCausalLM.from_pretrained(files.path, dtype=dtype, **kwargs)
    except (OSError, ValueError, TypeError, KeyError, RuntimeError) as e:
        raise ModelError(f"cannot load the model {files.display}: {first_line(e)}") from e
    return model, tokenizer


@contextlib.contextmanager
def _quiet_gguf_progress(quiet: bool) -> Iterator[None]:
    """transformers draws its GGUF dequantizing bar with its own ``tqdm``, deaf to its logging
    switches: on a terminal the bar is welcome (loading takes minutes), in a log or a pipe it
    is noise, so there the module's ``tqdm`` is swapped for a silent one while the model loads."""
    if not quiet:
        yield
        return
    import importlib

    try:
        module = importlib.import_module("transformers.modeling_gguf_pytorch_utils")
    except ImportError:  # another transformers: its bar, if any, is drawn
        module = None
    real = getattr(module, "tqdm", None)
    if real is None:
        yield
        return
    module.tqdm = functools.partial(real, disable=True)  # type: ignore[union-attr]
    try:
        yield
    finally:
        module.tqdm = real  # type: ignore[union-attr]


def positions(mask: "torch.Tensor") -> "torch.Tensor":
    """Position ids of left-padded rows: each row counts from 0 at its first real token."""
    return (mask.cumsum(-1) - 1).clamp(min=0)


class HFRuntime:
    """A chat model run by transformers; ``model`` and ``tokenizer`` may be passed in (tests, benchmarks).

    Reads these fields of the backend's settings: checkpoint, device, dtype, batch_size,
    memory_mb, threads.
    """

    name = "transformers"

    def __init__(self, settings: Any, *, model: Any = None, tokenizer: Any = None):
        import torch

        self.settings = s = settings
        if s.threads:
            torch.set_num_threads(s.threads)
        self.device = pick_device(s.device)
        self.dtype = pick_dtype(s.dtype, self.device)
        self.files: LLMFiles | None = None
        if model is None or tokenizer is None:
            if not s.checkpoint:
                raise UsageError("the llm model needs a model: --model DIR_OR_GGUF_FILE")
            self.files = find_llm(s.checkpoint)
            if self.files is None:
                raise ModelError(f"{s.checkpoint!r} is not a chat model: give a transformers directory or a .gguf file")
            model, tokenizer = load_files(self.files, self.dtype)
        else:
            model = model.to(self.dtype)
        if not getattr(tokenizer, "chat_template", None):
            raise ModelError("the tokenizer has no chat template; the llm backend needs an instruct (chat) model")
        model.eval()
        model.to(self.device)
        # lengths are checked against the context here and chunked by the backend: the tokenizer's
        # own limit would only print a warning for every long article it counts
        tokenizer.model_max_length = sys.maxsize
        self.model, self.tokenizer = model, tokenizer
        config = model.config
        self.context_length: int | None = getattr(config, "max_position_embeddings", None)
        eos = model.generation_config.eos_token_id
        eos = list(eos) if isinstance(eos, (list, tuple)) else [eos] if eos is not None else []
        if tokenizer.eos_token_id is not None and tokenizer.eos_token_id not in eos:
            eos.append(tokenizer.eos_token_id)
        if not eos:
            raise ModelError("the model names no end-of-sequence token; it would never stop")
        self.eos = eos
        pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else config.pad_token_id
        self.pad_id = pad_id if pad_id is not None else eos[0]

    # -- tokens -------------------------------------------------------------------------------

    def encode(self, messages: list[Message]) -> list[int]:
        """Token ids of ``messages`` with the chat template and the assistant's turn opened."""
        from jinja2 import TemplateError

        try:
            out = self.tokenizer.apply_chat_template(
                messages, add_generation_prompt=True, tokenize=True, sanitize_control_tokens=True
            )
        except (TemplateError, ValueError, TypeError, KeyError) as e:  # e.g. a template that refuses a system turn
            raise ModelError(
                f"the model's chat template failed: {first_line(e)}; if it takes no system message, "
                "give -o system_prompt="
            ) from e
        ids = out["input_ids"] if hasattr(out, "keys") else out
        return list(ids)

    def count_tokens(self, messages: list[Message]) -> int | None:
        return len(self.encode(messages))

    # -- generate -----------------------------------------------------------------------------

    def _activation_bytes(self, tokens: int) -> int:
        """The widest activations of a forward pass over ``tokens`` positions."""
        c = self.model.config
        hidden = getattr(c, "hidden_size", 768)
        inter = getattr(c, "intermediate_size", 4 * hidden)
        return tokens * (4 * hidden + 3 * inter) * self.dtype.itemsize

    def _row_bytes(self, width: int, new: int) -> int:
        """Memory of one conversation in a batch: its KV cache, and its share of the prefill's activations
        when ``generate`` prefills the padded batch (prompts prefilled apart take one group's at a time)."""
        c = self.model.config
        layers = getattr(c, "num_hidden_layers", 12)
        heads = getattr(c, "num_attention_heads", 12)
        hidden = getattr(c, "hidden_size", 768)
        kv_heads = getattr(c, "num_key_value_heads", None) or heads
        head_dim = getattr(c, "head_dim", None) or hidden // heads
        cache = 2 * layers * kv_heads * head_dim * (width + new) * self.dtype.itemsize
        return cache if self._prefills_apart else cache + self._activation_bytes(width)

    def _generation_config(self, max_new_tokens: int, temperature: float) -> Any:
        from transformers import GenerationConfig

        # a fresh config: the checkpoint's sampling defaults (Qwen's top_p, repetition penalty) are not used
        sample = temperature > 0
        return GenerationConfig(
            max_new_tokens=max_new_tokens,
            do_sample=sample,
            temperature=temperature if sample else None,
            top_k=None,
            top_p=None,
            eos_token_id=self.eos,
            pad_token_id=self.pad_id,
            use_cache=True,
        )

    @functools.cached_property
    def _forward_params(self) -> Any:
        """The parameters of the model class's ``forward`` (not of a wrapper someone set on the instance)."""
        import inspect

        return inspect.signature(type(self.model).forward).parameters

    @property
    def _cache_kwarg(self) -> str:
        """What the model's ``forward`` calls its KV cache: ``cache`` since transformers 5.x, before that
        ``past_key_values``."""
        return "cache" if "cache" in self._forward_params else "past_key_values"

    @functools.cached_property
    def _prefills_apart(self) -> bool:
        """Whether ``_prefill`` can lay prompts prefilled apart into one cache: the model's cache is plain
        full attention (no sliding windows, recurrent or shared layers), its forward takes position ids,
        and transformers has the cache API of its 5.x releases."""
        import torch

        try:
            from transformers import StaticCache
            from transformers.cache_utils import StaticLayer

            layers = StaticCache(config=self.model.config, max_cache_len=2).layers
        except (ImportError, TypeError, AttributeError):
            return False
        return (
            "position_ids" in self._forward_params
            and bool(layers)
            and all(type(layer) is StaticLayer for layer in layers)
            and isinstance(getattr(layers[0], "cumulative_length", None), torch.Tensor)
            and hasattr(layers[0], "lazy_initialization")
        )

    def _prefill(self, rows: list[list[int]], max_new_tokens: int) -> Any | None:
        """A KV cache holding every token of ``rows`` but the last, left-padded to the longest row as
        ``generate`` pads the batch, computed group by group of nearly equal length, with room for
        ``max_new_tokens`` more.

        ``generate`` then computes only the last prompt token of each row and decodes. The cache
        is a preallocated ``StaticCache``, each group's states written into its rows: a growing
        cache copies itself at every step, which on a batch of long prompts cost more than the
        model's own matrix products. Returns None (``generate`` prefills the padded batch) when
        the model cannot be prefilled apart (``_prefills_apart``).
        """
        import torch
        from transformers import DynamicCache, StaticCache

        width = max(len(r) for r in rows) - 1
        if not self._prefills_apart or width < 1:
            return None
        config = self.model.config
        cache = StaticCache(config=config, max_cache_len=width + 1 + max_new_tokens)
        kwargs: dict[str, Any] = {"use_cache": True}
        if "logits_to_keep" in self._forward_params:  # the prefill's logits are not needed: keep one position's
            kwargs["logits_to_keep"] = 1
        order = sorted(range(len(rows)), key=lambda k: -len(rows[k]))
        for group in encoder_groups([len(rows[k]) for k in order]):
            members = [order[g] for g in group]
            ids, mask = pad([rows[k][:-1] for k in members], self.pad_id, left=True)
            if ids.shape[1] == 0:  # one-token prompts: nothing comes before their last token
                continue
            part = DynamicCache(config=config)
            self.model(
                input_ids=ids.to(self.device),
                attention_mask=mask.to(self.device),
                position_ids=positions(mask).to(self.device),
                **{self._cache_kwarg: part},
                **kwargs,
            )
            at = torch.tensor(members, device=self.device)
            for layer, got in zip(cache.layers, part.layers):
                if got.keys is None:  # a layer reading another layer's cache: not plain full attention
                    return None
                if not layer.is_initialized:  # allocates the batch's zeros, of the shapes of this group's states
                    layer.lazy_initialization(got.keys[:1].expand(len(rows), -1, -1, -1),
                                              got.values[:1].expand(len(rows), -1, -1, -1))
                layer.keys[at, :, width - ids.shape[1] : width] = got.keys
                layer.values[at, :, width - ids.shape[1] : width] = got.values
            del part
        if not all(layer.is_initialized for layer in cache.layers):
            return None
        for layer in cache.layers:
            layer.cumulative_length.fill_(width)  # what update() would have counted
        return cache

    def batches(self, lengths: Sequence[int], max_new_tokens: int) -> list[list[int]]:
        """How :meth:`chat` batches prompts of these token ``lengths`` (positions in ``lengths``),
        bounded by ``memory_mb`` and ``batch_size``."""
        return plan_batches(
            list(lengths),
            row_bytes=lambda width: self._row_bytes(width, max_new_tokens),
            # prompts prefilled apart hold one group's activations at a time, besides the batch's cache
            memory_bytes=self.settings.memory_mb * 2**20
            - (self._activation_bytes(ENCODER_MAX_TOKENS) if self._prefills_apart else 0),
            batch_size=self.settings.batch_size,
        )

    def chat(
        self, conversations: Sequence[list[Message]], *, max_new_tokens: int, temperature: float, seed: int
    ) -> list[Generation]:
        import torch

        rows = [self.encode(c) for c in conversations]
        out: list[Generation | None] = [None] * len(rows)
        todo = []
        for i, r in enumerate(rows):
            if self.context_length is not None and len(r) + max_new_tokens > self.context_length:
                out[i] = Generation(
                    None,
                    f"{len(r)} prompt tokens and {max_new_tokens} new ones exceed the model's context of "
                    f"{self.context_length} tokens",
                    prompt_tokens=len(r),
                )
            else:
                todo.append(i)
        gen = self._generation_config(max_new_tokens, temperature)
        batches = self.batches([len(rows[i]) for i in todo], max_new_tokens)
        with torch.inference_mode():
            for batch in batches:
                idx = [todo[k] for k in batch]
                ids, mask = pad([rows[i] for i in idx], self.pad_id, left=True)
                start = time.perf_counter()
                try:
                    cache = self._prefill([rows[i] for i in idx], max_new_tokens)
                    extra = {}
                    if cache is not None:  # each row's positions count its own tokens, as the prefill's did
                        extra = {self._cache_kwarg: cache, "position_ids": positions(mask).to(self.device)}
                    torch.manual_seed(seed)
                    result = self.model.generate(
                        input_ids=ids.to(self.device),
                        attention_mask=mask.to(self.device),
                        generation_config=gen,
                        **extra,
                    )
                    del cache, extra
                except (RuntimeError, MemoryError) as e:
                    if not is_oom(e):
                        raise
                    raise ModelError(oom_message(len(idx), ids.shape[1], self.device, "conversations")) from None
                share = (time.perf_counter() - start) / len(idx)
                for row, i in enumerate(idx):
                    new = result[row, ids.shape[1] :].tolist()
                    end = next((k for k, t in enumerate(new) if t in self.eos), len(new))
                    text = self.tokenizer.decode(new[:end], skip_special_tokens=True)
                    out[i] = Generation(text, prompt_tokens=len(rows[i]), completion_tokens=end, seconds=share)
        return [g for g in out if g is not None]

    def describe(self) -> dict[str, Any]:
        import transformers

        return {
            "runtime": self.name,
            "model_file": self.files.display if self.files else None,
            "format": "gguf" if self.files and self.files.gguf_file else "transformers",
            "device": str(self.device),
            "dtype": str(self.dtype).replace("torch.", ""),
            "context_length": self.context_length,
            "transformers": transformers.__version__,
        }
