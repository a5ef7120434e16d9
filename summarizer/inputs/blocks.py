"""trafilatura's structured output as text blocks in reading order.

``extraction(html, url, precision=...)`` runs trafilatura once (images, tables and links
kept in its XML so that they can be told apart; comments left out), and ``collect(body)``
turns its XML body into :class:`Block` values: the kind of element each came from
(paragraph, heading, list item, table cell, quote, code, loose text), its link text,
whether it holds or follows an image, and which list, quote or table it belongs to.
What a block *is* (story, caption, byline, key point, ...) is decided elsewhere
(:mod:`.furniture`, :mod:`.html`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# scripts written without spaces between words: Chinese, Japanese kana, Thai, Lao, Khmer, Myanmar
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0eff\u1000-\u109f"
                       r"\u1780-\u17ff\uff66-\uff9f]")
CHARS_PER_WORD = 2  # in those scripts, about two characters a word


def count_words(text: str) -> int:
    """Words in ``text``: white-space separated, and in scripts without spaces (Chinese,
    Japanese, Thai, ...) one for every ``CHARS_PER_WORD`` characters.

    >>> count_words("The board voted."), count_words("市议会周一通过了预算。")
    (3, 5)
    """
    unspaced = len(_UNSPACED.findall(text))
    if not unspaced:
        return len(text.split())
    spaced = [t for t in _UNSPACED.sub(" ", text).split() if any(c.isalnum() for c in t)]
    return len(spaced) + -(-unspaced // CHARS_PER_WORD)


@dataclass
class Block:
    kind: str  # "p", "item", "cell", "quote", "code", "head", "loose"
    text: str = ""
    link_chars: int = 0
    links: int = 0
    has_graphic: bool = False
    alt: str = ""  # the alt/title text of the images it holds
    after_graphic: str | None = None  # after an image: its alt/title text ("" if it has none)
    caption_marked: bool | None = None  # whether the page's markup marks it as a caption (None: not asked)
    link_led: bool = False  # the block opens with a link (a teaser in a list)
    lead: str = ""  # the text of that opening link
    group: int | None = None  # the list, quote or table it belongs to (blocks of one share the number)
    row: int | None = None  # a table cell's row (cells of one share the number)

    @property
    def words(self) -> int:
        return count_words(self.text)

    @property
    def link_share(self) -> float:
        return self.link_chars / max(1, len(self.text))


def extraction(html: str, url: str | None, *, precision: bool) -> Any:
    """trafilatura's document (metadata and XML body) in precision or balanced mode; None without text."""
    import trafilatura

    return trafilatura.bare_extraction(
        html, url=url, favor_precision=precision, include_comments=False, include_images=True,
        include_tables=True, include_links=True, include_formatting=False, with_metadata=True,
    )


