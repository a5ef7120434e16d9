"""Hostile text, round two (issue 29, cases 5 to 10 where text and readers are concerned):
lone surrogates and NUL given to the Python API or found in a dataset, a key-points file
with no end for ``summarize check``, pages that declare a codec that is no charset, URLs
that are not URLs or carry a password, the API's misuse, and bidirectional controls in a
key point. Each ends in one line of ours (the others still summarized), never a traceback.
"""

from __future__ import annotations

import inspect
import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import summarizer
from helpers import make_article, one_line
from summarizer import (Article, InputError, KeyPoint, Limits, Summary, SummarizerError, UsageError, check,
                        parse_article, summarize)
from summarizer.cli import cli
from summarizer.output import bidi_closed, render
from summarizer.results import Flag
from webserver import STORY, article_html, redirect, send, serve

REPO = Path(__file__).resolve().parents[1]
TEXT = "The council approved the ferry budget on Monday. It adds ten electric boats. Critics object to the cost."


# -- 5. lone surrogates and NUL: the API and datasets -------------------------------------------


def test_a_lone_surrogate_in_api_text_is_our_error_naming_where(extractive):
    read = (TEXT + " Fares rise \xff next year.").encode("latin-1").decode("utf-8", "surrogateescape")
    assert "\udcff" in read
    with pytest.raises(InputError, match=rf"^text: not valid text \(a lone surrogate, U\+DCFF, at character "
                                         rf"{read.index(chr(0xdcff))}:"):
        summarize(read)  # the extractive model's tokenizer raised TypeError on it
    with pytest.raises(InputError, match=r"^text 1: not valid text \(a lone surrogate, U\+D800"):
        summarize([TEXT, TEXT + "\ud800"], model="lead")
    with pytest.raises(InputError, match="key point 2: not valid text"):
        check(TEXT, ["Ten boats.", "Fares \udcff rise."])
    with pytest.raises(InputError, match="article: its title: not valid text"):
        summarizer.summarize_articles([Article(body=TEXT, title="Ferries \ud800")], model="lead")


def test_a_nul_in_api_text_is_refused_as_the_cli_refuses_it(tmp_path):
    with pytest.raises(InputError, match=r"^text: looks like a binary file \(a NUL character at offset 8\)"):
        summarize("The city\x00 voted.", model="lead")
    with pytest.raises(InputError, match="a NUL character"):
        check("The city\x00 voted. It added buses.", "- The city voted.")
    p = tmp_path / "a.txt"
    p.write_bytes(b"The city\x00 voted.")
    r = CliRunner().invoke(cli, ["-m", "lead", str(p)])
    one_line(r.stderr, f"{p}: looks like a binary file (a NUL character at offset 8)")


_HOSTILE_TEXT = st.lists(st.one_of(
    st.text(max_size=30),
    st.sampled_from(["\ud800", "\udcff", "\x00", "\u202e", "\u2066", ". ", "\n\n", "Key Points\n• ", "12%", " Mr. "]),
), max_size=12).map("".join)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_HOSTILE_TEXT)
def test_any_string_gives_an_article_and_a_summary_or_our_error(text):
    article = parse_article(text)
    assert isinstance(article, Article)
    try:
        s = summarize(text, n=2, model="lead")
    except SummarizerError:
        return
    assert isinstance(s, Summary)
    render(s, "bullets"), s.to_json().encode("utf-8")  # and it can be written


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                HealthCheck.function_scoped_fixture])
@given(text=_HOSTILE_TEXT)
def test_any_string_through_the_default_model_gives_a_summary_or_our_error(extractive, text):
    try:
        s = summarize(text, n=2)
    except SummarizerError:
        return
    assert isinstance(s, Summary) and s.to_json().encode("utf-8")


def _records(n: int) -> list[dict]:
    return [{"id": f"d{i}", "article": make_article(600, seed=i), "highlights": [f"Point {i}."]} for i in range(n)]


