"""Summarizer backends behind one small protocol, in a registry keyed by name.

A backend is a class whose constructor takes a settings dataclass and whose
``summarize(articles, num_points=...)`` returns one :class:`~summarizer.results.Summary`
per article. Backends are imported only when asked for, so ``--help`` stays fast.
"""

from __future__ import annotations

import dataclasses
import importlib
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol, Sequence, runtime_checkable

from ..article import Article
from ..errors import ModelError, UnknownModelError, UsageError, expect
from ..results import Summary

DEFAULT_MODEL = "extractive"


@runtime_checkable
class Summarizer(Protocol):
    """What every backend provides."""

    name: str

    def summarize(self, articles: Sequence[Article], *, num_points: int | None = 3) -> list[Summary]:
        """One summary per article, in order; ``num_points=None`` lets the backend choose."""
        ...


# name -> "module:Class"; the class has a ``Settings`` dataclass attribute.
BACKENDS: dict[str, str] = {
    "extractive": "summarizer.backends.extractive:ExtractiveSummarizer",
    "lead": "summarizer.backends.lead:LeadSummarizer",
    "llm": "summarizer.backends.llm:LLMSummarizer",
    "seq2seq": "summarizer.backends.seq2seq:Seq2SeqSummarizer",
}

@dataclass(frozen=True)
class ResolvedModel:
    """What a model name means, found once and passed down to the backend and its runtime.

    >>> resolve("lead")
    ResolvedModel(model='lead', backend='lead', implied={})
    """

    model: str  # as the user gave it: a registered name, a path, a hub id or openai:NAME
    backend: str  # the registered backend that runs it
    implied: dict[str, Any] = field(default_factory=dict, hash=False)  # settings the name implies (its checkpoint)


# Resolvers for names that are not registered (a checkpoint directory, a hub id):
# each returns a backend name and the settings it implies, or None when it does not apply.
RESOLVERS: list[Callable[[str], tuple[str, dict[str, Any]] | None]] = []


def _server_model(model: str) -> tuple[str, dict[str, Any]] | None:
    # openai:NAME, a model on an OpenAI-compatible server (--api-base URL)
    return ("llm", {"checkpoint": model}) if model.startswith("openai:") else None


def _llm_model(model: str) -> tuple[str, dict[str, Any]] | None:
    # a chat model on disk: a causal LM directory with a chat template, or a GGUF file
    from .llm.models import resolve_llm

    return resolve_llm(model)


def _seq2seq_checkpoint(model: str) -> tuple[str, dict[str, Any]] | None:
    # a checkpoint directory or a hub id whose config says encoder-decoder (imported lazily)
    from .hf.checkpoints import resolve_checkpoint

    return resolve_checkpoint(model)


RESOLVERS.extend([_server_model, _llm_model, _seq2seq_checkpoint])


def _load_class(name: str) -> type:
    module, _, cls = BACKENDS[name].partition(":")
    return getattr(importlib.import_module(module), cls)


def resolve(model: "str | ResolvedModel") -> ResolvedModel:
    """What ``model`` (a name, a path, a hub id, or an already resolved model) means; an
    unknown one is refused with the known names. Resolve once and pass the value on."""
    if isinstance(model, ResolvedModel):
        return model
    expect(model, str, f"a model is named by a string (one of {', '.join(sorted(BACKENDS))}, or a path)")
    if model in BACKENDS:
        return ResolvedModel(model, model)
    for resolver in RESOLVERS:
        found = resolver(model)
        if found is not None:
            return ResolvedModel(model, found[0], dict(found[1]))
    raise UnknownModelError(model, sorted(BACKENDS))


def settings_class(backend: str) -> type:
    """The settings dataclass of a registered backend."""
    return _load_class(backend).Settings


def make_settings(backend: str, values: dict[str, Any]) -> Any:
    """Build a backend's settings from ``values``, naming any unknown field; a bad value is a
    :class:`UsageError` whichever backend refuses it."""
    cls = settings_class(backend)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(values) - set(fields))
    if unknown:
        raise UsageError(
            f"model {backend!r} has no setting {', '.join(unknown)}; its settings: {', '.join(fields)}"
        )
    try:
        return cls(**values)
    except UsageError:
        raise
    except (TypeError, ValueError, ModelError) as e:
        raise UsageError(f"bad settings for model {backend!r}: {e}") from e


def get_summarizer(model: "str | ResolvedModel" = DEFAULT_MODEL, **settings: Any) -> Summarizer:
    """A ready backend for ``model``; unknown names are refused with the known ones.

    >>> get_summarizer("lead").name
    'lead'
    """
    resolved = resolve(model)
    return _load_class(resolved.backend)(make_settings(resolved.backend, {**resolved.implied, **settings}))


def known_models() -> list[str]:
    return sorted(BACKENDS)
