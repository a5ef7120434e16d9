"""The ``llama.cpp`` runtime: a GGUF file run by llama-cpp-python, on its quantized weights.

What the file says is what runs: its chat template (rendered by llama-cpp-python's Jinja
formatter, as its own server does), its end-of-generation tokens (every token llama.cpp
counts as one: ``<|im_end|>``, ``<|eot_id|>``, EOS ...) and its training context length.

Several conversations may decode at once (``parallel``): each has its own sequence in one
llama.cpp context (a KV stream each), every step decodes one token of every live sequence
in one batch, and a finished sequence's slot takes the next conversation at once
(continuous batching). A decode step reads every weight once, for one sequence or for four,
so the steps of four cost little more than those of one; but a news article's prompt is
most of the work, and its prefill gains nothing (measured: ``DEFAULT_PARALLEL``). The KV cache is sized to the longest
conversation of the call plus its answer, not to the file's (often 32k) context.

Greedy when ``temperature`` is 0; otherwise tokens are drawn from the tempered softmax by a
generator seeded with ``seed`` and the conversation's tokens, so an answer does not depend
on which others shared its batch. llama_cpp is imported when the runtime is opened.
"""

from __future__ import annotations

import os
import re
import time
import zlib
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from ....env import cpu_count
from ....errors import ModelError, UsageError, first_line
from . import Generation, Message
from ..models import find_llm
from .gguf_files import LLM_INSTALL, llama_cpp_version

CONTEXT_STEP = 256  # KV cells per sequence are rounded up to this: fewer context rebuilds
# Sequences decoded at once when batch_size is not given. Measured on 2 CPU cores, 3 dev stories
# (eval/bench/llm_runtimes.py children): 4 at once took 56.3 CPU-s against 57.3 one at a time, the
# prompts' prefill (3,438 tokens against 412 answer tokens) being bound by compute, which batching
# does not save, and 1.52x the file's RSS against 1.40x; and on the Q4_K_M file one greedy answer of
# three changed (ggml multiplies a batch of rows by another kernel). So one, on a CPU; --batch-size 4 where the
# decode steps dominate (a GPU build, long answers).
DEFAULT_PARALLEL = 1


def from_settings(settings: Any) -> "LlamaCppRuntime":
    """The runtime for the llm backend's settings: checkpoint (a GGUF), batch_size (sequences
    decoded at once), threads, device (cpu keeps every layer on the CPU; auto and cuda offload
    them to a GPU when llama.cpp was built for one)."""
    files = find_llm(settings.checkpoint) if settings.checkpoint else None
    if files is None or files.gguf_file is None:
        raise ModelError(f"llama.cpp runs GGUF files; {settings.checkpoint or 'no model'} is not one "
                         "(give --model FILE.gguf, or -o runtime=transformers)")
    if settings.dtype != "auto":
        raise UsageError(f"--dtype {settings.dtype} applies to the transformers runtime; llama.cpp computes in the "
                         "GGUF file's own types (choose another file for another precision)")
    gpu_layers = 0
    if settings.device != "cpu":
        import llama_cpp

        offload = llama_cpp.llama_supports_gpu_offload()
        if settings.device in ("cuda", "mps") and not offload:
            raise UsageError(f"--device {settings.device}: this llama-cpp-python was built for the CPU only; "
                             "use --device cpu, or rebuild it with the GPU backend (see llama-cpp-python's README)")
        gpu_layers = -1 if offload else 0  # every layer
    return LlamaCppRuntime(files.path / files.gguf_file, parallel=settings.batch_size or DEFAULT_PARALLEL,
                           threads=settings.threads, gpu_layers=gpu_layers)


@dataclass
class _Seq:
    """One conversation being decoded in a sequence slot."""

    index: int  # in the call's conversations
    pos: int  # next position in its KV stream
    rng: Any  # numpy Generator, or None when greedy
    start: float
    out: list[int] = field(default_factory=list)
    next: int | None = None  # the token to feed at the next step


