"""Chat runtimes for the ``llm`` backend: what runs an instruct model, behind one small protocol.

A runtime takes conversations (OpenAI-style ``{"role", "content"}`` messages) and returns
one :class:`Generation` per conversation, in order. It knows nothing of prompts, articles
or key points: those live in ``summarizer.backends.llm.prompt`` and the backend. Runtimes
are registered by name and imported only when opened, so ``--help`` stays fast.

>>> Generation("A point.").text
'A point.'
>>> sorted(RUNTIMES)
['llama.cpp', 'openai', 'transformers']
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, Sequence, runtime_checkable

from ....errors import UsageError

if TYPE_CHECKING:  # pragma: no cover
    from .gguf_files import Choice

Message = dict[str, str]  # {"role": "system" | "user" | "assistant", "content": "..."}


@dataclass(frozen=True)
class Generation:
    """One conversation's answer, or why there is none."""

    text: str | None  # the answer, None when this conversation failed
    error: str | None = None  # one-line reason when failed
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0  # this conversation's share of the time spent generating
    reasoning: str = ""  # thinking a server sent apart from the answer (``reasoning_content``)


@runtime_checkable
class ChatRuntime(Protocol):
    """What every runtime provides."""

    name: str  # "transformers", "llama.cpp", "openai"
    context_length: int | None  # tokens the model reads, None when unknown

    def count_tokens(self, messages: list[Message]) -> int | None:
        """Tokens of ``messages`` with the chat template applied (and the generation prompt), None when unknown."""
        ...

    def chat(
        self, conversations: Sequence[list[Message]], *, max_new_tokens: int, temperature: float, seed: int
    ) -> list[Generation]:
        """One answer per conversation, same order; ``temperature=0`` is greedy."""
        ...

    def describe(self) -> dict[str, Any]:
        """What ran (runtime, model file, device, dtype, ...), recorded in settings; never secrets."""
        ...


# name -> "module:Class"; the class is built with the backend's settings.
RUNTIMES: dict[str, str] = {
    "transformers": "summarizer.backends.llm.runtimes.hf:HFRuntime",
    "llama.cpp": "summarizer.backends.llm.runtimes.llamacpp:from_settings",
    "openai": "summarizer.backends.llm.runtimes.openai_api:from_settings",
}


def runtime_choice(requested: str, settings: Any = None) -> "Choice":
    """The runtime that ``requested`` names for the model in ``settings``, and why; ``auto``
    picks llama.cpp for a GGUF file when it is installed, openai for ``openai:NAME``, else
    transformers (``gguf_files.choose_runtime``)."""
    if requested != "auto" and requested not in RUNTIMES:
        raise UsageError(f"unknown llm runtime {requested!r}; use auto or one of: {', '.join(sorted(RUNTIMES))}")
    from .gguf_files import choose_runtime

    return choose_runtime(getattr(settings, "checkpoint", "") or "", requested)


def runtime_name(requested: str, settings: Any = None) -> str:
    """The name of :func:`runtime_choice`'s runtime."""
    return runtime_choice(requested, settings).runtime


def open_runtime(name: str, settings: Any) -> ChatRuntime:
    """A ready runtime (the model loaded) for the backend's ``settings``.

    transformers is refused a GGUF file whose dequantized weights would not fit in the memory
    available (``gguf_files.dequantize_check``), before it starts."""
    chosen = runtime_name(name, settings)
    if chosen == "transformers" and getattr(settings, "checkpoint", ""):
        from .gguf_files import dequantize_check

        dequantize_check(settings.checkpoint, itemsize=2 if getattr(settings, "dtype", "") in ("bf16", "fp16") else 4)
    module, _, cls = RUNTIMES[chosen].partition(":")
    return getattr(importlib.import_module(module), cls)(settings)
