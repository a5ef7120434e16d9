"""Web pages: decode the bytes, extract the story with trafilatura, keep furniture out.

``page_article(data, name)`` turns an HTML document (fetched, a saved ``.html`` file,
or standard input) into an :class:`~summarizer.article.Article` whose body holds only
the story, and whose ``key_points`` are the page's own (written by people), or refuses
the page in one line. The bytes are decoded by :mod:`summarizer.inputs.charset`.

Extraction is trafilatura's (:mod:`.blocks`), read twice: favouring precision, and in its
balanced mode. The precise reading is taken unless it keeps under ``FULLER_SHARE`` of the
story words of the balanced one (precision mode then lost the story: it kept a teaser, or
nothing); the furniture rules below apply to either.

1. structure first. Paragraphs are story text unless their shape says otherwise
   (:func:`.furniture.reason`: captions, runs of links, bylines, datelines, credits,
   prompts, notices, short lines without a closing stop); a byline or wire dateline that
   opens a paragraph is cut off it and the sentence kept. A short line without a closing
   stop, or a heading, between story paragraphs is a subhead: read, never a key point.
   Block quotes are story text when their paragraphs pass the same rules, unless they
   repeat a story paragraph (a pull quote). Table cells and code never are;
2. lists. A list under a label such as ``Key Points`` or ``Highlights``, or a list of
   two or more sentences above the story's first paragraph, is the page's own key points
   (unless it is links: then it is navigation). A list inside the story (story text
   before and after it) whose items are not links, or a list of sentences, is story text.
   A reference list or bibliography (under ``References``, ``Bibliography``, ``Notes``,
   ... or items shaped like citations) is left out of the story and of the page's
   measure of lists. Other lists are furniture. Key points longer than the story they
   would summarize are read as the story.

When in doubt a line is dropped: losing one story sentence costs less than a caption
or a byline as a key point.

A page is **not an article** when its story text is too short (fewer than
``MIN_WORDS`` words or ``MIN_SENTENCES`` sentences), or when lists, tables and runs
of links outweigh it (a navigation, shop or listing page); ``any_page=True`` takes it
anyway, with its prose list items as story text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..article import Article
from ..errors import InputError
from .blocks import Block, collect, count_words, extraction
from .charset import decode_page
from .containers import continued
from .keypoints import LABEL as KEY_POINTS_LABEL
from .keypoints import page_key_points
from .furniture import closes, is_link_run, norm, reason, strip_byline

MIN_WORDS = 60  # a news brief has about this many; less is a teaser, a notice or a gallery
MIN_SENTENCES = 3  # a story needs a few sentences to choose from
MAX_FURNITURE_SHARE = 0.5  # lists, tables and link runs above this share of the words: not an article
FULLER_SHARE = 0.5  # precision mode keeping less than this share of balanced mode's story: it lost the story
MIN_HIGHLIGHT_WORDS = 5  # an unlabelled list above the story is highlights when each item is a sentence this long
MIN_PROSE_ITEM_WORDS = 8  # a list item that is a sentence this long reads as prose wherever it stands
MIN_STANDFIRST_WORDS = 15  # a line without a stop right above the story, this long, is its standfirst (read as a subhead)

KEY_POINTS_SOURCES = {
    "list": "the page's Key Points list",
    "highlights": "the bulleted highlights above the story",
}
_REFERENCES_LABEL = re.compile(
    r"^(?:\d+\.?\s*)?(?:references?|bibliography|works cited|literature(?: cited)?|cited literature|sources|notes|"
    r"citations|footnotes|endnotes|further reading|references and notes|notes and references|"
    r"literatur(?:verzeichnis)?|bibliographie|références|referencias)\s*:?$", re.IGNORECASE)
# a citation: a DOI, "et al.", volume(issue): pages, a year in brackets after authors, pages
_CITATION_SHAPE = re.compile(
    r"\bdoi\b|doi\.org|\bet al\b|\b\d+\s*\(\d+\)\s*[:,]\s*\d+|\bpp?\.\s*\d+|\bvol\.\s*\d+|\bISBN\b|"
    r"^[A-Z][\w'’-]+,\s*(?:[A-Z]\.\s*)+.*\(?\b(?:1[89]|20)\d\d[a-z]?\b\)?", re.IGNORECASE)


@dataclass(frozen=True)
class Part:
    """One piece of the story: a paragraph (``p``), a list item (``item``), a quote, or a subhead (``head``)."""

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
        """The story text (paragraphs, list items, quotes), without its subheads."""
        return tuple(p.text for p in self.parts if p.kind != "head")

    @property
    def headings(self) -> tuple[str, ...]:
        return tuple(p.text for p in self.parts if p.kind == "head")

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


def _looks_cited(text: str) -> bool:
    return bool(_CITATION_SHAPE.search(text))


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
            b = Block(b.kind, cut, share, b.links, b.has_graphic, b.after_graphic, b.link_led, b.group)
            self.text[i] = cut
        why = reason(b, self.title, self.author)
        if why in ("heading", "lead-in"):
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
                verdict[i] = "quote?" if reason(b, self.title, self.author) is None else "quote"
            else:
                verdict[i] = b.kind  # cell, code, loose
        self._references()
        self._lists()
        self._quotes()
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
            inside = first < items[0] and items[-1] < last
            lead_in = self._lead_in(items[0])
            if ((inside or lead_in is not None) and len(prose) >= 0.8 * len(items)) or all(
                    _is_sentence_item(blocks[i], MIN_PROSE_ITEM_WORDS) for i in items):
                for i in items:
                    verdict[i] = None if i in prose else "link run"
                if lead_in is not None and verdict[lead_in] == "subhead?":
                    verdict[lead_in] = "subhead"
            else:
                for i in items:
                    verdict[i] = "item"

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
                standfirst = (i == first - 1 and self.outside.get(i) == "heading"
                              and self.blocks[i].words >= MIN_STANDFIRST_WORDS)
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
            if v in ("item", "cell", "link run"):
                furniture += _words(text[i])
            if v == "item" and _is_sentence_item(b, MIN_PROSE_ITEM_WORDS):
                with_items.append(text[i])
            if v != "key point":
                dropped.setdefault(v, []).append(text[i])
        return Extraction(tuple(parts), dropped, tuple(with_items), furniture, key_points,
                          self.key_points_from if key_points else None, self.title or None, self.author or None)


# space before a full stop or comma: precision mode cut an inline element (a link) out; a paragraph
# that starts with a closing bracket or a stop, or ends on an opening bracket, was cut at a link
_HOLE = re.compile(r"(?<=\w)\s+(?=[.,;:!?](?:\s|$))|^[)\]},.;:]|[(\[]$")
_LOWER_START = re.compile(r"^[a-z]")  # may be cut too ("trading slightly positive during ..."), or "eBay said ..."


def _in_order(fragments: list[str], text: str) -> bool:
    pos = 0
    for f in fragments:
        pos = text.find(f, pos)
        if pos < 0:
            return False
        pos += len(f)
    return True


def _mend(holed: list[str], whole: list[Block], title: str, author: str) -> dict[str, str]:
    """Whole copies of paragraphs that precision mode left with holes, from the balanced reading's blocks."""
    out = {}
    for text in holed:
        # the text between punctuation marks must all be there, in order (a cut sits before one);
        # the same text in both is the page's own spacing ("Parr . 2010"), not a cut
        fragments = [f for f in re.split(r"\s*[.,;:!?]+\s*", text) if f]
        match = next((b for b in whole if b.text == text), None) or next(
            (b for b in whole if fragments and not _HOLE.search(b.text) and len(b.text) <= 2 * len(text) + 200
             and _in_order(fragments, b.text)), None)
        if match is not None and reason(match, title, author) is None:  # the whole copy must pass too
            out[text] = strip_byline(match.text)
    return out


