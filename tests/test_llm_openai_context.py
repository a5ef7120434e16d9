"""``--model openai:NAME`` and long articles: the server's context learned (``/props``, ``/v1/models``,
``-o context_tokens``), tokens counted by the server's tokenizer or a stated estimate, chunks and
``--truncate`` as on every runtime; and settings a runtime cannot honour refused, naming it.

Against the scripted server of ``eval/common/chat_server.py``, whose tokenizer (words and
punctuation) and ChatML template make every count checkable: a chat request it receives records
the prompt's tokens as the server counts them."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

pytest.importorskip("httpx", reason="the openai runtime needs httpx: pip install 'summarizer[api]'")

import summarizer.api  # noqa: E402
from eval.common.chat_server import ChatServer  # noqa: E402
from summarizer.backends import make_settings  # noqa: E402
from summarizer.backends.llm.runtimes.openai_api import (  # noqa: E402
    ApiOptions, OpenAIRuntime, count_keys, estimate_tokens)
from summarizer.cli import cli  # noqa: E402
from summarizer.errors import UsageError  # noqa: E402

KEY = "sk-ctx-TESTKEY-0123456789abcdef"
MAX_NEW = 64
SENTENCES = 120
# 120 distinct sentences of 13 words: about 1,900 of the scripted server's tokens
LONG = " ".join(f"The council met on day {i} and approved plan {i} for the harbor district." for i in range(SENTENCES))


@pytest.fixture
def server(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setattr(summarizer.api, "_CACHE", {})
    s = ChatServer()
    yield s
    s.close()


@pytest.fixture
def long_file(tmp_path):
    p = tmp_path / "long.txt"
    p.write_text(LONG, encoding="utf-8")
    return p


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def run(server, mode, path, *more):
    server.reset()
    r = invoke("-m", "openai:tiny", "--api-base", server.base(mode), "-o", f"max_new_tokens={MAX_NEW}", "-f", "json",
               *more, path)
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def under(server, context):
    """Every chat request's prompt, as the server counted it, left room for the answer."""
    assert server.requests and all(r["status"] == 200 for r in server.requests)
    return all(r["prompt_tokens"] + MAX_NEW <= context for r in server.requests)


@pytest.mark.parametrize("mode, source, tokenizer", [
    ("ctx=512,tokenize", "/props default_generation_settings.n_ctx", "server tokenize (llama.cpp)"),
    ("vllm=512", "/v1/models max_model_len", "server tokenize (vllm)"),
])
def test_a_small_context_chunks_the_article_with_the_servers_counts(server, long_file, mode, source, tokenizer):
    d = run(server, mode, long_file)
    info, s = d["info"], d["settings"]
    assert info["chunks"] > 3 and len(server.requests) == info["chunks"]
    assert under(server, 512)
    assert info["max_input_tokens"] == 512 and info["dropped_tokens"] == 0
    assert (s["context_length"], s["context_source"], s["token_count"]) == (512, source, tokenizer)
    # counting cost a request per distinct sentence (and the prompt's few), once each
    assert SENTENCES <= server.calls["tokenize"] <= SENTENCES + 15
    assert server.calls["props"] == 1


@pytest.mark.parametrize("mode", ["ctx=4096,tokenize", "vllm=4096"])
def test_the_count_is_the_servers_own(server, mode):
    rt = OpenAIRuntime("openai:tiny", ApiOptions(server.base(mode)))
    convs = [[{"role": "system", "content": "You write key points.\n\nBe brief."},
              {"role": "user", "content": f"Story:\n{LONG[: 300 * (i + 1)]}"}] for i in range(3)]
    counted = [rt.count_tokens(c) for c in convs]
    server.reset()
    rt.chat(convs, max_new_tokens=8, temperature=0, seed=0)
    assert sorted(counted) == sorted(r["prompt_tokens"] for r in server.requests)


