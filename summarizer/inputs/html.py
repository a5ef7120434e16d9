"""Web pages: decode the bytes, extract the story with trafilatura, keep furniture out.

``page_article(data, name)`` turns an HTML document (fetched, a saved ``.html`` file,
or standard input) into an :class:`~summarizer.article.Article` whose body holds only
the story, and whose ``key_points`` are the page's own (written by people), or refuses
the page in one line. The bytes are decoded by :mod:`summarizer.inputs.charset`.

Extraction is trafilatura's (:mod:`.blocks`), read twice (each reading by :mod:`.story`): favouring precision, and in its
balanced mode. The precise reading is taken unless it keeps under ``FULLER_SHARE`` of the
story words of the balanced one (precision mode then lost the story: it kept a teaser, or
nothing); the furniture rules below apply to either.

1. structure first. Paragraphs are story text unless their shape says otherwise
   (:func:`.furniture.reason`: captions, runs of links, bylines, datelines, credits,
   prompts, contact lines, notices, metadata labels, short lines without a closing stop);
   a byline or wire dateline that opens a paragraph is cut off it and the sentence kept. A
   short sentence under an image is a caption only where the page does not mark its
   captions, or marks this one (:mod:`.captions`). A short line without a closing stop, a
   label line, or a heading, between story paragraphs is a subhead, and so is a standfirst
   above the story: read, never a key point. Block quotes are story text when their
   paragraphs pass the same rules (a quote in words needs no closing stop), unless they
   repeat a story paragraph (a pull quote). A table inside the story, and lines under a
   lead-in ("The tour stops at:"), are read a row or a line at a time, never a key point;
   other tables and code are not read. Teasers of other stories' cards (a sibling
   ``<article>`` that links away, :func:`.containers.other_stories`) are left out;
2. lists. A list under a label such as ``Key Points`` or ``Highlights``, or a list of
   two or more sentences above the story's first paragraph, is the page's own key points
   (unless it is links: then it is navigation). A list inside the story (story text
   before and after it, or under a subhead of its own after it, in words) whose items are
   not links, or a list of sentences, is story text.
   A reference list or bibliography (under ``References``, ``Bibliography``, ``Notes``,
   ... or items shaped like citations) is left out of the story and of the page's
   measure of lists. Other lists are furniture. Key points longer than the story they
   would summarize are read as the story.

When in doubt a line is dropped: losing one story sentence costs less than a caption
or a byline as a key point.

A page is **not an article** when its story text (subheads included) is too short (fewer
than ``MIN_WORDS`` words or ``MIN_SENTENCES`` sentences), or when lists, tables and runs
of links outweigh it (a navigation, shop or listing page); ``any_page=True`` takes it
anyway, with its prose list items as story text.
"""

from __future__ import annotations

import re

from ..article import Article
from ..errors import NotAnArticleError
from .blocks import Block, collect, count_words, extraction
from .captions import CaptionMarks
from .charset import decode_page
from .containers import continued, other_stories
from .fetch import redacted
from .furniture import SHORT_CAPTION_WORDS, norm, reason, strip_byline
from .keypoints import page_key_points
from .story import LINES, Extraction, Part, read_story

__all__ = ["Extraction", "Part", "extract", "not_an_article", "page_article"]
_words = count_words

MIN_WORDS = 60  # a news brief has about this many; less is a teaser, a notice or a gallery
MIN_SENTENCES = 2  # a news brief can be two long sentences; one is a notice or a teaser
MAX_FURNITURE_SHARE = 0.5  # lists, tables and link runs above this share of the words: not an article
FULLER_SHARE = 0.5  # precision mode keeping less than this share of balanced mode's story: it lost the story

KEY_POINTS_SOURCES = {
    "list": "the page's Key Points list",
    "highlights": "the bulleted highlights above the story",
}


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


def _reading(doc, url: str | None, mode: str, marks: CaptionMarks | None = None) -> tuple[Extraction, list[Block]] | None:
    body = getattr(doc, "body", None) if doc is not None else None
    if body is None:
        return None
    blocks = collect(body)
    if marks is not None:
        for b in blocks:  # a short sentence under an image: is it the page's caption, or the story going on?
            if b.kind == "p" and b.after_graphic is not None and b.words <= SHORT_CAPTION_WORDS:
                b.caption_marked = marks.marked(b.text)
    ex = read_story(blocks, (doc.title or "").strip(), (doc.author or "").strip())
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
    if ex is not None and first is not None:
        ex = _without_other_stories(ex, html)
    if ex is None or ex.key_points:
        return ex
    found = page_key_points(html, first)  # a box above the story that the extractor left out
    if found is None:
        return ex
    items, source = found
    own = {norm(t) for t in items}
    parts = tuple(p for p in ex.parts if norm(p.text) not in own)
    story = sum(_words(p.text) for p in parts if p.kind not in LINES)
    if sum(map(_words, items)) > story:
        return ex  # longer than the story: no summary of it
    listed = [t for t in ex.dropped.get("item", []) if norm(t) in own]  # counted as a list of the page's
    return Extraction(**{**ex.__dict__, "parts": parts, "key_points": items, "key_points_from": source,
                         "with_items": tuple(t for t in ex.with_items if norm(t) not in own),
                         "furniture_words": ex.furniture_words - sum(map(_words, listed))})


def _without_other_stories(ex: Extraction, html: str) -> Extraction:
    """The story without the teasers of other stories' cards that the extractor took in (:func:`.containers.other_stories`)."""
    others = other_stories(html, [p.text for p in ex.parts if p.kind == "p"], ex.url)
    if not others:
        return ex
    dropped = {**ex.dropped, "other story": [t for t in others]}
    return Extraction(**{**ex.__dict__, "parts": tuple(p for p in ex.parts if p.text not in others), "dropped": dropped,
                         "with_items": tuple(t for t in ex.with_items if t not in others)})


def _extract(html: str, url: str | None) -> Extraction | None:
    marks = CaptionMarks(html)
    precise = _reading(extraction(html, url, precision=True), url, "precision", marks)
    balanced = _reading(extraction(html, url, precision=False), url, "balanced", marks)
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

    words = ex.words + sum(map(_words, ex.headings))  # subheads and a standfirst are story text, read with it
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
        raise NotAnArticleError(f"{name}: no article text found on the page")
    why = not_an_article(ex)
    if why and not any_page:
        raise NotAnArticleError(f"{name}: not an article: {why}; pass --any-page to summarize it anyway")
    if why:
        body, headings = "\n\n".join(ex.with_items), ()
    else:
        body, headings = "\n\n".join(p.text for p in ex.parts), ex.headings
    url = redacted(ex.url) if ex.url else ex.url  # a canonical URL the page gives may carry a user part
    return Article(body=body, title=ex.title, name=name, layout="web", author=ex.author, date=ex.date, url=url,
                   key_points=ex.key_points, key_points_from=KEY_POINTS_SOURCES.get(ex.key_points_from or ""),
                   headings=headings)
