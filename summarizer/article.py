"""Read the parts of a news article: title, human key points, video caption, body.

Two layouts are recognised:

* the CNBC page layout: a title line; a ``Key Points`` header followed by bullet lines
  that start with ``•``, ``-``, ``*`` or ``–``; sometimes a one-line video caption; then
  the body paragraphs;
* anything else is plain text, all of it body.

The caption is the first line after the last bullet when it has a marker (``VIDEO 2:14
...``, a clip length), or when it has a caption's shape: a headline-style line of at
most ``CAPTION_MAX_WORDS`` words that does not close like a sentence (no ``.``, ``!``,
``?``; a closing abbreviation such as ``U.S.`` does not count), with more text after it
that does not continue it (in a hard-wrapped paragraph the next line starts in lower
case or with a digit, or the line stops on a word such as "of" or "the"). A first
body paragraph that closes like a sentence is body, however short. When in doubt the
line is taken as the caption: losing a headline-like line costs less than a caption as
a key point.

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

from .errors import TooLargeError, UsageError, expect
from .split import Sentence, split_sentences

# The input ceiling. A long news story has 2,000 words (12,000 characters, 100 sentences); this
# is 80 times that, and the extractive model's memory stays linear up to it.
MAX_CHARS = 1_000_000
MAX_SENTENCES = 10_000

_KEY_POINTS_HEADER = re.compile(r"^\s*key\s+points\s*:?\s*$", re.IGNORECASE)
_BULLET = re.compile(r"^\s*(?:[•·▪●]\s*|[-*–—]\s+)(.*\S)\s*$")
# A CNBC video caption's marker: "VIDEO 2:15 ..." or a line that starts with a clip length.
# "Video" alone is no marker: a first paragraph such as "Video game sales rose ..." is body.
_CAPTION = re.compile(r"^\s*(?:(?:video|watch)\s*)?\d{1,2}:\d{2}\b", re.IGNORECASE)
CNBC_KEY_POINTS = "the Key Points of the CNBC layout"
_HEADER_SEARCH_LINES = 6  # the header comes right after the title, never deep in a story
CAPTION_MAX_WORDS = 20  # a caption is a headline, about a dozen words; a longer line is body
_END = re.compile(r"[.!?…][\"'”’)\]]*$")
# a full stop that closes one of these is the abbreviation's, not a sentence's
_ABBREV_END = re.compile(
    r"(?:\b(?:[A-Za-z]\.){2,}|\b(?:Inc|Co|Corp|Ltd|Jr|Sr|St|No|Mr|Mrs|Ms|Dr|Gov|Sen|Rep|Gen|Prof|vs|etc)\.)$")

# a line that stops on one of these goes on in the next line: no headline ends so
_GOES_ON = frozenset("a an the of and or but to in on at by for from with as that its their his her our".split())


def ends_like_sentence(text: str) -> bool:
    """Whether ``text`` closes like a sentence: ``.``, ``!``, ``?`` or ``…`` (a closing
    quote or bracket may follow), and not an abbreviation such as ``U.S.``.

    >>> ends_like_sentence("Stocks fell on Monday."), ends_like_sentence("Why ferries are coming to the U.S.")
    (True, False)
    """
    text = text.rstrip()
    return bool(_END.search(text)) and not _ABBREV_END.search(text.rstrip("\"'”’)]"))


def _is_caption(lines: list[str], i: int) -> bool:
    """Whether ``lines[i]``, the first line after the key points, is a video caption."""
    line = lines[i].strip()
    if _CAPTION.match(line):
        return True
    if ends_like_sentence(line) or line.endswith((":", ";", ",")) or len(line.split()) > CAPTION_MAX_WORDS:
        return False
    after = [j for j in range(i + 1, len(lines)) if lines[j].strip()]
    if not after:
        return False  # the only line left is the body, not a caption
    if after[0] == i + 1:
        nxt = lines[i + 1].lstrip()[:1]
        if nxt.islower() or nxt.isdigit() or line.split()[-1].lower() in _GOES_ON:
            return False  # a hard-wrapped first paragraph: its next line goes on with it
    return True


@dataclass(frozen=True)
class Article:
    """One article's parts. ``body`` is what gets summarized; ``key_points`` are the
    article's own, written by people (references, never input), and ``key_points_from``
    says where they were found. ``headings`` are subheads inside the body: read with it,
    never a sentence to choose.

    >>> a = Article(body="The board voted.\\n\\nWhat comes next\\n\\nDredging starts in May.", headings=("What comes next",))
    >>> [s.text for s in a.sentences]
    ['The board voted.', 'Dredging starts in May.']
    """

    body: str
    title: str | None = None
    key_points: tuple[str, ...] = ()
    caption: str | None = None
    name: str | None = None  # where it came from: a path, a URL, "<stdin>"
    layout: str = "plain"  # "plain", "cnbc" or "web" (a page's story paragraphs)
    author: str | None = None  # a web page's metadata, where the page has it
    date: str | None = None
    url: str | None = None
    key_points_from: str | None = None  # e.g. "the CNBC layout's Key Points", "the page's Key Points list"
    headings: tuple[str, ...] = ()  # subheads, table rows: paragraphs of the body that are no sentences

    @property
    def page(self) -> dict[str, str]:
        """The web page's metadata that is present: ``author``, ``date``, ``url``."""
        return {k: v for k in ("author", "date", "url") if (v := getattr(self, k)) is not None}

    @cached_property
    def sentences(self) -> tuple[Sentence, ...]:
        """The body's sentences (computed once), its subheads left out."""
        found = split_sentences(self.body)
        if not self.headings:
            return tuple(found)
        heads = set(self.headings)
        spans = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+(?:\n(?!\s*\n)[^\n]*)*", self.body)
                 if m.group().strip() in heads]
        kept = [s for s in found if not any(a <= s.start and s.end <= b for a, b in spans)]
        return tuple(Sentence(i, s.text, s.start, s.end) for i, s in enumerate(kept))


@dataclass(frozen=True)
class Limits:
    """The input ceiling (see the module doc).

    >>> Limits(max_sentences=1).check(Article(body="One. Two.", name="a.txt"))
    Traceback (most recent call last):
    ...
    summarizer.errors.TooLargeError: a.txt: 2 sentences, over the input ceiling of 1; split the text, or raise the ceiling with --max-sentences (memory grows with it)
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
            raise TooLargeError(f"{name}: {n:,} characters, over the input ceiling of {self.max_chars:,}; split the text, "
                             "or raise the ceiling with --max-chars (memory grows with it)")

    def check(self, article: "Article") -> None:
        """Refuse an article over the ceiling, in one line."""
        name = article.name or "article"
        self.check_chars(len(article.body), name)
        n = len(article.sentences)
        if n > self.max_sentences:
            raise TooLargeError(f"{name}: {n:,} sentences, over the input ceiling of {self.max_sentences:,}; split the text, "
                             "or raise the ceiling with --max-sentences (memory grows with it)")


def parse_article(text: str, name: str | None = None) -> Article:
    """Split ``text`` into title, key points, caption and body (see the module doc)."""
    expect(text, str, "parse_article() takes the article's text as a string")
    expect(name, (str, type(None)), "parse_article() takes the name as a string or None")
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
    if i < len(lines) and _is_caption(lines, i):
        caption = lines[i].strip()
        i += 1
    body = "\n".join(lines[i:]).strip()
    return Article(
        body=body, title=title, key_points=tuple(key_points), caption=caption, name=name, layout="cnbc",
        key_points_from=CNBC_KEY_POINTS if key_points else None,
    )
