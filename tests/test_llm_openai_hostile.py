"""The ``openai`` runtime against a hostile server (issue 29): every answer capped after
decompression, one deadline for a whole request and run, keys refused up front and never
shown, malformed bases in one line, and a model's answer made safe before it is a key point.

The server is ``eval/common/chat_server.py`` on 127.0.0.1, its faults chosen by the URL path.
Where a case is about memory, the client runs in a subprocess that reports its own peak RSS
(Linux's VmHWM, reset before each case).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner

pytest.importorskip("httpx", reason="the openai runtime needs httpx: pip install 'summarizer[api]'")

import summarizer.api  # noqa: E402
from eval.common.chat_server import ChatServer  # noqa: E402
from summarizer.backends.llm.backend import LLMSettings  # noqa: E402
from summarizer.backends.llm.runtimes.http_transport import Scrubber  # noqa: E402
from summarizer.backends.llm.runtimes.openai_api import MAX_ANSWER_BYTES, ApiOptions, OpenAIRuntime  # noqa: E402
from summarizer.cli import cli  # noqa: E402
from summarizer.errors import UsageError  # noqa: E402
from summarizer.split import MAX_SENTENCE_CHARS  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
KEY = "sk-hostile+0123/456789abcdef=SECRET"
STORY = "The harbor reopened on Friday after the storm. Ships lined up at the eastern pier. Repairs cost 2 million dollars."
CONVERSATION = [[{"role": "user", "content": STORY}]]


@pytest.fixture
def server(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setattr(summarizer.api, "_CACHE", {})
    s = ChatServer()
    yield s
    s.close()


@pytest.fixture
def story(tmp_path):
    p = tmp_path / "harbor.txt"
    p.write_text(STORY, encoding="utf-8")
    return p


def invoke(*args, env=None):
    return CliRunner().invoke(cli, [str(a) for a in args], env=env)


def error_lines(r) -> list[str]:
    return [line for line in r.stderr.splitlines() if line.startswith("Error:")]


def ask(server: ChatServer, mode: str, **options):
    server.reset()
    rt = OpenAIRuntime("openai:tiny", ApiOptions(server.base(mode), retries=0, **options))
    start = time.monotonic()
    (g,) = rt.chat(CONVERSATION, max_new_tokens=32, temperature=0.0, seed=0)
    return g, time.monotonic() - start


# -- case 1: an answer's size -----------------------------------------------------------------

needs_proc = pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="measures peak RSS through /proc")

# the subprocesses' own peak RSS, measured from where they reset it (put in for {peak} below)
PEAK = textwrap.dedent("""
    def reset_peak():  # the peak RSS from here on (ru_maxrss would carry the parent's across fork and exec)
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")

    def peak_mb():
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:")) / 1024
""")

MEMORY_SCRIPT = textwrap.dedent("""
    import json, sys
    from summarizer.backends.llm.runtimes.openai_api import ApiOptions, OpenAIRuntime

    {peak}
    conversation = [[{"role": "user", "content": "The council met. It voted."}]]
    out = {}
    for name, base, cap in json.loads(sys.argv[1]):
        rt = OpenAIRuntime("openai:tiny", ApiOptions(base, retries=0, request_timeout=30, max_answer_bytes=cap))
        reset_peak()
        before = peak_mb()
        (g,) = rt.chat(conversation, max_new_tokens=8, temperature=0.0, seed=0)
        out[name] = {"grew_mb": peak_mb() - before, "error": g.error, "chars": len(g.text or "")}
    print(json.dumps(out))
