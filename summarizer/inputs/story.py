"""The story in a page's blocks: which are story text, subheads, the page's own key points,
and what is left out and why (see :mod:`summarizer.inputs.html` for the rules in words).

``read_story(blocks, title, author)`` decides, block by block and then list by list:
paragraphs by their shape (:func:`.furniture.reason`), a byline cut off a paragraph's
start; a references section and lists of citations left out of everything; a labelled
list or highlights above the story taken as the page's key points; lists inside the
story, under a subhead of their own after it, or of sentences, as story text; block quotes
unless they repeat the story; tables inside the story and lines under a lead-in as lines
read but never chosen (``row``); short lines between story paragraphs as subheads. It
returns an :class:`Extraction`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from .blocks import Block, count_words
from .furniture import carries_metadata, closes, is_link_run, norm, reason, repeats_alt, strip_byline
from .keypoints import LABEL as KEY_POINTS_LABEL

MIN_HIGHLIGHT_WORDS = 5  # an unlabelled list above the story is highlights when each item is a sentence this long
MIN_PROSE_ITEM_WORDS = 8  # a list item that is a sentence this long reads as prose wherever it stands
MIN_STANDFIRST_WORDS = 15  # a line without a stop right above the story, this long, is its standfirst (read as a subhead)


_REFERENCES_LABEL = re.compile(
    r"^(?:\d+\.?\s*)?(?:references?|bibliography|works cited|literature(?: cited)?|cited literature|sources|notes|"
    r"citations|footnotes|endnotes|further reading|references and notes|notes and references|"
    r"literatur(?:verzeichnis)?|bibliographie|références|referencias)\s*:?$", re.IGNORECASE)
# a citation: a DOI, "et al.", volume(issue): pages, a year in brackets after authors, pages
_CITATION_SHAPE = re.compile(
    r"\bdoi\b|doi\.org|\bet al\b|\b\d+\s*\(\d+\)\s*[:,]\s*\d+|\bpp?\.\s*\d+|\bvol\.\s*\d+|\bISBN\b|"
    r"^[A-Z][\w'’-]+,\s*(?:[A-Z]\.\s*)+.*\(?\b(?:1[89]|20)\d\d[a-z]?\b\)?", re.IGNORECASE)


LINES = ("head", "row")  # parts that are read with the story but are no sentences: subheads, table rows


@dataclass(frozen=True)
class Part:
    """One piece of the story: a paragraph (``p``), a list item (``item``), a quote, a subhead (``head``), or a
    table row (``row``, its cells in one line)."""

    kind: str
    text: str


@dataclass(frozen=True)
class Extraction:
    """What the extractor found: the story in order, the page's own key points, the rest by kind, metadata."""

    parts: tuple[Part, ...]
    dropped: dict[str, list[str]] = field(default_factory=dict, hash=False)  # reason -> texts
    with_items: tuple[str, ...] = ()  # the story and the prose list items, in order (for ``any_page``)
    furniture_words: int = 0  # words in lists, tables and link runs that are not story
    key_points: tuple[str, ...] = ()
    key_points_from: str | None = None  # a key of KEY_POINTS_SOURCES
    title: str | None = None
    author: str | None = None
    date: str | None = None
    url: str | None = None
    mode: str = "precision"  # which of trafilatura's readings it is: "precision" or "balanced"

    @property
    def paragraphs(self) -> tuple[str, ...]:
        """The story text (paragraphs, list items, quotes), without its subheads and table rows."""
        return tuple(p.text for p in self.parts if p.kind not in LINES)

    @property
    def headings(self) -> tuple[str, ...]:
        """Subheads and table rows: read with the story, never a sentence to choose."""
        return tuple(p.text for p in self.parts if p.kind in LINES)

    @property
    def words(self) -> int:
        return sum(_words(p) for p in self.paragraphs)

    @property
    def vocabulary(self) -> int:
        """Distinct words of the story: what a second copy of the same text does not add to."""
        return len({w.lower() for p in self.paragraphs for w in re.findall(r"\w+", p)})


_words = count_words


def _is_prose_item(block: Block) -> bool:
    """Not a link: a list item that opens with a link is a teaser (a headline and its lead-in),
    unless the link is itself a sentence that more sentences follow."""
    if not block.link_led:
        return block.link_share < 0.5 and not is_link_run(block)
    if block.link_share < 0.2 and closes(block.text):
        return True  # a sentence whose first words are linked (a name), not a headline
    lead = block.lead.strip()
    after = block.text[block.text.find(lead) + len(lead):] if lead else ""
    return ((closes(lead) or after[:1] in (".", "!", "?")) and block.link_share < 0.8
            and len(after.split()) >= 4 and closes(after))