def _reading(doc, url: str | None, mode: str) -> tuple[Extraction, list[Block]] | None:
    body = getattr(doc, "body", None) if doc is not None else None
    if body is None:
        return None
    blocks = collect(body)
    ex = _Reader(blocks, (doc.title or "").strip(), (doc.author or "").strip()).read()
    meta = dict(date=doc.date or None, url=doc.url or url or None, mode=mode)
    return Extraction(**{**ex.__dict__, **meta}), blocks


def extract(html: str, *, url: str | None = None) -> Extraction | None:
    """The story, key points and metadata of an HTML document; None when trafilatura finds no text."""
    ex = _extract(html, url)
    first = next((p.text for p in ex.parts if p.kind == "p"), None) if ex is not None else None
    doc = continued(html, first) if first else None
    if ex is not None and doc is not None:
        more = _extract(doc, url)  # the story's containers alone: a story printed in several
        if more is not None and more.words >= ex.words + MIN_WORDS:
            meta = {k: getattr(ex, k) or getattr(more, k) for k in ("title", "author", "date", "url")}
            ex = Extraction(**{**more.__dict__, **meta})
    if ex is None or ex.key_points:
        return ex
    found = page_key_points(html, first)  # a box above the story that the extractor left out
    if found is None:
        return ex
    items, source = found
    own = {norm(t) for t in items}
    parts = tuple(p for p in ex.parts if norm(p.text) not in own)
    story = sum(_words(p.text) for p in parts if p.kind != "head")
    if sum(map(_words, items)) > story:
        return ex  # longer than the story: no summary of it
    listed = [t for t in ex.dropped.get("item", []) if norm(t) in own]  # counted as a list of the page's
    return Extraction(**{**ex.__dict__, "parts": parts, "key_points": items, "key_points_from": source,
                         "with_items": tuple(t for t in ex.with_items if norm(t) not in own),
                         "furniture_words": ex.furniture_words - sum(map(_words, listed))})


