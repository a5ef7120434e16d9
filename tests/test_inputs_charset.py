"""Web page charsets: what a page declares, wrong declarations, the --encoding override."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.article import Article
from summarizer.errors import InputError
from summarizer.inputs.charset import decode_page, declared_charset
from summarizer.inputs.html import page_article
from webserver import article_html

CAFE = "Café owners on the pier said the new timetable suits them."


def last_sentence(a: Article) -> str:
    return a.sentences[-1].text


def test_declared_charset_order():
    assert declared_charset(codecs.BOM_UTF8 + b'<meta charset="cp1252">', "latin-1") == ("utf-8", "byte-order mark")
    assert declared_charset(b'<meta charset="cp1252">', "koi8-r") == ("koi8-r", "Content-Type header")
    assert declared_charset(b'<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-2">') == (
        "ISO-8859-2", "<meta>")
    assert declared_charset(b"<p>no declaration</p>") == (None, "")


def test_meta_charset_is_honoured():
    html = article_html("windows-1252", CAFE).encode("cp1252")
    assert last_sentence(page_article(html, "x.html")) == CAFE


def test_header_charset_wins_over_meta():
    html = article_html("utf-8", CAFE).encode("cp1252")
    assert last_sentence(page_article(html, "x", header_charset="iso-8859-1")) == CAFE


def test_utf16_with_bom():
    html = article_html(None, CAFE).encode("utf-16")
    assert last_sentence(page_article(html, "x.html")) == CAFE


def test_wrong_declared_charset_is_refused_in_one_line():
    html = article_html("utf-8", CAFE).encode("cp1252")
    with pytest.raises(InputError, match=r"^x\.html: the page declares charset utf-8 \(<meta>\) but byte 0xe9 at "
                                         r"offset \d+ is not valid utf-8; pass --encoding") as e:
        page_article(html, "x.html")
    assert "\n" not in str(e.value)


def test_single_byte_charset_on_utf8_bytes_is_refused():
    html = article_html("iso-8859-1", CAFE).encode("utf-8")
    with pytest.raises(InputError, match=r"declares charset iso-8859-1 \(<meta>\) but its bytes are UTF-8.*"
                                         r"--encoding utf-8"):
        page_article(html, "x.html")


def test_encoding_option_overrides_a_wrong_declaration():
    html = article_html("utf-8", CAFE).encode("cp1252")
    assert last_sentence(page_article(html, "x.html", override="cp1252")) == CAFE


def test_unknown_charset():
    with pytest.raises(InputError, match="declares an unknown charset 'x-nonsense'"):
        decode_page(b"<html>", "x", header="x-nonsense")


def test_binary_is_refused():
    with pytest.raises(InputError, match="binary"):
        decode_page(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "x.html")


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300), st.sampled_from([None, "utf-8", "cp1252", "utf-16", "latin-1", "shift_jis"]))
def test_any_bytes_decode_or_fail_with_input_error(data, header):
    try:
        text = decode_page(data, "x", header=header)
    except InputError as e:
        assert "\n" not in str(e)
    else:
        assert isinstance(text, str)