def test_truncate_sends_one_request_and_counts_the_loss(server, long_file):
    d = run(server, "ctx=512,tokenize", long_file, "--truncate")
    info = d["info"]
    assert info["chunks"] == 1 and len(server.requests) == 1 and under(server, 512)
    assert info["dropped_tokens"] > 0 and info["input_tokens"] > info["dropped_tokens"]


def test_without_a_tokenizer_the_estimate_is_used_and_recorded(server, long_file):
    d = run(server, "ctx=512", long_file)
    s = d["settings"]
    assert s["token_count"] == "estimate" and "3 UTF-8 bytes" in s["token_count_rule"]
    assert any("no tokenize endpoint" in n for n in s["server_notes"])
    assert d["info"]["chunks"] > 3 and under(server, 512)
    assert server.calls["tokenize"] + server.calls["extras/tokenize/count"] == 2  # the probes only


def test_llama_cpp_python_counts_but_does_not_say_its_context(server, long_file):
    server.reset()
    r = invoke("-m", "openai:tiny", "--api-base", server.base("limit=512,extras"), "-o", f"max_new_tokens={MAX_NEW}",
               long_file)
    assert r.exit_code == 1 and r.stderr.count("\n") == 1
    assert "exceeds the available context size" in r.stderr and "give -o context_tokens=N" in r.stderr
    d = run(server, "limit=512,extras", long_file, "-o", "context_tokens=512")
    s = d["settings"]
    assert (s["context_length"], s["context_source"], s["server_context"]) == (512, "setting context_tokens", None)
    assert s["token_count"] == "server extras/tokenize/count (llama-cpp-python)"
    assert d["info"]["chunks"] > 3 and under(server, 512)


def test_context_tokens_wins_over_the_servers_figure(server, long_file):
    assert run(server, "ctx=8192,tokenize", long_file)["info"]["chunks"] == 1
    d = run(server, "ctx=8192,tokenize", long_file, "-o", "context_tokens=400")
    s = d["settings"]
    assert (s["context_length"], s["context_source"], s["server_context"]) == (400, "setting context_tokens", 8192)
    assert d["info"]["chunks"] > 3 and under(server, 400)


@pytest.mark.parametrize("mode, note", [
    ("props=bad,tokenize", "has no default_generation_settings.n_ctx"),
    ("props=broken,tokenize", "props answered malformed JSON"),
    ("ok", "props answered 404 Not Found"),
])
def test_a_missing_or_malformed_props_falls_back_and_says_so(server, tmp_path, mode, note):
    short = tmp_path / "short.txt"
    short.write_text("The harbor reopened on Friday. Ships lined up at the pier.", encoding="utf-8")
    d = run(server, mode, short)
    s = d["settings"]
    assert s["context_length"] is None and s["context_source"].startswith("unknown: give -o context_tokens=N")
    assert any(note in n for n in s["server_notes"]), s["server_notes"]
    assert d["info"]["chunks"] == 1 and d["key_points"]
    assert server.calls["tokenize"] == 1  # the probe; nothing is counted without a context
    r = invoke("-m", "openai:tiny", "--api-base", server.base(mode), "--truncate", short)
    assert r.exit_code == 2 and "--truncate needs the model's context" in r.stderr


def test_the_key_goes_to_api_base_only(server, long_file):
    run(server, "vllm=512", long_file)
    assert server.call_auth["v1/models"] == {f"Bearer {KEY}"}
    assert server.call_auth["props"] == server.call_auth["tokenize"] == {""}
    assert {r["authorization"] for r in server.requests} == {f"Bearer {KEY}"}


def test_the_server_is_asked_once_and_counts_are_cached(server, long_file):
    rt = OpenAIRuntime("openai:tiny", ApiOptions(server.base("ctx=512,tokenize")))
    server.reset()
    conv = [{"role": "user", "content": LONG}]
    first = rt.count_tokens(conv)
    asked = sum(server.calls.values())
    assert rt.count_tokens(conv) == first and rt.count_tokens(conv[:1]) == first
    assert sum(server.calls.values()) == asked and server.calls["props"] == 1
    assert rt.requests["tokenize"] == server.calls["tokenize"]