def _extract(html: str, url: str | None) -> Extraction | None:
    precise = _reading(extraction(html, url, precision=True), url, "precision")
    balanced = _reading(extraction(html, url, precision=False), url, "balanced")
    if precise is None and balanced is None:
        return None
    if balanced is not None and balanced[0].words >= MIN_WORDS and (
            precise is None or precise[0].vocabulary < FULLER_SHARE * balanced[0].vocabulary):
        return balanced[0]  # precision mode lost the story
    if precise is None:
        return balanced[0] if balanced is not None else None
    ex = precise[0]
    holed = [p.text for p in ex.parts if p.kind == "p" and (_HOLE.search(p.text) or _LOWER_START.match(p.text))]
    if not holed:
        return ex
    if (balanced is not None and len(holed) >= 3 and len(holed) >= 0.25 * len(ex.paragraphs)
            and balanced[0].words >= ex.words):
        return balanced[0]  # precision mode cut the story at its links throughout
    # precision mode sometimes cuts an inline element out of a sentence ("high for .", "N225) declined"):
    # take the paragraph whole from the balanced reading, else leave it out (one that only starts in
    # lower case stays as it is)
    whole = [b for b in balanced[1] if b.kind == "p"] if balanced is not None else []
    mended = _mend(holed, whole, ex.title or "", ex.author or "")
    dropped = dict(ex.dropped)
    parts, fix, used = [], {}, set()
    for p in ex.parts:
        if p.text not in holed:
            parts.append(p)
            continue
        if p.text in mended:
            whole_text = mended[p.text]
            fix[p.text] = None if whole_text in used else whole_text  # several cut pieces of one paragraph
            if whole_text not in used:
                parts.append(Part("p", whole_text))
                used.add(whole_text)
        elif _HOLE.search(p.text):
            fix[p.text] = None
            dropped.setdefault("cut by the extractor", []).append(p.text)
        else:
            parts.append(p)
    with_items = tuple(fix.get(t, t) for t in ex.with_items if fix.get(t, t) is not None)
    return Extraction(**{**ex.__dict__, "parts": tuple(parts), "dropped": dropped, "with_items": with_items})


def not_an_article(ex: Extraction) -> str | None:
    """Why the page is not an article (one clause), or None when it is one."""
    from ..split import split_sentences

    words = ex.words
    sentences = sum(len(split_sentences(p)) for p in ex.paragraphs)
    if words + ex.furniture_words and ex.furniture_words / (words + ex.furniture_words) > MAX_FURNITURE_SHARE:
        share = ex.furniture_words / (words + ex.furniture_words)
        return (f"it is mostly lists, tables and links ({share:.0%} of its {words + ex.furniture_words:,} words), "
                f"like a navigation, shop or listing page")
    if words < MIN_WORDS or sentences < MIN_SENTENCES:
        return (f"its story text is too short ({words} words in {sentences} sentences; an article has at least "
                f"{MIN_WORDS} words in {MIN_SENTENCES} sentences)")
    return None


def page_article(data: bytes, name: str, *, url: str | None = None, header_charset: str | None = None,
                 override: str | None = None, fallback: str = "utf-8", any_page: bool = False) -> Article:
    """The article in an HTML document's bytes (see the module doc); raises :class:`InputError`."""
    html = decode_page(data, name, header=header_charset, override=override, fallback=fallback)
    ex = extract(html, url=url) if html.strip() else None
    if ex is None or not (ex.paragraphs or (any_page and ex.with_items)):
        raise InputError(f"{name}: no article text found on the page")
    why = not_an_article(ex)
    if why and not any_page:
        raise InputError(f"{name}: not an article: {why}; pass --any-page to summarize it anyway")
    if why:
        body, headings = "\n\n".join(ex.with_items), ()
    else:
        body, headings = "\n\n".join(p.text for p in ex.parts), ex.headings
    return Article(body=body, title=ex.title, name=name, layout="web", author=ex.author, date=ex.date, url=ex.url,
                   key_points=ex.key_points, key_points_from=KEY_POINTS_SOURCES.get(ex.key_points_from or ""),
                   headings=headings)
