"""`summarize serve` on a real uvicorn server on 127.0.0.1 (an ephemeral port): each endpoint
against the command line's JSON, bad bodies, URLs the server must refuse (before connecting),
a URL that stalls, a full queue, a client that goes away, the API key, and the page in
headless Chromium. Queue tests use a stand-in model (Lead-N behind a gate) where the real
one is not the point; the pages are our own wording (tests/webserver.py)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

pytest.importorskip("fastapi", reason="summarize serve needs the serve extra: pip install 'summarizer[serve]'")
import httpx  # noqa: E402
import uvicorn  # noqa: E402
from click.testing import CliRunner  # noqa: E402

from eval.common.headless import CHROMIUM, Browser  # noqa: E402
from summarizer.article import Limits  # noqa: E402
from summarizer.backends import resolve  # noqa: E402
from summarizer.backends.lead import LeadSummarizer  # noqa: E402
from summarizer.cli import cli  # noqa: E402
from summarizer.errors import UsageError  # noqa: E402
from summarizer.inputs.fetch import private_address  # noqa: E402
from summarizer.serve.app import ServedModel, create_app  # noqa: E402
from summarizer.serve.config import ServeConfig  # noqa: E402
from webserver import FURNITURE_HTML, STORY, article_html, redirect, send, serve  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "cnbc_article.txt"
POINTS = REPO / "examples" / "cnbc_key_points.txt"
TEXT = " ".join(STORY)
KEY = "s3cret-api-key-0123456789"


@contextmanager
def running(app) -> Iterator[str]:
    """``app`` on a real uvicorn server on 127.0.0.1 (a free port) for the block; its base URL."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on",
                            timeout_graceful_shutdown=2)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def loopback_only(ip):
    """The tests' address policy: this machine's loopback is allowed (the test pages live
    there), every other private address refused as the server refuses it."""
    return None if ip.is_loopback else private_address(ip)


class Gate:
    """A stand-in model: Lead-N that holds each call until ``open`` is set, and records its batches."""

    name = "lead"

    def __init__(self, fail: BaseException | None = None):
        self.open, self.entered = threading.Event(), threading.Event()
        self.calls: list[int] = []
        self.fail = fail
        self.inner = LeadSummarizer()

    def summarize(self, articles, *, num_points=3):
        self.calls.append(len(articles))
        self.entered.set()
        assert self.open.wait(20)
        if self.fail is not None:
            raise self.fail
        return self.inner.summarize(articles, num_points=num_points)


def gated(gate: Gate, **config) -> object:
    return create_app(ServeConfig(**config), ServedModel(resolve("lead"), {}, gate), address_check=loopback_only)