def _is_sentence_item(block: Block, min_words: int) -> bool:
    return _is_prose_item(block) and block.words >= min_words and closes(block.text)


def _wordy(text: str) -> bool:
    """Written in words, not code or figures: most of its tokens hold a letter."""
    tokens = text.split()
    return sum(any(c.isalpha() for c in t) for t in tokens) >= 0.7 * len(tokens)


def _looks_cited(text: str) -> bool:
    return bool(_CITATION_SHAPE.search(text))


MIN_LINES = 3  # lines of one list under a lead-in
MAX_LINE_WORDS = 20  # a line of such a list ("June 9 -- Pier Arena, Port Ellis"); longer is a paragraph
_LINE_VERDICTS = (None, "subhead?", "heading", "dateline", "label")  # what such a line is taken for alone
_ABOVE_STORY = ("caption", "credit", "byline", "dateline")  # may stand between a standfirst and the story


class _Reader:
    """One reading of a page's blocks (see the module doc), as an :class:`Extraction`."""

    def __init__(self, blocks: list[Block], title: str, author: str):
        self.blocks, self.title, self.author = blocks, title, author
        n = len(blocks)
        self.verdict: list[str | None] = [None] * n  # None: story; else a kind or why it is not
        self.text = [b.text for b in blocks]
        self.key_points: list[int] = []
        self.key_points_from: str | None = None
        self.outside: dict[int, str] = {}  # why a subhead-like line is dropped when it stands outside the story

    def _paragraph(self, i: int, b: Block) -> str | None:
        cut = strip_byline(b.text)
        if cut != b.text:
            if not cut.strip():
                return "byline"
            share = b.link_chars * len(cut) // max(1, len(b.text))
            b = replace(b, text=cut, link_chars=share)
            self.text[i] = cut
        why = reason(b, self.title, self.author)
        if why in ("heading", "lead-in", "label"):  # a label line between story paragraphs is a subhead
            if KEY_POINTS_LABEL.match(b.text):
                return "key points label"
            if _REFERENCES_LABEL.match(b.text):
                return "references label"
            self.outside[i] = why
            return "subhead?"
        return why

    def _head(self, b: Block) -> str:
        if KEY_POINTS_LABEL.match(b.text):
            return "key points label"
        if _REFERENCES_LABEL.match(b.text):
            return "references label"
        if self.title and norm(b.text) == norm(self.title):
            return "title"
        why = reason(Block("p", b.text, b.link_chars, b.links), self.title, self.author)
        return "subhead?" if why in (None, "heading", "lead-in") else why

    def read(self) -> Extraction:
        blocks, verdict = self.blocks, self.verdict
        for i, b in enumerate(blocks):
            if b.kind == "p":
                verdict[i] = self._paragraph(i, b)
            elif b.kind == "head":
                verdict[i] = self._head(b)
            elif b.kind == "item":
                verdict[i] = "list?"
            elif b.kind == "quote":
                why = reason(b, self.title, self.author)
                # a quoted passage needs no closing stop when it is a sentence's length (a tweet, a quoted tip)
                story = why is None or why == "heading" and b.words >= MIN_PROSE_ITEM_WORDS and _wordy(b.text)
                verdict[i] = "quote?" if story else "quote"
            else:
                verdict[i] = b.kind  # cell, code, loose
        self._references()
        self._lists()
        self._quotes()
        self._tables()
        self._line_runs()
        self._subheads()
        return self._assemble()

    def _story_at(self, i: int) -> bool:
        return self.verdict[i] is None

    def _references(self) -> None:
        """A references section (its label to the next heading) and lists of citations: out of everything."""
        verdict, blocks = self.verdict, self.blocks
        inside = False
        for i, b in enumerate(blocks):
            if verdict[i] == "references label":
                inside = True
            elif b.kind == "head":
                inside = False
            elif inside:
                verdict[i] = "references"
        for g in {b.group for b in blocks if b.kind == "item" and b.group is not None}:
            items = [i for i, b in enumerate(blocks) if b.group == g and verdict[i] == "list?"]
            if len(items) >= 2 and sum(_looks_cited(blocks[i].text) for i in items) >= 0.6 * len(items):
                for i in items:
                    verdict[i] = "references"

    def _lists(self) -> None:
        verdict, blocks = self.verdict, self.blocks
        story = [i for i, v in enumerate(verdict) if v is None]
        first, last = (story[0], story[-1]) if story else (len(blocks), -1)
        for g in sorted({b.group for b in blocks if b.kind == "item" and b.group is not None}):
            items = [i for i, b in enumerate(blocks) if b.group == g and verdict[i] == "list?"]
            if not items:
                continue
            label = self._label_before(items[0])
            prose = [i for i in items if _is_prose_item(blocks[i])]
            if label is not None and not self.key_points:
                if len(prose) == len(items):
                    self._take_key_points(items, "list")
                    verdict[label] = "key points label"
                    continue
                verdict[label] = "navigation label"
            elif items[-1] < first and not self.key_points:
                points = items[:]
                while points and not _is_prose_item(blocks[points[-1]]):
                    points.pop()  # a link after the highlights ("Visit our homepage for more stories.")
                if len(points) >= 2 and all(_is_sentence_item(blocks[i], MIN_HIGHLIGHT_WORDS) for i in points):
                    self._take_key_points(points, "highlights")
                    for i in items[len(points):]:
                        verdict[i] = "link run"
                    continue
            inside = first < items[0] and (items[-1] < last or self._section_after(items, last))
            lead_in = self._lead_in(items[0])
            if ((inside or lead_in is not None) and len(prose) >= 0.8 * len(items)) or all(
                    _is_sentence_item(blocks[i], MIN_PROSE_ITEM_WORDS) for i in items):
                for i in items:
                    verdict[i] = self._item(blocks[i]) if i in prose else "link run"
                if lead_in is not None and verdict[lead_in] == "subhead?":
                    verdict[lead_in] = "subhead"
            else:
                for i in items:
                    verdict[i] = "item"

    def _section_after(self, items: list[int], last: int) -> bool:
        """Whether a list (or table) after the story's last paragraph is a section of the story's own: no
        link in its items (a list of teasers opens with links), items in words (not a poll's figures), a
        subhead right above it, and between that and the story only such subheads, story lists, tables and
        links (a shop button between a review's sections)."""
        verdict, blocks, i = self.verdict, self.blocks, items[0]
        if i == 0 or verdict[i - 1] != "subhead?" or last < 0 or any(blocks[k].links for k in items):
            return False
        if sum(_wordy(blocks[k].text) for k in items) < 0.8 * len(items):
            return False  # figures, not words: a poll's results, a price grid
        return all(verdict[k] in ("subhead?", "link run", "row") or blocks[k].kind == "item" and verdict[k] is None
                   for k in range(last + 1, i - 1))

    def _item(self, block: Block) -> str | None:
        """Why an item of a story list is not story text after all (a prompt, a credit, a byline, ...);
        None when it is. An item needs no closing stop."""
        if block.has_graphic and repeats_alt(block.text, block.alt):
            return "caption"  # a gallery's slide: its image and the caption under it
        why = reason(Block("p", block.text, block.link_chars, block.links), self.title, self.author)
        return None if why in ("heading", "lead-in", "label") else why

    def _lead_in(self, i: int) -> int | None:
        """The story paragraph or line ending in a colon right above block ``i`` ("Here is who qualified:")."""
        j = i - 1
        if j >= 0 and self.text[j].rstrip().endswith(":") and (
                self.verdict[j] is None or self.outside.get(j) == "lead-in"):
            return j
        return None

    def _label_before(self, i: int) -> int | None:
        """The key points label just above block ``i`` (bylines, datelines and captions between allowed)."""
        for j in range(i - 1, -1, -1):
            v = self.verdict[j]
            if v == "key points label":
                return j
            if v not in ("byline", "dateline", "caption", "credit", "title"):
                return None
        return None

    def _take_key_points(self, items: list[int], source: str) -> None:
        self.key_points, self.key_points_from = items, source
        for i in items:
            self.verdict[i] = "key point"

    def _tables(self) -> None:
        """A table inside the story (story before and after it, or a section of its own after it) is read
        with the story, a row a line, never a sentence to choose (a box score, a schedule)."""
        verdict, blocks = self.verdict, self.blocks
        story = [i for i, v in enumerate(verdict) if v is None]
        if not story:
            return
        first, last = story[0], story[-1]
        for g in sorted({b.group for b in blocks if b.kind == "cell" and b.group is not None}):
            cells = [i for i, b in enumerate(blocks) if b.group == g and b.kind == "cell"]
            text = sum(len(blocks[i].text) for i in cells)
            if sum(blocks[i].link_chars for i in cells) >= 0.5 * max(1, text):
                continue  # a table of links
            if first < cells[0] and (cells[-1] < last or self._section_after(cells, last)):
                for i in cells:
                    verdict[i] = "row"

    def _line_runs(self) -> None:
        """Lines under a lead-in ("The tour dates:", then "June 9 -- Pier Arena, Port Ellis", ...): a list the
        page wrote as paragraphs, read with the story a line each, never a sentence to choose."""
        verdict, blocks, text = self.verdict, self.blocks, self.text
        story = [i for i, v in enumerate(verdict) if v is None]
        if not story:
            return
        for i in range(story[0] + 1, len(blocks)):
            if not (text[i].rstrip().endswith(":") and verdict[i] in (None, "subhead?") and blocks[i].kind == "p"):
                continue
            run = []
            for j in range(i + 1, len(blocks)):
                b = blocks[j]
                if b.kind != "p" or b.words > MAX_LINE_WORDS or verdict[j] not in _LINE_VERDICTS or text[j].endswith(":"):
                    break
                run.append(j)
            if len(run) >= MIN_LINES:
                for j in run:
                    verdict[j] = "row"
                if verdict[i] == "subhead?":
                    verdict[i] = "subhead"

    def _quotes(self) -> None:
        story = " ".join(norm(self.text[i]) for i, v in enumerate(self.verdict) if v is None)
        for i, v in enumerate(self.verdict):
            if v == "quote?":
                self.verdict[i] = "pull quote" if norm(self.text[i]) in story else None

    def _subheads(self) -> None:
        verdict = self.verdict
        story = [i for i, v in enumerate(verdict) if v is None]
        first, last = (story[0], story[-1]) if story else (0, -1)
        for i, v in enumerate(verdict):
            if v in ("subhead?", "key points label", "references label", "navigation label"):
                standfirst = (i < first and self.outside.get(i) == "heading"
                              and self.blocks[i].words >= MIN_STANDFIRST_WORDS and not carries_metadata(self.text[i])
                              and all(w in _ABOVE_STORY for w in verdict[i + 1:first]))
                if v == "subhead?" and (first < i < last or standfirst):
                    verdict[i] = "subhead"
                elif v == "subhead?":
                    verdict[i] = self.outside.get(i, "head")

    def _assemble(self) -> Extraction:
        blocks, verdict, text = self.blocks, self.verdict, self.text
        key_points = tuple(text[i] for i in self.key_points)
        story_words = sum(_words(text[i]) for i, v in enumerate(verdict) if v is None)
        if key_points and sum(map(_words, key_points)) > story_words:
            # a "summary" longer than what it summarizes is the story itself, written as a list
            for i in self.key_points:
                verdict[i] = None
            key_points, self.key_points_from = (), None
        parts: list[Part] = []
        dropped: dict[str, list[str]] = {}
        with_items: list[str] = []
        furniture = 0
        seen: set[str] = set()
        for i, (b, v) in enumerate(zip(blocks, verdict)):
            if v is None and norm(text[i]) in seen:
                v = "repeated"  # a page that carries its story twice (a hidden copy, a print version)
            if v is None:
                seen.add(norm(text[i]))
                parts.append(Part(b.kind if b.kind in ("item", "quote") else "p", text[i]))
                with_items.append(text[i])
                continue
            if v == "subhead":
                parts.append(Part("head", text[i]))
                continue
            if v == "row":
                if (b.row is not None and parts and parts[-1].kind == "row" and blocks[i - 1].row == b.row
                        and verdict[i - 1] == "row"):  # the next cell of a table's row
                    parts[-1] = Part("row", f"{parts[-1].text} {text[i]}")
                else:
                    if len(parts) >= 2 and parts[-1].kind == parts[-2].kind == "row" and parts[-1] == parts[-2]:
                        parts.pop()  # a header row printed twice (one copy stays on screen as the table scrolls)
                    parts.append(Part("row", text[i]))
                continue
            if v in ("item", "cell", "link run"):
                furniture += _words(text[i])
            if v == "item" and _is_sentence_item(b, MIN_PROSE_ITEM_WORDS):
                with_items.append(text[i])
            if v != "key point":
                dropped.setdefault(v, []).append(text[i])
        return Extraction(tuple(parts), dropped, tuple(with_items), furniture, key_points,
                          self.key_points_from if key_points else None, self.title or None, self.author or None)


def read_story(blocks: list[Block], title: str, author: str) -> Extraction:
    """The story of one reading of a page (see the module doc)."""
    return _Reader(blocks, title, author).read()

