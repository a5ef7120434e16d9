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