class LlamaCppRuntime:
    """Chat completions from a GGUF file through llama.cpp."""

    name = "llama.cpp"

    def __init__(self, path: Path, *, parallel: int = DEFAULT_PARALLEL, threads: int | None = None,
                 gpu_layers: int = 0, verbose: bool = False):
        if parallel < 1:
            raise UsageError(f"parallel={parallel}: decode at least one sequence at once")
        if llama_cpp_version() is None:
            raise ModelError(f"the llama.cpp runtime needs llama-cpp-python: {LLM_INSTALL}")
        # ggml's OpenMP threads spin while they wait for each other by default: on a busy machine a
        # descheduled peer stalls them all (measured, load 18 on 2 cores: 20 tokens in 30 s spinning,
        # 5.7 s waiting passively, 3.5 s on one thread). Read when libgomp loads, so set before the import.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        import llama_cpp
        from llama_cpp import _internals, llama_chat_format
        from llama_cpp._logger import set_verbose

        self.path = Path(path)
        self.parallel = parallel
        self.threads = threads or cpu_count()
        self._llama, self._internals, self._verbose = llama_cpp, _internals, verbose
        set_verbose(verbose)  # llama.cpp's own log lines go to stderr only when asked
        _backend_init(llama_cpp)
        start = time.perf_counter()
        params = llama_cpp.llama_model_default_params()
        params.n_gpu_layers = gpu_layers
        try:
            self._model = _internals.LlamaModel(path_model=str(self.path), params=params, verbose=verbose)
        except ValueError as e:  # llama.cpp's load failed: an unknown architecture, a truncated file
            raise ModelError(f"llama.cpp cannot load {self.path}: {e} (a truncated file, or an architecture this "
                             f"llama-cpp-python {llama_cpp_version()} does not know)") from None
        self.load_seconds = time.perf_counter() - start
        self._vocab = self._model.vocab
        self.n_vocab = self._model.n_vocab()
        self.context_length: int | None = self._model.n_ctx_train()
        meta = self._model.metadata()
        template = meta.get("tokenizer.chat_template")
        if not template:
            raise ModelError(
                f"{self.path.name} has no chat template (tokenizer.chat_template); the llm backend needs an "
                "instruct model that carries one"
            )
        eos, bos = self._model.token_eos(), self._model.token_bos()
        self._formatter = llama_chat_format.Jinja2ChatFormatter(
            template=template,
            eos_token=self._model.token_get_text(eos) if eos >= 0 else "",
            bos_token=self._model.token_get_text(bos) if bos >= 0 else "",
            stop_token_ids=[eos] if eos >= 0 else None,
        )
        self._controls: re.Pattern[str] | None = None  # the vocabulary's control tokens, found on first use
        self.architecture = meta.get("general.architecture", "unknown")
        self._ctx: Any = None
        self._ctx_shape = (0, 0)  # (sequences, cells per sequence) of the context held

    # -- the protocol ---------------------------------------------------------------------------

    def count_tokens(self, messages: list[Message]) -> int:
        return len(self.tokenize(messages))

    def describe(self) -> dict[str, Any]:
        return {
            "runtime": self.name,
            "llama_cpp_python": llama_cpp_version(),
            "model_file": str(self.path),
            "file_bytes": self.path.stat().st_size,
            "architecture": self.architecture,
            "context_length": self.context_length,
            "chat_template": "the file's",
            "parallel": self.parallel,
            "threads": self.threads,
        }

    def tokenize(self, messages: list[Message]) -> list[int]:
        """The prompt's tokens: the file's chat template with the generation prompt, tokenized.

        Control tokens the template writes are tokens; the same strings inside a message (an
        article quoting ``<|im_end|>``) are encoded as plain text, so no input can close a turn:
        they are marked before rendering and tokenized apart, as transformers'
        ``sanitize_control_tokens`` does."""
        controls = self._control_pattern()
        marked = [{**m, "content": _mark(m.get("content", ""), controls)} for m in messages]
        try:
            result = self._formatter(messages=marked)
        except Exception as e:  # jinja2's TemplateError, or raise_exception() in the template itself
            raise ModelError(f"the chat template of {self.path.name} failed: {first_line(e)}") from None
        ids: list[int] = []
        # a template that writes the BOS itself must not get a second one
        add_bos = not result.added_special
        for k, piece in enumerate(_MARKED.split(result.prompt)):
            piece = piece.replace(_START, "").replace(_END, "")  # a marker a template split apart
            if piece or k == 0:
                ids += self._model.tokenize(piece.encode("utf-8"), add_bos=add_bos and k == 0, special=k % 2 == 0)
        return ids

    def _control_pattern(self) -> "re.Pattern[str]":
        if self._controls is None:
            llama, flags = self._llama, self._llama.LLAMA_TOKEN_ATTR_CONTROL | self._llama.LLAMA_TOKEN_ATTR_USER_DEFINED
            texts = {self._model.token_get_text(t) for t in range(self.n_vocab)
                     if llama.llama_vocab_get_attr(self._vocab, t) & flags}
            texts.discard("")
            alternatives = "|".join(re.escape(t) for t in sorted(texts, key=len, reverse=True))
            self._controls = re.compile(alternatives or r"(?!)")
        return self._controls

    def chat(
        self, conversations: Sequence[list[Message]], *, max_new_tokens: int, temperature: float, seed: int
    ) -> list[Generation]:
        """One answer per conversation, ``parallel`` of them decoded at once."""
        out: list[Generation | None] = [None] * len(conversations)
        prompts: dict[int, list[int]] = {}
        for i, conv in enumerate(conversations):
            tokens = self.tokenize(conv)
            need = len(tokens) + max_new_tokens
            if self.context_length and need > self.context_length:
                out[i] = Generation(None, error=(
                    f"the prompt's {len(tokens)} tokens and {max_new_tokens} new ones exceed "
                    f"the model's context of {self.context_length} tokens"))
            else:
                prompts[i] = tokens
        if prompts:
            for i, g in self._generate(prompts, max_new_tokens, temperature, seed).items():
                out[i] = g
        return [g for g in out if g is not None]

    # -- decoding -------------------------------------------------------------------------------

    def _generate(self, prompts: dict[int, list[int]], max_new: int, temperature: float,
                  seed: int) -> dict[int, Generation]:
        import numpy as np

        llama = self._llama
        n_seq = min(self.parallel, len(prompts))
        cells = max(len(p) for p in prompts.values()) + max_new
        ctx = self._context(n_seq, -(-cells // CONTEXT_STEP) * CONTEXT_STEP)
        memory = llama.llama_get_memory(ctx.ctx)
        batch = self._internals.LlamaBatch(n_tokens=self._ctx_shape[0] * self._ctx_shape[1], embd=0,
                                           n_seq_max=1, verbose=self._verbose)
        b = batch.batch
        # longest first: the long prompts start together, the short ones fill slots that free up
        pending = deque(sorted(prompts, key=lambda i: -len(prompts[i])))
        free, live = list(range(n_seq - 1, -1, -1)), {}
        results: dict[int, Generation] = {}

        def add(token: int, pos: int, seq: int, logits: bool) -> None:
            j = b.n_tokens
            b.token[j], b.pos[j], b.n_seq_id[j], b.logits[j] = token, pos, 1, logits
            b.seq_id[j][0] = seq
            b.n_tokens += 1

        def decode(rows: list[tuple[int, int]]) -> None:
            """Decode the batch, then sample the next token of each (row, sequence) in ``rows``."""
            try:
                ctx.decode(batch)
            except RuntimeError as e:  # llama_decode's return code: no KV slot, or a failed graph
                raise ModelError(f"llama.cpp could not decode a batch of {b.n_tokens} tokens: {e}") from None
            for row, seq in rows:
                s = live[seq]
                logits = np.ctypeslib.as_array(ctx.get_logits_ith(row), shape=(self.n_vocab,))
                token = _sample(logits, temperature, s.rng)
                eog = llama.llama_vocab_is_eog(self._vocab, token)
                if not eog:
                    s.out.append(token)
                if eog or len(s.out) >= max_new:
                    results[s.index] = self._finish(s, len(prompts[s.index]))
                    llama.llama_memory_seq_rm(memory, seq, -1, -1)  # the slot's cells, for the next one
                    del live[seq]
                    free.append(seq)
                else:
                    s.next = token

        try:
            while pending or live:
                while pending and free:
                    # a prompt is decoded on its own: llama.cpp's split of a batch holding several
                    # sequences' prompts into micro-batches changed answers (measured on the tests'
                    # tiny model); its cost is small, a prefill being bound by compute, not by reads
                    i, seq = pending.popleft(), free.pop()
                    tokens = prompts[i]
                    b.n_tokens = 0
                    for p, t in enumerate(tokens):
                        add(t, p, seq, p == len(tokens) - 1)
                    rng = None if temperature <= 0 else np.random.default_rng(
                        [seed, zlib.crc32(np.asarray(tokens, dtype=np.int32).tobytes())])
                    live[seq] = _Seq(i, len(tokens), rng, time.perf_counter())
                    decode([(b.n_tokens - 1, seq)])
                b.n_tokens = 0
                rows: list[tuple[int, int]] = []  # (batch row with logits, sequence)
                for seq, s in live.items():  # one step of every live sequence, in one batch
                    add(s.next, s.pos, seq, True)
                    s.pos += 1
                    rows.append((b.n_tokens - 1, seq))
                if rows:
                    decode(rows)
        finally:
            batch.close()
            llama.llama_memory_clear(memory, True)
        return results

    def _finish(self, s: _Seq, prompt_tokens: int) -> Generation:
        text = self._model.detokenize(s.out, special=False).decode("utf-8", errors="replace")
        return Generation(text, prompt_tokens=prompt_tokens, completion_tokens=len(s.out),
                          seconds=time.perf_counter() - s.start)

    def _context(self, n_seq: int, cells: int) -> Any:
        """A context of ``n_seq`` KV streams of ``cells`` each, kept while big enough."""
        have_seq, have_cells = self._ctx_shape
        if self._ctx is not None and have_seq >= n_seq and have_cells >= cells:
            return self._ctx
        if self._ctx is not None:
            self._ctx.close()
        n_seq, cells = max(n_seq, have_seq), max(cells, have_cells)
        if self.context_length:
            cells = min(cells, self.context_length)
        llama = self._llama
        params = llama.llama_context_default_params()
        params.n_ctx = n_seq * cells
        params.n_batch = n_seq * cells  # a whole prompt (or several) in one decode call
        params.n_seq_max = n_seq
        params.kv_unified = False  # a KV stream per sequence: each attends to its own cells only
        params.n_threads = params.n_threads_batch = self.threads
        params.no_perf = True
        try:
            self._ctx = self._internals.LlamaContext(model=self._model, params=params, verbose=self._verbose)
        except ValueError as e:
            raise ModelError(f"llama.cpp cannot make a context of {n_seq} x {cells} tokens: {e}") from None
        self._ctx_shape = (n_seq, cells)
        return self._ctx

    def close(self) -> None:
        if self._ctx is not None:
            self._ctx.close()
            self._ctx = None
        self._model.close()


_START, _END = "\ue000", "\ue001"  # private-use characters around a control token found in a message
_MARKED = re.compile(f"{_START}([^{_START}{_END}]*){_END}")


def _mark(text: str, controls: "re.Pattern[str]") -> str:
    """``text`` with each control-token string wrapped in markers (markers already there dropped)."""
    text = text.replace(_START, "").replace(_END, "")
    return controls.sub(lambda m: f"{_START}{m.group(0)}{_END}", text)


def _sample(logits: Any, temperature: float, rng: Any) -> int:
    import numpy as np

    if rng is None:
        return int(np.argmax(logits))
    z = logits.astype(np.float64) / temperature
    p = np.exp(z - z.max())
    return int(rng.choice(len(p), p=p / p.sum()))


_BACKEND = []


def _backend_init(llama_cpp: Any) -> None:
    if not _BACKEND:  # once per process, as llama_cpp.Llama does
        llama_cpp.llama_backend_init()
        _BACKEND.append(True)
