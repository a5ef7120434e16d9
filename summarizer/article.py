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
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from .split import Sentence, split_sentences

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
