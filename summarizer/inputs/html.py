"""Web pages: decode the bytes, extract the story with trafilatura, keep furniture out.

``page_article(data, name)`` turns an HTML document (fetched, a saved ``.html`` file,
or standard input) into an :class:`~summarizer.article.Article` whose body holds only
story paragraphs, or refuses the page in one line.

The bytes are decoded by :mod:`summarizer.inputs.charset` (what the page declares).

Extraction is trafilatura's, favouring precision, with images, tables and links kept in
its structured output so that they can be told apart (comments are left out):

1. structure first: only paragraphs (``<p>``) can be story text; headings, list items,
   table cells, block quotes (embedded posts), code and loose text in containers never
   are. A paragraph that holds an image, or that follows one and reads like a caption
   (short, no closing full stop, a photo credit, or the image's own alt text), is a
   caption. A paragraph that is mostly link text is a run of links;
2. then the shape of what is left: bylines (``By ...``, the page's author), datelines
   and time stamps, credit and copyright lines, prompts (``Related:``, ``Read more``,
   ``Sign up``, ``Share``, ``Subscribe``, ...), advertising notices, and lines of up to
   ``MAX_UNCLOSED_WORDS`` words without a closing stop (headings, labels, teaser runs)
   are dropped. A wire dateline that opens a paragraph (``KVELLER via JTA — The state
   ...``) is cut off it.

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
from ..errors import NotAnArticleError
from .charset import decode_page

MIN_WORDS = 60  # a news brief has about this many; less is a teaser, a notice or a gallery
MIN_SENTENCES = 3  # a story needs a few sentences to choose from
MAX_UNCLOSED_WORDS = 40  # a longer paragraph without a closing stop is taken as text that lost its stop
MAX_FURNITURE_SHARE = 0.5  # lists, tables and link runs above this share of the words: not an article

# -- extraction ------------------------------------------------------------------------

@dataclass
class _Block:
    kind: str  # "p", "item", "cell", "quote", "code", "head", "loose"
    text: str = ""
    link_chars: int = 0
    links: int = 0
    has_graphic: bool = False
    after_graphic: str | None = None  # after an image: its alt/title text ("" if it has none)
    link_led: bool = False  # the block opens with a link (a teaser in a list)


@dataclass(frozen=True)
class Extraction:
    """What the extractor found: story paragraphs, and the rest by kind, with metadata."""

    paragraphs: tuple[str, ...]
    dropped: dict[str, list[str]] = field(default_factory=dict, hash=False)  # reason -> texts
    with_items: tuple[str, ...] = ()  # the paragraphs and prose list items, in order (for ``any_page``)
    furniture_words: int = 0  # words in lists, tables and link runs
    title: str | None = None
    author: str | None = None
    date: str | None = None
    url: str | None = None


def _words(text: str) -> int:
    return len(text.split())


def _collect(body) -> list[_Block]:
    """The body's text blocks in reading order, each with its kind and link share."""
    blocks: list[_Block] = []
    last_graphic: list[str | None] = [None]  # the alt text of the image just before, if any
    seen_graphic: list[str] = []  # images inside the paragraph being read

    def graphic_text(el) -> str:
        return " ".join(v for v in (el.get("alt"), el.get("title")) if v)

    def inline(el, block: _Block, segments: list[_Block], in_link: bool) -> None:
        # text of a paragraph-like element; <lb/> starts a new segment (a line break
        # between paragraphs that the page put in one element)
        def add(text: str | None, link: bool) -> None:
            if text:
                cur = segments[-1]
                if link and not cur.text.strip():
                    cur.link_led = True
                cur.text += text
                if link:
                    cur.link_chars += len(text.strip())

        add(el.text, in_link)
        for child in el:
            if child.tag == "lb":
                segments.append(_Block(block.kind, after_graphic=None))
            elif child.tag == "graphic":
                segments[-1].has_graphic = True
                seen_graphic.append(graphic_text(child))
            else:
                is_link = in_link or child.tag == "ref"
                if child.tag == "ref":
                    segments[-1].links += 1
                inline(child, block, segments, is_link)
            add(child.tail, in_link)

    def paragraph(el, kind: str) -> None:
        first = _Block(kind, after_graphic=last_graphic[0])
        segments = [first]
        seen_graphic.clear()
        inline(el, first, segments, False)
        for seg in segments:
            seg.text = " ".join(seg.text.split())
            if seg.text:
                blocks.append(seg)
        # a paragraph that is only an image is an image: a caption may follow it
        last_graphic[0] = seen_graphic[-1] if seen_graphic and not any(seg.text for seg in segments) else None

    def walk(el, kind: str | None) -> None:
        for child in el:
            tag = child.tag
            if tag == "graphic":
                last_graphic[0] = graphic_text(child)
            elif tag == "p":
                paragraph(child, kind or "p")
            elif tag == "head":
                paragraph(child, "head")
            elif tag == "list":
                walk(child, "item")
            elif tag == "item":
                if any(c.tag in ("p", "list") for c in child):
                    walk(child, "item")
                else:
                    paragraph(child, "item")
            elif tag == "table":
                for cell in child.iter("cell"):
                    paragraph(cell, "cell")
            elif tag == "quote":
                if any(c.tag == "p" for c in child):
                    walk(child, "quote")
                else:
                    paragraph(child, "quote")
            elif tag == "code":
                paragraph(child, "code")
            else:  # div and the like: its own loose text is not a paragraph
                if (child.text or "").strip():
                    blocks.append(_Block("loose", " ".join(child.text.split())))
                walk(child, kind)
            if child.tail and child.tail.strip():
                blocks.append(_Block("loose", " ".join(child.tail.split())))

    walk(body, None)
    return blocks


