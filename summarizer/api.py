"""The Python API: ``summarize(text_or_texts, n=3, model="extractive")``."""

from __future__ import annotations

import dataclasses
from typing import Any, Sequence, overload

from .article import Article, Limits, parse_article
from .backends import DEFAULT_MODEL, ResolvedModel, Summarizer, get_summarizer
from .errors import InputError, TooLargeError, UsageError, expect
from .inputs.local import check_characters
from .grounding import SUPPORT_SENTENCES, drop_flagged, ground_with_summary
from .results import References, Summary

CHECK_MODEL = "check"  # the model name of a Summary of key points checked, not written, here
OWN_KEY_POINTS = "the article's own key points"  # where references come from when the article does not say

_CACHE: dict[tuple, Summarizer] = {}
_CACHE_SIZE = 2  # a model takes seconds to load; keep the last few


def load(model: str | ResolvedModel = DEFAULT_MODEL, **settings: Any) -> Summarizer:
    """A backend for ``model`` (a name, or what :func:`~summarizer.backends.resolve` made of
    one), loaded once and reused by later calls with the same settings."""
    expect(model, (str, ResolvedModel), "load() takes the model as a name (a string)")
    key = (model.model if isinstance(model, ResolvedModel) else model, tuple(sorted(settings.items())))
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
    strict: bool = False,
    **settings: Any,
) -> list[Summary]:
    """Summaries of parsed articles (see :func:`summarizer.parse_article`). An article over
    ``limits`` (1,000,000 characters or 10,000 sentences by default) is refused with an
    :class:`InputError` naming it; pass ``limits=Limits(max_chars=..., max_sentences=...)``
    to raise the ceiling. ``strict`` leaves out abstractive key points that name numbers or
    names the article lacks."""
    expect(model, (str, ResolvedModel), "summarize_articles() takes the model as a name (a string)")
    _check_articles(articles, n, limits, strict)
    if not articles:
        return []
    return summarize_loaded(load(model, **settings), articles, n, limits=limits, strict=strict)


def summarize_loaded(summarizer: Summarizer, articles: Sequence[Article], n: int | None = 3, *,
                     limits: Limits = Limits(), strict: bool = False) -> list[Summary]:
    """:func:`summarize_articles` with a model already loaded (by :func:`load`, or a server at
    start-up): the same checks, the page's metadata, ``strict``."""
    _check_articles(articles, n, limits, strict)
    if not articles:
        return []
    summaries = with_page(articles, summarizer.summarize(articles, num_points=n))
    return [drop_flagged(s) for s in summaries] if strict else summaries


def _check_options(n: int | None, limits: Limits, strict: bool) -> None:
    expect(n, (int, type(None)), "n must be a positive number of key points, or None")
    if n is not None and n < 1:
        raise UsageError(f"n must be a positive number of key points, got {n!r}")
    expect(limits, Limits, "limits must be a summarizer.Limits")
    expect(strict, bool, "strict must be True or False")


def _check_articles(articles: Sequence[Article], n: int | None, limits: Limits, strict: bool = False) -> None:
    expect(articles, Article, "summarize_articles() takes a list of summarizer.Article (see parse_article)",
           each=True)
    _check_options(n, limits, strict)
    for a in articles:
        check_article(a)
        if not a.body.strip():
            raise InputError(f"{a.name or 'article'}: is empty")
        limits.check(a)


def check_article(a: Article) -> None:
    """Refuse an :class:`Article` (made by hand, or by a dataset reader) whose parts are not
    strings, or hold a NUL or a lone surrogate (:func:`~.inputs.local.check_characters`): a
    model's tokenizer would fail on it with a ``TypeError``, and no output could be written."""
    expect(a.name, (str, type(None)), "an Article's name must be a string or None")
    name = a.name or "article"  # a path's name may hold a surrogate (os.fsdecode's): it is no text a model reads
    expect(a.body, str, f"{name}: an Article's body must be a string")
    check_characters(a.body, name)
    for field in ("title", "caption", "author", "date", "url"):
        value = getattr(a, field)
        expect(value, (str, type(None)), f"{name}: an Article's {field} must be a string or None")
        if value is not None:
            check_characters(value, f"{name}: its {field}")
    for field in ("key_points", "headings"):
        expect(getattr(a, field), str, f"{name}: an Article's {field} must be a tuple of strings", each=True)
        for i, value in enumerate(getattr(a, field), 1):
            check_characters(value, f"{name}: its {field.replace('_', ' ')} {i}")