""").replace("{peak}", PEAK)


@needs_proc
def test_a_gzip_bomb_is_refused_at_the_cap_with_bounded_memory(server):
    """97 KB of gzip inflating to 100 MB: refused at max_answer_bytes (after decompression), and
    the client's peak RSS grows by a few MB. The control (the cap raised above the bomb) shows
    the measurement sees an answer that size."""
    cases = [("warm", server.base("ok"), MAX_ANSWER_BYTES), ("bomb", server.base("bomb=100"), MAX_ANSWER_BYTES),
             ("control", server.base("bomb=100"), 200_000_000)]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENAI_API_KEY": KEY}
    r = subprocess.run([sys.executable, "-c", MEMORY_SCRIPT, json.dumps(cases)], capture_output=True, text=True,
                       env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    bomb = out["bomb"]
    assert bomb["error"] == (f"{server.base('bomb=100')} answered more than {MAX_ANSWER_BYTES:,} bytes (after "
                             f"decompression): refused; if its answers are that long, raise "
                             f"-o max_answer_bytes={MAX_ANSWER_BYTES}")
    assert bomb["grew_mb"] < 30, out
    assert out["control"]["chars"] > 99_000_000 and out["control"]["grew_mb"] > 100, out  # what the cap prevents


def test_the_cap_is_one_line_on_the_command_line(server, story):
    r = invoke("-m", "openai:tiny", "--api-base", server.base("bomb=100"), "-o", "retries=0", story)
    assert r.exit_code == 1 and error_lines(r) == r.stderr.splitlines()
    assert "answered more than 4,194,304 bytes" in r.stderr and "-o max_answer_bytes=" in r.stderr
    r = invoke("-m", "openai:tiny", "--api-base", server.base(), "-o", "max_answer_bytes=10", story)
    assert r.exit_code == 2 and "max_answer_bytes" in r.stderr


def long_answer(messages):
    """A first key point of about 3 MB on one line (under the cap), then a short one."""
    return "- The harbor reopened " + "and the ships came back " * 125_000 + "\n- Repairs cost 2 million dollars."


PEAK_SCRIPT = textwrap.dedent("""
    import json, sys, time
    import summarizer

    {peak}
    article = sys.argv[2]
    out = {}
    for name, base in json.loads(sys.argv[1]):
        reset_peak()
        start = time.monotonic()
        (s,) = summarizer.load("openai:tiny", api_base=base, retries=0).summarize(
            [summarizer.parse_article(article, name=name)])
        out[name] = {"peak_mb": peak_mb(), "seconds": time.monotonic() - start, "texts": s.texts, "info": s.info}
    print(json.dumps(out))
