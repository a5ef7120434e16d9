"""The page layouts of issue 25: the page's own key points (a Key Points list, highlights
above the story), lists that belong to the story, reference lists, bylines at a
paragraph's start, a story precision mode lost, and the bad inputs the issue names."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import REPO
from summarizer.article import Article
from summarizer.errors import InputError
from summarizer.inputs import html as page_html
from summarizer.inputs.blocks import _UNSPACED, count_words
from summarizer.inputs.containers import continued
from summarizer.inputs.furniture import strip_byline
from summarizer.inputs.html import KEY_POINTS_SOURCES, extract, page_article
from summarizer.inputs.keypoints import page_key_points
from summarizer.read import Source, read_source

PAGES = REPO / "examples" / "pages"
MANIFEST = json.loads((PAGES / "manifest.json").read_text(encoding="utf-8"))

STORY = [
    "The Port Ellis library will open on Sundays from next month, the first time in its 90-year history.",
    "The council found the money by closing the reading room of the old town hall, which few people used.",
    "Librarians said Sunday was the day most often asked for in a survey of 1,200 residents last autumn.",
    "The library will open from noon to five, and children's story hour will move from Saturday to Sunday.",
    "Two part-time librarians will be hired, and volunteers from the friends of the library will help.",
    "The trial runs for a year, after which the council will count visitors and decide whether to keep it.",
]
HIGHLIGHTS = [
    "The library opens on Sundays from next month for the first time.",
    "The money comes from closing a little-used reading room.",
]


def page(top: str = "", body: str | None = None, after: str = "") -> str:
    paras = "".join(f"<p>{s}</p>" for s in STORY) if body is None else body
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>Library opens on Sundays</title></head><body>"
            f"<nav><a href='/'>Home</a> <a href='/news'>News</a></nav><main><article><h1>Library opens on Sundays</h1>"
            f"{top}<div class='story'>{paras}</div>{after}</article></main></body></html>")


def texts(a: Article) -> list[str]:
    return [s.text for s in a.sentences]


# -- the layout pages in examples/pages ----------------------------------------------


@pytest.mark.parametrize("entry", MANIFEST, ids=[e["file"] for e in MANIFEST])
def test_layout_pages(entry):
    a = read_source(Source(str(PAGES / entry["file"])))
    assert [w for w in entry["with"] if w not in a.body] == []
    assert [w for w in entry["without"] if w.lower() in a.body.lower()] == []
    assert len(a.key_points) == entry["key_points"] and a.key_points_from == entry["key_points_from"]
    assert not set(a.key_points) & {s.text for s in a.sentences}  # key points are never input
    assert not set(a.headings) & {s.text for s in a.sentences}  # subheads are read, never chosen


def test_old_reading_refused_the_journal_page_and_this_one_leaves_its_references_out():
    ex = extract((PAGES / "journal.html").read_text(encoding="utf-8"))
    assert len(ex.dropped["references"]) == 26 and ex.furniture_words < ex.words


# -- the page's own key points -----------------------------------------------------------


def test_a_key_points_list_inside_the_story_container():
    top = "<h2>Key Points</h2><ul>" + "".join(f"<li>{h}</li>" for h in HIGHLIGHTS) + "</ul>"
    ex = extract(page(body=top + "".join(f"<p>{s}</p>" for s in STORY)))
    assert ex.key_points == tuple(HIGHLIGHTS) and ex.key_points_from == "list"
    assert ex.paragraphs == tuple(STORY)


def test_highlights_above_the_story():
    top = "<ul class='bullets'>" + "".join(f"<li>{h}</li>" for h in HIGHLIGHTS) + "</ul>"
    a = page_article(page(top).encode(), "p.html")
    assert a.key_points == tuple(HIGHLIGHTS) and a.key_points_from == KEY_POINTS_SOURCES["highlights"]
    assert texts(a) == STORY


def test_a_key_points_list_of_links_is_navigation():
    top = ("<div class='box'><h2>Key Points</h2><ul>" + "".join(
        f"<li><a href='/k{i}'>{h}</a></li>" for i, h in enumerate(HIGHLIGHTS)) + "</ul></div>")
    a = page_article(page(top).encode(), "p.html")
    assert a.key_points == () and texts(a) == STORY


def test_a_labelled_list_of_one_item_is_one_key_point_and_an_unlabelled_one_is_none():
    labelled = page_article(page(f"<h2>Key Points</h2><ul><li>{HIGHLIGHTS[0]}</li></ul>").encode(), "p.html")
    assert labelled.key_points == (HIGHLIGHTS[0],)
    bare = page_article(page(f"<ul><li>{HIGHLIGHTS[0]}</li></ul>").encode(), "p.html")
    assert bare.key_points == ()
    assert HIGHLIGHTS[0] not in bare.body or HIGHLIGHTS[0] in texts(bare)  # story text if anything


def test_key_points_longer_than_the_story_are_no_summary_of_it():
    long_points = [s + " " + s for s in STORY[:4]]
    body = "".join(f"<p>{s}</p>" for s in STORY[:3])
    top = "<h2>Key Points</h2><ul>" + "".join(f"<li>{k}</li>" for k in long_points) + "</ul>"
    ex = extract(page(top, body=body))
    assert ex.key_points == ()


def test_key_points_are_scored_not_summarized():
    top = "<ul>" + "".join(f"<li>{h}</li>" for h in HIGHLIGHTS) + "</ul>"
    a = page_article(page(top).encode(), "p.html")
    assert not [h for h in HIGHLIGHTS if h in a.body]


# -- lists, subheads, quotes and references -----------------------------------------------


def test_bullets_inside_the_story_are_story_text():
    items = ["Sunday hours start on the first of next month.", "Story hour moves to Sunday afternoons"]
    body = ("".join(f"<p>{s}</p>" for s in STORY[:3]) + "<ul>" + "".join(f"<li>{i}</li>" for i in items)
            + "</ul>" + "".join(f"<p>{s}</p>" for s in STORY[3:]))
    ex = extract(page(body=body))
    assert ex.paragraphs == (*STORY[:3], *items, *STORY[3:])


def test_a_prompt_in_a_story_list_is_still_a_prompt():
    items = ["Sunday hours start on the first of next month.", "Sign up for our newsletter to hear about events"]
    body = ("".join(f"<p>{s}</p>" for s in STORY[:3]) + "<ul>" + "".join(f"<li>{i}</li>" for i in items)
            + "</ul>" + "".join(f"<p>{s}</p>" for s in STORY[3:]))
    ex = extract(page(body=body))
    assert ex.paragraphs == (*STORY[:3], items[0], *STORY[3:]) and ex.dropped["prompt"] == [items[1]]


def test_a_list_of_links_inside_the_story_is_not():
    links = "<ul><li><a href='/a'>Council budget explained</a></li><li><a href='/b'>Library history</a></li></ul>"
    body = "".join(f"<p>{s}</p>" for s in STORY[:3]) + links + "".join(f"<p>{s}</p>" for s in STORY[3:])
    assert extract(page(body=body)).paragraphs == tuple(STORY)


def test_a_subhead_between_story_paragraphs_is_read_but_never_a_sentence():
    body = "".join(f"<p>{s}</p>" for s in STORY[:3]) + "<h2>What changes for families</h2>" + "".join(
        f"<p>{s}</p>" for s in STORY[3:])
    a = page_article(page(body=body).encode(), "p.html")
    assert "What changes for families" in a.body and a.headings == ("What changes for families",)
    assert texts(a) == STORY


def test_a_pull_quote_that_repeats_the_story_is_left_out_and_a_quote_of_its_own_is_kept():
    pull = f"<blockquote><p>{STORY[2]}</p></blockquote>"
    own = "<blockquote><p>We asked for Sundays for years, and now we have them.</p></blockquote>"
    body = "".join(f"<p>{s}</p>" for s in STORY[:3]) + pull + own + "".join(f"<p>{s}</p>" for s in STORY[3:])
    ex = extract(page(body=body))
    assert ex.paragraphs == (*STORY[:3], "We asked for Sundays for years, and now we have them.", *STORY[3:])


def test_a_list_of_citations_is_a_reference_list_without_a_heading():
    cites = "".join(f"<li>Lopez, A., Ode, S. ({2000 + i}). Opening hours and library use. Library Review, {i}(2), "
                    f"{10 + i}–{20 + i}.</li>" for i in range(12))
    ex = extract(page(body="".join(f"<p>{s}</p>" for s in STORY) + f"<ol>{cites}</ol>"))
    assert len(ex.dropped["references"]) == 12 and ex.furniture_words == 0


# -- bylines ----------------------------------------------------------------------------------


@pytest.mark.parametrize("line", [
    "By Ana Lopez: {s}", "By Ana Lopez | {s}", "By Ana Lopez and Sam Ode {s}", "Ana Lopez, Reuters — {s}",
    "By Ana Lopez and Sam Ode, Reuters — {s}", "By Maria de la Cruz: {s}", "BY ANA LOPEZ: {s}",
    "PORT ELLIS, Wash. (AP) — {s}",
])
def test_a_byline_at_a_paragraph_start_is_cut_off_and_the_sentence_kept(line):
    assert strip_byline(line.format(s=STORY[0])) == STORY[0]
    body = f"<p>{line.format(s=STORY[0])}</p>" + "".join(f"<p>{s}</p>" for s in STORY[1:])
    assert extract(page(body=body)).paragraphs == tuple(STORY)


@pytest.mark.parametrize("line", [
    "By the end of the year the library will open on Sundays.", "By Tuesday, the council had voted.",
    "By Election Day: voters will know.", "By Christmas the hours will change.",
])
def test_a_sentence_that_opens_with_by_is_no_byline(line):
    assert strip_byline(line) == line


def test_a_byline_only_paragraph_is_dropped():
    body = "<p>By Ana Lopez and Sam Ode</p>" + "".join(f"<p>{s}</p>" for s in STORY)
    ex = extract(page(body=body))
    assert ex.paragraphs == tuple(STORY) and ex.dropped["byline"] == ["By Ana Lopez and Sam Ode"]


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=120))
def test_strip_byline_only_ever_cuts_a_start(text):
    out = strip_byline(text)
    assert text.endswith(out) and len(out) <= len(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["By", "Ana", "Lopez", "and", "Sam", "Ode", ":", "|", "—", ",", "Reuters", "The",
                                 "board", "voted", "de", "la", "J."]), max_size=12))
def test_strip_byline_on_byline_like_words(words):
    text = " ".join(words)
    out = strip_byline(text)
    assert text.endswith(out)
    if out != text and out:
        assert out[0].isupper() or out[0].isdigit() or out[0] in "\"“‘'"


# -- the story that precision mode lost, and a story in several containers ---------------------


def test_the_balanced_reading_when_precision_mode_lost_the_story(monkeypatch):
    html = page()
    real = page_html.extraction

    def lossy(text, url, *, precision):  # a stand-in for a page precision mode cuts to its first paragraph
        doc = real(text, url, precision=precision)
        if precision:
            for p in list(doc.body.iter("p"))[1:]:
                p.getparent().remove(p)
        return doc

    monkeypatch.setattr(page_html, "extraction", lossy)
    ex = extract(html)
    assert ex.mode == "balanced" and ex.paragraphs == tuple(STORY)


def test_a_story_printed_in_several_containers_is_read_whole():
    chunk = "<div class='grid'><div class='article__body'>{}</div></div><div class='ad'>Advertisement</div>"
    body = "".join(chunk.format("".join(f"<p>{s}</p>" for s in STORY[i:i + 2])) for i in (0, 2, 4))
    html = page(body=body)
    assert continued(html, STORY[0]) is not None
    assert extract(html).paragraphs == tuple(STORY)


def test_one_container_is_left_alone():
    assert continued(page(), STORY[0]) is None


# -- properties of the new readers ----------------------------------------------------------

_TAGS = st.sampled_from(["p", "div", "ul", "ol", "li", "h1", "h2", "a", "strong", "blockquote", "span"])


@st.composite
def _markup(draw) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 14))):
        tag = draw(_TAGS)
        text = draw(st.one_of(st.sampled_from(["Key Points", "Highlights", *HIGHLIGHTS, *STORY, "By Ana Lopez:"]),
                              st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)))
        parts.append(f"<{tag}>{text}" + (f"</{tag}>" if draw(st.booleans()) else ""))
    return "<html><body>" + "".join(parts) + "</body></html>"


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_markup(), st.sampled_from([None, STORY[0], "x"]))
def test_page_key_points_on_any_markup(html, first):
    found = page_key_points(html, first)
    if found is not None:
        items, source = found
        assert source in KEY_POINTS_SOURCES and items and all(t.strip() for t in items)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_markup())
def test_any_markup_reads_as_an_article_or_one_input_error(html):
    try:
        a = page_article(html.encode("utf-8"), "x.html", any_page=True)
    except InputError as e:
        assert "\n" not in str(e)
    else:
        assert a.body.strip() and not set(a.key_points) & {s.text for s in a.sentences}


@given(st.text(max_size=80))
def test_count_words(text):
    n = count_words(text)
    assert n >= 0 and (n == len(text.split()) or _UNSPACED.search(text))


def test_count_words_in_scripts_without_spaces():
    assert count_words("市议会周一通过了预算。") == 5 and count_words("The board voted.") == 3