def test_a_dataset_document_with_a_lone_surrogate_is_named_and_the_run_can_finish(tmp_path):
    records = _records(6)
    records[3]["article"] += " Fares rise \ud800 again."
    data = tmp_path / "d.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")  # "\ud800" as a JSON escape
    assert "\\ud800" in data.read_text(encoding="utf-8")
    out = tmp_path / "run"
    args = ["eval", "-d", str(data), "-m", "lead", "--out", str(out), "--samples", "20", "--docs-per-call", "2"]
    r = CliRunner().invoke(cli, args)
    assert r.exit_code == 1
    one_line(r.stderr, f"{data}:4: field 'article': not valid text (a lone surrogate, U+D800, at character",
             "pass --skip-bad")
    assert not out.exists()  # refused before anything was written: nothing to resume or clean up
    r = CliRunner().invoke(cli, [*args, "--skip-bad"])
    assert r.exit_code == 0, r.output
    assert f"skipped 1 unusable records of {data} (--skip-bad), the first: {data}:4: field 'article'" in r.stderr
    preds = [json.loads(line)["id"] for line in (out / "predictions.jsonl").read_text(encoding="utf-8").splitlines()]
    assert preds == ["d0", "d1", "d2", "d4", "d5"]  # its batch-mate d2 too
    r = CliRunner().invoke(cli, [*args, "--skip-bad", "--resume"])
    assert r.exit_code == 0, r.output
    # a surrogate in a reference, a title or an id is refused as well: the report could not be written
    records = _records(2)
    records[1]["highlights"] = ["Point \udfff."]
    data.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    r = CliRunner().invoke(cli, ["eval", "-d", str(data), "-m", "lead", "--out", str(tmp_path / "r2")])
    one_line(r.stderr, f"{data}:2: field 'reference': not valid text (a lone surrogate, U+DFFF")


def test_a_document_made_by_hand_with_a_surrogate_fails_alone_in_its_batch():
    from summarizer.backends import get_summarizer
    from summarizer.evaluate.datasets import Document
    from summarizer.evaluate.engines import Job, summarize_batch
    from summarizer.evaluate.runs import Failure, Prediction

    docs = [Document(f"d{i}", make_article(400, seed=i), (("A point.",),)) for i in range(3)]
    docs[1] = Document("d1", docs[1].body + " \ud800", docs[1].references)
    results = summarize_batch(get_summarizer("lead"), docs, Job("lead"))
    assert [type(r) for r in results] == [Prediction, Failure, Prediction]
    assert results[1].message.startswith("d1: not valid text (a lone surrogate") and not results[1].retry


_JSON_TEXT = st.lists(st.one_of(st.text(max_size=20), st.sampled_from(["\ud800", "\udfff", "\x00", ". "])),
                      max_size=6).map("".join)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records=st.lists(st.fixed_dictionaries({"id": _JSON_TEXT, "article": _JSON_TEXT, "highlights": _JSON_TEXT},
                                              optional={"title": _JSON_TEXT}), min_size=1, max_size=4))
def test_a_dataset_of_any_json_strings_gives_writable_documents_or_our_error(tmp_path, records):
    from summarizer.evaluate import load_dataset

    p = tmp_path / "d.jsonl"
    p.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")  # lone surrogates as escapes
    for skip_bad in (False, True):
        try:
            dataset = load_dataset(str(p), skip_bad=skip_bad)
        except SummarizerError:
            continue
        for d in dataset.documents:  # each can be summarized, written and reported
            json.dumps([d.id, d.body, d.references, d.title], ensure_ascii=False).encode("utf-8")
            assert isinstance(d.article, Article)
        assert dataset.fingerprint


# -- 6. check reads its key points under the article's ceiling -----------------------------------


def _limited(max_bytes: int):
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (max_bytes, max_bytes))
    return limit