def test_counting_falls_back_to_the_estimate_when_the_server_stops(server):
    rt = OpenAIRuntime("openai:tiny", ApiOptions(server.base("ctx=512,tokenize"), retries=0))
    assert rt.describe()["token_count"].startswith("server")
    server.refuse.add("tokenize")
    conv = [{"role": "user", "content": "A sentence the server never saw."}]
    assert rt.count_tokens(conv) == estimate_tokens(conv)
    d = rt.describe()
    assert d["token_count"] == "estimate" and any("fell back to the estimate" in n for n in d["server_notes"])


def test_count_keys_and_the_estimate():
    keys = count_keys("Story:\nThe vote passed. Critics object.\n\nNo more")
    assert keys == [" Story:", "\n", " The vote passed.", " Critics object.", "\n\n", " No more"]
    assert count_keys("") == [] and count_keys("\n") == ["\n"]
    # the same sentence is the same key wherever it stands
    assert " Critics object." in count_keys("Critics object. Then more.")
    assert estimate_tokens([{"role": "user", "content": "é" * 30}]) == 32 + 8 + 20  # 60 bytes


# -- settings a runtime cannot honour ---------------------------------------------------------


@pytest.mark.parametrize("args, message", [
    (("--device", "cuda"), "--device cuda does not apply to the openai runtime: the model runs on the server"),
    (("--dtype", "bf16"), "--dtype bf16 does not apply to the openai runtime"),
    (("-o", "threads=4"), "-o threads=4 does not apply to the openai runtime"),
    (("-o", "memory_mb=512"), "-o memory_mb=512 does not apply to the openai runtime"),
    (("--batch-size", "2"), "--batch-size 2 does not apply to the openai runtime: requests go --concurrency at a time"),
    (("--quantize", "int8"), "--quantize does not apply to model 'llm'"),
])
def test_local_settings_are_refused_for_a_server(server, long_file, args, message):
    r = invoke("-m", "openai:tiny", "--api-base", server.base(), *args, long_file)
    assert r.exit_code == 2 and message in r.stderr
    assert [line for line in r.stderr.splitlines() if line.startswith("Error:")] == [
        line for line in r.stderr.splitlines() if message in line] and not server.requests  # one line


def test_a_default_given_is_not_refused(server, long_file):
    d = run(server, "ok", long_file, "--device", "auto", "--dtype", "auto")
    assert d["settings"]["device"] == "auto"


@pytest.mark.parametrize("values, message", [
    ({"concurrency": 2}, "--concurrency 2 does not apply to the transformers runtime: it is for --model openai:NAME"),
    ({"request_timeout": 5.0}, "-o request_timeout=5.0 does not apply to the transformers runtime"),
    ({"context_tokens": 1000}, "-o context_tokens=1000 does not apply to the transformers runtime"),
    ({"api_base": "http://127.0.0.1:9/v1"}, "--api-base does not apply to the transformers runtime"),
    ({"runtime": "llama.cpp", "memory_mb": 100}, "-o memory_mb=100 does not apply to the llama.cpp runtime"),
    ({"runtime": "llama.cpp", "dtype": "bf16"}, "--dtype bf16 does not apply to the llama.cpp runtime: llama.cpp computes"),
    ({"runtime": "llama.cpp", "retries": 1}, "-o retries=1 does not apply to the llama.cpp runtime"),
])
def test_server_settings_are_refused_for_a_local_model(values, message):
    with pytest.raises(UsageError) as e:
        make_settings("llm", values)
    assert str(e.value).startswith(message) and "\n" not in str(e.value)


def test_what_a_local_runtime_honours_is_kept():
    s = make_settings("llm", {"runtime": "llama.cpp", "threads": 2, "batch_size": 2, "device": "cpu"})
    assert (s.threads, s.batch_size, s.device) == (2, 2, "cpu")
    s = make_settings("llm", {"runtime": "transformers", "memory_mb": 100, "dtype": "fp32"})
    assert (s.memory_mb, s.dtype) == (100, "fp32")
