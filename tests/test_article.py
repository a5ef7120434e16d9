"""The CNBC page layout and plain text: title, key points, caption, body."""

from __future__ import annotations

import pytest

from helpers import EXAMPLE
from summarizer.article import Article, parse_article

CNBC = """Bakery chain to close twelve stores as flour costs climb

Key Points
• Crumb & Co. will close 12 of its 40 stores by March.
• The company blames a 30% rise in flour prices since last spring.
VIDEO 1:45 Why bread costs more this year

Crumb & Co. said on Monday it would close 12 of its 40 bakeries by March. About 90 workers will lose their jobs.

The chain's owner, Priya Nair, said flour now costs 30% more than a year ago. "We held prices as long as we could," she said.
"""


def test_cnbc_layout_parts():
    a = parse_article(CNBC, name="bakery.txt")
    assert a.layout == "cnbc"
    assert a.name == "bakery.txt"
    assert a.title == "Bakery chain to close twelve stores as flour costs climb"
    assert a.key_points == (
        "Crumb & Co. will close 12 of its 40 stores by March.",
        "The company blames a 30% rise in flour prices since last spring.",
    )
    assert a.caption == "VIDEO 1:45 Why bread costs more this year"
    assert a.body.startswith("Crumb & Co. said on Monday")
    assert a.body.endswith('she said.')


def test_body_excludes_title_key_points_and_caption():
    a = parse_article(CNBC)
    for part in (a.title, a.caption, *a.key_points, "Key Points", "•"):
        assert part not in a.body
    assert [s.text for s in a.sentences] == [
        "Crumb & Co. said on Monday it would close 12 of its 40 bakeries by March.",
        "About 90 workers will lose their jobs.",
        "The chain's owner, Priya Nair, said flour now costs 30% more than a year ago.",
        '"We held prices as long as we could," she said.',
    ]
    for s in a.sentences:
        assert a.body[s.start : s.end] == s.text


def test_cnbc_without_caption():
    text = CNBC.replace("VIDEO 1:45 Why bread costs more this year\n", "")
    a = parse_article(text)
    assert a.caption is None
    assert len(a.key_points) == 2
    assert a.body.startswith("Crumb & Co. said on Monday")


def test_caption_needs_a_clip_length():
    # a first paragraph that starts with "Video" is body text, not a caption
    text = "Game makers report a record year\nKey Points\n• Sales rose.\nVideo game sales rose 12% in May. Consoles led."
    a = parse_article(text)
    assert a.caption is None
    assert a.body == "Video game sales rose 12% in May. Consoles led."


def test_key_points_header_variants_and_crlf():
    text = "Title here\r\n\r\nKEY POINTS:\r\n\r\n• One point.\r\n\r\n• Two point.\r\n\r\nThe body. It ends."
    a = parse_article(text)
    assert a.layout == "cnbc"
    assert a.title == "Title here"
    assert a.key_points == ("One point.", "Two point.")
    assert a.body == "The body. It ends."


def test_plain_text_is_all_body():
    text = "\n  The first paragraph. It has two sentences.\n\nThe second one.\n"
    a = parse_article(text, name="<stdin>")
    assert a == Article(body="The first paragraph. It has two sentences.\n\nThe second one.", name="<stdin>")
    assert a.layout == "plain" and a.title is None and a.key_points == () and a.caption is None
    assert len(a.sentences) == 3


def test_key_points_phrase_deep_in_a_story_is_body():
    text = "\n".join(f"Line {i} of the story." for i in range(10)) + "\nKey Points\n• Not a bullet list header."
    a = parse_article(text)
    assert a.layout == "plain"
    assert "Key Points" in a.body


def test_cnbc_with_no_body():
    a = parse_article("A title\nKey Points\n• Only a point.\n")
    assert a.layout == "cnbc" and a.body == ""


def test_article_is_frozen():
    a = parse_article(CNBC)
    with pytest.raises(AttributeError):
        a.body = "changed"


def test_example_article():
    a = parse_article(EXAMPLE.read_text(encoding="utf-8"))
    assert a.layout == "cnbc"
    assert a.title.startswith("Harbor city votes")
    assert len(a.key_points) == 3
    assert a.caption.startswith("VIDEO 2:14")
    assert a.body.startswith("The Port Ellis city council voted 7-2")
    texts = [s.text for s in a.sentences]
    # abbreviations in the example stay inside their sentences
    assert any(t.startswith("Council member Gen. (ret.) Alan Burke") for t in texts)
    assert "The U.S. Coast Guard must also approve the new boats before they enter service." in texts