@pytest.mark.parametrize("summary", ["/dev/zero", "<(yes 'The council approved the budget.')"])
def test_check_with_an_endless_key_points_file_is_one_line_in_bounded_memory(tmp_path, summary):
    article = tmp_path / "a.txt"
    article.write_text(TEXT, encoding="utf-8")
    cmd = f"exec {sys.executable} -m summarizer check {article} --summary {summary}"
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1",
           "OPENBLAS_NUM_THREADS": "1"}
    # 2 GB of address space: the ceiling's 4 MB read fits many times over; reading /dev/zero whole does not
    r = subprocess.run(["bash", "-c", cmd], env=env, capture_output=True, text=True, timeout=120,
                       preexec_fn=_limited(2 * 1024**3))
    assert r.returncode == 1, r.stderr[-2000:]
    one_line(r.stderr, "over the input ceiling (4,000,004 bytes)", "--max-chars")


def test_check_key_points_over_the_ceiling_are_refused_and_a_pipe_is_read(tmp_path):
    article = tmp_path / "a.txt"
    article.write_text(TEXT, encoding="utf-8")
    points = tmp_path / "k.txt"
    points.write_text("- The council approved the budget.\n- It adds ten boats.\n- Critics object.\n- Fares rise.\n",
                      encoding="utf-8")
    r = CliRunner().invoke(cli, ["check", str(article), "--summary", str(points), "--max-sentences", "3"])
    assert r.exit_code == 1
    one_line(r.stderr, f"{points}: 4 key points, over the input ceiling of 3", "--max-sentences")
    points.write_text("- The council approved the ferry budget on Monday, adding ten electric boats.\n" * 2)
    r = CliRunner().invoke(cli, ["check", str(article), "--summary", str(points), "--max-chars", str(len(TEXT))])
    assert r.exit_code == 1
    one_line(r.stderr, f"{points}: 154 characters, over the input ceiling of {len(TEXT)}", "--max-chars")
    r = CliRunner().invoke(cli, ["check", str(article), "--summary", "-", "-f", "text"],
                           input="- The council approved the ferry budget on Monday.\n")
    assert r.exit_code == 0, r.output
    assert r.stdout.strip() == "The council approved the ferry budget on Monday."
    r = CliRunner().invoke(cli, ["check", "-", "--summary", "-"], input=TEXT)
    assert r.exit_code == 2 and "cannot both be -" in r.stderr


# -- 7. a charset that names a codec which is no text encoding ------------------------------------


NOT_CHARSETS = ["rot13", "base64", "uu", "hex", "zlib", "bz2"]


@pytest.fixture(scope="module")
def site():
    page = article_html("utf-8")
    routes = {"/story": lambda h: send(h, page)}
    for codec in NOT_CHARSETS:
        routes[f"/meta-{codec}"] = lambda h, c=codec: send(h, article_html(c), "text/html")
        routes[f"/header-{codec}"] = lambda h, c=codec: send(h, page.replace("utf-8", "x"), f"text/html; charset={c}")
    routes["/text-base64"] = lambda h: send(h, " ".join(STORY), "text/plain; charset=base64")
    routes["/utf7"] = lambda h: send(h, article_html().replace("ferries", "ferries +2AA-"), "text/html; charset=utf-7")
    routes["/undefined"] = lambda h: send(h, page, "text/html; charset=undefined")
    routes["/to-bad"] = redirect("http://[::1/x")
    routes["/to-secret"] = redirect("http://reader:hunter2@127.0.0.1:1/story")
    routes["/canonical"] = lambda h: send(h, page.replace(
        "<title>", '<link rel="canonical" href="https://reader:hunter2@example.com/ferries"><title>'))
    with serve(routes) as base:
        yield base


def test_a_page_that_declares_a_codec_that_is_no_charset_is_one_line_and_the_next_is_summarized(site):
    bad = [f"/meta-{c}" for c in NOT_CHARSETS] + [f"/header-{c}" for c in NOT_CHARSETS] + ["/text-base64"]
    r = CliRunner().invoke(cli, ["-m", "lead", "-n", "1", "-f", "jsonl", *(site + p for p in bad), f"{site}/story"])
    assert r.exit_code == 1
    errors = r.stderr.strip().splitlines()
    assert len(errors) == len(bad) and "Traceback" not in r.stderr
    for line, path in zip(errors, bad):
        codec = path.rsplit("-", 1)[1]
        assert line.startswith(f"Error: {site}{path}: the page declares a charset that is no text encoding "
                               f"'{codec}'; pass --encoding"), line
    assert [json.loads(line)["key_points"][0]["text"] for line in r.stdout.splitlines()] == STORY[:1]


