"""``report.html`` of ``eval``, ``score`` and ``compare``: a complete standalone page (no
external URL), every document once, text escaped, articles left out when the dataset is
gone; and, where Debian's chromium is installed, the page in headless Chromium: no
console error, no request, sorting, filtering, choosing a document, and a screenshot."""

from __future__ import annotations

import base64
import gzip
import html
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eval.common.headless import CHROMIUM, Browser
from summarizer.evaluate.runs import read_spans
from test_eval_cli import invoke, make_records

HOSTILE = "</script><script>alert('article')</script><!-- <b>bold</b> & &amp;"
HOSTILE_ID = "doc-<script>x</script>"


def write(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    """Two lead runs (3 and 1 key points) and a scored file of hostile summaries, compared."""
    root = tmp_path_factory.mktemp("report")
    records = make_records(30)
    records[4]["article"] = f"The mayor said {HOSTILE} on Monday. " + records[4]["article"]
    records[7]["id"] = HOSTILE_ID
    records[7]["highlights"][0] = "<img src=x onerror=alert(1)> " + records[7]["highlights"][0]
    data = write(root / "news.jsonl", records)
    for name, n in (("three", "3"), ("one", "1")):
        r = invoke("eval", "-d", data, "-m", "lead", "--out", root / name, "-n", n, "--samples", "200")
        assert r.exit_code == 0, r.output
    preds = [{"id": r["id"], "summary": [f"<i>{r['highlights'][0]}</i>", "</script> & more"]} for r in records]
    write(root / "preds.jsonl", preds)
    r = invoke("score", "-p", root / "preds.jsonl", "-d", data, "--out", root / "scored", "--samples", "200",
               "--name", "<b>writer</b>")
    assert r.exit_code == 0, r.output
    r = invoke("compare", root / "three", root / "one", root / "scored", "--out", root / "cmp", "--samples", "200")
    assert r.exit_code == 0, r.output
    return {"root": root, "data": data, "records": records, "cmp": root / "cmp" / "report.html",
            "three": root / "three" / "report.html", "scored": root / "scored" / "report.html"}


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def parse(page: str) -> Tags:
    t = Tags()
    t.feed(page)
    return t


def table(page: str) -> dict:
    m = re.search(r'<script type="application/json" id="table-data">(.*?)</script>', page, re.S)
    return json.loads(m.group(1))


def texts(page: str) -> list[list]:
    m = re.search(r'<script type="application/octet-stream" id="texts-data">(.*?)</script>', page, re.S)
    return [json.loads(line) for line in gzip.decompress(base64.b64decode(m.group(1))).decode().split("\n")]


def test_a_complete_page_with_no_external_url(runs):
    for path in (runs["cmp"], runs["three"], runs["scored"]):
        page = path.read_text(encoding="utf-8")
        assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
        tags = parse(page).tags
        names = [t for t, _ in tags]
        for needed in ("html", "head", "title", "style", "body", "table"):
            assert needed in names, (path, needed)
        for tag, attrs in tags:
            for a in ("src", "href", "action", "srcset", "poster", "data"):
                value = attrs.get(a)
                if value is not None:
                    assert value.startswith(("data:", "#")), (path, tag, a, value[:80])
        # the policy forbids any request the page might try anyway
        assert "default-src 'none'" in page and "connect-src" not in page
        assert not re.search(r"https?://", page), path
        assert names.count("script") == 3  # the two data blocks and the explorer: no other script


def test_the_summary_table_and_run_details_are_static_markup(runs):
    page = runs["cmp"].read_text(encoding="utf-8")
    md = (runs["root"] / "cmp" / "compare.md").read_text(encoding="utf-8")
    summary = page[page.index('<table class="summary">'):page.index("</table>")]
    assert summary.count('<th scope="row">') == 4  # three runs and the first run's Lead-3
    for cell in re.findall(r"\d+\.\d\d \[\d+\.\d\d, \d+\.\d\d\]", md):
        assert cell in summary
    assert summary.count('class="sig"') == md.count("]*")
    assert "rouge-score:" in page and "boot:200" in page  # the scorer signature
    assert "summarize eval -d" in page or "summarize eval --dataset" in page  # each run's command
    assert "\"num_points\": 1" in html.unescape(page)  # and settings
    assert ("<img alt=\"distribution_rougeLsum.png\" src=\"data:image/png;base64,iVBORw0KGgo") in page


def test_every_document_once_and_every_run_in_the_explorer(runs):
    page = runs["cmp"].read_text(encoding="utf-8")
    t = table(page)
    ids = [r["id"] for r in runs["records"]]
    assert t["ids"] == ids
    for i in ids:
        quoted = json.dumps(i).replace("<", "\\u003c").replace(">", "\\u003e")
        assert page.count(quoted) == 1, i
    assert [r["label"] for r in t["runs"]] == ["lead", "lead (one)", "<b>writer</b>", "lead-3 (baseline)"]
    assert [r["extractive"] for r in t["runs"]] == [True, True, False, True]
    scores = [json.loads(line) for line in (runs["root"] / "one" / "scores.jsonl").read_text().splitlines()]
    one = {s["id"]: s["rougeLsum"]["fmeasure"] for s in scores if s["role"] == "system"}
    assert t["scores"]["rougeLsum"][1] == [round(10_000 * one[i]) for i in ids]


def test_article_and_summary_text_is_data_never_markup(runs):
    for path in (runs["cmp"], runs["scored"]):
        page = path.read_text(encoding="utf-8")
        for raw in ("alert('article')", "<img src=x", "<b>writer</b>", "<i>", HOSTILE_ID, "<b>bold</b>"):
            assert raw not in page, (path, raw)
        assert "&lt;b&gt;writer&lt;/b&gt;" in page  # the run's name, escaped in the static table
    lines = texts(runs["cmp"].read_text(encoding="utf-8"))
    article, _, points, _ = lines[4]
    assert HOSTILE in article  # unchanged once decoded
    assert lines[7][1][0][0].startswith("<img src=x")  # the hostile reference, unchanged
    assert points[2] == [f"<i>{runs['records'][4]['highlights'][0]}</i>", "</script> & more"]


def test_offsets_in_the_predictions_mark_the_chosen_sentences(runs):
    preds = [json.loads(line) for line in (runs["root"] / "three" / "predictions.jsonl").read_text().splitlines()]
    lines = texts(runs["cmp"].read_text(encoding="utf-8"))
    for p, (article, _, points, spans) in zip(preds, lines):
        assert len(p["spans"]) == len(p["summary"]) == 3
        for text, point in zip(p["summary"], p["spans"]):
            (a, b), = point
            assert article[a:b] == text
        assert spans[0] == p["spans"] and spans[2] is None  # the scored run has none
        assert spans[3] == p["spans"]  # Lead-3 is the first three sentences too


def test_read_spans_ignores_what_is_not_well_formed():
    assert read_spans([[[0, 4], [6, 9]], []], 2) == (((0, 4), (6, 9)), ())
    for bad in ([[[0, 4]]], [[[4, 0]], []], [[[0, 1.5]], []], [[[0, True]], []], [[0, 4], []], "0-4", None,
                [[[-1, 3]], []], [[[0, 1, 2]], []]):
        assert read_spans(bad, 2) == (), bad


_json = st.recursive(st.none() | st.booleans() | st.integers(-5, 50) | st.floats(allow_nan=False) | st.text(max_size=3),
                     lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=2), inner, max_size=2),
                     max_leaves=20)


