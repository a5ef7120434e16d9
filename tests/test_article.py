"""The CNBC page layout and plain text: title, key points, caption, body."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


# -- the caption by its shape (issue 11) --------------------------------------------------

BODY = ("Crumb & Co. said on Monday it would close 12 of its 40 bakeries by March. About 90 workers will lose "
        "their jobs.\n\nThe chain's owner, Priya Nair, said flour now costs 30% more than a year ago.")
POINTS = ("Crumb & Co. will close 12 of its 40 stores by March.", "Flour prices rose 30% since last spring.")


def cnbc(caption: str | None, *, bullet: str = "•", blank_between: bool = False, header: str = "Key Points",
         body: str = BODY) -> str:
    sep = "\n\n" if blank_between else "\n"
    bullets = sep.join(f"{bullet} {p}" for p in POINTS)
    cap = f"{caption}\n\n" if caption is not None else "\n"
    return f"Bakery chain to close twelve stores\n\n{header}\n{bullets}\n{cap}{body}\n"


@pytest.mark.parametrize("bullet", ["•", "-", "*", "–"])
@pytest.mark.parametrize("blank_between", [False, True])
@pytest.mark.parametrize("header", ["Key Points", "KEY POINTS"])
@pytest.mark.parametrize("caption", [
    "VIDEO 1:45 Why bread costs more this year",  # with a marker
    "Why bread costs more this year and what bakers are doing about it",  # no marker: the real page
    "Gov. Ruiz on why the state will not subsidize flour",  # opens with an abbreviation
    "How flour prices are hitting bakeries across the U.S.",  # closes with one
    None,  # no caption at all
])
def test_caption_variants(bullet, blank_between, header, caption):
    a = parse_article(cnbc(caption, bullet=bullet, blank_between=blank_between, header=header))
    assert a.layout == "cnbc" and a.title == "Bakery chain to close twelve stores"
    assert a.key_points == POINTS
    assert a.caption == caption
    assert a.body == BODY
    assert a.sentences[0].text == "Crumb & Co. said on Monday it would close 12 of its 40 bakeries by March."


@pytest.mark.parametrize("first", [
    "Flour is up.",  # short, but a sentence
    "Here is what changed:",  # a lead-in
    '"We held prices as long as we could," Nair said.',
    "Prices rose again?",
])
def test_short_first_paragraph_that_closes_like_a_sentence_is_body(first):
    a = parse_article(cnbc(None, body=f"{first}\n\n{BODY}"))
    assert a.caption is None and a.body.startswith(first)


def test_headline_like_first_paragraph_is_taken_as_a_caption():
    # ambiguous: no marker, no closing full stop, a dozen words, more text after it. It may be
    # body, but a caption is far likelier there, and losing it costs less than a caption as a
    # key point (README: the CNBC layout)
    a = parse_article(cnbc(None, body=f"Bakers brace for a hard winter\n\n{BODY}"))
    assert a.caption == "Bakers brace for a hard winter" and a.body == BODY


def test_long_unpunctuated_first_paragraph_is_body():
    long = " ".join(["word"] * 21)
    a = parse_article(cnbc(None, body=f"{long}\n\n{BODY}"))
    assert a.caption is None and a.body.startswith(long)


def test_wrapped_first_paragraph_is_body():
    body = "Crumb & Co. said on Monday it would close 12 of its\n40 bakeries by March, and\nabout 90 workers will lose their jobs."
    a = parse_article(cnbc(None, body=body))
    assert a.caption is None and a.body == body


def test_caption_like_line_with_nothing_after_it_is_the_body():
    a = parse_article(cnbc(None, body="Bakers brace for a hard winter"))
    assert a.caption is None and a.body == "Bakers brace for a hard winter"


def test_caption_without_a_blank_line_before_the_body():
    text = cnbc(None, body=f"Why bread costs more this year\n{BODY}")
    a = parse_article(text)
    assert a.caption == "Why bread costs more this year" and a.body == BODY


def test_hyphen_bullets_need_a_space():
    # "-5% ..." is not a bullet; it ends the key points (and, closing like a sentence, is body)
    text = "Title\nKey Points\n- One point.\n-5% was the drop in sales on Monday.\nMore text here."
    a = parse_article(text)
    assert a.key_points == ("One point.",) and a.body.startswith("-5% was the drop")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([
    "Title", "Key Points", "• A point.", "- Another point", "", "VIDEO 2:14 A clip", "A headline-like line",
    "The body closes like a sentence.", "lower case continues", "Gov. Ruiz said so.", "U.S. stocks fell",
]), max_size=12))
def test_parts_are_lines_of_the_text(lines):
    text = "\n".join(lines)
    a = parse_article(text)
    assert a.body in text.strip()
    if a.caption is not None:
        assert a.caption in [line.strip() for line in lines]
    for s in a.sentences:
        assert a.body[s.start : s.end] == s.text
