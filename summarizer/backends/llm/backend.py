"""The llm backend: abstractive key points from an instruct (chat) model.

Stages, one method each:

* ``prepare``: an article's conversation (``llm_prompt.messages``); when the prompt would
  not fit the context with room for the answer, the body's sentences are packed into
  chunks (repeating ``chunk_overlap`` sentences), or with ``truncate`` only the leading
  sentences that fit are sent and the dropped tokens counted;
* ``generate``: every conversation of every article in one call to the runtime
  (``llm_runtimes``: length-sorted, left-padded batches with the KV cache);
* ``postprocess``: the answers parsed into key points (``llm_prompt.parse_points``), the
  chunks' points merged (``chunking.merge_points``), and each point grounded in the
  article (``summarizer.grounding``). An answer with no usable key point is an error for
  that article only (``info["error"]``); the other articles are still summarized.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, Sequence

from ...article import Article
from ...errors import ModelError, UsageError
from ...grounding import ground
from ...results import Summary
from ...split import MAX_SENTENCE_CHARS
from ...text_safety import clean_answer, describe_removed, merge_counts
from ..settings import bad_setting, setting
from ..chunking import merge_points
from ..hf.devices import DEVICES, DTYPES
from .prompt import (DEFAULT_POINTS, DEFAULT_PROMPT, DEFAULT_SYSTEM_PROMPT, bound_point, messages, parse_points,
                     split_reasoning)
from .runtimes import ChatRuntime, Generation, open_runtime, runtime_choice, runtime_name

MIN_BUDGET = 32  # tokens of article a chunk must hold besides the prompt


@dataclass(frozen=True)
class LLMSettings:
    checkpoint: str = setting("", 'a transformers directory, a .gguf file or a directory holding one; --model sets it')
    runtime: str = setting("auto", 'auto: llama.cpp for a GGUF when installed, openai for openai:NAME, else transformers')
    prompt: str = setting(DEFAULT_PROMPT, 'the user message, {article} and {n} filled in: CNBC-style key points')
    system_prompt: str = setting(DEFAULT_SYSTEM_PROMPT, 'an editor\'s instructions; "" sends no system message')
    max_new_tokens: int = setting(256, 'three 25-word points take ~120 tokens; the rest is room for a preamble')
    temperature: float = setting(0.0, '0: greedy, the same key points on every run; above 0 samples')
    seed: int = setting(0, 'torch is seeded before each batch, so sampled runs repeat too')
    device: str = setting("auto", 'auto: cuda, else mps, else cpu')
    dtype: str = setting("auto", 'auto: bf16 on a GPU that has it, else fp32')
    batch_size: int | None = setting(None, 'conversations per generate call; None: as many as memory_mb allows')
    memory_mb: int = setting(2048, "bound on a batch's estimated KV cache and prefill activations")
    truncate: bool = setting(False, 'send only the leading sentences that fit instead of chunking; info counts the loss')
    max_input_tokens: int | None = setting(None, "the context the prompt and answer share; None: the model's")
    chunk_overlap: int = setting(1, 'sentences a chunk repeats from the one before')
    dedup_threshold: float = setting(0.7, "a chunk's point sharing this fraction of its words with a kept one is dropped")
    threads: int | None = setting(None, "torch threads; None keeps torch's default (all cores)")
    # --model openai:NAME: an OpenAI-compatible server (llm_runtimes/openai_api.py)
    api_base: str | None = setting(None, "the server's URL, e.g. http://127.0.0.1:8080/v1; the key comes from OPENAI_API_KEY")
    concurrency: int = setting(4, 'requests open at once: a batching server (vLLM, llama-server --parallel N) gains, others queue')
    request_timeout: float = setting(120.0, 'seconds for one answer: a long article on a CPU server takes a minute')
    run_timeout: float | None = setting(None, 'seconds for the whole run from its first request; None: no bound')
    retries: int = setting(3, 'further tries after a 429, a 5xx or a failed connection, with backoff')
    api_extra: str = setting("", 'a JSON object of more request fields, e.g. {"repeat_penalty": 1.0} for llama-cpp-python\'s server')
    context_tokens: int | None = setting(None, "the server's context in tokens; None: asked of the server (llama.cpp's /props, vLLM's /v1/models)")
    max_answer_bytes: int = setting(4 * 1024 * 1024, "an answer's bytes after decompression; more is refused (a chat answer is a few KB)")

    def __post_init__(self) -> None:
        def bad(field: str, value: Any, expected: str) -> UsageError:
            return bad_setting("llm", field, value, expected)

        if self.device not in DEVICES:
            raise bad("device", self.device, " or ".join(DEVICES))
        if self.dtype not in DTYPES:
            raise bad("dtype", self.dtype, " or ".join(DTYPES))
        for name in ("max_new_tokens", "batch_size", "memory_mb", "threads", "context_tokens"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise bad(name, value, "a positive number")
        if self.temperature < 0:
            raise bad("temperature", self.temperature, "0 (greedy) or more")
        if self.chunk_overlap < 0:
            raise bad("chunk_overlap", self.chunk_overlap, "zero or more")
        if not 0 < self.dedup_threshold <= 1:
            raise bad("dedup_threshold", self.dedup_threshold, "a fraction in (0, 1]")
        if self.max_input_tokens is not None and self.max_input_tokens <= self.max_new_tokens + MIN_BUDGET:
            raise bad("max_input_tokens", self.max_input_tokens, f"more than max_new_tokens + {MIN_BUDGET}")
        if "{article}" not in self.prompt:
            raise bad("prompt", self.prompt, "a text containing {article} (and optionally {n})")
        if self.concurrency < 1:
            raise bad("concurrency", self.concurrency, "a positive number")
        if self.retries < 0:
            raise bad("retries", self.retries, "zero or more")
        for name in ("request_timeout", "run_timeout"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise bad(name, value, "positive seconds")
        if self.max_answer_bytes < 1024:
            raise bad("max_answer_bytes", self.max_answer_bytes, "1024 bytes or more")
        refuse_inapplicable(self)
        if self.api_extra or self.api_base is not None or self.checkpoint.startswith("openai:"):
            from .runtimes.openai_api import api_key, check_base, extra_fields

            # a bad one is refused before anything loads or is written, and never shown
            extra_fields(self.api_extra)
            if self.api_base is not None:
                check_base(self.api_base)
            if self.checkpoint.startswith("openai:"):
                api_key()


# The settings that only some runtimes honour, and which; the others refuse them when set.
SERVER_ONLY = ("api_base", "concurrency", "request_timeout", "run_timeout", "retries", "api_extra", "context_tokens",
               "max_answer_bytes")
HONOURED_BY: dict[str, tuple[str, ...]] = {
    "device": ("transformers", "llama.cpp"),  # llama.cpp: cpu, or every layer offloaded to a GPU
    "dtype": ("transformers",),  # llama.cpp computes in the GGUF file's own types
    "memory_mb": ("transformers",),  # llama.cpp sizes its KV cache to the call's longest conversation
    "threads": ("transformers", "llama.cpp"),
    "batch_size": ("transformers", "llama.cpp"),  # llama.cpp: sequences decoded at once
    **{name: ("openai",) for name in SERVER_ONLY},
}
FLAGS = {"device": "--device", "dtype": "--dtype", "batch_size": "--batch-size", "api_base": "--api-base",
         "concurrency": "--concurrency"}


def refuse_inapplicable(s: LLMSettings) -> None:
    """A setting given (not at its default) that the model's runtime would not honour is a
    UsageError naming the runtime, never silently ignored. (A runtime registered from outside,
    as the tests' scripted one, is not checked: what it reads is its own.)"""
    defaults = {f.name: f.default for f in fields(s)}
    given = [name for name in HONOURED_BY if getattr(s, name) != defaults[name]]
    if not given:
        return
    try:
        runtime = ("openai" if s.checkpoint.startswith("openai:") else s.runtime if s.runtime != "auto"
                   else runtime_name("auto", s))
    except ModelError:
        return  # a model no runtime can run: said when it is opened
    if runtime not in ("transformers", "llama.cpp", "openai"):
        return
    for name in given:
        if runtime in HONOURED_BY[name]:
            continue
        value = getattr(s, name)
        flag = FLAGS.get(name, f"-o {name}")
        shown = flag if name in ("api_base", "api_extra") else f"{flag} {value}" if flag.startswith("--") else f"{flag}={value}"
        if runtime == "openai":
            why = ("requests go --concurrency at a time" if name == "batch_size"
                   else "the model runs on the server (set it there)")
        elif name in SERVER_ONLY:
            why = "it is for --model openai:NAME (a server's model)"
        elif name == "dtype":
            why = "llama.cpp computes in the GGUF file's own types (choose another file for another precision)"
        else:
            why = "llama.cpp sizes its KV cache to the longest conversation (bound it with --batch-size)"
        raise UsageError(f"{shown} does not apply to the {runtime} runtime: {why}")


@dataclass
class Prepared:
    """One article's conversations and what preparing it cost."""

    conversations: list[list[dict[str, str]]]
    input_tokens: int | None  # the article's tokens in the prompt; None when the runtime cannot count
    dropped_tokens: int = 0  # cut by ``truncate``
    chunks: list[str] = field(default_factory=list)


class LLMSummarizer:
    """Key points written by an instruct model through a chat runtime.

    ``runtime`` may be passed in (tests and benchmarks build one in memory); otherwise it is
    opened from the settings.
    """

    name = "llm"
    Settings = LLMSettings

    def __init__(self, settings: LLMSettings | None = None, *, runtime: ChatRuntime | None = None):
        self.settings = settings or LLMSettings()
        # why this runtime runs the model; a GGUF left to transformers for want of llama.cpp is said
        # once on stderr by the command (``notices``) and recorded in every summary's settings
        self.choice = runtime_choice(self.settings.runtime, self.settings) if runtime is None else None
        self.runtime = runtime if runtime is not None else open_runtime(self.settings.runtime, self.settings)
        self.notices: tuple[str, ...] = ()
        if self.choice is not None and self.choice.fallback:
            self.notices = (f"{self.settings.checkpoint} runs on transformers, not llama.cpp: {self.choice.reason}",)
        limit = self.runtime.context_length
        if self.settings.max_input_tokens is not None:
            if limit is not None and self.settings.max_input_tokens > limit:
                raise UsageError(
                    f"max_input_tokens={self.settings.max_input_tokens} exceeds the model's context of {limit}; "
                    f"use at most {limit}"
                )
            limit = self.settings.max_input_tokens
        self.context_length = limit
        if limit is None and self.settings.truncate:
            raise UsageError(f"--truncate needs the model's context, which the {self.runtime.name} runtime does not know; "
                             "give -o max_input_tokens=N (or, for a server, -o context_tokens=N)")

    def effective_settings(self, n: int) -> dict[str, Any]:
        """The settings as used, defaults filled in (recorded in each Summary)."""
        out = asdict(self.settings)
        out.update(
            max_input_tokens=self.context_length,
            greedy=self.settings.temperature == 0,
            asked_points=n,
        )
        out.update({k: v for k, v in self.runtime.describe().items() if k != "runtime"}, runtime=self.runtime.name)
        if self.choice is not None:
            out["runtime_reason"] = self.choice.reason
            if self.choice.fallback:
                out["runtime_fallback"] = True
        return out

    # -- prepare ------------------------------------------------------------------------------

    def _messages(self, text: str, n: int) -> list[dict[str, str]]:
        s = self.settings
        return messages(text, n, prompt=s.prompt, system_prompt=s.system_prompt)

    def _fits(self, text: str, n: int, budget: int) -> bool:
        count = self.runtime.count_tokens(self._messages(text, n))
        return count is not None and count <= budget

    def prepare(self, article: Article, n: int) -> Prepared:
        """The conversations for one article: one, or one per chunk when it is too long."""
        body = article.body
        whole = self._messages(body, n)
        if self.context_length is None:  # nothing to fit: not counted (a server's tokenizer is requests)
            return Prepared([whole], None)
        total = self.runtime.count_tokens(whole)
        if total is None:
            return Prepared([whole], None)
        overhead = self.runtime.count_tokens(self._messages("", n)) or 0
        tokens = total - overhead
        budget = self.context_length - self.settings.max_new_tokens  # prompt tokens a conversation may use
        if total <= budget:
            return Prepared([whole], tokens)
        if budget - overhead < MIN_BUDGET:
            raise UsageError(
                f"a context of {self.context_length} tokens leaves {budget - overhead} for the article after the "
                f"prompt and max_new_tokens={self.settings.max_new_tokens}; raise max_input_tokens or lower max_new_tokens"
            )
        pieces = self._pieces(article, n, budget)
        if self.settings.truncate:
            kept = self._leading(pieces, n, budget)
            kept_tokens = (self.runtime.count_tokens(self._messages(kept, n)) or overhead) - overhead
            return Prepared([self._messages(kept, n)], tokens, dropped_tokens=max(0, tokens - kept_tokens), chunks=[kept])
        chunks = self._chunks(pieces, n, budget)
        return Prepared([self._messages(c, n) for c in chunks], tokens, chunks=chunks)

    def _pieces(self, article: Article, n: int, budget: int) -> list[str]:
        """The body's sentences, a sentence too long for a chunk cut at word boundaries."""
        out: list[str] = []
        for sent in article.sentences:
            if self._fits(sent.text, n, budget):
                out.append(sent.text)
                continue
            words = sent.text.split()
            while words:
                lo, hi = 1, len(words)  # the most words that fit (at least one)
                while lo < hi:
                    mid = (lo + hi + 1) // 2
                    lo, hi = (mid, hi) if self._fits(" ".join(words[:mid]), n, budget) else (lo, mid - 1)
                out.append(" ".join(words[:lo]))
                words = words[lo:]
        return out

    def _leading(self, pieces: list[str], n: int, budget: int) -> str:
        lo, hi = 1, len(pieces)  # the most leading pieces that fit
        while lo < hi:
            mid = (lo + hi + 1) // 2
            lo, hi = (mid, hi) if self._fits(" ".join(pieces[:mid]), n, budget) else (lo, mid - 1)
        return " ".join(pieces[:lo])

    def _chunks(self, pieces: list[str], n: int, budget: int) -> list[str]:
        """Consecutive pieces packed greedily into chunks that fit, each repeating the last
        ``chunk_overlap`` pieces of the one before (fewer when they would fill it)."""
        chunks: list[str] = []
        start = 0
        while start < len(pieces):
            end = start + 1
            while end < len(pieces) and self._fits(" ".join(pieces[start : end + 1]), n, budget):
                end += 1
            chunks.append(" ".join(pieces[start:end]))
            if end == len(pieces):
                break
            start = max(end - self.settings.chunk_overlap, start + 1)
        return chunks

    # -- generate and postprocess ----------------------------------------------------------------

    def generate(self, conversations: Sequence[list[dict[str, str]]]) -> list[Generation]:
        s = self.settings
        return self.runtime.chat(conversations, max_new_tokens=s.max_new_tokens, temperature=s.temperature, seed=s.seed)

    def summarize(self, articles: Sequence[Article], *, num_points: int | None = 3) -> list[Summary]:
        n = num_points if num_points is not None else DEFAULT_POINTS
        prepared = [self.prepare(a, n) for a in articles]
        answers = iter(self.generate([c for p in prepared for c in p.conversations]))
        settings = {**self.effective_settings(n), "num_points": num_points}
        out = []
        for a, p in zip(articles, prepared):
            gens = [next(answers) for _ in p.conversations]
            out.append(self._summary(a, p, gens, n, settings))
        return out

    def _summary(self, a: Article, p: Prepared, gens: list[Generation], n: int, settings: dict[str, Any]) -> Summary:
        chunks = len(p.conversations)
        info: dict[str, Any] = {
            "input_tokens": p.input_tokens,
            "max_input_tokens": self.context_length,
            "chunks": chunks,
            "chunked_tokens": p.input_tokens if chunks > 1 else 0,
            "dropped_tokens": p.dropped_tokens,
            "prompt_tokens": sum(g.prompt_tokens for g in gens),
            "completion_tokens": sum(g.completion_tokens for g in gens),
            "seconds": round(sum(g.seconds for g in gens), 3),
        }
        failed = [g.error for g in gens if g.text is None]
        warnings: list[str] = []
        # characters no key point may hold (a lone surrogate, NUL, bidirectional and other controls)
        # are taken out of the answer before it is read, and counted
        cleaned = [(clean_answer(g.text), clean_answer(g.reasoning)[0]) for g in gens if g.text is not None]
        removed = merge_counts(*(r for (_, r), _ in cleaned))
        if removed:
            info["removed_chars"] = removed
            warnings.append(f"the model's answer held {describe_removed(removed)}: removed from its key points")
        # a reasoning model's thinking (<think>...</think>, reasoning_content) is never a key point
        answers = [split_reasoning(text, reasoning) for (text, _), reasoning in cleaned]
        thinking = sum(len(r.text) for r in answers)
        if thinking:
            info["reasoning_chars"] = thinking
        per_chunk = [parse_points(r.answer, n) for r in answers]
        # near-duplicates are dropped across chunks only: one answer's points are the model's choice
        points = per_chunk[0][:n] if len(per_chunk) == 1 else merge_points(per_chunk, n, self.settings.dedup_threshold)
        # the ceiling of an extracted sentence holds for a written key point too: a longer one is cut, and said
        bounded = [bound_point(p) for p in points]
        cut = [(len(p), len(b)) for p, b in zip(points, bounded) if len(b) < len(p)]
        if cut:
            points = bounded
            info["cut_points"] = len(cut)
            warnings += [f"a key point of {before:,} characters was cut to {after:,} (a key point, like an extracted "
                         f"sentence, is at most {MAX_SENTENCE_CHARS:,} characters)" for before, after in cut]
        if warnings:
            info["warnings"] = warnings
        if failed and not points:
            info["error"] = failed[0] or "the model returned no answer"
            info["runtime_failed"] = True  # no answer came (a server down, a timeout): eval retries it on --resume
        elif not points and any(not r.finished or (not r.answer and r.text and g.completion_tokens >= self.settings.max_new_tokens)
                                for r, g in zip(answers, [g for g in gens if g.text is not None])):
            budget = self.settings.max_new_tokens
            info["error"] = (f"the model spent its whole answer thinking: max_new_tokens={budget} ran out inside its "
                             f"reasoning ({thinking:,} characters) before any key point; raise it, e.g. "
                             f"-o max_new_tokens={budget * 4}")
        elif not points:
            answer = " ".join((answers[0].answer if answers else "").split())[:80]
            info["error"] = f"the model's answer has no usable key point: {answer!r}"
        elif failed:
            info["failed_chunks"] = len(failed)
        return Summary(
            key_points=ground(a, points),
            model=self.settings.checkpoint or self.name,
            settings=settings,
            name=a.name,
            title=a.title,
            num_sentences=len(a.sentences),
            info=info,
        )