def check_points(article: Article, key_points: Sequence[str], *, limits: Limits = Limits(),
                 name: str = "the key points") -> Summary:
    """Key points written elsewhere, grounded in ``article`` (one a line; bullets and numbers
    in front are ignored, blank lines skipped): each with its support, flags and consistency
    score; ``info["consistency"]`` scores them all together. The article and the key points
    (``name``: where they came from) are held to ``limits``: at most ``max_chars`` characters
    and ``max_sentences`` key points."""
    from .backends.llm.prompt import strip_marker

    expect(article, Article, "check_points() takes a summarizer.Article")
    expect(key_points, str, "check_points() takes the key points as a list of strings", each=True)
    expect(limits, Limits, "limits must be a summarizer.Limits")
    check_article(article)
    limits.check_chars(sum(map(len, key_points)), name)
    for i, p in enumerate(key_points, 1):
        check_characters(p, f"{name}: key point {i}")
    texts = [t for t in (strip_marker(p) for p in key_points) if t]
    if not texts:
        raise InputError("no key points to check: give one a line")
    if len(texts) > limits.max_sentences:
        raise TooLargeError(f"{name}: {len(texts):,} key points, over the input ceiling of {limits.max_sentences:,}; "
                            "split them, or raise the ceiling with --max-sentences (memory grows with it)")
    if not article.body.strip():
        raise InputError(f"{article.name or 'article'}: is empty")
    limits.check(article)
    key_points, consistency = ground_with_summary(article, texts)
    return Summary(
        key_points=key_points,
        model=CHECK_MODEL,
        settings={"support_sentences": SUPPORT_SENTENCES},
        name=article.name,
        title=article.title,
        num_sentences=len(article.sentences),
        info={"consistency": consistency},  # the learned score of all the key points together
    )


def check(text: str, key_points: Sequence[str] | str, *, limits: Limits = Limits()) -> Summary:
    """Check key points (a list, or one a line) against an article's text; both are held to
    ``limits`` (as :func:`summarize` holds the text).

    >>> from summarizer import check
    >>> s = check("The city approved the budget on Monday. It adds ten buses.", "- The city added 12 buses.")
    >>> [(f.kind, f.text) for f in s.key_points[0].flags], s.key_points[0].support[0].sentence
    ([('number', '12')], 1)
    """
    expect(text, str, "check() takes the article's text as a string")
    if not isinstance(key_points, str):
        expect(key_points, str, "check() takes the key points as a string (one a line) or a list of strings", each=True)
    expect(limits, Limits, "limits must be a summarizer.Limits")
    limits.check_chars(len(text), "text")  # before splitting it
    check_characters(text, "text")
    points = key_points.splitlines() if isinstance(key_points, str) else list(key_points)
    return check_points(parse_article(text), points, limits=limits)


def with_page(articles: Sequence[Article], summaries: Sequence[Summary]) -> list[Summary]:
    """Each summary with its web page's author, date and URL (``Article.page``), and the
    article's own key points as its references, where present."""
    out = []
    for a, s in zip(articles, summaries, strict=True):
        if a.key_points:
            s = dataclasses.replace(s, references=References(a.key_points, a.key_points_from or OWN_KEY_POINTS))
        out.append(dataclasses.replace(s, **a.page) if a.page else s)
    return out


def read_article(source: str, *, encoding: str = "utf-8", timeout: float | None = None, any_page: bool = False,
         limits: Limits = Limits()) -> Article:
    """The article behind a file path, a URL or ``-`` (standard input), as the summarizer reads it:
    its ``body`` is the text summarized; ``title``, ``author``, ``date``, ``url`` and the page's own
    ``key_points`` (with ``key_points_from``) come with it. Raises :class:`InputError`."""
    from .read import URL_TIMEOUT, Source, read_source

    expect(source, str, "read_article() takes a file path, a URL or '-' as a string")
    expect(limits, Limits, "limits must be a summarizer.Limits")
    return read_source(Source(source), encoding=encoding, timeout=URL_TIMEOUT if timeout is None else timeout,
                       any_page=any_page, limits=limits)


@overload
def summarize(text_or_texts: str, n: int | None = ..., model: str = ..., *, limits: Limits = ...,
              strict: bool = ..., **settings: Any) -> Summary: ...
@overload
def summarize(text_or_texts: Sequence[str], n: int | None = ..., model: str = ..., *, limits: Limits = ...,
              strict: bool = ..., **settings: Any) -> list[Summary]: ...


def summarize(text_or_texts, n=3, model=DEFAULT_MODEL, *, limits=Limits(), strict=False, **settings):
    """Key points of one article (a ``Summary``) or of several (a list).

    Texts in the CNBC layout are parsed first: only the body is summarized.
    ``settings`` are the backend's fields (``summarizer.backends.settings_class(name)``);
    ``limits`` is the input ceiling (:class:`summarizer.Limits`).

    >>> from summarizer import summarize
    >>> s = summarize("The city approved the budget on Monday. It adds ten buses. Critics object.", n=2, model="lead")
    >>> s.texts
    ['The city approved the budget on Monday.', 'It adds ten buses.']
    """
    if not isinstance(text_or_texts, str):
        expect(text_or_texts, str, "summarize() takes a string or a list of strings", each=True)
    expect(model, (str, ResolvedModel), "summarize() takes the model as a name (a string), such as 'extractive'")
    _check_options(n, limits, strict)  # before the texts are read: they cost time
    if isinstance(text_or_texts, str):
        limits.check_chars(len(text_or_texts), "text")  # before splitting it
        check_characters(text_or_texts, "text")
        return summarize_articles([parse_article(text_or_texts)], n, model, limits=limits, strict=strict,
                                  **settings)[0]
    for i, t in enumerate(text_or_texts):
        limits.check_chars(len(t), f"text {i}")
        check_characters(t, f"text {i}")
    arts = [parse_article(t, name=f"text {i}") for i, t in enumerate(text_or_texts)]
    return summarize_articles(arts, n, model, limits=limits, strict=strict, **settings)
