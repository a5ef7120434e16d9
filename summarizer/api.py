"""The Python API: ``summarize(text_or_texts, n=3, model="extractive")``."""

from __future__ import annotations

import dataclasses
from typing import Any, Sequence, overload

from .article import Article, Limits, parse_article
from .backends import DEFAULT_MODEL, Summarizer, get_summarizer
from .errors import InputError, UsageError
from .results import Summary

_CACHE: dict[tuple, Summarizer] = {}
_CACHE_SIZE = 2  # a model takes seconds to load; keep the last few


def load(model: str = DEFAULT_MODEL, **settings: Any) -> Summarizer:
    """A backend for ``model``, loaded once and reused by later calls with the same settings."""
    key = (model, tuple(sorted(settings.items())))
    if key in _CACHE:
        _CACHE[key] = _CACHE.pop(key)  # most recently used last: eviction takes the least recent
    else:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = get_summarizer(model, **settings)
    return _CACHE[key]


def summarize_articles(
    articles: Sequence[Article],
    n: int | None = 3,
    model: str = DEFAULT_MODEL,
    *,
    limits: Limits = Limits(),
    **settings: Any,
) -> list[Summary]:
    """Summaries of parsed articles (see :func:`summarizer.parse_article`). An article over
    ``limits`` (1,000,000 characters or 10,000 sentences by default) is refused with an
    :class:`InputError` naming it; pass ``limits=Limits(max_chars=..., max_sentences=...)``
    to raise the ceiling."""
    if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 1):
        raise UsageError(f"n must be a positive number of key points, got {n!r}")
    if not isinstance(limits, Limits):
        raise UsageError(f"limits must be a summarizer.Limits, got {type(limits).__name__}")
    for a in articles:
        if not a.body.strip():
            raise InputError(f"{a.name or 'article'}: is empty")
        limits.check(a)
    if not articles:
        return []
    return with_page(articles, load(model, **settings).summarize(articles, num_points=n))


def with_page(articles: Sequence[Article], summaries: Sequence[Summary]) -> list[Summary]:
    """Each summary with its web page's author, date and URL (``Article.page``), where present."""
    return [dataclasses.replace(s, **a.page) if a.page else s for a, s in zip(articles, summaries, strict=True)]


@overload
def summarize(text_or_texts: str, n: int | None = ..., model: str = ..., *, limits: Limits = ...,
              **settings: Any) -> Summary: ...
@overload
def summarize(text_or_texts: Sequence[str], n: int | None = ..., model: str = ..., *, limits: Limits = ...,
              **settings: Any) -> list[Summary]: ...


def summarize(text_or_texts, n=3, model=DEFAULT_MODEL, *, limits=Limits(), **settings):
    """Key points of one article (a ``Summary``) or of several (a list).

    Texts in the CNBC layout are parsed first: only the body is summarized.
    ``settings`` are the backend's fields (``summarizer.backends.settings_class(name)``);
    ``limits`` is the input ceiling (:class:`summarizer.Limits`).

    >>> from summarizer import summarize
    >>> s = summarize("The city approved the budget on Monday. It adds ten buses. Critics object.", n=2, model="lead")
    >>> s.texts
    ['The city approved the budget on Monday.', 'It adds ten buses.']
    """
    if isinstance(text_or_texts, str):
        limits.check_chars(len(text_or_texts), "text")  # before splitting it
        return summarize_articles([parse_article(text_or_texts)], n, model, limits=limits, **settings)[0]
    if not isinstance(text_or_texts, Sequence) or not all(isinstance(t, str) for t in text_or_texts):
        raise UsageError("summarize() takes a string or a list of strings")
    for i, t in enumerate(text_or_texts):
        limits.check_chars(len(t), f"text {i}")
    arts = [parse_article(t, name=f"text {i}") for i, t in enumerate(text_or_texts)]
    return summarize_articles(arts, n, model, limits=limits, **settings)
