"""The seq2seq backend: abstractive key points from any Hugging Face encoder-decoder checkpoint.

Stages, one method each:

* ``load``: the tokenizer and ``AutoModelForSeq2SeqLM`` from a directory or a hub id, on the
  chosen device and dtype, optionally with int8 dynamic quantization (CPU);
* ``prepare``: an article's tokens, or, when it exceeds the encoder's limit, windows with
  overlap (``chunking.plan_chunks``), or with ``truncate`` its first window, counting what
  is dropped;
* ``generate``: every window of every article in a call, sorted by length, in batches
  padded only to their longest input and bounded by an estimate of their memory; the
  encoder runs on groups of equal length, the decoder on the whole batch (``batching.py``);
* ``postprocess``: the text split into sentences; the windows' sentences merged and
  deduplicated into the requested number of key points.

Generation settings come from the checkpoint's preset (``presets.py``), then from these
settings, else from the checkpoint's own generation config. torch and transformers are
imported lazily.
"""

from __future__ import annotations

import bisect
import copy
import inspect
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from ...article import Article
from ...errors import ModelError, UsageError, first_line
from ...grounding import ground
from ...results import Summary
from ..settings import bad_setting, setting
from ...split import split_sentences
from ...text_safety import clean_answer, describe_removed, merge_counts
from ..hf.checkpoints import find_checkpoint, hub_unreachable_reason, is_seq2seq, not_seq2seq_error
from ..hf.batching import encode, is_oom, oom_message, pad, plan_batches
from ..chunking import merge_points, plan_chunks
from ..hf.devices import DEVICES, DTYPES, pick_device, pick_dtype
from .presets import GENERATION_FIELDS, Preset, get_preset, preset_names
from ..hf.safety import weights_error

if TYPE_CHECKING:  # pragma: no cover
    import torch

DEFAULT_MAX_NEW_TOKENS = 128  # without a preset or a checkpoint length, transformers would stop at 20
MIN_BUDGET = 16  # tokens of article text a window must hold besides special tokens and prefix


