"""``--model openai:NAME --api-base URL`` end to end: the llm backend (prompt, parsing, grounding,
--strict, eval and --resume) over a real loopback HTTP server (``eval/common/chat_server.py``)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

pytest.importorskip("httpx", reason="the openai runtime needs httpx: pip install 'summarizer[api]'")

import summarizer.api  # noqa: E402
from eval.common.chat_server import ChatServer  # noqa: E402
from summarizer.cli import cli  # noqa: E402

KEY = "sk-live-TESTKEY-0123456789abcdef"
HARBOR = ("The harbor reopened on Friday after the storm. Ships lined up at the eastern pier. "
          "The port authority said repairs cost 2 million dollars.")
MINE = "The mine closed last year. Workers left town. The mayor asked the state for help."


def answer(messages: list[dict[str, str]]) -> str:
    user = messages[-1]["content"]
    if "harbor" in user:  # one supported point, one with a number and a name the story lacks
        return "Here are the key points:\n- The harbor reopened on Friday after the storm.\n- Officials in Boston paid 9 million dollars."
    return "- The mine closed last year.\n- The mayor asked the state for help."


@pytest.fixture
def server(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setattr(summarizer.api, "_CACHE", {})
    s = ChatServer(answer)
    yield s
    s.close()


@pytest.fixture
def stories(tmp_path):
    paths = []
    for name, text in (("harbor", HARBOR), ("mine", MINE)):
        p = tmp_path / f"{name}.txt"
        p.write_text(text, encoding="utf-8")
        paths.append(p)
    return paths


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_key_points_from_a_server_are_grounded_and_the_key_is_not_recorded(server, stories):
    r = invoke("-m", "openai:tiny", "--api-base", server.base(), "-f", "json", *stories)
    assert r.exit_code == 0, r.output
    harbor, mine = json.loads(r.stdout)
    first, second = harbor["key_points"]
    assert first["text"] == "The harbor reopened on Friday after the storm."
    assert first["flags"] == [] and first["support"][0]["sentence"] == 0
    assert {f["text"] for f in second["flags"]} >= {"Boston", "9 million dollars"} or len(second["flags"]) >= 2
    s = harbor["settings"]
    assert s["runtime"] == "openai" and s["model"] == "tiny" and s["api_key"] == "from OPENAI_API_KEY"
    assert KEY not in r.output and KEY not in json.dumps(s)
    assert [k["text"] for k in mine["key_points"]] == ["The mine closed last year.", "The mayor asked the state for help."]
    assert {req["authorization"] for req in server.requests} == {f"Bearer {KEY}"}


def test_api_extra_sends_more_request_fields_and_is_recorded(server, stories):
    r = invoke("-m", "openai:tiny", "--api-base", server.base(), "-f", "json",
               "-o", 'api_extra={"repeat_penalty": 1.0, "top_k": 1}', stories[1])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["settings"]["api_extra"] == {"repeat_penalty": 1.0, "top_k": 1}
    assert {"repeat_penalty", "top_k", "model", "messages"} <= set(server.requests[-1]["fields"])
    for extra, message in [
        ('{"temperature": 1}', "temperature is set by the runtime"),
        ('{"stream": true, "n": 2}', "n, stream is set by the runtime"),
        ("[1, 2]", "give a JSON object of request fields, not list"),
        ("{top_k: 1}", "api_extra: not JSON"),
        ('{"api_key": "x"}', "looks like a credential"),
    ]:
        r = invoke("-m", "openai:tiny", "--api-base", server.base(), "-o", f"api_extra={extra}", stories[1])
        assert r.exit_code == 2 and message in r.stderr, (extra, r.output)
        assert [line for line in r.stderr.splitlines() if line.startswith("Error:")] == [
            line for line in r.stderr.splitlines() if message in line]  # the error is one line
    r = invoke("-m", "lead", "-o", 'api_extra={"top_k": 1}', stories[1])
    assert r.exit_code == 2


def test_strict_works_as_on_every_runtime(server, stories):
    r = invoke("-m", "openai:tiny", "--api-base", server.base(), "--strict", "-f", "text", stories[0])
    assert r.exit_code == 0, r.output
    assert r.stdout.strip().splitlines() == ["The harbor reopened on Friday after the storm."]


def test_a_failed_article_is_one_line_and_the_others_complete(server, stories):
    server.fail_on = "mine"
    r = invoke("-m", "openai:tiny", "--api-base", server.base(), "-o", "retries=1", "-f", "text", *stories)
    assert r.exit_code == 1
    assert "The harbor reopened on Friday after the storm." in r.stdout
    errors = r.stderr.strip().splitlines()
    assert len(errors) == 1 and str(stories[1]) in errors[0]
    assert "answered 500 Internal Server Error" in errors[0] and "after 2 tries" in errors[0]
    assert KEY not in r.output and "***" in errors[0]  # the server echoed the header; it was scrubbed


def test_server_down_and_bad_base(stories, monkeypatch):
    monkeypatch.setattr(summarizer.api, "_CACHE", {})
    r = invoke("-m", "openai:tiny", "--api-base", "http://127.0.0.1:9/v1", "-o", "retries=0", stories[0])
    assert r.exit_code == 1 and r.stderr.count("\n") == 1 and "cannot reach http://127.0.0.1:9/v1" in r.stderr
    r = invoke("-m", "openai:tiny", "--api-base", "localhost:8080", stories[0])
    assert r.exit_code == 2 and "give the server's http(s) URL" in r.stderr
    r = invoke("-m", "openai:tiny", stories[0])
    assert r.exit_code == 2 and "needs the server's URL: --api-base URL" in r.stderr
    r = invoke("-m", "lead", "--api-base", "http://127.0.0.1:9/v1", stories[0])
    assert r.exit_code == 2 and "--api-base does not apply to model 'lead'" in r.stderr


def test_concurrency_option_bounds_open_requests(server, tmp_path):
    paths = []
    for i in range(6):
        p = tmp_path / f"s{i}.txt"
        p.write_text(f"The mine closed in year {2000 + i}. Workers left town.", encoding="utf-8")
        paths.append(p)
    r = invoke("-m", "openai:tiny", "--api-base", server.base("delay=0.2"), "--concurrency", "2", "-f", "text", *paths)
    assert r.exit_code == 0, r.output
    assert len(server.requests) == 6 and server.max_open == 2


def test_eval_reports_failures_and_resume_retries_them(server, tmp_path):
    data = tmp_path / "news.jsonl"
    with data.open("w", encoding="utf-8") as f:
        for i, text in enumerate([HARBOR, MINE, HARBOR.replace("Friday", "Monday")]):
            f.write(json.dumps({"id": f"d{i}", "article": text, "highlights": ["A point."]}) + "\n")
    out = tmp_path / "run"
    args = ("eval", "-d", data, "-m", "openai:tiny", "--api-base", server.base(), "--out", out, "--samples", "20", "-j", "1")
    server.fail_on = "mine"
    r = invoke(*args, "-o", "retries=0")
    assert r.exit_code == 1
    assert "document 'd1' not summarized: " in r.stderr and "not written, --resume tries it again" in r.stderr
    assert "1 of 3 documents could not be summarized" in r.stderr and "rerun with --resume" in r.stderr
    assert KEY not in r.output
    assert [json.loads(x)["id"] for x in (out / "predictions.jsonl").read_text().splitlines()] == ["d0", "d2"]
    server.fail_on = None
    r = invoke(*args, "-o", "retries=0", "--concurrency", "2", "--resume")  # pacing may change on resume
    assert r.exit_code == 0, r.output
    rows = [json.loads(x) for x in (out / "predictions.jsonl").read_text().splitlines()]
    assert sorted(row["id"] for row in rows) == ["d0", "d1", "d2"]
    for path in out.iterdir():
        assert KEY not in path.read_text(encoding="utf-8"), path
