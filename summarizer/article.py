"""Read the parts of a news article: title, human key points, video caption, body.

Two layouts are recognised:

* the CNBC page layout: a title line; a ``Key Points`` header followed by bullet lines
  that start with ``•``; sometimes a one-line video caption; then the body paragraphs;
* anything else is plain text, all of it body.

The summarizer reads the body only: the human key points are references (the evaluation
harness scores against them), never input, and the title and caption are not body sentences.

>>> a = parse_article("Markets rally\\nKey Points\\n• Stocks rose.\\n• Bonds fell.\\nStocks rose on Monday. Bonds fell.")
>>> a.title, a.key_points, a.body
('Markets rally', ('Stocks rose.', 'Bonds fell.'), 'Stocks rose on Monday. Bonds fell.')

:class:`Limits` is the input ceiling: a body longer than ``max_chars`` characters or with
more than ``max_sentences`` sentences is refused in one line rather than summarized with
memory the machine may not have (both can be raised: ``--max-chars``, ``--max-sentences``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from .errors import InputError, UsageError
from .split import Sentence, split_sentences

# The input ceiling. A long news story has 2,000 words (12,000 characters, 100 sentences); this
# is 80 times that, and the extractive model's memory stays linear up to it.
MAX_CHARS = 1_000_000
MAX_SENTENCES = 10_000

_KEY_POINTS_HEADER = re.compile(r"^\s*key\s+points\s*:?\s*$", re.IGNORECASE)
_BULLET = re.compile(r"^\s*[•·▪●]\s*(.*\S)\s*$")
# A CNBC video caption: "VIDEO 2:15 ..." or a line that starts with a clip length. The clip
# length is required: a first paragraph such as "Video game sales rose ..." is body text.
_CAPTION = re.compile(r"^\s*(?:(?:video|watch)\s*)?\d{1,2}:\d{2}\b", re.IGNORECASE)
_HEADER_SEARCH_LINES = 6  # the header comes right after the title, never deep in a story


@dataclass(frozen=True)
class Article:
    """One article's parts. ``body`` is what gets summarized."""

    body: str
    title: str | None = None
    key_points: tuple[str, ...] = ()
    caption: str | None = None
    name: str | None = None  # where it came from: a path, a URL, "<stdin>"
    layout: str = "plain"  # "plain" or "cnbc"

    @cached_property
    def sentences(self) -> tuple[Sentence, ...]:
        """The body's sentences (computed once)."""
        return tuple(split_sentences(self.body))


@dataclass(frozen=True)
class Limits:
    """The input ceiling (see the module doc).

    >>> Limits(max_sentences=1).check(Article(body="One. Two.", name="a.txt"))
    Traceback (most recent call last):
    ...
    summarizer.errors.InputError: a.txt: 2 sentences, over the input ceiling of 1; split the text, or raise the ceiling with --max-sentences (memory grows with it)
    """

    max_chars: int = MAX_CHARS  # characters of body text
    max_sentences: int = MAX_SENTENCES  # sentences of body text

    def __post_init__(self) -> None:
        for name in ("max_chars", "max_sentences"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise UsageError(f"{name} must be a positive whole number, got {value!r}")

    def check_chars(self, n: int, name: str) -> None:
        """Refuse ``n`` characters (before splitting: the cheap test first)."""
        if n > self.max_chars:
            raise InputError(f"{name}: {n:,} characters, over the input ceiling of {self.max_chars:,}; split the text, "
                             "or raise the ceiling with --max-chars (memory grows with it)")

    def check(self, article: "Article") -> None:
        """Refuse an article over the ceiling, in one line."""
        name = article.name or "article"
        self.check_chars(len(article.body), name)
        n = len(article.sentences)
        if n > self.max_sentences:
            raise InputError(f"{name}: {n:,} sentences, over the input ceiling of {self.max_sentences:,}; split the text, "
                             "or raise the ceiling with --max-sentences (memory grows with it)")


def parse_article(text: str, name: str | None = None) -> Article:
    """Split ``text`` into title, key points, caption and body (see the module doc)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    nonblank = [i for i, line in enumerate(lines) if line.strip()]
    header = next(
        (i for i in nonblank[:_HEADER_SEARCH_LINES] if _KEY_POINTS_HEADER.match(lines[i])), None
    )
    if header is None:
        return Article(body=text.strip(), name=name)

    title = " ".join(lines[i].strip() for i in nonblank if i < header) or None
    key_points: list[str] = []
    i = header + 1
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        m = _BULLET.match(lines[i])
        if not m:
            break
        key_points.append(m.group(1))
        i += 1

    caption = None
    if i < len(lines) and _CAPTION.match(lines[i]):
        caption = lines[i].strip()
        i += 1
    body = "\n".join(lines[i:]).strip()
    return Article(
        body=body, title=title, key_points=tuple(key_points), caption=caption, name=name, layout="cnbc"
    )
