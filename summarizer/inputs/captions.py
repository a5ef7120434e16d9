"""Whether the page's own markup marks a line as a caption.

A short sentence right after an image may be its caption or the story going on under a
picture. trafilatura's output does not keep the page's classes, so the reader asks the
page: :class:`CaptionMarks` finds the text of its ``<figure>`` and ``<figcaption>``
elements and of elements whose class or id names a caption, a credit or a legend
(``wp-caption-text``, ``image-credit``, ...), and says whether a line is inside one of
them. The page is parsed once, and only when a line needs asking.

>>> marks = CaptionMarks('<p><img src="a.jpg"></p><p class="photo-caption">The pier at dawn.</p>'
...                      '<p><img src="b.jpg"></p><p>The vote was 7 to 2.</p>')
>>> marks.marked("The pier at dawn."), marks.marked("The vote was 7 to 2.")
(True, False)
"""

from __future__ import annotations

import re

MARK = re.compile(r"caption|credit|legend|figure|wp-caption", re.IGNORECASE)
MAX_CHARS = 600  # a longer marked element is a container (a whole "figure-story" block), not a caption


def _squash(text: str) -> str:
    return " ".join(text.lower().split())


class CaptionMarks:
    """The captions the page marks (see the module doc)."""

    def __init__(self, html: str):
        self.html = html
        self._texts: list[str] | None = None

    def _load(self) -> list[str]:
        import lxml.etree
        import lxml.html

        try:
            root = lxml.html.fromstring(self.html)
        except (lxml.etree.ParserError, ValueError):
            return []
        out = []
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            names = " ".join((el.get("class") or "", el.get("id") or ""))
            if el.tag in ("figure", "figcaption") or MARK.search(names):
                text = _squash(el.text_content())
                if text and len(text) <= MAX_CHARS:
                    out.append(text)
        return out

    def marked(self, line: str) -> bool:
        """Whether ``line`` stands in a caption, credit or figure element of the page."""
        if self._texts is None:
            self._texts = self._load()
        probe = _squash(line)
        return any(probe in t for t in self._texts)
