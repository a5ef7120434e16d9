"""``summarize`` on web pages from a local server: the bad inputs of issue 11 in one call
(one line each, exit 1, the others still summarized), --any-page, --encoding, JSON metadata."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from summarizer.cli import cli
from webserver import (FRENCH_HTML, FRENCH_STORY, FURNITURE_HTML, NAV_HTML, STORY, article_html, redirect, send,
                       serve, trickle)

CAFE = "Café owners on the pier said the new timetable suits them."


@pytest.fixture(scope="module")
def site():
    wrong = article_html("utf-8", CAFE).encode("cp1252")
    routes = {
        "/story": lambda h: send(h, FURNITURE_HTML),
        "/fr": lambda h: send(h, FRENCH_HTML),
        "/nav": lambda h: send(h, NAV_HTML),
        "/loop": redirect("/loop"),
        "/trickle": trickle(article_html("utf-8").encode(), every=0.05),
        "/missing": lambda h: send(h, "<html><body>Not found</body></html>", code=404),
        "/error": lambda h: send(h, "<html><body>Internal error</body></html>", code=500),
        "/binary": lambda h: send(h, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "application/octet-stream"),
        "/empty": lambda h: send(h, b""),
        "/wrong-charset": lambda h: send(h, wrong),
        "/pdf": lambda h: send(h, b"%PDF-1.7\n", "application/pdf"),
    }
    with serve(routes) as base:
        yield base


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_bad_inputs_each_get_one_line_and_the_others_are_summarized(site):
    bad = {
        "/loop": "redirected more than 10 times",
        "/trickle": "no complete answer within 1 s (timed out)",
        "/missing": "answered HTTP 404",
        "/error": "answered HTTP 500",
        "/binary": "the server sent application/octet-stream, not an HTML page or text",
        "/pdf": "the server sent application/pdf",
        "/empty": "no article text found on the page",
        "/wrong-charset": "declares charset utf-8 (Content-Type header) but byte 0xe9",
        "/nav": "not an article: it is mostly lists, tables and links",
    }
    urls = [f"{site}/story", *(f"{site}{p}" for p in bad), f"{site}/fr"]
    r = run("-m", "lead", "-n", "2", "-f", "jsonl", "--timeout", "1", *urls)
    assert r.exit_code == 1
    errors = r.stderr.strip().splitlines()
    assert len(errors) == len(bad)  # one line each, no traceback
    for line, (path, message) in zip(errors, bad.items()):
        assert line.startswith(f"Error: {site}{path}: ") and message in line, line
    out = [json.loads(line) for line in r.stdout.splitlines()]
    assert [o["name"] for o in out] == [f"{site}/story", f"{site}/fr"]
    assert [k["text"] for k in out[0]["key_points"]] == STORY[:2]
    # another language: summarized like any page, from its own sentences
    assert [k["text"] for k in out[1]["key_points"]] == FRENCH_STORY[:2]


def test_json_carries_the_page_metadata(site):
    r = run("-m", "lead", "-f", "json", f"{site}/story")
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert {k: d[k] for k in ("name", "title", "author", "date", "url")} == {
        "name": f"{site}/story", "title": "Council backs electric ferries", "author": "Jane Doe",
        "date": "2024-03-05", "url": "https://gazette.example/news/electric-ferries"}


def test_plain_text_json_has_no_page_keys(tmp_path):
    p = tmp_path / "a.txt"
    p.write_text(" ".join(STORY), encoding="utf-8")
    d = json.loads(run("-m", "lead", "-f", "json", str(p)).stdout)
    assert not {"author", "date", "url"} & set(d)


def test_any_page_forces_a_page_through(site):
    r = run("-m", "lead", "-f", "text", "--any-page", f"{site}/nav")
    assert r.exit_code == 0, r.output
    assert r.stdout.strip() == "Find every section of the Gazette below."


def test_encoding_overrides_a_wrong_declared_charset(site):
    r = run("-m", "lead", "-f", "text", "-n", "20", "--encoding", "cp1252", f"{site}/wrong-charset")
    assert r.exit_code == 0, r.output
    assert r.stdout.strip().splitlines()[-1] == CAFE


def test_saved_page_and_stdin(tmp_path):
    p = tmp_path / "story.htm"
    p.write_text(FURNITURE_HTML, encoding="utf-8")
    assert run("-m", "lead", "-n", "1", "-f", "text", str(p)).stdout.strip() == STORY[0]
    r = CliRunner().invoke(cli, ["-m", "lead", "-n", "1", "-f", "text", "-"], input=FURNITURE_HTML.encode())
    assert r.stdout.strip() == STORY[0]


def test_default_model_keeps_furniture_out(extractive, site):
    r = run("-f", "json", "-n", "5", f"{site}/story")
    assert r.exit_code == 0, r.output
    points = [k["text"] for k in json.loads(r.stdout)["key_points"]]
    assert len(points) == 5 and all(p in STORY for p in points)