@dataclass(frozen=True)
class Seq2SeqSettings:
    checkpoint: str = setting("", 'a directory or a hub id; --model sets it')
    preset: str = setting("auto", "auto: by checkpoint name; none: the checkpoint's generation config; or a name")
    device: str = setting("auto", 'auto: cuda, else mps, else cpu')
    dtype: str = setting("auto", 'auto: bf16 on a GPU that has it, else fp32; fp16 only when asked (T5 overflows)')
    quantize: str | None = setting(None, 'int8: dynamic int8 linear layers, CPU only; faster, outputs change a little')
    batch_size: int | None = setting(None, 'windows per generate call; None: as many as memory_mb allows')
    memory_mb: int = setting(2048, "bound on a batch's estimated KV cache and encoder states (automatic batches)")
    truncate: bool = setting(False, "cut long articles at the encoder's limit instead of chunking; info counts the loss")
    max_input_tokens: int | None = setting(None, "the encoder's limit; None: the checkpoint's position embeddings")
    chunk_overlap: int = setting(128, 'tokens a window repeats from the one before: a sentence or two of context')
    dedup_threshold: float = setting(0.7, 'a key point sharing this fraction of its words with a kept one is dropped')
    # Generation; None takes the preset's value, else the checkpoint's generation config.
    num_beams: int | None = setting(None, "beams searched at each step; None: the preset's, else the checkpoint's")
    length_penalty: float | None = setting(None, "beam search's length penalty; None: the preset's, else the checkpoint's")
    min_new_tokens: int | None = setting(None, "tokens each key-point text has at least; None: the preset's, else the checkpoint's")
    max_new_tokens: int | None = setting(None, "tokens generated at most; None: the preset's, else the checkpoint's (128 without either)")
    no_repeat_ngram_size: int | None = setting(None, "no n-gram of this size repeats in an output; None: the preset's, else the checkpoint's")
    early_stopping: bool | None = setting(None, "beam search stops when every beam is done; None: the preset's, else the checkpoint's")
    prefix: str | None = setting(None, 'put before every input; T5\'s preset sets "summarize: "')
    seed: int = setting(0, 'torch is seeded before each batch: sampling checkpoints repeat their outputs')
    threads: int | None = setting(None, "torch threads; None keeps torch's default (all cores)")

    def __post_init__(self) -> None:
        def bad(field: str, value: Any, expected: str) -> UsageError:
            return bad_setting("seq2seq", field, value, expected)

        if self.device not in DEVICES:
            raise bad("device", self.device, " or ".join(DEVICES))
        if self.dtype not in DTYPES:
            raise bad("dtype", self.dtype, " or ".join(DTYPES))
        if self.quantize not in (None, "int8"):
            raise bad("quantize", self.quantize, "int8 or none")
        if self.preset not in ("auto", "none", *preset_names()):
            raise bad("preset", self.preset, f"auto, none or one of {', '.join(preset_names())}")
        positive = {
            "batch_size": self.batch_size,
            "memory_mb": self.memory_mb,
            "num_beams": self.num_beams,
            "max_new_tokens": self.max_new_tokens,
            "threads": self.threads,
        }
        for name, value in positive.items():
            if value is not None and value < 1:
                raise bad(name, value, "a positive number")
        for name in ("chunk_overlap", "min_new_tokens", "no_repeat_ngram_size"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise bad(name, value, "zero or more")
        if self.max_input_tokens is not None and self.max_input_tokens < MIN_BUDGET + 8:
            raise bad("max_input_tokens", self.max_input_tokens, f"at least {MIN_BUDGET + 8}")
        if not 0 < self.dedup_threshold <= 1:
            raise bad("dedup_threshold", self.dedup_threshold, "a fraction in (0, 1]")
        if None not in (self.min_new_tokens, self.max_new_tokens) and self.min_new_tokens > self.max_new_tokens:
            raise UsageError(
                f"seq2seq settings min_new_tokens={self.min_new_tokens} > max_new_tokens={self.max_new_tokens}"
            )


@dataclass
class Prepared:
    """One article's encoder inputs and what preparing it cost."""

    windows: list[list[int]]
    input_tokens: int  # the article's tokens, without special tokens and prefix
    dropped_tokens: int = 0  # cut by ``truncate``


class Seq2SeqSummarizer:
    """Key points written by an encoder-decoder model (BART, PEGASUS, T5, ...).

    ``model`` and ``tokenizer`` may be passed in (a benchmark builds one in memory);
    otherwise they are loaded from ``settings.checkpoint``.
    """

    name = "seq2seq"
    Settings = Seq2SeqSettings

    def __init__(self, settings: Seq2SeqSettings | None = None, *, model: Any = None, tokenizer: Any = None):
        self.settings = settings or Seq2SeqSettings()
        self.load(model, tokenizer)

    # -- load ---------------------------------------------------------------------------------

    def load(self, model: Any = None, tokenizer: Any = None) -> None:
        import torch

        s = self.settings
        if s.threads:
            torch.set_num_threads(s.threads)
        self.device = self._device()
        dtype = self._dtype()
        if model is None or tokenizer is None:
            model, tokenizer = self._from_checkpoint(dtype)
        else:
            model = model.to(dtype)
        model.eval()
        model.to(self.device)
        if s.quantize == "int8":
            with warnings.catch_warnings():
                # torch 2.13 announces that torch.ao quantization moves to torchao; it still works
                warnings.filterwarnings("ignore", message=r".*quantiz", category=UserWarning)
                warnings.filterwarnings("ignore", category=DeprecationWarning)
                torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8, inplace=True)
        self.model, self.tokenizer, self.torch_dtype = model, tokenizer, dtype
        config = model.config
        self.preset: Preset | None = get_preset(
            s.preset,
            f"{s.checkpoint} {getattr(config, 'name_or_path', '') or ''}",
            getattr(config, "model_type", ""),
            (getattr(config, "task_specific_params", None) or {}).get("summarization"),
        )
        preset = self.preset.values() if self.preset else {}
        self.prefix = s.prefix if s.prefix is not None else preset.get("prefix", getattr(config, "prefix", None) or "")
        self.newline_token = preset.get("newline_token")
        self.max_input_tokens = self._encoder_limit()
        self.generation_config = self._generation_config(preset)
        self._accepts_mask = "attention_mask" in inspect.signature(model.forward).parameters
        pad = config.pad_token_id if config.pad_token_id is not None else tokenizer.pad_token_id
        self.pad_token_id = pad if pad is not None else 0

    def _device(self) -> "torch.device":
        device = pick_device(self.settings.device)
        if self.settings.quantize == "int8" and device.type != "cpu":
            raise UsageError(f"--quantize int8 runs on CPU only; use --device cpu, or --quantize none on {device.type}")
        return device

    def _dtype(self) -> "torch.dtype":
        dtype = pick_dtype(self.settings.dtype, self.device)
        if self.settings.quantize == "int8" and str(dtype) != "torch.float32":
            raise UsageError(
                f"--quantize int8 quantizes an fp32 model; drop --dtype {self.settings.dtype} or use --dtype fp32"
            )
        return dtype

    def _from_checkpoint(self, dtype: "torch.dtype") -> tuple[Any, Any]:
        from transformers.utils import logging as hf_logging

        name = self.settings.checkpoint
        if not name:
            raise UsageError("the seq2seq model needs a checkpoint: --model DIR_OR_HUB_ID (e.g. facebook/bart-large-cnn)")
        ckpt = find_checkpoint(name, plain_names=True)
        if ckpt is None:
            raise ModelError(f"{name!r} is neither a checkpoint directory nor a Hugging Face hub id")
        if not is_seq2seq(ckpt.config):
            raise not_seq2seq_error(ckpt)
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

        hf_logging.disable_progress_bar()  # no "Loading weights" bar on every start

        def from_pretrained(loader: Any, **kwargs: Any) -> Any:
            try:
                return loader.from_pretrained(name, local_files_only=ckpt.local, trust_remote_code=False, **kwargs)
            except OSError:
                # a hub id whose config is cached but not every file: fetch the rest if we can
                if not ckpt.local or Path(name).expanduser().is_dir() or hub_unreachable_reason() is not None:
                    raise
                return loader.from_pretrained(name, trust_remote_code=False, **kwargs)

        try:
            tokenizer = from_pretrained(AutoTokenizer)
        except (OSError, ValueError, TypeError) as e:
            raise ModelError(
                f"cannot load the tokenizer of {name}: {first_line(e)}; the checkpoint needs its "
                "tokenizer files (tokenizer.json or the model's vocabulary files)"
            ) from e
        import pickle

        try:
            with warnings.catch_warnings():
                # torch notes the protocol of a pickle it is about to refuse: the refusal says enough
                warnings.filterwarnings("ignore", message=r".*pickle protocol", category=UserWarning)
                model = from_pretrained(AutoModelForSeq2SeqLM, dtype=dtype)
        except pickle.UnpicklingError as e:  # weights_only=True refused a pickle with more than tensors
            raise weights_error(name, e) or ModelError(f"cannot load the weights of {name}: {first_line(e)}") from None
        except ValueError as e:
            if "Unrecognized configuration" in str(e):
                raise not_seq2seq_error(ckpt) from e
            raise ModelError(f"cannot load the model {name}: {first_line(e)}") from e
        except OSError as e:
            raise ModelError(f"cannot load the weights of {name}: {first_line(e)}") from e
        return model, tokenizer

    def _encoder_limit(self) -> int:
        config, s = self.model.config, self.settings
        limit = next(
            (
                v
                for v in (getattr(config, k, None) for k in ("max_encoder_position_embeddings", "max_position_embeddings", "n_positions"))
                if isinstance(v, int) and v > 0
            ),
            None,
        )
        if s.max_input_tokens is not None:
            if limit is not None and s.max_input_tokens > limit:
                raise UsageError(
                    f"max_input_tokens={s.max_input_tokens} exceeds the model's {limit} positions; use at most {limit}"
                )
            return s.max_input_tokens
        if limit is None:  # relative positions (T5): the tokenizer knows what it was trained with
            m = getattr(self.tokenizer, "model_max_length", None)
            limit = m if isinstance(m, int) and 0 < m < 1_000_000 else None
        if limit is None:
            raise ModelError(f"cannot tell the encoder's input limit of {s.checkpoint}; give it: -o max_input_tokens=512")
        return limit

    def _generation_config(self, preset: dict[str, Any]) -> Any:
        s = self.settings
        gen = copy.deepcopy(self.model.generation_config)
        values = {k: v for k, v in preset.items() if k in GENERATION_FIELDS}
        values.update({k: getattr(s, k) for k in GENERATION_FIELDS if getattr(s, k) is not None})
        if "max_new_tokens" not in values and gen.max_new_tokens is None and gen.max_length is None:
            values["max_new_tokens"] = DEFAULT_MAX_NEW_TOKENS
        if values.get("num_beams", gen.num_beams or 1) == 1:
            # a preset's beam-only settings would be unused, and transformers warns about them
            values.update(length_penalty=None, early_stopping=None)
        gen.update(**values)
        # the new-token limits replace the checkpoint's total lengths (which count the start token)
        if gen.max_new_tokens is not None:
            gen.max_length = None
        if gen.min_new_tokens is not None:
            gen.min_length = None
        gen.num_beams = gen.num_beams or 1
        gen.num_return_sequences = 1  # one summary per input
        config = self.model.config
        limit = getattr(config, "max_decoder_position_embeddings", None) or getattr(config, "max_position_embeddings", None)
        longest = gen.max_new_tokens if gen.max_new_tokens is not None else (gen.max_length or 1) - 1
        if isinstance(limit, int) and longest + 1 > limit:  # + 1: the decoder start token
            raise UsageError(
                f"max_new_tokens={longest} exceeds the decoder's {limit} positions; use -o max_new_tokens={limit - 1}"
            )
        gen.use_cache = True  # the KV cache: each step attends to cached keys, not the whole prefix
        if gen.pad_token_id is None:
            gen.pad_token_id = self.model.config.pad_token_id
        return gen

    def effective_settings(self) -> dict[str, Any]:
        """The settings as used: preset and checkpoint values filled in (recorded in each Summary)."""
        gen = self.generation_config
        out = asdict(self.settings)
        for k in GENERATION_FIELDS:
            out[k] = getattr(gen, k, None)
        if out["max_new_tokens"] is None and gen.max_length is not None:
            out["max_new_tokens"] = gen.max_length - 1  # the start token counts in max_length
        if out["min_new_tokens"] is None and gen.min_length:
            out["min_new_tokens"] = gen.min_length - 1
        out.update(
            preset=self.preset.name if self.preset else None,
            prefix=self.prefix,
            device=str(self.device),
            dtype=str(self.torch_dtype).replace("torch.", ""),
            max_input_tokens=self.max_input_tokens,
            do_sample=bool(gen.do_sample),
        )
        return out

    # -- prepare ------------------------------------------------------------------------------

    def prepare(self, article: Article) -> Prepared:
        """The encoder inputs of one article: its tokens, or windows of them when too long."""
        tok, prefix = self.tokenizer, self.prefix
        text = prefix + article.body
        try:
            enc = tok(text, return_offsets_mapping=True, return_special_tokens_mask=True, verbose=False)
            offsets = enc["offset_mapping"]
        except NotImplementedError:  # a tokenizer without offsets: windows ignore sentence starts
            enc = tok(text, return_special_tokens_mask=True, verbose=False)
            offsets = None
        ids, special = list(enc["input_ids"]), enc["special_tokens_mask"]
        n = len(ids)
        h = next((i for i in range(n) if not special[i]), n)
        t = next((n - i for i in range(n) if not special[n - 1 - i]), h)
        # prefix tokens ("summarize", ":") open every window
        if not prefix.strip():
            p = h
        elif offsets is not None:
            end = len(prefix.rstrip())
            p = next((i for i in range(h, t) if offsets[i][1] > end), t)
        else:
            p = min(t, h + len(tok(prefix, add_special_tokens=False)["input_ids"]))
        head, body, tail = ids[:p], ids[p:t], ids[t:]
        budget = self.max_input_tokens - len(head) - len(tail)
        if budget < MIN_BUDGET:
            raise UsageError(
                f"max_input_tokens={self.max_input_tokens} leaves {budget} tokens for the article "
                "after special tokens and the prefix; raise it"
            )
        if n <= self.max_input_tokens:
            return Prepared([ids], len(body))
        if self.settings.truncate:
            return Prepared([head + body[:budget] + tail], len(body), dropped_tokens=len(body) - budget)
        starts: list[int] = []
        if offsets is not None:
            token_starts = [offsets[i][0] for i in range(p, t)]
            for s in article.sentences:
                j = bisect.bisect_left(token_starts, len(prefix) + s.start)
                if j < len(body):
                    starts.append(j)
        spans = plan_chunks(len(body), budget, self.settings.chunk_overlap, starts)
        return Prepared([head + body[a:b] + tail for a, b in spans], len(body))

    # -- generate -----------------------------------------------------------------------------

    def _bytes_per_row(self, width: int) -> int:
        """Memory of one beam of one input: encoder states, cross- and self-attention caches."""
        config = self.model.config
        d = getattr(config, "d_model", None) or getattr(config, "hidden_size", 512)
        layers = (
            getattr(config, "decoder_layers", None)
            or getattr(config, "num_decoder_layers", None)
            or getattr(config, "num_hidden_layers", 12)
        )
        new = self.generation_config.max_new_tokens or self.generation_config.max_length or DEFAULT_MAX_NEW_TOKENS
        item = 4 if self.settings.quantize else self.torch_dtype.itemsize
        return ((2 * layers + 2) * width + 2 * layers * new) * d * item

    def batches(self, lengths: Sequence[int]) -> list[list[int]]:
        """Indices of inputs grouped into batches: longest first, each under the memory bound."""
        gen = self.generation_config
        return plan_batches(
            lengths,
            row_bytes=self._bytes_per_row,
            memory_bytes=self.settings.memory_mb * 2**20,
            batch_size=self.settings.batch_size,
            rows_per_input=max(gen.num_beams or 1, gen.num_return_sequences or 1),
        )

    def generate(self, inputs: Sequence[Sequence[int]]) -> list[list[int]]:
        """Generated token ids for each input (token ids with special tokens), in input order."""
        import torch

        out: list[list[int]] = [[] for _ in inputs]
        encoder = getattr(self.model, "get_encoder", lambda: None)()
        with torch.inference_mode():
            for idx in self.batches([len(x) for x in inputs]):
                rows = [inputs[i] for i in idx]
                ids, mask = pad(rows, self.pad_token_id)
                kwargs: dict[str, Any] = {"input_ids": ids.to(self.device)}
                if self._accepts_mask:
                    kwargs["attention_mask"] = mask.to(self.device)
                torch.manual_seed(self.settings.seed)
                try:
                    if encoder is not None and self._accepts_mask:
                        kwargs["encoder_outputs"] = encode(encoder, rows, self.pad_token_id, self.device)
                    result = self.model.generate(**kwargs, generation_config=self.generation_config)
                except (RuntimeError, MemoryError) as e:
                    if not is_oom(e):
                        raise
                    raise ModelError(oom_message(len(idx), ids.shape[1], self.device)) from None
                for row, i in enumerate(idx):
                    out[i] = result[row].tolist()
        return out

    # -- postprocess --------------------------------------------------------------------------

    def sentences(self, ids: Sequence[int]) -> list[str]:
        """The generated text of one input, split into sentences (each within the ceiling of
        ``split.MAX_SENTENCE_CHARS``)."""
        return self._sentences(ids)[0]

    def _sentences(self, ids: Sequence[int]) -> tuple[list[str], dict[str, int]]:
        """:meth:`sentences`, and the characters no key point may hold that were taken out (by class)."""
        text = self.tokenizer.decode(ids, skip_special_tokens=True)
        if self.newline_token:
            text = text.replace(self.newline_token, "\n")
        text, removed = clean_answer(text)
        return [s.text for line in text.split("\n") for s in split_sentences(line.strip())], removed

    def summarize(self, articles: Sequence[Article], *, num_points: int | None = 3) -> list[Summary]:
        prepared = [self.prepare(a) for a in articles]
        inputs = [w for p in prepared for w in p.windows]
        outputs = iter(self.generate(inputs))
        settings = {**self.effective_settings(), "num_points": num_points}
        summaries = []
        for a, p in zip(articles, prepared):
            decoded = [self._sentences(next(outputs)) for _ in p.windows]
            per_window = [sentences for sentences, _ in decoded]
            removed = merge_counts(*(r for _, r in decoded))
            # without a number, a chunked article gets as many key points as one window's summary
            n = num_points if num_points is not None else max(map(len, per_window), default=0)
            points = merge_points(per_window, n, self.settings.dedup_threshold)
            chunks = len(p.windows)
            info = {
                "input_tokens": p.input_tokens,
                "max_input_tokens": self.max_input_tokens,
                "chunks": chunks,
                "chunked_tokens": p.input_tokens if chunks > 1 else 0,
                "dropped_tokens": p.dropped_tokens,
            }
            if removed:
                info["removed_chars"] = removed
                info["warnings"] = [f"the model's output held {describe_removed(removed)}: removed from its key points"]
            summaries.append(
                Summary(
                    key_points=ground(a, points),  # support and flags: abstractive points are checked
                    model=self.settings.checkpoint or self.name,  # what --model takes back
                    settings=settings,
                    name=a.name,
                    title=a.title,
                    num_sentences=len(a.sentences),
                    info=info,
                )
            )
        return summaries
