"""A page's own key points, found in its HTML where the extractor does not look.

News pages often print their key points in a box of their own above the story (CNBC's
"Key Points", the Daily Mail's bulleted highlights), which trafilatura leaves out with the
rest of the page's furniture. ``page_key_points(html, first_paragraph)`` looks for them in
the whole document:

* a **labelled list**: an element whose whole text is a label such as ``Key Points``,
  ``Highlights`` or ``Key takeaways`` (not ``Summary``: a contents list often follows
  one), followed within ``MAX_GAP`` elements by a list
  (``ul``/``ol``) whose items are text, not links (a list of links under such a label is
  navigation, and is no key points);
* a **highlights list**: a list that stands between the page's headline (``h1``) and the
  story's first paragraph, of two items or more, each a sentence of at least
  ``MIN_WORDS`` words that is not a link.

It returns the items and where they came from (``"list"`` or ``"highlights"``), or None.
"""

from __future__ import annotations

import re

from .furniture import closes

MAX_GAP = 12  # elements between a label and its list, in document order
MIN_WORDS = 5  # an unlabelled highlight is a sentence at least this long
MAX_ITEM_WORDS = 80  # a longer item is a story written as a list, not a key point
PROBE_CHARS = 60

LABEL = re.compile(
    r"^(?:key (?:points|takeaways|facts)|(?:story )?highlights|takeaways|at a glance|in brief|the big picture|"
    r"the short version|tl;? ?dr|what (?:you need to|to) know|main points|quick read|"
    r"points clés|wichtigste punkte|das wichtigste)\s*:?$", re.IGNORECASE)


def _text(el) -> str:
    return " ".join("".join(el.itertext()).split())


def _link_text(el) -> int:
    return sum(len(_text(a)) for a in el.iter("a"))


def _items(lst) -> list[str] | None:
    """The list's items as text; None when they are links (navigation), empty, or too long."""
    items = [li for li in lst if getattr(li, "tag", None) == "li"]
    while len(items) > 1 and _link_text(items[-1]) >= 0.5 * len(_text(items[-1])):
        items.pop()  # a link after the points ("Visit our homepage for more stories.")
    texts = [_text(li) for li in items]
    if not texts or any(not t for t in texts):
        return None
    if any(_link_text(li) >= 0.5 * len(t) for li, t in zip(items, texts)):
        return None  # a list of links: navigation under a label, or a teaser list
    if any(len(t.split()) > MAX_ITEM_WORDS for t in texts):
        return None
    return texts


def _labelled(root) -> list[str] | None:
    order = list(root.iter())
    index = {el: i for i, el in enumerate(order)}
    for el in order:
        if not isinstance(el.tag, str) or el.tag in ("li", "a", "script", "style", "title"):
            continue
        text = _text(el)
        if len(text) > 40 or not LABEL.match(text):
            continue
        # the first list after the label (not one that holds the label)
        start = index[el] + len(list(el.iter()))
        for nxt in order[start:start + MAX_GAP * 4]:
            if nxt.tag in ("ul", "ol"):
                return _items(nxt)
            if nxt.tag == "p" and len(_text(nxt).split()) >= 20:
                break  # the story began: the label heads no list
        return None
    return None


def _highlights(root, first_paragraph: str) -> list[str] | None:
    probe = " ".join(first_paragraph.split())[:PROBE_CHARS]
    headline = next(root.iter("h1"), None)
    if headline is None or len(probe) < 20:
        return None
    seen_headline = False
    for el in root.iter():
        if el is headline:
            seen_headline = True
        elif not seen_headline:
            continue
        elif el.tag == "p" and probe in _text(el):
            return None  # the story began without a list above it
        elif el.tag in ("ul", "ol"):
            texts = _items(el)
            if texts and len(texts) >= 2 and all(len(t.split()) >= MIN_WORDS and closes(t) for t in texts):
                return texts
    return None


def page_key_points(html: str, first_paragraph: str | None) -> tuple[tuple[str, ...], str] | None:
    """The page's own key points and where they came from (see the module doc), or None."""
    import lxml.etree
    import lxml.html

    try:
        root = lxml.html.fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return None
    for bad in root.xpath("//script|//style|//noscript|//template"):
        bad.drop_tree()
    items = _labelled(root)
    if items:
        return tuple(items), "list"
    items = _highlights(root, first_paragraph) if first_paragraph else None
    return (tuple(items), "highlights") if items else None
