"""A story split over several containers of one kind, as some sites print it between ads.

trafilatura takes the one element that holds the most text; a page that prints its story
in several sibling containers of the same kind (``<div class="article__body">``, an ad
between each) loses all but the first. ``continued(html, paragraph)`` finds the element
that holds the story's first paragraph, and the elements of the same tag and class near it
(their lowest common ancestor at most ``MAX_LEVELS`` levels above each); when there are
several, it returns a document of those elements alone, in page order, for the extractor
to read again. Otherwise None.
"""

from __future__ import annotations

import re

MAX_LEVELS = 4  # the containers are cousins under one story element, not blocks far apart on the page
PROBE_CHARS = 60  # of the first paragraph, to find the element that holds it


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _depth_to(el, ancestor) -> int | None:
    n = 0
    while el is not None:
        if el is ancestor:
            return n
        el = el.getparent()
        n += 1
    return None


def continued(html: str, paragraph: str) -> str | None:
    """A document of the story's containers when there are several (see the module doc), else None."""
    import lxml.etree
    import lxml.html

    probe = _squash(paragraph)[:PROBE_CHARS]
    if len(probe) < 20:
        return None
    try:
        root = lxml.html.fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return None
    holder = next((p for p in root.iter("p") if probe in _squash(p.text_content())), None)
    box = holder.getparent() if holder is not None else None
    if box is None or not box.get("class"):
        return None
    same = [el for el in root.iter(box.tag) if el.get("class") == box.get("class")]
    if len(same) < 2 or any(a is not b and _depth_to(b, a) is not None for a in same for b in same):
        return None  # one container, or containers nested in each other
    ancestor = box.getparent()
    for _ in range(MAX_LEVELS):
        if ancestor is None or all(_depth_to(el, ancestor) is not None for el in same):
            break
        ancestor = ancestor.getparent()
    if ancestor is None or any((d := _depth_to(el, ancestor)) is None or d > MAX_LEVELS for el in same):
        return None
    head = root.find("head")
    doc = lxml.html.Element("html")
    if head is not None:
        doc.append(head)  # the title and metadata stay the page's
    body = lxml.etree.SubElement(doc, "body")
    article = lxml.etree.SubElement(body, "article")
    for el in same:
        article.append(el)
    return lxml.html.tostring(doc, encoding="unicode")


# -- other stories' cards ------------------------------------------------------------------

MAX_CARD_WORDS = 200  # a card holds a teaser; a longer <article> may be a live blog's entry


def _nearest(el, tag: str):
    el = el.getparent()
    while el is not None and el.tag != tag:
        el = el.getparent()
    return el


def _links_away(card, page: str | None) -> bool:
    """Whether the card links to another page from its headline, its picture, or a bookmark link."""
    for a in card.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")) or (page and href.rstrip("/") == page):
            continue
        parent = a.getparent()
        if (a.get("rel") == "bookmark" or next(a.iter("img"), None) is not None
                or (parent is not None and parent.tag in ("h1", "h2", "h3", "h4", "h5", "h6"))):
            return True
    return False


def other_stories(html: str, paragraphs: list[str], page_url: str | None = None) -> set[str]:
    """The paragraphs (of ``paragraphs``, the story as read, first paragraph first) that stand in
    another story's card: an ``<article>`` element apart from the one holding the first paragraph
    (neither inside it nor around it), of at most ``MAX_CARD_WORDS`` words, that links to another
    page from its headline or picture, or stands in a row of such cards (a related post with its
    teaser, which the extractor took in)."""
    if len(paragraphs) < 2 or html.count("<article") < 2:
        return set()
    import lxml.etree
    import lxml.html

    try:
        root = lxml.html.fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return set()
    holders = [(el, _squash(el.text_content())) for el in root.iter("p")]

    def article_of(text: str):
        probe = _squash(text)[:PROBE_CHARS]
        el = next((el for el, t in holders if probe in t), None) if len(probe) >= 20 else None
        return _nearest(el, "article") if el is not None else None

    story = article_of(paragraphs[0])
    if story is None:
        return set()
    page = (page_url or "").rstrip("/") or None
    out = set()
    for text in paragraphs[1:]:
        card = article_of(text)
        if (card is None or card is story or _depth_to(card, story) is not None
                or _depth_to(story, card) is not None):
            continue
        parent = card.getparent()
        kin = [el for el in parent if el.tag == "article"] if parent is not None else [card]
        # one card of a row of them that links away marks the row (a card may link only from its "read more")
        if len(card.text_content().split()) <= MAX_CARD_WORDS and any(_links_away(el, page) for el in kin):
            out.add(text)
    return out