@pytest.fixture(scope="module")
def server(extractive):
    """The default model behind a server that may fetch from loopback (the test pages)."""
    app = create_app(ServeConfig(fetch_timeout=1.0), ServedModel(resolve("extractive"), {}, extractive),
                     address_check=loopback_only)
    with running(app) as base, httpx.Client(base_url=base, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def strict_server(extractive):
    """The default model with the default address policy (public addresses only) and a low ceiling."""
    app = create_app(ServeConfig(limits=Limits(max_chars=5000)), ServedModel(resolve("extractive"), {}, extractive))
    with running(app) as base, httpx.Client(base_url=base, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def site():
    routes = {
        "/article": lambda h: send(h, FURNITURE_HTML),
        "/plain": lambda h: send(h, article_html("utf-8")),
        "/to-private": redirect("http://10.0.0.1/story"),
        "/to-metadata": redirect("http://169.254.169.254/latest/meta-data/", 301),
        "/stall": lambda h: time.sleep(3),  # headers never come within the fetch timeout
    }
    with serve(routes) as base:
        yield base


@pytest.fixture
def connections(monkeypatch):
    """Every address the server's fetches open a connection to (the server runs in this process)."""
    seen: list[str] = []
    real = socket.create_connection

    def create(address, *args, **kwargs):
        if threading.current_thread().name.startswith("summarizer-read"):
            seen.append(address[0])
            if address[0] not in ("127.0.0.1", "::1"):  # a regression must not send a packet there either
                raise ConnectionRefusedError(f"the test refused a connection to {address[0]}")
        return real(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", create)
    return seen


def cli_json(*args: str) -> tuple[int, dict]:
    r = CliRunner().invoke(cli, list(args))
    return r.exit_code, json.loads(r.stdout)


def same_summary(api: dict, cli_out: dict) -> None:
    cli_out = {k: v for k, v in cli_out.items() if k != "name"}
    assert {k: v for k, v in api.items() if k not in ("name", "body")} == cli_out


# --- the endpoints --------------------------------------------------------------------------

def test_summarize_text_is_what_summarize_json_writes(server):
    r = server.post("/v1/summarize", json={"text": EXAMPLE.read_text(encoding="utf-8"), "n": 2})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    _, expected = cli_json("-n", "2", "-f", "json", str(EXAMPLE))
    same_summary(r.json(), expected)
    assert "name" not in r.json() and "body" not in r.json()


def test_summarize_adaptive_with_the_body_the_offsets_index(server):
    d = server.post("/v1/summarize", json={"text": TEXT, "body": True}).json()
    assert d["body"] == TEXT and d["settings"]["num_points"] == "adaptive"
    for k in d["key_points"]:
        (a, b), = k["spans"]
        assert d["body"][a:b] == k["text"]


def test_summarize_html_reads_the_story_paragraphs_only(server):
    d = server.post("/v1/summarize", json={"html": FURNITURE_HTML, "n": 3}).json()
    assert d["title"] == "Council backs electric ferries" and d["author"] == "Jane Doe"
    assert all(any(k["text"] in s for s in STORY) for k in d["key_points"])


def test_summarize_url(server, site):
    d = server.post("/v1/summarize", json={"url": f"{site}/article", "n": 2}).json()
    assert d["name"] == f"{site}/article" and d["url"] == "https://gazette.example/news/electric-ferries"
    _, expected = cli_json("-n", "2", "-f", "json", f"{site}/article")
    same_summary(d, expected)


# A page of our own wording with its own key points in a labelled list above the story.
OWN_POINTS = [
    "The harbor tunnel opened to traffic on Friday, two years later than planned.",
    "It cost $1.9 billion, a third more than the first estimate.",
    "Tolls start at $4 a crossing and rise at rush hour.",
]
TUNNEL = [
    "The tunnel under Port Ellis harbor opened to cars and buses on Friday morning, two years behind schedule.",
    "Engineers had to stop digging twice after water seeped into the eastern shaft during the storms of 2022.",
    "The final bill came to $1.9 billion, about a third more than the estimate the city approved in 2017.",
    "Drivers will pay $4 a crossing outside rush hour and $6 between 7 and 9 a.m. on weekdays.",
    "City officials expect about 40,000 vehicles a day once the ferry schedule is cut back next spring.",
    "Shop owners near the old ferry landing worry that fewer people will walk past their doors.",
    "The mayor said the tolls would pay off the tunnel's bonds within 25 years.",
]
KEY_POINTS_HTML = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Harbor tunnel opens two years late | Port Ellis Gazette</title></head><body>
<article><h1>Harbor tunnel opens two years late</h1>
<div class="key-points"><h2>Key Points</h2><ul>{"".join(f"<li>{p}</li>" for p in OWN_POINTS)}</ul></div>
<p>{TUNNEL[0]} {TUNNEL[1]}</p><p>{TUNNEL[2]}</p><p>{TUNNEL[3]} {TUNNEL[4]}</p><p>{TUNNEL[5]} {TUNNEL[6]}</p>
</article></body></html>"""

CNBC_TUNNEL = ("Harbor tunnel opens two years late\n\nKey Points\n" + "".join(f"\u2022 {p}\n" for p in OWN_POINTS)
               + "\n" + "\n\n".join(TUNNEL))


def test_the_pages_own_key_points_come_back_as_references(server, tmp_path):
    """A page with a Key Points list: its key points are the answer's references (never key points
    of the model's), as in `summarize -f json`; with "score", ROUGE against them as `--score` gives it."""
    page = tmp_path / "tunnel.html"
    page.write_text(KEY_POINTS_HTML, encoding="utf-8")
    d = server.post("/v1/summarize", json={"html": KEY_POINTS_HTML, "n": 2}).json()
    assert d["references"] == {"source": "the page's Key Points list", "key_points": OWN_POINTS}
    assert all(any(k["text"] in s for s in TUNNEL) for k in d["key_points"])
    _, expected = cli_json("-n", "2", "-f", "json", str(page))
    same_summary(d, expected)

    scored = server.post("/v1/summarize", json={"html": KEY_POINTS_HTML, "n": 2, "score": True}).json()
    rouge = scored["references"]["rouge"]
    assert set(rouge) == {"rouge1", "rouge2", "rougeL", "rougeLsum"} and 0 < rouge["rouge1"]["fmeasure"] < 1
    assert scored["key_points"] == d["key_points"] and scored["references"]["signature"]
    code, expected = cli_json("--score", "-n", "2", "-f", "json", str(page))
    assert code == 0
    same_summary(scored, expected)

    schema = server.get("/openapi.json").json()["components"]["schemas"]
    assert "references" in schema["SummaryOut"]["properties"] and "score" in schema["SummarizeRequest"]["properties"]


def test_score_without_key_points_of_its_own_answers_without_references(server):
    """`summarize --score` on such an article writes its key points and exits 1; the API answers
    them (200), and the missing "references" says there was nothing to score against."""
    r = server.post("/v1/summarize", json={"text": TEXT, "n": 2, "score": True})
    assert r.status_code == 200 and len(r.json()["key_points"]) == 2 and "references" not in r.json()


def test_check_is_what_summarize_check_json_writes(server):
    r = server.post("/v1/check", json={"text": EXAMPLE.read_text(encoding="utf-8"),
                                       "key_points": POINTS.read_text(encoding="utf-8")})
    assert r.status_code == 200
    code, expected = cli_json("check", str(EXAMPLE), "--summary", str(POINTS), "-f", "json")
    assert code == 3  # the example's third key point is flagged
    same_summary(r.json(), expected)
    as_list = server.post("/v1/check", json={"text": EXAMPLE.read_text(encoding="utf-8"),
                                             "key_points": POINTS.read_text(encoding="utf-8").splitlines()})
    assert as_list.json() == r.json()


def test_models_healthz_and_the_schema(server):
    m = server.get("/v1/models").json()
    assert m["model"] == "extractive" and m["settings"]["scorer"] == "learned" and "lead" in m["known"]
    assert server.get("/healthz").json() == {"status": "ok", "model": "extractive", "waiting": 0,
                                             "queue_size": 64, "api_key": False}
    schema = server.get("/openapi.json").json()
    assert {"/v1/summarize", "/v1/check", "/v1/models", "/healthz"} <= set(schema["paths"])
    body = schema["paths"]["/v1/summarize"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["$ref"].endswith("SummarizeRequest")
    assert server.get("/docs").status_code == 404  # Swagger UI would load from a CDN: not served


# --- bad requests: JSON errors with the CLI's line and the right status ---------------------

@pytest.mark.parametrize("content, status, message", [
    (b"{bad json", 400, "the body is not valid JSON"),
    (b"[1, 2]", 400, "the body must be a JSON object"),
    (b'{"text": ""}', 400, "text: is empty"),
    (b'{"text": " \\n\\t "}', 400, "text: is empty"),
    (b'{"text": "Key Points\\n\\u2022 A point.\\n"}', 400, "text: has no body text after its key points"),
    (b'{"text": "a", "stict": true}', 400, "unknown field 'stict'"),
    (b'{"text": "a", "n": 0}', 400, "n: Input should be greater than or equal to 1"),
    (b'{"text": "a", "n": "3"}', 400, "n: Input should be a valid integer"),
    (b'{"text": "a", "url": "http://example.com/"}', 400, "give exactly one of text, html or url"),
    (b'{"url": "/etc/passwd"}', 400, "is not an http or https URL"),
    (b'{"url": "file:///etc/passwd"}', 400, "is not an http or https URL"),
    (b'{"text": "a\\u0000b"}', 400, "a NUL character"),
    (b'{"text": "a \\ud800 b"}', 400, "a lone surrogate"),
    (b'{"text": "a", "settings": {"min_words": 2}}', 400, "does not take 'min_words' per request"),
    (b'{"html": "<html><body><p>Short notice.</p></body></html>"}', 422, "html: not an article"),
    (b'{"key_points": "x"}', 400, "give exactly one of text, html or url"),
])
def test_bad_requests(server, content, status, message):
    path = "/v1/check" if b"key_points" in content else "/v1/summarize"
    r = server.post(path, content=content, headers={"content-type": "application/json"})
    assert r.status_code == status, r.text
    assert message in r.json()["error"] and "Traceback" not in r.text
    assert "\n" not in r.json()["error"]


def test_over_the_input_ceiling_is_413(strict_server):
    r = strict_server.post("/v1/summarize", json={"text": "The council met again today. " * 300})
    assert r.status_code == 413 and "over the input ceiling of 5,000" in r.json()["error"]


def test_key_points_to_check_are_held_to_the_servers_ceiling(strict_server):
    story = "The council met again today and voted on the harbor plan. " * 20  # 1,180 characters
    ok = strict_server.post("/v1/check", json={"text": story, "key_points": ["The council voted on the plan."]})
    assert ok.status_code == 200, ok.text
    r = strict_server.post("/v1/check", json={"text": story, "key_points": ["The council met again today."] * 200})
    assert r.status_code == 413 and "over the input ceiling of 5,000" in r.json()["error"], r.text


def test_a_20_mb_body_is_refused(server):
    big = b'{"text": "' + b"x" * (20 * 1024 * 1024) + b'"}'
    r = server.post("/v1/summarize", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413 and "larger than 8,388,608 bytes" in r.json()["error"]

    def chunks():  # no Content-Length: refused once the bytes read pass the limit
        for i in range(0, len(big), 1 << 20):
            yield big[i:i + (1 << 20)]

    r = server.post("/v1/summarize", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413 and "larger than" in r.json()["error"]
    assert server.get("/healthz").status_code == 200  # and the server goes on


def test_unknown_paths_and_methods_answer_json(server):
    r = server.get("/v2/summarize")
    assert r.status_code == 404 and "the API is under /v1/" in r.json()["error"]
    r = server.get("/v1/summarize")
    assert r.status_code == 405 and r.json()["error"]


def test_an_error_not_ours_is_500_without_a_traceback():
    gate = Gate(fail=RuntimeError("secret internals\nTraceback (most recent call last)"))
    gate.open.set()
    with running(gated(gate)) as base:
        r = httpx.post(f"{base}/v1/summarize", json={"text": TEXT})
    assert r.status_code == 500
    assert r.json() == {"error": "internal error (RuntimeError); the server's log has the details"}


# --- URLs: the machine's own and private addresses are refused before connecting ------------

@pytest.mark.parametrize("url, why", [
    ("http://127.0.0.1:9/story", "127.0.0.1 is a loopback address"),
    ("http://localhost:9/story", "is a loopback address"),  # a name that resolves to loopback
    ("http://10.0.0.1/story", "10.0.0.1 is a private address"),
    ("http://[::ffff:10.0.0.1]/story", "is a private address"),
    ("http://169.254.169.254/latest/meta-data/", "a cloud metadata address"),
    ("http://0.0.0.0:9/", "an unspecified address"),
])
def test_private_urls_are_refused(strict_server, connections, url, why):
    r = strict_server.post("/v1/summarize", json={"url": url})
    assert r.status_code == 400 and why in r.json()["error"] and "public addresses only" in r.json()["error"]
    assert connections == []


@pytest.mark.parametrize("path, to", [("/to-private", "10.0.0.1"), ("/to-metadata", "169.254.169.254")])
def test_a_redirect_to_a_private_address_is_refused(server, site, connections, path, to):
    r = server.post("/v1/summarize", json={"url": f"{site}{path}"})
    assert r.status_code == 400 and f"{to} is a" in r.json()["error"]
    assert to not in connections and connections  # the first hop (loopback, allowed here) only


def test_a_url_that_stalls_is_504(server, site):
    started = time.monotonic()
    r = server.post("/v1/summarize", json={"url": f"{site}/stall"})
    assert r.status_code == 504 and "timed out" in r.json()["error"]
    assert time.monotonic() - started < 2.5  # the server's fetch timeout is 1 s


# --- the queue --------------------------------------------------------------------------------

def _post_in_thread(url: str, body: dict, out: list) -> threading.Thread:
    t = threading.Thread(target=lambda: out.append(httpx.post(url, json=body, timeout=30)), daemon=True)
    t.start()
    return t


def _wait(predicate, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.01)


def test_concurrent_requests_are_batched():
    gate = Gate()
    with running(gated(gate)) as base:
        out: list = []
        first = _post_in_thread(f"{base}/v1/summarize", {"text": TEXT, "n": 1}, out)
        assert gate.entered.wait(10)  # the model is busy with the first
        rest = [_post_in_thread(f"{base}/v1/summarize", {"text": TEXT, "n": 1}, out) for _ in range(7)]
        _wait(lambda: httpx.get(f"{base}/healthz").json()["waiting"] == 7)
        gate.open.set()
        for t in [first, *rest]:
            t.join(20)
    assert [r.status_code for r in out] == [200] * 8
    assert gate.calls == [1, 7]  # the seven that waited went in one call


def test_a_full_queue_answers_503_with_retry_after():
    gate = Gate()
    with running(gated(gate, queue_size=1)) as base:
        out: list = []
        threads = [_post_in_thread(f"{base}/v1/summarize", {"text": TEXT}, out)]
        assert gate.entered.wait(10)
        threads.append(_post_in_thread(f"{base}/v1/summarize", {"text": TEXT}, out))
        _wait(lambda: httpx.get(f"{base}/healthz").json()["waiting"] == 1)
        r = httpx.post(f"{base}/v1/summarize", json={"text": TEXT})
        assert r.status_code == 503 and int(r.headers["retry-after"]) >= 1
        assert "the server is busy" in r.json()["error"]
        gate.open.set()
        for t in threads:
            t.join(20)
    assert sorted(r.status_code for r in out) == [200, 200]


def test_a_client_that_goes_away_frees_its_place():
    gate = Gate()
    with running(gated(gate, queue_size=1)) as base:
        out: list = []
        first = _post_in_thread(f"{base}/v1/summarize", {"text": TEXT}, out)
        assert gate.entered.wait(10)
        port = int(base.rsplit(":", 1)[1])
        body = json.dumps({"text": TEXT}).encode()
        with socket.create_connection(("127.0.0.1", port)) as s:  # queued, then gone
            s.sendall(b"POST /v1/summarize HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                      b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
            _wait(lambda: httpx.get(f"{base}/healthz").json()["waiting"] == 1)
        _wait(lambda: httpx.get(f"{base}/healthz").json()["waiting"] == 0)
        second = _post_in_thread(f"{base}/v1/summarize", {"text": TEXT}, out)  # its place is free
        _wait(lambda: httpx.get(f"{base}/healthz").json()["waiting"] == 1)
        gate.open.set()
        first.join(20)
        second.join(20)
    assert [r.status_code for r in out] == [200, 200]
    assert gate.calls == [1, 1]  # the one that went away never reached the model


def test_the_whole_request_timeout_is_503():
    gate = Gate()
    with running(gated(gate, timeout=0.5)) as base:
        r = httpx.post(f"{base}/v1/summarize", json={"text": TEXT}, timeout=10)
        gate.open.set()
    assert r.status_code == 503 and "longer than 0.5 s" in r.json()["error"] and r.headers["retry-after"]


def test_a_body_sent_too_slowly_is_cut_at_the_whole_request_timeout():
    gate = Gate()
    gate.open.set()
    with running(gated(gate, timeout=0.5)) as base:
        port = int(base.rsplit(":", 1)[1])
        started = time.monotonic()
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(b"POST /v1/summarize HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                      b"Content-Length: 1000\r\n\r\n{\"text\": \"The council")  # and nothing more
            answer = b""
            while not answer.endswith(b"}"):  # the head and the body may come in two packets
                chunk = s.recv(65536)
                assert chunk, answer
                answer += chunk
    assert answer.startswith(b"HTTP/1.1 503") and b"retry-after: " in answer.lower()
    assert b"longer than 0.5 s" in answer and time.monotonic() - started < 3
    assert gate.calls == []


def test_settings_a_request_may_change():
    gate = Gate()
    gate.open.set()
    app = create_app(ServeConfig(request_settings=frozenset({"default_points"})),
                     ServedModel(resolve("lead"), {}, gate))
    with running(app) as base, httpx.Client(base_url=base) as c:
        assert len(c.post("/v1/summarize", json={"text": TEXT}).json()["key_points"]) == 3
        d = c.post("/v1/summarize", json={"text": TEXT, "settings": {"default_points": 1}}).json()
        assert len(d["key_points"]) == 1 and d["settings"]["default_points"] == 1
        r = c.post("/v1/summarize", json={"text": TEXT, "settings": {"default_points": "one"}})
        assert r.status_code == 400 and "expects int" in r.json()["error"]
        r = c.post("/v1/summarize", json={"text": TEXT, "settings": {"default_points": 0}})
        assert r.status_code == 400 and "default_points=0" in r.json()["error"]
        assert c.get("/v1/models").json()["request_settings"] == ["default_points"]


# --- safe by default: the host, the API key ---------------------------------------------------

def test_a_loopback_server_answers_loopback_names_only(server):
    assert server.get("/healthz", headers={"host": "localhost:8000"}).status_code == 200
    r = server.get("/healthz", headers={"host": "rebound.example:8000"})
    assert r.status_code == 400 and "127.0.0.1 or localhost only" in r.json()["error"]


def test_a_public_bind_needs_an_api_key():
    served = ServedModel(resolve("lead"), {}, LeadSummarizer())
    with pytest.raises(UsageError, match="set SUMMARIZER_API_KEY"):
        create_app(ServeConfig(host="0.0.0.0"), served)
    r = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--model", "lead"], env={"SUMMARIZER_API_KEY": None})
    assert r.exit_code == 2 and "set SUMMARIZER_API_KEY" in r.output


def test_the_api_key_is_checked_and_never_logged(caplog):
    caplog.set_level("DEBUG")
    served = ServedModel(resolve("lead"), {}, LeadSummarizer())
    # configured as bound to every interface (so the key is required), served on loopback here
    with running(create_app(ServeConfig(host="0.0.0.0", api_key=KEY), served)) as base:
        url = f"{base}/v1/summarize"
        missing = httpx.post(url, json={"text": TEXT})
        wrong = httpx.post(url, json={"text": TEXT}, headers={"Authorization": f"Bearer {KEY[:-1]}x"})
        basic = httpx.post(url, json={"text": TEXT}, headers={"Authorization": f"Basic {KEY}"})
        right = httpx.post(url, json={"text": TEXT}, headers={"Authorization": f"Bearer {KEY}"})
        health = httpx.get(f"{base}/healthz")
        schema = httpx.get(f"{base}/openapi.json").json()
    for r in (missing, wrong, basic):
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
        assert "Authorization: Bearer KEY" in r.json()["error"] and KEY not in r.text
    assert right.status_code == 200 and health.json()["api_key"] is True
    assert schema["paths"]["/v1/summarize"]["post"]["security"] == [{"apiKey": []}]
    assert KEY not in caplog.text and KEY not in repr(ServeConfig(api_key=KEY))


# --- the command ------------------------------------------------------------------------------

def test_help_and_summarize_file_import_no_web_stack():
    code = (
        "import sys\n"
        "from summarizer.cli import cli\n"
        "for args in (['--help'], ['serve', '--help'], ['-m', 'lead', sys.argv[1]]):\n"
        "    try:\n"
        "        cli.main(args, prog_name='summarize')\n"
        "    except SystemExit as e:\n"
        "        assert not e.code, (args, e.code)\n"
        "web = sorted(m for m in ('fastapi', 'starlette', 'uvicorn', 'pydantic') if m in sys.modules)\n"
        "print('WEB', web, file=sys.stderr)\n"
    )
    r = subprocess.run([sys.executable, "-c", code, str(EXAMPLE)], capture_output=True, text=True, cwd=REPO,
                       timeout=60, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert r.returncode == 0, r.stderr[-2000:]
    assert "WEB []" in r.stderr and "--allow-private-urls" in r.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_summarize_serve_with_two_workers():
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("SUMMARIZER_API_KEY", None)
    proc = subprocess.Popen([sys.executable, "-m", "summarizer", "serve", "--model", "lead", "--port", str(port),
                             "--workers", "2", "--log-level", "warning", "-o", "default_points=2"],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 40
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, proc.stdout.read().decode()[-2000:]
            time.sleep(0.1)
        d = httpx.post(f"{base}/v1/summarize", json={"text": TEXT}).json()
        assert d["model"] == "lead" and len(d["key_points"]) == 2
    finally:
        proc.terminate()
        proc.wait(20)
        proc.stdout.close()


# --- the page, in headless Chromium ---------------------------------------------------------

needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium chromium-driver) "
           "to test the page in a headless browser",
)

HOSTILE = (TEXT + ' <script>window.pwned = 1</script><img src=x onerror="window.pwned = 2"> The <b>bold</b> '
           "claims & more came later.")


@needs_chromium
def test_the_page_in_chromium(server):
    base = str(server.base_url).rstrip("/")
    page_csp = server.get("/").headers["content-security-policy"]
    assert "script-src 'self'" in page_csp and "connect-src 'self'" in page_csp and "default-src 'none'" in page_csp
    with Browser() as b:
        page = b.open(f"{base}/")
        page.wait_for("document.body.dataset.state === 'ready'")
        page.evaluate(f"document.getElementById('story').value = {json.dumps(HOSTILE)}")
        page.evaluate("document.getElementById('n').value = '3'")
        page.click("#go")
        page.wait_for("document.body.dataset.state === 'done'")
        points = page.evaluate("[...document.querySelectorAll('#points li')].map(li => li.textContent)")
        marks = page.evaluate("[...document.querySelectorAll('#story-view mark')].map(m => m.textContent)")
        shown = page.evaluate("document.getElementById('story-view').textContent")
        pwned = page.evaluate("window.pwned === undefined && document.querySelectorAll('#story-view *').length")
        no_refs = page.evaluate("document.getElementById('refs').hidden")
        # a story in the CNBC layout: its own key points are shown apart, as text
        page.evaluate(f"document.getElementById('story').value = {json.dumps(CNBC_TUNNEL)}")
        page.click("#go")
        page.wait_for("document.body.dataset.state === 'done' && !document.getElementById('refs').hidden")
        refs = page.evaluate("[...document.querySelectorAll('#refs-list li')].map(li => li.textContent)")
        source = page.evaluate("document.getElementById('refs-source').textContent")
        errors, requests = page.errors(), page.requests()
    assert len(points) == 3 and all(any(p in s for s in STORY) for p in points)
    assert len(marks) == 3 and [m.lstrip("0123456789,") for m in marks] == points  # each marked where it stands
    assert '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2"> The <b>bold</b>' in shown
    assert pwned == 6  # the marks and their numbers only: no element from the story
    assert no_refs and refs == OWN_POINTS and source == "From the Key Points of the CNBC layout."
    assert errors == []
    assert requests and all(u.startswith(base + "/") or u.startswith("data:") for u in requests), requests