_STOP = re.compile(r"[.!?…][\"'”’)\]]*$")  # a closing stop (an abbreviation's counts too: "... the U.S.")
_INNER_STOP = re.compile(r"[.!?…][\"'”’)\]]*\s+[\"“‘(]?[A-Z]")  # a sentence ends inside: prose
_CITATION = re.compile(r"\s*\[[^\]]{1,40}\]\s*$")  # "... flush. [source]"
_BYLINE = re.compile(
    r"^(?:(?:written|words|story|(?:additional )?reporting|reported|text|interview|photos?|video|compiled|"
    r"edit(?:ed|ing))\s+by|by)\s+"
    r"[A-Z\u00C0-\u024F]", re.IGNORECASE)
_BYLINE_INSIDE = re.compile(r"(?:^|[|•·])\s*[Bb][Yy]\s+[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3}\s*(?:[|•·,]|$)")
_CREDIT = re.compile(
    r"^(?:photo(?:graph)?s?|images?|pictures?|video|graphic|illustration|credits?|courtesy|source|"
    r"file photo|screenshot)\b[^.]{0,40}?(?::|\bby\b|\bcredit\b|/|\bcourtesy\b)"
    r"|\((?:AP|AFP|Reuters|Getty|EPA|PA|Shutterstock|Bloomberg)\b[^)]*\)\s*$"
    r"|(?:Getty Images|Shutterstock|AP Photo|/ ?(?:Reuters|AFP|AP|EPA))\W*$"
    r"|\b(?:reuters|afp|epa|ap photo)\s*/\s*\w"
    r"|©|\ball rights reserved\b|^copyright\b|\bcreative commons\b|\bCC BY\b|\blicensed under\b",
    re.IGNORECASE)
_PROMPT = re.compile(
    r"^\W*(?:related(?:\s+(?:stories|articles|content|coverage|reading|posts|videos|links|news))?\b(?!\s+(?:to|by)\b)|"
    r"read (?:more|next|also|the full)|also read|more (?:from|on|about|stories)\b|see also|recommended\b|"
    r"you (?:may|might) (?:also )?like|sign up|subscribe|follow (?:us|@)|share (?:this|on|via|the)|share:|"
    r"click here|check out:|watch:|listen:|advertisement|sponsored|trending|most popular|don'?t miss|"
    r"editor'?s picks?|up next|top stories|get (?:the|our) \S+(?: \S+){0,4} newsletter|download (?:our|the) app|"
    r"previous (?:article|post)|next (?:article|post)|comments?\b|leave a (?:comment|reply)|join the conversation|"
    r"follow \S+(?: \S+)? on (?:twitter|x|facebook|instagram)|(?:contact|email) the (?:author|reporter)|"
    r"(?:image|photo|slide|picture)s? \d+ (?:of|/) \d+)",
    re.IGNORECASE)