@given(value=_json, points=st.integers(0, 4))
def test_read_spans_never_raises_and_returns_ordered_pairs_per_point(value, points):
    spans = read_spans(value, points)
    assert spans == () or len(spans) == points
    for point in spans:
        for a, b in point:
            assert type(a) is int and type(b) is int and 0 <= a <= b


def test_the_same_runs_give_the_same_bytes(runs):
    out = runs["root"] / "cmp2"
    r = invoke("compare", runs["root"] / "three", runs["root"] / "one", runs["root"] / "scored", "--out", out,
               "--samples", "200")
    assert r.exit_code == 0, r.output
    assert (out / "report.html").read_bytes() == runs["cmp"].read_bytes()


def test_a_missing_dataset_is_said_and_the_report_has_no_articles(runs, tmp_path):
    data = tmp_path / "news.jsonl"
    shutil.copy(runs["data"], data)
    for name, n in (("a", "3"), ("b", "1")):
        assert invoke("eval", "-d", data, "-m", "lead", "--out", tmp_path / name, "-n", n, "--samples", "50").exit_code == 0
    data.unlink()
    r = invoke("compare", tmp_path / "a", tmp_path / "b", "--out", tmp_path / "cmp", "--samples", "50")
    assert r.exit_code == 0, r.output
    assert "news.jsonl: cannot read (No such file or directory)" in r.stderr and "without articles" in r.stderr
    page = (tmp_path / "cmp" / "report.html").read_text(encoding="utf-8")
    assert "No articles in this report" in page
    t = table(page)
    assert t["articles"] is False and len(t["ids"]) == 30
    first = texts(page)[0]
    assert first[0] is None and first[1] is None and len(first[2][0]) == 3 and first[2][2] is None
    # naming the dataset brings the articles back
    r = invoke("compare", tmp_path / "a", tmp_path / "b", "--out", tmp_path / "cmp2", "--samples", "50",
               "--dataset", runs["data"])
    assert r.exit_code == 0 and "without articles" not in r.stderr
    assert texts((tmp_path / "cmp2" / "report.html").read_text(encoding="utf-8"))[0][0]
    few = write(tmp_path / "few.jsonl", runs["records"][:10])  # a dataset without most of the documents
    r = invoke("compare", tmp_path / "a", "--out", tmp_path / "cmp3", "--samples", "50", "--dataset", few)
    assert r.exit_code == 0 and "20 of the 30 documents are not in" in r.stderr
    lines = texts((tmp_path / "cmp3" / "report.html").read_text(encoding="utf-8"))
    assert [line[0] is None for line in lines] == [False] * 10 + [True] * 20
    r = invoke("compare", tmp_path / "a", "--dataset", runs["data"])
    assert r.exit_code == 2 and "give --out too" in r.stderr