def collect(body) -> list[Block]:
    """The body's text blocks in reading order, each with its kind and link share."""
    blocks: list[Block] = []
    last_graphic: list[str | None] = [None]  # the alt text of the image just before, if any
    seen_graphic: list[str] = []  # images inside the paragraph being read
    groups = [0]

    def graphic_text(el) -> str:
        return " ".join(v for v in (el.get("alt"), el.get("title")) if v)

    def inline(el, block: Block, segments: list[Block], in_link: bool) -> None:
        # text of a paragraph-like element; <lb/> starts a new segment (a line break
        # between paragraphs that the page put in one element)
        def add(text: str | None, link: bool) -> None:
            if text:
                cur = segments[-1]
                if link and not cur.text.strip():
                    cur.link_led = True
                if cur.link_led and link and cur.lead.strip() == cur.text.strip():  # still in the opening link
                    cur.lead += text
                cur.text += text
                if link:
                    cur.link_chars += len(text.strip())

        add(el.text, in_link)
        for child in el:
            if child.tag == "lb":
                segments.append(Block(block.kind, after_graphic=None, group=block.group))
            elif child.tag == "graphic":
                segments[-1].has_graphic = True
                segments[-1].alt = " ".join(filter(None, (segments[-1].alt, graphic_text(child))))
                seen_graphic.append(graphic_text(child))
            else:
                is_link = in_link or child.tag == "ref"
                if child.tag == "ref":
                    segments[-1].links += 1
                inline(child, block, segments, is_link)
            add(child.tail, in_link)

    def paragraph(el, kind: str, group: int | None) -> None:
        first = Block(kind, after_graphic=last_graphic[0], group=group)
        segments = [first]
        seen_graphic.clear()
        inline(el, first, segments, False)
        for seg in segments:
            seg.text = _GLUED.sub(" ", " ".join(seg.text.split()))
            if seg.text:
                blocks.append(seg)
        # a paragraph that is only an image is an image: a caption may follow it
        last_graphic[0] = seen_graphic[-1] if seen_graphic and not any(seg.text for seg in segments) else None

    def new_group() -> int:
        groups[0] += 1
        return groups[0]

    def walk(el, kind: str | None, group: int | None) -> None:
        for child in el:
            tag = child.tag
            if tag == "graphic":
                last_graphic[0] = graphic_text(child)
            elif tag == "p":
                paragraph(child, kind or "p", group)
            elif tag == "head":
                paragraph(child, "head", None)
            elif tag == "list":
                walk(child, "item", group if kind == "item" else new_group())  # a nested list is its parent's
            elif tag == "item":
                if any(c.tag in ("p", "list") for c in child):
                    walk(child, "item", group)
                else:
                    paragraph(child, "item", group)
            elif tag == "table":
                g = new_group()
                rows = list(child.iter("row")) or [child]
                for row in rows:
                    start = len(blocks)
                    for cell in row.iter("cell"):
                        paragraph(cell, "cell", g)
                    r = new_group()
                    for b in blocks[start:]:
                        b.row = r
            elif tag == "quote":
                g = group if kind == "quote" else new_group()
                if any(c.tag == "p" for c in child):
                    walk(child, "quote", g)
                else:
                    paragraph(child, "quote", g)
            elif tag == "code":
                paragraph(child, "code", None)
            elif tag in ("ref", "hi"):  # inline text outside a paragraph: loose, joined below if it goes on one
                text = " ".join("".join(child.itertext()).split())
                if text:
                    blocks.append(Block("loose", text, len(text) if tag == "ref" else 0, int(tag == "ref"),
                                        group=group))
            else:  # div and the like: its own loose text is not a paragraph
                if (child.text or "").strip():
                    blocks.append(Block("loose", " ".join(child.text.split())))
                walk(child, kind, group)
            if child.tail and child.tail.strip():
                blocks.append(Block("loose", " ".join(child.tail.split())))

    walk(body, None, None)
    return _rejoin(blocks)


# a sentence glued to the next, the page's line break lost ("... a chief physician.Police arrested ..."):
# a word of two lower-case letters or more, its stop, a capitalised word (not "e.g.The", "U.S.Army", "example.com")
_GLUED = re.compile(r"(?<=[a-z]{2}[.!?])(?=[A-Z][a-z])")
_GOES_ON = re.compile(r"^[a-z,.;:!?)\]’”%]")  # text that carries on a sentence


def _rejoin(blocks: list[Block]) -> list[Block]:
    """Paragraphs that the extractor cut at a link (``<p>... publication </p><ref>DigiTimes</ref><p>. A
    preview ...``) joined again: a paragraph or loose text without a closing stop, and what carries
    it on (loose text, or a paragraph that starts in lower case or with punctuation)."""
    out: list[Block] = []
    for b in blocks:
        prev = out[-1] if out else None
        if (prev is not None and prev.kind in ("p", "loose") and b.kind in ("p", "loose") and prev.group == b.group
                and not _CLOSED.search(prev.text) and (b.kind == "loose" or _GOES_ON.match(b.text))
                and (prev.kind == "p" or b.kind == "p")):
            glue = "" if re.match(r"^[,.;:!?)\]’”%]", b.text) else " "
            prev.text += glue + b.text
            prev.link_chars += b.link_chars
            prev.links += b.links
            prev.has_graphic = prev.has_graphic or b.has_graphic
            prev.alt = " ".join(filter(None, (prev.alt, b.alt)))
            prev.kind = "p"
            continue
        out.append(b)
    return out


_CLOSED = re.compile(r"[.!?…。｡！？।॥؟።][\"'”’»)\]」』]*$")