_PROMPT_INSIDE = re.compile(r"\b(?:sign up|subscribe|newsletter|click here|share this|follow us)\b", re.IGNORECASE)
_NOTICE = re.compile(
    r"advertiser disclosure|affiliate (?:link|commission|partner)|we may (?:earn|receive) (?:a )?(?:commission|"
    r"compensation)|participant in the amazon|sponsored content|paid content|cookies? (?:policy|settings)|"
    r"terms of (?:use|service)|privacy policy",
    re.IGNORECASE)
_MONTHS = ("jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june july "
           "august september october november december mon tue wed thu fri sat sun monday tuesday wednesday "
           "thursday friday saturday sunday").split()
_DATE_WORDS = frozenset(_MONTHS) | frozenset(
    """published updated posted last modified on at date news category am pm a.m. p.m. et est edt ct cst cdt
    pt pst pdt gmt utc bst cet cest ist today yesterday ago min mins minute minutes hour hours read
    the""".split())
_NUMERIC_DATE = re.compile(r"^\d{1,4}[/.:-]\d{1,2}(?:[/.:-]\d{1,4})?(?:am|pm)?$", re.IGNORECASE)
_DATE_TOKEN = re.compile(r"^(?:\d[\d/.:,-]*(?:st|nd|rd|th|am|pm)?|[|:,–—-]+)$", re.IGNORECASE)
# "PORT ELLIS, Wash. (AP) — ", "KVELLER via JTA — ": a place or source in capitals before a dash
_WIRE = re.compile(
    r"^[A-Z][A-Z.'’ ]{2,40}(?:,\s*[A-Z][A-Za-z.]{1,14})?(?:\s+via\s+[A-Z][A-Za-z]{1,15})?"
    r"(?:\s*\([A-Z][A-Za-z. ]{1,25}\))?\s*(?:[—–]|--?)\s+(?=[A-Z\"“‘])")
# a space before a full stop or comma: precision mode cut an inline element (a link) out
_HOLE = re.compile(r"(?<=\w)\s+(?=[.,;:!?](?:\s|$))")


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def _is_dateline(text: str) -> bool:
    tokens = [t.strip(".,()[]").lower() for t in text.split()]
    # a month or weekday, a numeric date or time ("04/21/2022", "10:00"), or "... ago"
    if len(tokens) > 15 or not any(t in _MONTHS or t == "ago" or _NUMERIC_DATE.match(t) for t in tokens):
        return False
    rest = [t for t in tokens if t and t not in _DATE_WORDS and not _DATE_TOKEN.match(t)]
    return len(rest) <= 3


def _reason(block: _Block, title: str, author: str) -> str | None:
    """Why a paragraph is not story text (None: it is)."""
    text, words = block.text, _words(block.text)
    link_share = block.link_chars / max(1, len(text))
    if block.links and (link_share >= 0.8 or (link_share >= 0.5 and block.links >= 2)
                        or words - round(words * link_share) <= 2):
        return "link run"
    if block.has_graphic and words <= 40:
        return "caption"
    if block.after_graphic is not None:
        alt = _norm(block.after_graphic)
        if (_CREDIT.search(text) or not _STOP.search(text) or words <= 15
                or (alt and (alt in _norm(text) or _norm(text) in alt))):
            return "caption"
    if _BYLINE.match(text) and words <= 15 or _BYLINE_INSIDE.search(text) and words <= 15:
        return "byline"
    if author and words <= 8 and _norm(text).startswith(_norm(author.split(";")[0])):
        return "byline"
    if _is_dateline(text):
        return "dateline"
    if _CREDIT.search(text) and words <= 40:
        return "credit"
    if _PROMPT.match(text) or (_PROMPT_INSIDE.search(text) and words <= 25):
        return "prompt"
    if _NOTICE.search(text):
        return "notice"
    if title and _norm(text) == _norm(title):
        return "title"
    if (not _STOP.search(_CITATION.sub("", text)) and words <= MAX_UNCLOSED_WORDS
            and not _INNER_STOP.search(text)):
        # a story paragraph closes with a stop: a line without one (and without a sentence
        # inside) is a heading, a label, a run of teasers, or a lead-in to a list
        return "lead-in" if text.rstrip().endswith(":") else "heading"
    return None