# --- in a real browser ---------------------------------------------------------------------

needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium chromium-driver) "
           "to test report.html in a headless browser",
)


@pytest.fixture(scope="module")
def browser():
    with Browser() as b:
        yield b


def visible(page, column: int) -> list[str]:
    return page.evaluate(f"[...document.querySelectorAll('#docs tbody tr')].map(r => r.cells[{column}].textContent)")


def type_in(page, field: str, value: str) -> None:
    page.evaluate(f"{{ const f = document.getElementById({json.dumps(field)}); f.value = {json.dumps(value)}; "
                  "f.dispatchEvent(new Event('input')); }")


def number(text: str) -> float:
    return float(text.replace("\u2212", "-").replace("\u00b1", ""))


@needs_chromium
def test_in_chromium_sorting_filtering_and_choosing_a_document(runs, browser, tmp_path):
    page = browser.open(runs["cmp"].as_uri())
    page.wait_for("document.querySelectorAll('#docs tbody tr').length === 30")
    assert page.evaluate("document.title") == "ROUGE report: lead vs lead (one) vs <b>writer</b>"
    header = page.evaluate("[...document.querySelectorAll('#docs thead th')].map(t => t.dataset.key)")
    assert header == ["id", "s0", "s1", "d1", "s2", "d2", "s3", "d3", "ab"]

    page.click('#docs thead th[data-key="s1"]')  # run 2's score, highest first
    col = [number(v) for v in visible(page, 2)]
    assert col == sorted(col, reverse=True) and col[0] > col[-1]
    page.click('#docs thead th[data-key="s1"]')
    assert [number(v) for v in visible(page, 2)] == sorted(col)
    page.click('#docs thead th[data-key="id"]')
    assert visible(page, 0) == sorted(r["id"] for r in runs["records"])

    # run B (lead with one key point) losing to run A (lead with three) by more than 5 points
    page.click("#f-loses")
    type_in(page, "f-by", "5")
    losses = [number(v) for v in visible(page, 8)]
    assert losses and all(v < -5 for v in losses) and len(losses) < 30
    page.click("#clear")
    type_in(page, "f-id", "script")
    assert visible(page, 0) == [HOSTILE_ID]
    page.click("#clear")

    # the worst document of B against A is chosen, and shown
    page.click("#worst")
    page.wait_for("!!document.querySelector('#doc .article')")
    chosen = page.evaluate("document.querySelector('#doc h3').textContent")
    assert chosen == visible(page, 0)[0]
    assert number(visible(page, 8)[0]) == min(number(v) for v in visible(page, 8))

    # the hostile article: its text shows as text, no script or image came of it
    type_in(page, "f-id", "doc-00004")
    page.click("#docs tbody tr")
    page.wait_for("document.querySelector('#doc h3').textContent === 'doc-00004' && !!document.querySelector('#doc .article')")
    assert HOSTILE in page.evaluate("document.querySelector('#doc .article').textContent")
    assert page.evaluate("document.querySelectorAll('#doc script, #doc img, #doc b, #doc i').length") == 0
    cards = page.evaluate("[...document.querySelectorAll('#doc .card h4')].map(h => h.textContent)")
    assert len(cards) == 5 and cards[0] == "human key points" and "<b>writer</b>" in cards[3]
    # lead's chosen sentences are marked in the article, the shared words in the key points
    marks = page.evaluate("[...document.querySelectorAll('#doc .article mark')].map(m => m.textContent)")
    first = json.loads((runs["root"] / "three" / "predictions.jsonl").read_text().splitlines()[4])
    assert "".join(marks) == "".join(first["summary"])
    assert page.evaluate("document.querySelectorAll('#doc .card mark.u2').length") > 0
    page.evaluate("document.getElementById('explorer').scrollIntoView()")
    shot = page.screenshot(tmp_path / "report.png")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000

    assert page.errors() == []
    others = [u for u in page.requests() if not u.startswith("data:") and u != runs["cmp"].as_uri()]
    assert others == []
    dialogs = [e for e in browser.events if e.get("method") == "Page.javascriptDialogOpening"]
    assert dialogs == []


@needs_chromium
def test_in_chromium_the_report_of_one_score_run(runs, browser, tmp_path):
    shutil.copy(runs["root"] / "scored" / "report.html", tmp_path / "scored.html")
    page = browser.open((tmp_path / "scored.html").as_uri())
    page.wait_for("document.querySelectorAll('#docs tbody tr').length === 30")
    page.click("#best")
    page.wait_for("!!document.querySelector('#doc .article')")
    assert page.evaluate("document.querySelectorAll('#doc .card').length") == 3  # references, writer, Lead-3
    assert page.errors() == []
