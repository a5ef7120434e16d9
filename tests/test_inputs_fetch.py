"""Fetching web pages from a local server: the whole-fetch deadline, redirects, content
types, the size limit, HTTP errors; charsets as read_source decodes them."""

from __future__ import annotations

import time

import pytest

from summarizer.errors import InputError
from summarizer.inputs.fetch import Page, fetch, looks_like_html
from summarizer.read import Source, read_source
from webserver import (STORY, article_html, endless, gzipped, redirect, send, serve, trickle)

SENT: list[int] = [0]  # bytes the endless page has sent


def _routes() -> dict:
    page = article_html("utf-8")
    return {
        "/article": lambda h: send(h, page),
        "/text": lambda h: send(h, "A title\n\nKey Points\n• One point.\n\n" + " ".join(STORY), "text/plain; charset=utf-8"),
        "/loop": redirect("/loop"),
        "/a": redirect("/b", 301),
        "/b": redirect("/a", 307),
        "/hop3": redirect("/hop2"),
        "/hop2": redirect("http://127.0.0.1:{port}/hop1"),  # absolute, filled in below
        "/hop1": redirect("/article", 308),
        "/nowhere": lambda h: send(h, "", code=302),
        "/missing": lambda h: send(h, "<html><body>Not found</body></html>", code=404),
        "/error": lambda h: send(h, "<html><body>Internal error</body></html>", code=500),
        "/pdf": lambda h: send(h, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "application/pdf"),
        "/png": lambda h: send(h, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"),
        "/binary-as-html": lambda h: send(h, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "text/html"),
        "/no-type": lambda h: send(h, page, ctype=""),
        "/empty": lambda h: send(h, b""),
        "/big": lambda h: send(h, page + "<!--" + "x" * 5000 + "-->"),
        "/endless": endless(counter=SENT),
        "/trickle": trickle(page.encode()),
        "/trickle-headers": trickle(page.encode(), headers_too=True),
        "/gzip": gzipped(page),
        "/gzip-bomb": gzipped(page + "<!--" + "x" * 1_000_000 + "-->"),
        "/partial": _partial,
    }


def _partial(h) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.send_header("Content-Length", "5000")
    h.end_headers()
    h.wfile.write(b"<html><body><p>Only the start")
    h.close_connection = True


@pytest.fixture(scope="module")
def site():
    routes = _routes()
    with serve(routes) as base:
        port = base.rsplit(":", 1)[1]
        routes["/hop2"] = redirect(f"http://127.0.0.1:{port}/hop1")
        yield base


def test_fetch_html(site):
    page = fetch(f"{site}/article", timeout=5)
    assert page == Page(f"{site}/article", article_html("utf-8").encode(), "text/html", "utf-8")
    assert page.is_html


def test_redirects_are_followed_to_the_page(site):
    page = fetch(f"{site}/hop3", timeout=5)
    assert page.url == f"{site}/article" and page.is_html


def test_redirect_limit(site):
    with pytest.raises(InputError, match="redirected more than 2 times"):
        fetch(f"{site}/hop3", timeout=5, max_redirects=2)


@pytest.mark.parametrize("path", ["/loop", "/a"])
def test_redirect_loop_is_one_line(site, path):
    with pytest.raises(InputError, match=r"redirected more than 10 times \(a redirect loop\?\)") as e:
        fetch(f"{site}{path}", timeout=5)
    assert "\n" not in str(e.value)


def test_redirect_without_location(site):
    with pytest.raises(InputError, match="HTTP 302 without saying where to go"):
        fetch(f"{site}/nowhere", timeout=5)


@pytest.mark.parametrize("path, code", [("/missing", 404), ("/error", 500)])
def test_http_errors(site, path, code):
    with pytest.raises(InputError, match=f"answered HTTP {code}"):
        fetch(f"{site}{path}", timeout=5)


@pytest.mark.parametrize("path, media", [("/pdf", "application/pdf"), ("/png", "image/png")])
def test_other_media_types_are_refused(site, path, media):
    with pytest.raises(InputError, match=f"the server sent {media}, not an HTML page or text"):
        fetch(f"{site}{path}", timeout=5)


def test_binary_body_labelled_html_is_refused(site):
    with pytest.raises(InputError, match="binary"):
        read_source(Source(f"{site}/binary-as-html"), timeout=5)


def test_page_without_content_type_is_sniffed(site):
    page = fetch(f"{site}/no-type", timeout=5)
    assert page.media_type == "" and page.is_html


def test_size_limit_by_content_length(site):
    size = len((article_html("utf-8") + "<!--" + "x" * 5000 + "-->").encode())
    with pytest.raises(InputError, match=f"the page is {size:,} bytes, larger than 4,000"):
        fetch(f"{site}/big", timeout=5, max_bytes=4000)


def test_size_limit_stops_reading_an_endless_page(site):
    SENT[0] = 0
    with pytest.raises(InputError, match="larger than 100,000 bytes"):
        fetch(f"{site}/endless", timeout=10, max_bytes=100_000)
    time.sleep(0.2)
    # the server wrote into its socket buffers, but far from the 400 MB it would send
    assert SENT[0] < 20_000_000


def test_total_timeout_cuts_a_trickle(site):
    # each byte comes quickly, so a per-read timeout would never fire: the whole fetch is bounded
    t = time.perf_counter()
    with pytest.raises(InputError, match=r"no complete answer within 0\.5 s \(timed out\)"):
        fetch(f"{site}/trickle", timeout=0.5)
    assert time.perf_counter() - t < 2.0


def test_total_timeout_cuts_trickled_headers(site):
    t = time.perf_counter()
    with pytest.raises(InputError, match=r"within 0\.5 s \(timed out\)"):
        fetch(f"{site}/trickle-headers", timeout=0.5)
    assert time.perf_counter() - t < 2.0


def test_connection_closed_early(site):
    with pytest.raises(InputError, match="closed the connection before sending the whole page"):
        fetch(f"{site}/partial", timeout=5)


def test_gzip_is_inflated(site):
    assert fetch(f"{site}/gzip", timeout=5).body == article_html("utf-8").encode()


def test_gzip_is_bounded_as_it_inflates(site):
    # about 2 kB on the wire, a megabyte inflated: refused at the limit, never inflated whole
    with pytest.raises(InputError, match="larger than 50,000 bytes"):
        fetch(f"{site}/gzip-bomb", timeout=5, max_bytes=50_000)


def test_text_page_is_read_as_text(site):
    a = read_source(Source(f"{site}/text"), timeout=5)
    assert a.layout == "cnbc" and a.key_points == ("One point.",) and a.body.startswith(STORY[0])


def test_empty_page(site):
    with pytest.raises(InputError, match="no article text found on the page"):
        read_source(Source(f"{site}/empty"), timeout=5)


def test_not_http():
    with pytest.raises(InputError, match="only http and https"):
        fetch("http://", timeout=1)


def test_looks_like_html():
    assert looks_like_html(b"\xef\xbb\xbf\n  <!DOCTYPE HTML>\n<html>")
    assert looks_like_html(b"<html><body>x</body></html>")
    assert not looks_like_html(b"Port Ellis votes <b>yes</b>")


def test_proxy_from_the_environment(site, monkeypatch):
    # a plain-HTTP proxy gets the whole URL as the target: the local server plays the proxy
    page = article_html("utf-8")
    with serve({"http://news.example/story": lambda h: send(h, page)}) as proxy:
        monkeypatch.setenv("http_proxy", proxy)
        monkeypatch.delenv("no_proxy", raising=False)
        monkeypatch.delenv("NO_PROXY", raising=False)
        assert fetch("http://news.example/story?id=1", timeout=5).body == page.encode()
        # the machine's own addresses never go through it
        assert fetch(f"{site}/article", timeout=5).body == page.encode()


def test_url_with_spaces_and_non_ascii_is_encoded(site):
    with pytest.raises(InputError, match="answered HTTP 404"):  # sent, and answered: no traceback
        fetch(f"{site}/caf\u00e9 menu", timeout=5)