def _bare(html: str, url: str | None, precision: bool):
    import trafilatura

    return trafilatura.bare_extraction(
        html, url=url, favor_precision=precision, include_comments=False, include_images=True,
        include_tables=True, include_links=True, include_formatting=False, with_metadata=True,
    )


def _in_order(fragments: list[str], text: str) -> bool:
    pos = 0
    for f in fragments:
        pos = text.find(f, pos)
        if pos < 0:
            return False
        pos += len(f)
    return True


def _mend(holed: list[str], html: str, url: str | None, title: str, author: str) -> dict[str, str]:
    """Whole copies of paragraphs that precision mode left with holes, from a balanced extraction."""
    doc = _bare(html, url, precision=False)
    whole = [b for b in _collect(doc.body) if b.kind == "p"] if doc is not None and doc.body is not None else []
    out = {}
    for text in holed:
        # the text between punctuation marks must all be there, in order (a cut sits before one);
        # the same text in both is the page's own spacing ("Parr . 2010"), not a cut
        fragments = [f for f in re.split(r"\s*[.,;:!?]+\s*", text) if f]
        match = next((b for b in whole if b.text == text), None) or next(
            (b for b in whole if fragments and not _HOLE.search(b.text) and len(b.text) <= 2 * len(text) + 200
             and _in_order(fragments, b.text)), None)
        if match is not None and _reason(match, title, author) is None:  # the whole copy must pass too
            out[text] = match.text
    return out


def extract(html: str, *, url: str | None = None) -> Extraction | None:
    """Story paragraphs and metadata of an HTML document; None when trafilatura finds no text."""
    doc = _bare(html, url, precision=True)
    body = getattr(doc, "body", None) if doc is not None else None
    if body is None:
        return None
    title = (doc.title or "").strip()
    author = (doc.author or "").strip()
    kept: list[tuple[str, bool]] = []  # story paragraphs and prose list items (True), in order
    dropped: dict[str, list[str]] = {}
    furniture = 0
    for block in _collect(body):
        if block.kind == "p":
            reason = _reason(block, title, author)
            if reason is None:
                kept.append((block.text, False))
                continue
            if reason == "link run":
                furniture += _words(block.text)
        else:
            reason = block.kind
            if block.kind in ("item", "cell"):
                furniture += _words(block.text)
            if block.kind == "item" and not block.link_led and _words(block.text) >= 8 and _STOP.search(
                    block.text) and block.link_chars < 0.3 * len(block.text):
                kept.append((block.text, True))
        dropped.setdefault(reason, []).append(block.text)
    holed = [t for t, _ in kept if _HOLE.search(t)]
    if holed:
        # precision mode sometimes cuts an inline element out of a sentence ("high for ."):
        # take the paragraph whole from a balanced extraction, else leave it out
        mended = _mend(holed, html, url, title, author)
        for t in holed:
            if t not in mended:
                dropped.setdefault("cut by the extractor", []).append(t)
        kept = [(mended.get(t, t), item) for t, item in kept if t in mended or not _HOLE.search(t)]
    kept = [(_WIRE.sub("", t, count=1), item) for t, item in kept]
    return Extraction(tuple(t for t, item in kept if not item), dropped, tuple(t for t, _ in kept), furniture,
                      title or None, author or None, doc.date or None, doc.url or url or None)


def not_an_article(ex: Extraction) -> str | None:
    """Why the page is not an article (one clause), or None when it is one."""
    from ..split import split_sentences

    words = sum(_words(p) for p in ex.paragraphs)
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
    paragraphs = ex.paragraphs
    if why and not any_page:
        raise NotAnArticleError(f"{name}: not an article: {why}; pass --any-page to summarize it anyway")
    if why:
        paragraphs = ex.with_items
    return Article(body="\n\n".join(paragraphs), title=ex.title, name=name, layout="web",
                   author=ex.author, date=ex.date, url=ex.url)
