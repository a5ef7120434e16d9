"""One GGUF file, three runtimes: llama.cpp in this process, transformers, and llama.cpp's own
server (``python -m llama_cpp.server``) through the HTTP runtime. The file is a tiny model that
always answers the same sentence (``gguf_models.answer_always``), so the key points, their
support and flags, and ``--strict`` can be compared exactly: the prompt, parsing and grounding
are the backend's, the same whichever runtime writes the answer."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed: pip install 'summarizer[llm]'")
pytest.importorskip("httpx", reason="the openai runtime needs httpx: pip install 'summarizer[api]'")

import summarizer.api  # noqa: E402
from eval.common.llama_server import llama_server  # noqa: E402
from eval.common.random_qwen2 import build_tokenizer, qwen2_model  # noqa: E402
from gguf_models import answer_always, write_gguf  # noqa: E402
from summarizer.cli import cli  # noqa: E402

ANSWER = "The council paid $9 million."
ARTICLE = ("The city council approved a plan to widen the coastal road on Monday. "
           "The work will cost $4 million and start in May. Residents asked for a bike lane.")


@pytest.fixture(scope="module")
def gguf(tmp_path_factory):
    tok = build_tokenizer()
    return write_gguf(answer_always(qwen2_model(tok), tok, ANSWER), tok, tmp_path_factory.mktemp("same") / "scripted.gguf")


@pytest.fixture(scope="module")
def server(gguf):
    """``python -m llama_cpp.server`` serving the file on 127.0.0.1; its API base."""
    with llama_server(gguf, n_ctx=512, env={"OMP_WAIT_POLICY": "PASSIVE"}) as base:
        yield base


@pytest.fixture
def article(tmp_path, monkeypatch):
    monkeypatch.setattr(summarizer.api, "_CACHE", {})
    monkeypatch.setenv("OPENAI_API_KEY", "sk-never-shown-4242424242")
    path = tmp_path / "council.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


def run(*args) -> dict:
    r = CliRunner().invoke(cli, ["-f", "json", "-o", "max_new_tokens=16", *map(str, args)])
    assert r.exit_code == 0, r.output
    assert "sk-never-shown" not in r.output
    return json.loads(r.stdout)


def test_every_runtime_writes_the_same_grounded_key_points(gguf, server, article):
    by_runtime = {
        "llama.cpp": run("-m", gguf, article),
        "transformers": run("-m", gguf, "-o", "runtime=transformers", article),
        "openai": run("-m", "openai:scripted", "--api-base", server, "--concurrency", "1", article),
    }
    for name, d in by_runtime.items():
        assert d["settings"]["runtime"] == name
        (point,) = d["key_points"]
        assert point["text"] == ANSWER
        assert [(f["kind"], f["text"]) for f in point["flags"]] == [("amount", "$9 million")]
        assert point["support"][0]["sentence"] in (0, 1)
    points = [d["key_points"] for d in by_runtime.values()]
    assert points[0] == points[1] == points[2]


def test_strict_is_the_same_on_every_runtime(gguf, server, article):
    results = [
        run("-m", gguf, "--strict", article),
        run("-m", gguf, "-o", "runtime=transformers", "--strict", article),
        run("-m", "openai:scripted", "--api-base", server, "--strict", article),
    ]
    for d in results:
        assert d["key_points"] == [] and d["info"]["dropped_flagged"] == 1


def test_models_says_llama_cpp_runs_the_file(gguf):
    r = CliRunner().invoke(cli, ["models", str(gguf)])
    assert r.exit_code == 0
    assert r.output.splitlines()[1].startswith("runtime: llama.cpp: a GGUF file, and llama-cpp-python")