@settings(max_examples=300, deadline=None)
@given(data=st.one_of(st.binary(max_size=200), st.text(max_size=60).map(lambda t: t.encode("utf-8", "surrogatepass"))),
       label=st.one_of(st.sampled_from(["rot13", "base64", "uu", "hex", "zlib", "bz2", "quopri", "utf-7", "undefined",
                                        "idna", "punycode", "unicode_escape", "raw_unicode_escape", "utf-16",
                                        "iso-8859-1", "koi8-r", "utf\x008", "mbcs"]),
                       st.text(max_size=12)),
       where=st.sampled_from(["header", "override", "meta"]))
def test_a_page_in_any_declared_charset_decodes_to_text_or_our_error(data, label, where):
    from summarizer.inputs.charset import decode_page

    if where == "meta":
        data = b'<html><head><meta charset="' + label.encode("utf-8", "surrogatepass") + b'">' + data
    try:
        text = decode_page(data, "page.html", header=label if where == "header" else None,
                           override=label if where == "override" else None)
    except InputError:
        return
    text.encode("utf-8")  # no lone surrogate got through


def test_charsets_that_fail_without_an_offset_or_make_surrogates_are_one_line(site):
    r = CliRunner().invoke(cli, ["-m", "lead", f"{site}/utf7", f"{site}/undefined", f"{site}/story"])
    assert r.exit_code == 1
    errors = r.stderr.strip().splitlines()
    assert len(errors) == 2 and "Traceback" not in r.stderr, r.stderr
    assert "not valid text (a lone surrogate, U+D800" in errors[0]
    assert "its bytes are not valid undefined" in errors[1]
    assert r.stdout.startswith(f"==> {site}/story <==\n• {STORY[0]}\n")


# -- 8. URLs that are not URLs, and URLs with a password --------------------------------------------


def test_malformed_urls_are_one_line_each_and_the_others_are_summarized(site, monkeypatch):
    port = site.rsplit(":", 1)[1]
    bad = {
        "http://[::1/x": "not a valid URL (Invalid IPv6 URL)",
        "http://127.0.0.1:99999/x": "not a valid URL (Port out of range 0-65535)",
        "http://127.0.0.1:８０/x": "not a valid URL (Port could not be cast",
        "http://a\x00b/x": "not a valid URL: it has a control character (\\x00)",
        f"http://127.0.0.1:{port}/story\x00": "not a valid URL: it has a control character (\\x00)",
        "http://ex\u2028ample.com/": "it has a control character (\\u2028)",
        "http://exa\u202emple.com/": "it has a control character (\\u202e)",
        "http://bad\udcffhost/": "it has a control character (\\udcff)",
        "http://a..b/": "cannot fetch",
        f"{site}/to-bad": "/to-bad: redirected to http://[::1/x: not a valid URL (Invalid IPv6 URL)",
    }
    for proxy in (None, "http://127.0.0.1:9"):
        if proxy:
            monkeypatch.setenv("http_proxy", proxy)
        r = CliRunner().invoke(cli, ["-m", "lead", "-n", "1", "--timeout", "5", *bad, f"{site}/story"])
        assert r.exit_code == 1
        errors = r.stderr.strip().splitlines()
        assert len(errors) == len(bad) and "Traceback" not in r.stderr, r.stderr
        for line, message in zip(errors, bad.values()):
            assert line.startswith("Error: http") and message in line, line
            assert line.isprintable(), ascii(line)  # a NUL or a line separator is shown escaped
        assert r.stdout.strip() == f"==> {site}/story <==\n• {STORY[0]}"