""").replace("{peak}", PEAK)


@needs_proc
def test_a_megabytes_long_key_point_is_cut_to_the_sentence_ceiling_in_bounded_memory(tmp_path, monkeypatch):
    """The 1,000-character ceiling of an extracted sentence holds for a model's key point: a
    3 MB one is cut (at a word boundary here: it has no sentence end), said in info and a
    warning; grounding it costs no more memory than grounding a short one."""
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    short = ChatServer()
    long = ChatServer(long_answer)
    try:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        cases = [("short", short.base()), ("long", long.base())]
        r = subprocess.run([sys.executable, "-c", PEAK_SCRIPT, json.dumps(cases), STORY], capture_output=True,
                           text=True, env=env, timeout=300)
    finally:
        short.close()
        long.close()
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    first, second = out["long"]["texts"]
    assert len(first) <= MAX_SENTENCE_CHARS and first.startswith("The harbor reopened and the ships came back")
    assert second == "Repairs cost 2 million dollars."
    assert out["long"]["info"]["cut_points"] == 1
    assert out["long"]["info"]["warnings"] == [
        f"a key point of {len(long_answer([]).splitlines()[0][2:].strip()):,} characters was cut to {len(first):,} (a key point, like an extracted sentence, "
        f"is at most 1,000 characters)"]
    assert out["long"]["peak_mb"] - out["short"]["peak_mb"] < 100, out  # 3.2 GB for 10 MB before the ceiling
    assert out["long"]["seconds"] < 10, out


# -- case 4: one deadline for a whole request and run ------------------------------------------

@pytest.mark.parametrize("mode", ["trickle=0.25", "trickle=0.25,headers", "endless"])
def test_a_trickling_or_endless_answer_is_cut_at_the_request_timeout(server, mode):
    """A byte every 0.25 s (each read is quick, the answer never ends in time), its headers too,
    or 1 KB every 10 ms for ever: cut at request_timeout, in one line."""
    g, seconds = ask(server, mode, request_timeout=1.0)
    assert g.text is None and g.error == f"no answer from {server.base(mode)} within 1 s"
    assert 0.9 <= seconds < 2.0  # cut at 1 s; without the deadline a trickle takes 75 s, an endless body for ever


def test_the_run_timeout_bounds_a_trickling_answer(server):
    g, seconds = ask(server, "trickle=0.25", request_timeout=30, run_timeout=1.0)
    assert g.error == f"no answer from {server.base('trickle=0.25')} within 1 s (what was left of run_timeout=1)"
    assert 0.9 <= seconds < 2.0  # cut at 1 s; without the deadline a trickle takes 75 s, an endless body for ever


def test_an_endless_fast_answer_stops_at_the_cap(server):
    g, seconds = ask(server, "endless,every=0", request_timeout=30, max_answer_bytes=100_000)
    assert g.error.endswith("answered more than 100,000 bytes (after decompression): refused; if its answers are that "
                            "long, raise -o max_answer_bytes=100000")
    assert seconds < 2


# -- case 3: keys ------------------------------------------------------------------------------

def key_forms(key: str) -> list[str]:
    return [key, key.strip(), " ".join(key.split()), "".join(key.split()), quote(key, safe=""), key.upper(),
            key[:12], repr(key)[1:-1], json.dumps(key)[1:-1]]


@pytest.mark.parametrize("bad, what", [
    (KEY + "\n", f"a line break (character {len(KEY) + 1} of {len(KEY) + 1})"),
    ("sk-abc\tdef-0123456789", "a tab (character 7 of 21)"),
    ("sk-clé-0123456789abcdef", "a non-ASCII character (character 6 of 23)"),
    ("sk abc 0123456789abcdef", "a space (character 3 of 23)"),
])
def test_a_key_a_header_cannot_carry_is_refused_up_front_without_showing_it(server, story, monkeypatch, bad, what):
    r = invoke("-m", "openai:tiny", "--api-base", server.base(), story, env={"OPENAI_API_KEY": bad})
    assert r.exit_code == 2, r.output
    assert error_lines(r) == [
        f"Error: OPENAI_API_KEY holds {what}, which an HTTP header cannot carry: set it to the key alone"]
    assert not any(form in r.output for form in key_forms(bad) if len(form) >= 6)
    assert "Illegal header" not in r.output and server.requests == []  # nothing was sent
    monkeypatch.setenv("OPENAI_API_KEY", bad)
    with pytest.raises(UsageError, match="OPENAI_API_KEY holds") as e:  # the Python API: when the settings are made
        LLMSettings(checkpoint="openai:tiny", api_base=server.base())
    assert bad.strip() not in str(e.value)


def test_a_key_echoed_in_a_401_is_scrubbed_in_every_form_and_not_retried(server, story):
    """The server echoes the key as sent, percent-encoded, in upper case, in a URL's user part
    and query: none of it reaches the output, and a 401 is asked once."""
    r = invoke("-m", "openai:tiny", "--api-base", server.base("echo"), "-f", "json", story)
    assert r.exit_code == 1 and len(error_lines(r)) == 1 == len(r.stderr.splitlines())
    assert "answered 401 Unauthorized" in r.stderr and "***" in r.stderr
    for form in key_forms(KEY):
        assert form.lower() not in r.output.lower(), form
    assert len(server.requests) == 1


def test_the_scrub_covers_a_cut_key_and_each_form():
    scrub = Scrubber(KEY)
    for form in key_forms(KEY) + [KEY[:15], quote(KEY[:20], safe="")]:
        assert scrub(f"x {form} y") == "x *** y", form


def test_a_header_error_that_can_never_succeed_is_not_retried(server, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    rt = OpenAIRuntime("openai:tiny", ApiOptions(server.base(), retries=4))
    rt._api.client.headers["X-Broken"] = f"{KEY}\nInjected: yes"  # a header h11 refuses to send
    start = time.monotonic()
    (g,) = rt.chat(CONVERSATION, max_new_tokens=8, temperature=0.0, seed=0)
    assert time.monotonic() - start < 0.5 and server.requests == []  # no backoff: one try
    assert g.error.startswith(f"cannot send a request to {server.base()}: ") and "\n" not in g.error
    assert KEY not in g.error and KEY[:12] not in g.error


# -- cases 5 and 10: characters no key point may hold ----------------------------------------

@pytest.mark.parametrize("char, name, shown", [
    ("surrogate", "surrogate", "2 lone surrogates"),
    ("nul", "nul", "2 NULs"),
    ("bidi", "bidi", "2 bidirectional controls"),
    ("esc", "control", "2 control characters"),
])
def test_unsafe_characters_in_an_answer_are_removed_and_reported(server, story, char, name, shown):
    """A lone surrogate (a TypeError in the tokenizer before), a NUL, a U+202E that would show a
    flag backwards, an ESC that starts a terminal escape: taken out, counted, warned about."""
    r = invoke("-m", "openai:tiny", "--api-base", server.base(f"char={char}"), "-f", "json", story)
    assert r.exit_code == 0, r.output
    s = json.loads(r.stdout)
    assert [k["text"] for k in s["key_points"]] == ["Ships lined up at the eastern pier.",
                                                    "Repairs cost 2 million dollars."]
    assert s["info"]["removed_chars"] == {name: 2}
    assert r.stderr.splitlines() == [f"Warning: {story}: the model's answer held {shown}: removed from its key points"]


def test_eval_warns_of_removed_characters_and_scores_the_clean_points(server, tmp_path):
    data = tmp_path / "news.jsonl"
    data.write_text(json.dumps({"id": "d0", "article": STORY, "highlights": ["Ships lined up at the pier."]}) + "\n",
                    encoding="utf-8")
    r = invoke("eval", "-d", data, "-m", "openai:tiny", "--api-base", server.base("char=bidi"), "--out",
               tmp_path / "run", "--samples", "20")
    assert r.exit_code == 0, r.output
    assert "Warning: d0: the model's answer held 2 bidirectional controls: removed from its key points" in r.stderr
    (row,) = [json.loads(x) for x in (tmp_path / "run" / "predictions.jsonl").read_text().splitlines()]
    assert "\u202e" not in json.dumps(row, ensure_ascii=False) and "Ships lined up" in json.dumps(row)


# -- case 8: malformed bases -----------------------------------------------------------------

@pytest.mark.parametrize("base, message", [
    ("http://[::1/x", "--api-base: not a URL (Invalid IPv6 URL)"),
    ("http://127.0.0.1:99999/v1", "--api-base: port 99999 is out of range (0-65535)"),
    ("http://127.0.0.1:80a/v1", "--api-base: the port is not a number"),
    ("http://127.0.0.1:8080/v1\x00x", "--api-base: the URL holds a NUL (character 25)"),
    ("http://ex\u202eample.com/v1", "the host is not a name IDNA can encode"),
    ("http://" + "\u00fc" * 70 + ".com/v1", "the host is not a name IDNA can encode"),
    # the command line refuses these before the runtime sees them (summarizer.credentials)
    ("http://user:hunter2@127.0.0.1:8080/v1", "--api-base holds what looks like a credential (a user name"),
    ("http://127.0.0.1:8080/v1?key=hunter2", "--api-base holds what looks like a credential (a credential in a"),
])
def test_a_malformed_api_base_is_one_line(server, story, tmp_path, base, message):
    r = invoke("-m", "openai:tiny", "--api-base", base, story)
    assert r.exit_code == 2 and len(error_lines(r)) == 1 and message in error_lines(r)[0], r.output
    assert "hunter2" not in r.output and "Traceback" not in r.output
    data = tmp_path / "news.jsonl"
    data.write_text(json.dumps({"id": "d0", "article": STORY, "highlights": ["A point."]}) + "\n", encoding="utf-8")
    r = invoke("eval", "-d", data, "-m", "openai:tiny", "--api-base", base, "--out", tmp_path / "run")
    assert r.exit_code == 2 and message in r.stderr and len(error_lines(r)) == 1, r.output
    with pytest.raises(UsageError, match="--api-base"):  # the Python API too, before anything loads
        summarizer.load("openai:tiny", api_base=base)
