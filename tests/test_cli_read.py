"""``summarize read`` (what the model would summarize) and ``summarize --score`` (the key
points against the article's own), through click's CliRunner and a new process."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
from click.testing import CliRunner

from helpers import EXAMPLE, REPO
from summarizer.article import parse_article
from summarizer.cli import cli
from webserver import FURNITURE_HTML, STORY, send, serve

PAGES = REPO / "examples" / "pages"
HUMAN = parse_article(EXAMPLE.read_text(encoding="utf-8")).key_points


def invoke(*args: str, input: bytes | str | None = None):
    return CliRunner().invoke(cli, list(args), input=input)


# -- summarize read -------------------------------------------------------------------------


def test_read_a_cnbc_text_shows_its_key_points_apart_from_the_text():
    r = invoke("read", str(EXAMPLE))
    assert r.exit_code == 0, r.output
    head, _, body = r.output.partition("\n\n")
    assert head.splitlines()[0].startswith("Title: Harbor city votes")
    assert [line[2:] for line in head.splitlines() if line.startswith("• ")] == list(HUMAN)
    assert body.strip() == parse_article(EXAMPLE.read_text(encoding="utf-8")).body
    assert not [k for k in HUMAN if k in body]


def test_read_json_has_the_text_and_the_references():
    r = invoke("read", "-f", "json", str(PAGES / "cnbc_key_points.html"))
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert d["references"]["source"] == "the page's Key Points list" and len(d["references"]["key_points"]) == 3
    assert d["text"].startswith("The Port Ellis harbor board voted on Thursday")
    assert d["headings"] == ["What shippers say", "The dredging plan"]
    assert {"title", "author", "date", "url", "layout", "words", "sentences"} <= set(d)


def test_read_a_url_and_several_inputs(tmp_path):
    plain = tmp_path / "a.txt"
    plain.write_text("The pier reopened. Anglers came back. The railings are new.", encoding="utf-8")
    with serve({"/story": lambda h: send(h, FURNITURE_HTML)}) as base:
        r = invoke("read", "-f", "jsonl", f"{base}/story", str(plain), str(tmp_path / "missing.txt"))
    assert r.exit_code == 1
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert [row["name"] for row in rows] == [f"{base}/story", str(plain)]
    assert rows[0]["text"].split("\n\n")[0] == " ".join(STORY[:2]) and rows[0]["author"] == "Jane Doe"
    assert r.stderr.count("Error: ") == 1 and "missing.txt" in r.stderr


def test_read_refuses_what_summarize_refuses_and_any_page_reads_it():
    from webserver import SHORT_HTML

    r = invoke("read", "-", input=SHORT_HTML)
    assert r.exit_code == 1 and "not an article: its story text is too short" in r.stderr
    r = invoke("read", "--any-page", "-", input=SHORT_HTML)
    assert r.exit_code == 0 and "ferry office is closed on Monday" in r.output


def test_read_without_input_is_a_usage_error():
    assert invoke("read").exit_code == 2


# -- summarize --score ------------------------------------------------------------------------


def test_score_the_example_shows_its_three_human_key_points_and_the_scores(extractive):
    from summarizer.evaluate.report import ScoringSettings, signature_line

    r = invoke("--score", str(EXAMPLE))
    assert r.exit_code == 0, r.output
    ours, _, rest = r.output.partition("\n\nKey points written for the article (the Key Points of the CNBC layout):\n")
    assert ours.startswith("• ") and rest
    assert [line[2:] for line in rest.split("\n\n")[0].splitlines()] == list(HUMAN)
    for label in ("ROUGE-1", "ROUGE-2", "ROUGE-L", "ROUGE-Lsum"):
        assert f"\n  {label} " in rest
    assert f"Scorer: {signature_line(ScoringSettings().signature())}" in rest


def test_score_json_is_the_harness_score(extractive):
    from summarizer.evaluate import Scorer

    r = invoke("--score", "-f", "json", str(EXAMPLE))
    d = json.loads(r.output)
    refs = d["references"]
    assert refs["key_points"] == list(HUMAN) and refs["source"] == "the Key Points of the CNBC layout"
    expected = Scorer().score(reference=list(HUMAN), prediction=[k["text"] for k in d["key_points"]])
    assert {m: round(v["fmeasure"], 12) for m, v in refs["rouge"].items()} == {
        m: round(s.fmeasure, 12) for m, s in expected.items()}
    assert refs["signature"].startswith("rouge-score:")


def test_references_are_in_the_json_without_score(extractive):
    d = json.loads(invoke("-f", "json", str(PAGES / "highlights.html")).output)
    assert d["references"]["source"] == "the bulleted highlights above the story"
    assert "rouge" not in d["references"]


def test_score_on_an_article_without_key_points(extractive, tmp_path):
    p = tmp_path / "plain.txt"
    p.write_text("The pier reopened on Friday. Anglers came back at dawn. The railings are new.", encoding="utf-8")
    r = invoke("--score", "-m", "lead", str(p))
    assert r.exit_code == 1
    assert r.stdout.startswith("• The pier reopened on Friday.")  # the key points are still written
    err = r.stderr.strip().splitlines()
    assert len(err) == 1 and "nothing to score against" in err[0] and "plain.txt" in err[0]


def test_summarize_file_imports_no_scorer_without_score():
    code = textwrap.dedent(
        """
        import sys
        from summarizer.cli import cli
        try:
            cli.main(["-m", "lead", sys.argv[1]], prog_name="summarize")
        except SystemExit as e:
            assert e.code == 0, e.code
        print("LOADED", sorted(m for m in ("summarizer.evaluate", "summarizer.inputs.html", "trafilatura", "lxml")
                                 if m in sys.modules),
              file=sys.stderr)
        """
    )
    r = subprocess.run([sys.executable, "-c", code, str(EXAMPLE)], capture_output=True, text=True, cwd=REPO,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    assert "LOADED []" in r.stderr


@pytest.mark.parametrize("fmt", ["bullets", "text"])
def test_score_in_both_plain_formats(extractive, fmt):
    r = invoke("--score", "-f", fmt, str(EXAMPLE))
    assert r.exit_code == 0 and "ROUGE-Lsum" in r.output and HUMAN[0] in r.output