@settings(max_examples=400, deadline=None)
@given(url=st.one_of(
    st.text(max_size=40),
    st.builds(lambda scheme, rest: scheme + rest, st.sampled_from(["http://", "https://", "HTTP://", "ftp://"]),
              st.lists(st.one_of(st.text(max_size=8), st.sampled_from(
                  ["[", "]", "::1", ":", "99999", "@", "user:pw@", "/", "?", "#", "\x00", "\u2028", "\udcff", "%",
                   "é", "xn--", ".", "..", "８"])), max_size=8).map("".join))))
def test_any_url_is_parsed_or_refused_in_one_line_without_its_user_part(url):
    from summarizer.inputs.fetch import check_url, shown

    name = shown(url)
    assert name.isprintable()
    try:
        parts = check_url(url, name)
    except InputError as e:
        assert str(e).startswith(name) and str(e).isprintable()
        return
    assert parts.scheme in ("http", "https") and parts.hostname and "@" not in parts.netloc


@settings(max_examples=300, deadline=None)
@given(before=st.text(max_size=10).filter(lambda t: not set(t) & set("/?#")),
       after=st.lists(st.one_of(st.text(max_size=8), st.sampled_from(["\uff0f", "\uff20", "\uff1a", "[", ":99999", "@",
                                                                      "\x00", "/"])), max_size=5).map("".join))
def test_a_password_in_any_url_is_never_shown(before, after):
    from summarizer.inputs.fetch import check_url, shown

    url = f"http://{before}reader:hunter2@{after}"
    assert "hunter2" not in shown(url)
    with pytest.raises(InputError) as e:
        check_url(url, shown(url))
    assert "hunter2" not in str(e.value)


def test_a_url_with_a_password_is_refused_and_the_password_never_shown(site):
    port = site.rsplit(":", 1)[1]
    urls = [f"http://reader:hunter2@127.0.0.1:{port}/story", f"http://hunter2@127.0.0.1:{port}/story",
            f"{site}/to-secret"]
    r = CliRunner().invoke(cli, ["-m", "lead", "-f", "json", *urls, f"{site}/canonical"])
    assert r.exit_code == 1
    assert "hunter2" not in r.stdout + r.stderr
    errors = r.stderr.strip().splitlines()
    assert errors[0] == (f"Error: http://***@127.0.0.1:{port}/story: refused: the URL has a user name or password in "
                         "it; no site is logged in to (they would not be sent) and the URL is written into the output: "
                         "leave them out, or save the page and give the file")
    assert errors[1].startswith(f"Error: http://***@127.0.0.1:{port}/story: refused:")
    assert errors[2].startswith(f"Error: {site}/to-secret: redirected to http://***@127.0.0.1:1/story: refused: ")
    (page,) = json.loads(r.stdout)
    assert page["url"] == "https://***@example.com/ferries"  # the page's own canonical URL, its user part hidden


# -- 9. every public function checks its arguments ---------------------------------------------------


PUBLIC = [name for name in summarizer.__all__ if inspect.isfunction(getattr(summarizer, name))]
# arguments each public function takes; each in turn is replaced by one of the wrong type
GOOD = {"check": (TEXT, "- Ten boats."), "get_summarizer": ("lead",), "known_models": (), "load": ("lead",),
        "parse_article": (TEXT, "a.txt"), "split_sentences": (TEXT,), "summarize": (TEXT, 2, "lead"),
        "summarize_articles": ([Article(body=TEXT)], 2, "lead")}


def test_every_public_function_is_listed_here():
    assert sorted(GOOD) == sorted(PUBLIC)


@pytest.mark.parametrize("name", PUBLIC)
def test_every_public_function_refuses_a_wrong_type_with_a_usage_error(name):
    f, args = getattr(summarizer, name), GOOD[name]
    f(*args)  # the right types work
    for i in range(len(args)):
        for wrong in ([None] if i == 0 else []) + [b"bytes", object(), 2.5]:
            with pytest.raises(UsageError, match=", got "):
                f(*args[:i], wrong, *args[i + 1:])


