"""The ``openai`` runtime against a real loopback HTTP server: faults, bounds, the key."""

from __future__ import annotations

import time

import pytest

pytest.importorskip("httpx", reason="the openai runtime needs httpx: pip install 'summarizer[api]'")

from eval.common.chat_server import ChatServer  # noqa: E402

from summarizer.backends.llm.runtimes.openai_api import ApiOptions, OpenAIRuntime, safe_url  # noqa: E402
from summarizer.errors import UsageError  # noqa: E402

KEY = "sk-test-0123456789abcdef-SECRET"


@pytest.fixture
def server():  # one per test: a slow request of one test must not land in the next one's record
    s = ChatServer()
    yield s
    s.close()


@pytest.fixture
def key(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    return KEY


def conversations(n: int) -> list[list[dict[str, str]]]:
    return [[{"role": "system", "content": "Write key points."},
             {"role": "user", "content": f"Article {i}. The council met on Monday. It approved {i} buses."}]
            for i in range(n)]


def runtime(server: ChatServer, mode: str = "ok", **options) -> OpenAIRuntime:
    server.reset()
    return OpenAIRuntime("openai:tiny", ApiOptions(server.base(mode), **options))


def chat(rt: OpenAIRuntime, n: int = 1):
    return rt.chat(conversations(n), max_new_tokens=32, temperature=0.0, seed=0)


def test_answers_in_order_with_usage(server, key):
    out = chat(runtime(server), 3)
    assert [g.text for g in out] == [f"- The council met on Monday.\n- It approved {i} buses." for i in range(3)]
    assert [g.error for g in out] == [None] * 3
    assert out[0].prompt_tokens == 11 and out[0].completion_tokens == 11
    assert {r["authorization"] for r in server.requests} == {f"Bearer {KEY}"}


def test_no_key_sends_no_authorization(server, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    rt = runtime(server)
    assert chat(rt)[0].error is None
    assert server.requests[0]["authorization"] == ""
    assert rt.describe()["api_key"] == "none"


def test_server_down_is_one_line_per_article(key):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    rt = OpenAIRuntime("openai:tiny", ApiOptions(f"http://127.0.0.1:{port}/v1", retries=1))
    start = time.monotonic()
    out = chat(rt, 2)
    assert time.monotonic() - start < 5
    for g in out:
        assert g.text is None
        assert g.error.startswith(f"cannot reach http://127.0.0.1:{port}/v1: ") and g.error.endswith("after 2 tries")
        assert "\n" not in g.error and KEY not in g.error


def test_slow_server_times_out_per_request(server, key):
    out = chat(runtime(server, "delay=1.5", request_timeout=0.3, retries=0), 2)
    assert [g.error for g in out] == [f"no answer from {server.base('delay=1.5')} within 0.3 s"] * 2


def test_run_timeout_fails_what_is_left(server, key):
    rt = runtime(server, "delay=0.3", concurrency=1, run_timeout=1.0, retries=0)
    out = chat(rt, 6)  # one at a time: three or so fit in the run's second, the rest fail alone
    assert out[0].error is None and out[-1].text is None
    for g in out:
        assert g.text is not None or g.error in (
            "the run's timeout of 1 s had passed before this article was sent",
            f"no answer from {server.base('delay=0.3')} within {g.error.split('within ')[-1]}",
        )


def test_429_then_success(server, key):
    out = chat(runtime(server, "status=429,once"), 2)
    assert [g.error for g in out] == [None, None]
    assert [r["status"] for r in server.requests].count(429) == 2
    assert len(server.requests) == 4


def test_500_is_retried_then_reported_without_the_key(server, key):
    out = chat(runtime(server, "status=500", retries=2), 1)
    (g,) = out
    assert g.text is None
    assert g.error.startswith(f"{server.base('status=500')} answered 500 Internal Server Error: refused request")
    assert g.error.endswith("after 3 tries")
    assert KEY not in g.error and "***" in g.error  # the server echoed the header; the key was scrubbed
    assert len(server.requests) == 3


def test_400_is_not_retried(server, key):
    (g,) = chat(runtime(server, "status=400"), 1)
    assert g.error.startswith(f"{server.base('status=400')} answered 400 Bad Request") and len(server.requests) == 1


@pytest.mark.parametrize("mode, message", [
    ("badjson", "answered malformed JSON: '{\"choices\": [{\"message\":'"),
    ("nochoices", "the answer has no choices[0].message.content (it has object)"),
])
def test_malformed_answers_fail_alone(server, key, mode, message):
    (g,) = chat(runtime(server, mode), 1)
    assert g.text is None and g.error.endswith(message) and len(server.requests) == 1


def test_concurrency_is_bounded_and_used(server, key):
    # the figure: 0.5 s a request, 8 articles, 4 at once: two rounds, not eight
    rt = runtime(server, "delay=0.5", concurrency=4)
    out = chat(rt, 8)
    assert all(g.error is None for g in out)
    span = max(r["end"] for r in server.requests) - min(r["start"] for r in server.requests)
    assert server.max_open == 4
    assert span <= 1.4, f"8 requests of 0.5 s, 4 at once, took {span:.2f} s of request time"


def test_concurrency_one_is_serial(server, key):
    chat(runtime(server, "delay=0.1", concurrency=1), 4)
    assert server.max_open == 1 and len(server.requests) == 4


def test_describe_records_no_secret(server, key):
    rt = OpenAIRuntime("openai:tiny", ApiOptions(server.base("ok")))
    d = rt.describe()
    assert KEY not in repr(d)
    assert d["api_base"] == server.base("ok") and d["api_key"] == "from OPENAI_API_KEY"
    # a key in the query string would be recorded with the run and sent to a wrong path: refused, not shown
    with pytest.raises(UsageError, match="leave the query string out") as e:
        ApiOptions(f"http://127.0.0.1:{server.port}/ok/v1?api-key=abc")
    assert "abc" not in str(e.value)


def test_credentials_in_the_url_are_refused_without_echoing_them():
    with pytest.raises(UsageError) as e:
        ApiOptions("http://user:hunter2@127.0.0.1:8080/v1")
    assert "hunter2" not in str(e.value) and "OPENAI_API_KEY" in str(e.value)


@pytest.mark.parametrize("base", ["", "127.0.0.1:8080/v1", "ftp://host/v1"])
def test_bad_api_base_is_a_usage_error(base):
    with pytest.raises(UsageError, match="--api-base"):
        ApiOptions(base)


def test_safe_url():
    assert safe_url("http://u:p@h:1/v1?k=2#f") == "http://h:1/v1"
