"""The story rules of issue 25's recall round: what is story text on a page and what is furniture
(`summarizer/inputs/story.py`, `furniture.py`, `captions.py`, `containers.py`). Pages written here."""

from __future__ import annotations

import pytest

from summarizer.errors import InputError
from summarizer.inputs.containers import other_stories
from summarizer.inputs.furniture import carries_metadata, is_dateline, repeats_alt
from summarizer.inputs.html import extract, page_article
from webserver import STORY

HEAD = "<!doctype html><html><head><meta charset='utf-8'><title>Electric ferries</title></head><body>"
TAIL = "</body></html>"


def page(body: str) -> str:
    return f"{HEAD}<article>{body}</article>{TAIL}"


def paras(lines: list[str]) -> str:
    return "".join(f"<p>{s}</p>" for s in lines)


def dropped_as(ex, text: str) -> str | None:
    return next((why for why, ts in ex.dropped.items() if text in ts), None)


# -- short news items --------------------------------------------------------------------


def test_a_news_brief_of_two_long_sentences_is_an_article():
    brief = ("The harbor office closed the east pier on Tuesday after a crane toppled onto the loading dock during "
             "high winds, injuring two dock workers who were taken to Port Ellis General Hospital with broken arms.",
             "Officials said the pier would stay shut until engineers inspect the remaining cranes and the dock "
             "itself, which could take until the end of next week or longer if the storm returns.")
    a = page_article(page(paras(list(brief))).encode(), "brief.html")
    assert [s.text for s in a.sentences] == list(brief)


def test_sentences_glued_at_a_stop_are_split():
    glued = ("The crane fell at noon on Tuesday near the fuel dock.Two workers were hurt and taken to hospital "
             "by the harbor police launch.Engineers will inspect the other four cranes this week.")
    ex = extract(page(paras([glued, *STORY[:3]])))
    assert ex.paragraphs[0] == glued.replace("dock.Two", "dock. Two").replace("launch.Engineers", "launch. Engineers")


def test_one_sentence_is_still_too_short():
    line = ("The east pier ferry office is closed on Monday for repairs, and tickets are sold on board until it "
            "opens again, the harbor office said in a notice posted at the gate and on its website on Friday.")
    with pytest.raises(InputError, match=r"too short \(38 words in 1 sentences"):
        page_article(page(paras([line])).encode(), "notice.html")


def test_a_standfirst_above_a_caption_is_read_and_counts():
    standfirst = ("Port Ellis has paid the builder in full for the first electric ferry, clearing the way for sea "
                  "trials in the spring")
    body = (f"<p>{standfirst}</p><p><img src='/f.jpg' alt='The new ferry'></p><p>The new ferry at the yard</p>"
            + paras(["The payment of $14 million was wired on Monday, the finance office said in a short statement.",
                     "The boat will be towed to the east pier for its first charge in March, weather allowing, and then to sea."]))
    a = page_article(page(body).encode(), "standfirst.html")
    assert standfirst in a.headings and standfirst in a.body
    assert len(a.sentences) == 2  # the standfirst is read, never a sentence to choose
    words = sum(len(p.split()) for p in a.body.split("\n\n"))
    assert words - len(standfirst.split()) < 60 <= words  # it is what makes the page an article


def test_a_standfirst_that_carries_metadata_is_not_read():
    assert carries_metadata("Ferry paid in full 05/10/2024 - Posted by: Ana Lopez - Category: Harbor - Tags: boats")
    assert not carries_metadata("Port Ellis has paid the builder in full for the first electric ferry")


# -- quotes, labels, datelines -------------------------------------------------------------


def test_a_long_quote_without_a_stop_is_story_and_code_is_not():
    quote = "Nobody on this council wants to be the one who kept diesel smoke over the bay for another twenty years"
    code = "> 29 100 > 29*100 10000 > 25+4 100 > 3 4 5"
    ex = extract(page(paras(STORY[:3]) + f"<blockquote>{quote}</blockquote>" + f"<blockquote>{code}</blockquote>"
                      + paras(STORY[3:])))
    assert quote in ex.paragraphs and code not in ex.paragraphs


def test_a_label_line_between_paragraphs_is_a_subhead_and_metadata_is_dropped():
    label = "Route B: East pier, Old Town, Mill Point"
    keywords = "Keywords: ferries; harbor; electric boats"
    ex = extract(page(paras([*STORY[:3], label, *STORY[3:6], keywords, *STORY[6:]])))
    assert label in ex.headings
    assert dropped_as(ex, keywords) == "metadata" and keywords not in ex.headings


@pytest.mark.parametrize("line, dateline", [
    ("Clinching in November", False),
    ("What changes for riders in March", False),
    ("Updated Monday", True),
    ("Published March 5, 2024", True),
    ("3 hours ago", True),
])
def test_a_dateline_needs_a_number_or_only_date_words(line, dateline):
    assert is_dateline(line) is dateline


# -- lists and tables after or inside the story ------------------------------------------