@pytest.mark.parametrize("call, message", [
    (lambda: check(TEXT, 5), "check() takes the key points as a string (one a line) or a list of strings, got int"),
    (lambda: check(None, "x"), "check() takes the article's text as a string, got None"),
    (lambda: check(TEXT, ["a", None]), "got a list holding None at 1"),
    (lambda: parse_article(None), "parse_article() takes the article's text as a string, got None"),
    (lambda: parse_article(TEXT, name=3), "parse_article() takes the name as a string or None, got int"),
    (lambda: summarize(TEXT, model=None), "summarize() takes the model as a name (a string)"),
    (lambda: summarize(TEXT, limits=None), "limits must be a summarizer.Limits, got None"),
    (lambda: summarize(TEXT, n="3"), "n must be a positive number of key points, or None, got str"),
    (lambda: summarize(TEXT, strict="no"), "strict must be True or False, got str"),
    (lambda: summarize(None), "summarize() takes a string or a list of strings, got None"),
    (lambda: summarize([TEXT, 7]), "got a list holding int at 1"),
    (lambda: summarizer.summarize_articles([TEXT]), "takes a list of summarizer.Article (see parse_article)"),
    (lambda: summarizer.summarize_articles([Article(body=None)]), "an Article's body must be a string, got None"),
    (lambda: summarizer.load(model=None), "load() takes the model as a name (a string), got None"),
    (lambda: summarizer.get_summarizer(None), "a model is named by a string"),
    (lambda: summarizer.split_sentences(None), "split_sentences() takes the text as a string, got None"),
    (lambda: check(TEXT, "x", limits=1000), "limits must be a summarizer.Limits, got int"),
])
def test_api_misuse_is_a_usage_error_that_says_what_was_expected(call, message):
    with pytest.raises(UsageError) as e:
        call()
    assert message in str(e.value)


def test_api_ceilings_hold_for_check_too():
    with pytest.raises(InputError, match=f"text: {len(TEXT)} characters, over the input ceiling of 50"):
        check(TEXT, "- Ten boats.", limits=Limits(max_chars=50))
    with pytest.raises(InputError, match="the key points: 3 key points, over the input ceiling of 2"):
        check(TEXT, ["Ten boats.", "A budget.", "Critics."], limits=Limits(max_sentences=5 - 3))


# -- 10. bidirectional controls in a key point ----------------------------------------------------


def test_a_right_to_left_override_in_a_key_point_does_not_reverse_the_rest_of_the_line():
    text = "Fares rise \u202eby 12% next year"
    s = Summary(key_points=(KeyPoint(text, flags=(Flag("number", "12"),)),), model="check", name="a\u2067.txt")
    assert render(s, "bullets").splitlines()[0] == "• Fares rise \u202eby 12% next year\u202c [! 12]"
    assert render(s, "text", header=True).splitlines() == ["==> a\u2067.txt\u2069 <==", text + "\u202c"]
    assert json.loads(render(s, "json"))["key_points"][0]["text"] == text  # the exact text, offsets unchanged
    # right-to-left news: text whose controls are closed, or that has none, is written as it is
    for kept in ("\u05d4\u05de\u05d5\u05e2\u05e6\u05d4 \u200f12%", "a \u2067\u05d0\u2069 b", "x \u202bnested \u2066y"
                 "\u2069\u202c z"):
        assert bidi_closed(kept) == kept


@pytest.mark.parametrize("text, closed", [
    ("\u202b\u2066abc", "\u202b\u2066abc\u2069\u202c"),  # innermost closed first
    ("\u2066\u202eabc\u2069 d", "\u2066\u202eabc\u2069 d"),  # the PDI closed the override inside its isolate
    ("\u2066a\u202c b", "\u2066a\u202c b\u2069"),  # a PDF does not close an isolate
    ("a\u202c\u2069 b", "a\u202c\u2069 b"),  # closers with nothing open change nothing
])
def test_bidi_closed_follows_the_unicode_rules_for_closers(text, closed):
    assert bidi_closed(text) == closed
