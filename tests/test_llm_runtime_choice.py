"""Which runtime runs a model, why, and transformers' refusal to dequantize a GGUF that cannot fit
(``llm_runtimes.gguf_files``, ``summarize models MODEL``)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

import summarizer.api
from gguf_models import tiny_gguf
from llm_models import build_chat_models
from summarizer.backends.llm.runtimes import gguf_files, runtime_name
from summarizer.backends.llm.runtimes.gguf_files import LOAD_FACTOR, choose_runtime, dequantize_check, parameter_count
from summarizer.cli import cli
from summarizer.errors import ModelError, UsageError


@pytest.fixture(scope="module")
def gguf(tmp_path_factory):
    return tiny_gguf(tmp_path_factory.mktemp("choice"))


@pytest.fixture(scope="module")
def hf_dir(tmp_path_factory):
    return build_chat_models(tmp_path_factory.mktemp("choice-hf"))["qwen2"]


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_a_gguf_runs_on_llama_cpp_when_installed(gguf, monkeypatch):
    monkeypatch.setattr(gguf_files, "llama_cpp_version", lambda: "0.3.36")
    c = choose_runtime(str(gguf))
    assert (c.runtime, c.reason) == ("llama.cpp", "a GGUF file, and llama-cpp-python 0.3.36 is installed")
    r = invoke("models", gguf)
    assert r.exit_code == 0 and r.output.splitlines() == [
        f"{gguf}: the llm model", "runtime: llama.cpp: a GGUF file, and llama-cpp-python 0.3.36 is installed"]


def test_without_llama_cpp_transformers_runs_it_and_says_what_it_costs(gguf, monkeypatch):
    monkeypatch.setattr(gguf_files, "llama_cpp_version", lambda: None)
    c = choose_runtime(str(gguf))
    assert c.runtime == "transformers" and "pip install 'summarizer[llm]'" in c.reason
    r = invoke("models", gguf)
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[1].startswith("runtime: transformers: a GGUF file, and llama-cpp-python is not installed")
    assert r.output.splitlines()[2].startswith("dequantizing: about 0.0 GB at its peak")


def test_other_models_and_explicit_choices(gguf, hf_dir, monkeypatch):
    monkeypatch.setattr(gguf_files, "llama_cpp_version", lambda: "0.3.36")
    assert choose_runtime(str(hf_dir)).runtime == "transformers"
    assert choose_runtime("openai:qwen").runtime == "openai"
    assert choose_runtime(str(gguf), "transformers").reason == "asked for with -o runtime=transformers"
    with pytest.raises(ModelError, match="llama.cpp runs GGUF files"):
        choose_runtime(str(hf_dir), "llama.cpp")
    with pytest.raises(ModelError, match="needs --model openai:NAME"):
        choose_runtime(str(gguf), "openai")
    with pytest.raises(UsageError, match="unknown llm runtime 'vllm'"):
        runtime_name("vllm")
    monkeypatch.setattr(gguf_files, "llama_cpp_version", lambda: None)
    with pytest.raises(ModelError, match=r"needs llama-cpp-python: pip install 'summarizer\[llm\]'"):
        choose_runtime(str(gguf), "llama.cpp")


def test_the_estimate_counts_every_weight_twice_in_fp32(gguf):
    from eval.common.random_qwen2 import build_tokenizer, qwen2_model

    tok = build_tokenizer()
    model = qwen2_model(tok)
    params = sum(p.numel() for p in model.parameters())  # the tied output matrix once, as the file holds it
    assert parameter_count(gguf) == params
    assert dequantize_check(str(gguf)) == int(params * 4 * LOAD_FACTOR)
    assert dequantize_check(str(gguf), itemsize=2) == int(params * 2 * LOAD_FACTOR)


def test_transformers_refuses_a_gguf_that_cannot_fit(gguf, monkeypatch, tmp_path):
    monkeypatch.setattr(gguf_files, "available_bytes", lambda: 1000)
    monkeypatch.setattr(summarizer.api, "_CACHE", {})
    article = tmp_path / "a.txt"
    article.write_text("The harbor reopened on Friday. Ships lined up.", encoding="utf-8")
    r = invoke("-m", gguf, "-o", "runtime=transformers", article)
    assert r.exit_code == 1
    (line,) = r.stderr.strip().splitlines()
    assert line.startswith(f"Error: {gguf.name}: transformers would dequantize it to about")
    assert "0.0 GB is available; run it through llama.cpp" in line and "pip install 'summarizer[llm]'" in line


def test_a_gguf_header_is_read_once_per_process(gguf, monkeypatch):
    """Resolving the model, choosing its runtime and the dequantizing check all need the header:
    it is read once, not once each, and never by the ``gguf`` package's reader (which builds
    the whole vocabulary in Python)."""
    import gguf as gguf_package

    from summarizer.backends.llm import models

    reads = []
    real = models.read_header
    monkeypatch.setattr(models, "read_header", lambda path: reads.append(str(path)) or real(path))
    monkeypatch.setattr(gguf_package, "GGUFReader", None)  # any use of it would fail
    monkeypatch.setattr(gguf_files, "llama_cpp_version", lambda: None)  # transformers: the check reads it too
    models._read_header.cache_clear()
    for _ in range(2):  # a second look in the same process reads nothing again
        r = invoke("models", gguf)
        assert r.exit_code == 0, r.output
        assert r.output.splitlines()[2].startswith("dequantizing: about")
    assert reads == [str(gguf.resolve())]


def test_a_gguf_left_to_transformers_says_so_once_and_records_why(tmp_path, monkeypatch):
    from eval.common.random_qwen2 import build_tokenizer, qwen2_model
    from gguf_models import answer_always, write_gguf

    tok = build_tokenizer()
    model = write_gguf(answer_always(qwen2_model(tok), tok, "- The council approved plan."), tok, tmp_path / "say.gguf")
    monkeypatch.setattr(gguf_files, "llama_cpp_version", lambda: None)
    monkeypatch.setattr(summarizer.api, "_CACHE", {})
    story = tmp_path / "story.txt"
    story.write_text("The council approved the road plan on Monday. It will cost $4 million. Work starts in May.",
                     encoding="utf-8")
    r = invoke("--model", model, "-o", "max_new_tokens=12", "-f", "json", story, story)
    assert r.exit_code == 0, r.output
    warnings = [line for line in r.stderr.splitlines() if line.startswith("Warning:")]
    assert len(warnings) == 1, r.stderr
    assert "runs on transformers, not llama.cpp" in warnings[0] and "pip install 'summarizer[llm]'" in warnings[0]
    for s in __import__("json").loads(r.stdout):
        assert s["settings"]["runtime"] == "transformers" and s["settings"]["runtime_fallback"] is True
        assert s["settings"]["runtime_reason"].startswith("a GGUF file, and llama-cpp-python is not installed")