def test_a_list_in_words_under_a_subhead_after_the_story_is_a_section_of_it():
    items = ["Two boats built in Tacoma", "Charging in twelve minutes at the dock", "Seats for 150 passengers"]
    body = paras(STORY) + "<h2>What the city is buying</h2><ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>"
    ex = extract(page(body))
    assert [p.text for p in ex.parts if p.kind == "item"] == items
    assert "What the city is buying" in ex.headings


def test_a_list_of_figures_or_of_links_after_the_story_is_not():
    votes = ["%45 votes", "%31 votes", "%24 votes"]
    links = ["Bridge repair delayed again", "School board picks a head", "Fares frozen for a fifth year"]
    body = (paras(STORY) + "<h2>Which boat name do you like?</h2><ul>" + "".join(f"<li>{v}</li>" for v in votes)
            + "</ul><h2>More stories</h2><ul>" + "".join(f"<li><a href='/{n}'>{t}</a></li>" for n, t in enumerate(links))
            + "</ul>")
    ex = extract(page(body))
    assert not [p for p in ex.parts if p.kind == "item"]


def test_a_table_inside_the_story_is_read_a_row_a_line_never_a_sentence():
    table = ("<table><tr><th>Boat</th><th>Seats</th></tr><tr><th>Boat</th><th>Seats</th></tr>"
             "<tr><td>Harbor Star</td><td>150</td></tr><tr><td>Mill Point</td><td>120</td></tr></table>")
    body = paras(STORY[:4]) + table + paras(STORY[4:])
    a = page_article(page(body).encode(), "table.html")
    assert [h for h in a.headings] == ["Boat Seats", "Harbor Star 150", "Mill Point 120"]  # the header once
    assert [s.text for s in a.sentences] == STORY


def test_lines_under_a_lead_in_are_read_as_lines():
    lines = ["June 9 -- Pier Arena, Port Ellis", "June 12 -- Harbor Hall, Mill Point", "June 14 -- Old Town Green"]
    body = paras([*STORY, "The ferry naming tour stops at:", *lines])
    a = page_article(page(body).encode(), "tour.html")
    assert all(line in a.headings for line in lines) and "The ferry naming tour stops at:" in a.headings
    assert [s.text for s in a.sentences] == STORY


# -- links, prompts, captions, other stories ---------------------------------------------


def test_prose_with_two_long_links_is_prose_and_many_links_are_a_run():
    linked = ("<p><a href='/a'>If you still ride the diesel ferry every morning, you breathe its smoke for the "
              "whole crossing, and the city knows it.</a> The new boats end that, the mayor told the crowd at the pier "
              "on Tuesday night. <a href='/b'>The council "
              "says the first two will sail in 2027, a year early, and fares will not change.</a></p>")
    run = "<p>" + " ".join(f"<a href='/{n}'>Ferry story number {n} of the week.</a>" for n in range(7)) + " More.</p>"
    ex = extract(page(paras(STORY[:3]) + linked + run + paras(STORY[3:])))
    assert any(p.startswith("If you still ride") for p in ex.paragraphs)
    assert not any(p.startswith("Ferry story number") for p in ex.paragraphs)


@pytest.mark.parametrize("line", [
    "Have a tip? Ana Lopez may be reached at alopez@gazette.example. Follow her on Twitter @AnaLopez.",
    "Like this story? Share it with a friend!",
    "If you enjoyed this article, we have an offer for you: join our members' club for the whole archive.",
    "Most read in harbor news",
])
def test_contact_and_share_lines_are_prompts(line):
    ex = extract(page(paras([*STORY, line])))
    assert line not in ex.paragraphs and line not in ex.headings


def test_a_gallery_slide_repeating_its_alt_text_is_a_caption():
    alt = "The Harbor Star leaves the Tacoma yard on its first tow, Tuesday, May 7, 2024, in Tacoma, Wash"
    assert repeats_alt(f"{alt}. {alt}. Photo: Sam Lee", alt)
    assert not repeats_alt("The council voted on Tuesday to buy two more boats.", alt)


def test_a_short_sentence_under_an_image_is_story_unless_the_page_marks_it_a_caption():
    story_line = "The vote was seven to two."
    caption = "The pier at dawn."
    body = (paras(STORY[:3]) + "<p><img src='/a.jpg' alt='a pier'></p>" + f"<p>{story_line}</p>"
            + paras(STORY[3:5]) + "<p><img src='/b.jpg' alt='the pier'></p>" + f"<p class='photo-caption'>{caption}</p>"
            + paras(STORY[5:]))
    ex = extract(page(body))
    assert story_line in ex.paragraphs
    assert caption not in ex.paragraphs


def test_other_stories_cards_are_found():
    teaser = "Bridge repair on the old swing span is delayed again after the winter storms damaged the deck."
    html = (f"{HEAD}<article class='story'>{paras(STORY)}</article><section>"
            f"<article class='card'><a href='/bridge'><img src='/b.jpg' alt=''></a><p>{teaser}</p></article>"
            f"<article class='card'><p>School board picks a new head for the district after a long search.</p>"
            f"</article></section>{TAIL}")
    assert other_stories(html, [*STORY, teaser], "https://gazette.example/ferries") == {teaser}
    # the story's own article, and pages without cards, lose nothing
    assert other_stories(page(paras(STORY)), STORY) == set()
