"""The llm backend end to end, on tiny random-weight chat models saved in a temporary directory,
and on a scripted runtime where the answer's wording is the point (prompt, parsing, errors).

Random weights write nonsense: only behaviour is asserted.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import summarizer.api
from eval.common.random_qwen2 import CONTEXT, build_tokenizer
from helpers import make_article
from llm_models import ScriptedRuntime, build_chat_models
from summarizer.article import parse_article
from summarizer.backends import ResolvedModel, get_summarizer, resolve
from summarizer.backends.llm import runtimes as llm_runtimes
from summarizer.backends.llm.prompt import DEFAULT_PROMPT, DEFAULT_SYSTEM_PROMPT, parse_points
from summarizer.backends.llm.runtimes import ChatRuntime
from summarizer.cli import cli
from summarizer.errors import ModelError

SHORT = (
    "The city council approved a plan to widen the coastal road on Monday. "
    "The work will cost $4 million and start in May. Residents asked for a bike lane."
)
FAST = ("-o", "max_new_tokens=6")


@pytest.fixture(scope="session")
def models(tmp_path_factory):
    return build_chat_models(tmp_path_factory.mktemp("llm"))


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    import torch

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(summarizer.api, "_CACHE", {})
    monkeypatch.setitem(llm_runtimes.RUNTIMES, "scripted", "llm_models:ScriptedRuntime")
    monkeypatch.setattr(ScriptedRuntime, "answers", {})
    monkeypatch.setattr(ScriptedRuntime, "calls", [])
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def short_file(tmp_path):
    path = tmp_path / "short.txt"
    path.write_text(SHORT, encoding="utf-8")
    return path


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def run_json(*args) -> dict:
    result = invoke("-f", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# -- finding the model -------------------------------------------------------------------------


def test_chat_model_directories_pick_the_llm_backend(models):
    for key in ("qwen2", "llama"):
        assert resolve(str(models[key])) == ResolvedModel(str(models[key]), "llm", {"checkpoint": str(models[key])})


def test_a_causal_model_without_chat_template_is_refused(models, short_file):
    with pytest.raises(ModelError, match="without a chat template"):
        resolve(str(models["base"]))
    r = invoke("-m", models["base"], short_file)
    assert r.exit_code == 1 and "without a chat template" in r.stderr and "Traceback" not in r.output


def test_bad_gguf_paths_are_refused(tmp_path):
    fake = tmp_path / "model.gguf"
    fake.write_bytes(b"not a gguf file")
    with pytest.raises(ModelError, match="GGUF magic"):
        resolve(str(fake))
    two = tmp_path / "two"
    two.mkdir()
    for name in ("a.gguf", "b.gguf"):
        (two / name).write_bytes(b"GGUF")
    with pytest.raises(ModelError, match="holds 2 .gguf files"):
        resolve(str(two))


def test_the_transformers_runtime_is_a_chat_runtime(models):
    s = get_summarizer(str(models["qwen2"]), max_new_tokens=4)
    assert isinstance(s.runtime, ChatRuntime) and s.runtime.name == "transformers"
    assert s.runtime.context_length == CONTEXT


# -- the prompt and the answer -------------------------------------------------------------------


def test_default_prompt_asks_for_n_points_of_the_article(models, short_file):
    ScriptedRuntime.answers = {"coastal road": "- The council approved the road plan.\n- It costs $4 million."}
    d = run_json("-m", models["qwen2"], "-o", "runtime=scripted", "-n", "2", short_file)
    [[conv]] = ScriptedRuntime.calls
    assert conv[0] == {"role": "system", "content": DEFAULT_SYSTEM_PROMPT}
    assert conv[1]["role"] == "user" and conv[1]["content"].endswith(SHORT)
    assert "Write the 2 key points" in conv[1]["content"] and "at most 25 words" in conv[1]["content"]
    assert [k["text"] for k in d["key_points"]] == ["The council approved the road plan.", "It costs $4 million."]
    s = d["settings"]
    assert (s["prompt"], s["system_prompt"], s["runtime"], s["num_points"]) == (DEFAULT_PROMPT, DEFAULT_SYSTEM_PROMPT, "scripted", 2)


def test_custom_prompt_and_no_system_prompt(models, short_file):
    ScriptedRuntime.answers = {"Summarize": "1. The road will be widened."}
    d = run_json("-m", models["qwen2"], "-o", "runtime=scripted", "-o", "prompt=Summarize in {n}: {article}",
                 "-o", "system_prompt=", short_file)
    [[conv]] = ScriptedRuntime.calls
    assert conv == [{"role": "user", "content": f"Summarize in 3: {SHORT}"}]
    assert d["settings"]["system_prompt"] == "" and d["settings"]["asked_points"] == 3


def test_a_prompt_without_the_article_is_a_usage_error(models, short_file):
    r = invoke("-m", models["qwen2"], "-o", "prompt=Summarize the story.", short_file)
    assert r.exit_code == 2 and "{article}" in r.stderr


@pytest.mark.parametrize(
    "answer, n, expected",
    [
        ("- Rates rose.\n- Stocks fell.\n- Oil slid.", 3, ["Rates rose.", "Stocks fell.", "Oil slid."]),
        ("Here are the key points:\n\n1. Rates rose.\n2) Stocks fell.\n\nI hope this helps!", 5, ["Rates rose.", "Stocks fell."]),
        ("* **Rates rose** today.\n• Stocks fell.\n* Rates rose today.", None, ["Rates rose today.", "Stocks fell."]),
        ("Sure! Key points:\nRates rose. Stocks fell. Oil slid.", 2, ["Rates rose.", "Stocks fell."]),
        ("Rates rose sharply.\nStocks fell.", 1, ["Rates rose sharply."]),
        ('Key point 1: "Rates rose."\nKey point 2: Stocks fell.', 3, ["Rates rose.", "Stocks fell."]),
        ("```\n- Rates rose.\n```", 3, ["Rates rose."]),
        ("Summary:\n-\n- Ok", 3, []),
        ("", 3, []),
    ],
)
def test_answers_are_parsed_into_key_points(answer, n, expected):
    assert parse_points(answer, n) == expected


def test_num_points_is_honoured(models, short_file):
    ScriptedRuntime.answers = {"coastal": "\n".join(f"- Point number {i} here." for i in range(1, 6))}
    d = run_json("-m", models["qwen2"], "-o", "runtime=scripted", "-n", "2", short_file)
    assert [k["text"] for k in d["key_points"]] == ["Point number 1 here.", "Point number 2 here."]


def test_an_unusable_answer_fails_that_article_only(models, short_file, tmp_path):
    other = tmp_path / "other.txt"
    other.write_text("The harbor reopened on Friday after the storm. Ships lined up.", encoding="utf-8")
    broken = tmp_path / "broken.txt"
    broken.write_text("The mine closed last year. Workers left town.", encoding="utf-8")
    ScriptedRuntime.answers = {"harbor": "- The harbor reopened on Friday.", "mine": "Sure! Here you go:", "coastal": None}
    r = invoke("-m", models["qwen2"], "-o", "runtime=scripted", "-f", "text", short_file, other, broken)
    assert r.exit_code == 1
    assert r.stdout.strip().splitlines()[-1] == "The harbor reopened on Friday."
    errors = r.stderr.strip().splitlines()
    assert len(errors) == 2
    assert str(short_file) in errors[0] and "the scripted runtime failed" in errors[0]
    assert str(broken) in errors[1] and "no usable key point" in errors[1] and "Here you go" in errors[1]


def test_key_points_are_grounded(models, short_file):
    ScriptedRuntime.answers = {"coastal": "- The council approved the road plan on Monday.\n- It will cost $9 million."}
    d = run_json("-m", models["qwen2"], "-o", "runtime=scripted", short_file)
    first, second = d["key_points"]
    assert first["flags"] == [] and first["support"][0]["sentence"] == 0
    assert [(f["kind"], f["text"]) for f in second["flags"]] == [("amount", "$9 million")]
    assert second["support"][0]["sentence"] == 1
    r = invoke("-m", models["qwen2"], "-o", "runtime=scripted", "--strict", "-f", "jsonl", short_file)
    d = json.loads(r.stdout)
    assert [k["text"] for k in d["key_points"]] == [first["text"]] and d["info"]["dropped_flagged"] == 1


# -- the transformers runtime on tiny models ------------------------------------------------------


def test_settings_and_options_are_recorded(models):
    s = get_summarizer(str(models["qwen2"]), max_new_tokens=6, temperature=0.7, seed=5, device="cpu", dtype="fp32",
                       batch_size=2)
    [summary] = s.summarize([parse_article(SHORT)], num_points=2)
    st = summary.settings
    assert (st["checkpoint"], st["runtime"], st["format"], st["device"], st["dtype"]) == (
        str(models["qwen2"]), "transformers", "transformers", "cpu", "float32")
    assert (st["max_new_tokens"], st["temperature"], st["greedy"], st["seed"], st["batch_size"]) == (6, 0.7, False, 5, 2)
    assert (st["max_input_tokens"], st["context_length"], st["truncate"], st["num_points"]) == (CONTEXT, CONTEXT, False, 2)
    info = summary.info
    assert (info["chunks"], info["dropped_tokens"], info["completion_tokens"]) == (1, 0, 6)
    assert info["prompt_tokens"] == s.runtime.count_tokens(s._messages(SHORT, 2))


def test_command_line_options_reach_the_settings(models, short_file):
    ScriptedRuntime.answers = {"coastal": "- The council approved the road plan."}
    d = run_json("-m", models["qwen2"], "-o", "runtime=scripted", "--device", "cpu", "--dtype", "bf16",
                 "--batch-size", "3", "--truncate", "-o", "seed=9", "-o", "temperature=0.5", short_file)
    s = d["settings"]
    assert (s["device"], s["dtype"], s["batch_size"], s["truncate"], s["seed"], s["temperature"]) == (
        "cpu", "bf16", 3, True, 9, 0.5)
    r = invoke("-m", models["qwen2"], "--quantize", "int8", short_file)
    assert r.exit_code == 2 and "--quantize does not apply to model 'llm'" in r.stderr


def _conversations(n: int) -> list[list[dict[str, str]]]:
    text = make_article(900, seed=3).split(". ")
    return [[{"role": "user", "content": ". ".join(text[: 2 + 3 * i])}] for i in range(n)]


@pytest.mark.parametrize("key", ["qwen2", "llama"])
def test_batched_outputs_equal_one_at_a_time(models, key):
    convs = _conversations(5)
    batched = get_summarizer(str(models[key]), max_new_tokens=12).runtime
    single = get_summarizer(str(models[key]), max_new_tokens=12, batch_size=1).runtime
    a = batched.chat(convs, max_new_tokens=12, temperature=0, seed=0)
    b = single.chat(convs, max_new_tokens=12, temperature=0, seed=0)
    assert [g.text for g in a] == [g.text for g in b]
    assert [g.completion_tokens for g in a] == [g.completion_tokens for g in b]
    assert len({g.prompt_tokens for g in a}) == 5  # really different lengths, so padding was exercised
    assert any(g.text.strip() for g in a)  # wide random weights write varied tokens


def _plain_generate(rt, convs, new):
    """One conversation at a time through ``model.generate`` itself: the reference the runtime must match."""
    import torch

    gen = rt._generation_config(new, 0.0)
    out = []
    with torch.inference_mode():
        for c in convs:
            x = torch.tensor([rt.encode(c)])
            ids = rt.model.generate(input_ids=x, attention_mask=torch.ones_like(x), generation_config=gen)
            tail = ids[0, x.shape[1]:].tolist()
            end = next((k for k, t in enumerate(tail) if t in rt.eos), len(tail))
            out.append(rt.tokenizer.decode(tail[:end], skip_special_tokens=True))
    return out


@pytest.mark.parametrize("key", ["qwen2", "llama"])
def test_prompts_prefilled_apart_decode_as_plain_generate_does(models, key):
    from transformers import StaticCache

    rt = get_summarizer(str(models[key]), max_new_tokens=12).runtime
    convs = _conversations(4) + [[{"role": "user", "content": "Hi."}]]
    lengths = sorted(len(rt.encode(c)) for c in convs)
    cache = rt._prefill([rt.encode(c) for c in convs], 12)
    assert isinstance(cache, StaticCache) and cache.get_seq_length() == lengths[-1] - 1
    assert len(rt.batches(lengths, 12)) == 1 and len(set(lengths)) == 5  # one batch of five lengths
    got = rt.chat(convs, max_new_tokens=12, temperature=0, seed=0)
    assert all(g.error is None for g in got) and any(g.text.strip() for g in got)
    assert [g.text for g in got] == _plain_generate(rt, convs, 12)
    # a wrapped forward (a profiler, a benchmark's clock) hides position_ids from generate's signature check;
    # the positions the runtime passes keep each row's decode in step with its prefill
    real = rt.model.forward
    rt.model.forward = lambda *a, **k: real(*a, **k)
    try:
        assert [g.text for g in rt.chat(convs, max_new_tokens=12, temperature=0, seed=0)] == [g.text for g in got]
    finally:
        del rt.model.forward


def test_a_sliding_window_model_is_prefilled_by_generate():
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    from summarizer.backends.llm.backend import LLMSettings
    from summarizer.backends.llm.runtimes.hf import HFRuntime

    tok = build_tokenizer()
    config = Qwen2Config(vocab_size=len(tok), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, use_sliding_window=True, sliding_window=64,
                         max_window_layers=1, eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id,
                         initializer_range=0.5)
    torch.manual_seed(0)
    rt = HFRuntime(LLMSettings(checkpoint="sliding", device="cpu", dtype="fp32"), model=Qwen2ForCausalLM(config),
                   tokenizer=tok)
    convs = _conversations(3)
    assert not rt._prefills_apart  # its cache is not plain full attention
    assert rt._prefill([rt.encode(c) for c in convs], 8) is None
    assert [g.text for g in rt.chat(convs, max_new_tokens=8, temperature=0, seed=0)] == _plain_generate(rt, convs, 8)


def test_sampling_is_seeded(models):
    rt = get_summarizer(str(models["qwen2"]), max_new_tokens=10).runtime
    convs = _conversations(3)
    first = rt.chat(convs, max_new_tokens=10, temperature=1.0, seed=7)
    assert [g.text for g in first] == [g.text for g in rt.chat(convs, max_new_tokens=10, temperature=1.0, seed=7)]
    assert [g.text for g in first] != [g.text for g in rt.chat(convs, max_new_tokens=10, temperature=1.0, seed=8)]


def test_long_articles_are_chunked_or_truncated_never_cut_silently(models):
    article = parse_article(make_article(4000, seed=1))
    s = get_summarizer(str(models["qwen2"]), max_new_tokens=6)
    [summary] = s.summarize([article])
    info = summary.info
    assert info["chunks"] >= 3 and info["chunked_tokens"] == info["input_tokens"] > CONTEXT
    assert info["dropped_tokens"] == 0
    prepared = s.prepare(article, 3)
    assert len(prepared.conversations) == info["chunks"]
    # every chunk fits with room for the answer, and together they hold every sentence
    assert all(s.runtime.count_tokens(c) <= CONTEXT - 6 for c in prepared.conversations)
    joined = " ".join(prepared.chunks)
    assert all(sent.text in joined for sent in article.sentences)
    t = get_summarizer(str(models["qwen2"]), max_new_tokens=6, truncate=True)
    [summary] = t.summarize([article])
    info = summary.info
    assert info["chunks"] == 1 and 0 < info["dropped_tokens"] < info["input_tokens"]
    assert t.runtime.count_tokens(t.prepare(article, 3).conversations[0]) <= CONTEXT - 6
    assert article.body.startswith(t.prepare(article, 3).chunks[0])


def test_a_context_too_small_for_the_prompt_is_a_usage_error(models, tmp_path):
    path = tmp_path / "long.txt"
    path.write_text(make_article(3000, seed=2), encoding="utf-8")
    r = invoke("-m", models["qwen2"], "-o", "max_new_tokens=40", "-o", "max_input_tokens=100", path)
    # reported for that input, like any input the model fails on
    assert r.exit_code == 1 and "raise max_input_tokens or lower max_new_tokens" in r.stderr


def test_eval_runs_the_llm_backend(models, tmp_path):
    data = tmp_path / "news.jsonl"
    with data.open("w", encoding="utf-8") as f:
        for i in range(3):
            f.write(json.dumps({"id": f"d{i}", "article": make_article(400, seed=i), "highlights": ["A point."]}) + "\n")
    out = tmp_path / "run"
    r = invoke("eval", "-d", data, "-m", models["qwen2"], "--out", out, "-o", "max_new_tokens=4", "--samples", "50", "-j", "1")
    assert r.exit_code == 0, r.output
    rows = [json.loads(line) for line in (out / "predictions.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [row["id"] for row in rows] == ["d0", "d1", "d2"]
    assert all(row["settings"]["runtime"] == "transformers" and row["settings"]["max_new_tokens"] == 4 for row in rows)


def test_a_gguf_file_written_with_the_gguf_writer_loads_and_matches(tmp_path, capfd):
    import torch

    from eval.common.random_qwen2 import build_tokenizer, qwen2_model
    from gguf_models import write_gguf

    tok = build_tokenizer()
    model = qwen2_model(tok)
    path = write_gguf(model, tok, tmp_path / "tiny-qwen2.gguf")
    for spec in (path, tmp_path):  # the file, or the directory holding it
        assert resolve(str(spec)) == ResolvedModel(str(spec), "llm", {"checkpoint": str(spec)})
    capfd.readouterr()
    s = get_summarizer(str(path), max_new_tokens=5, runtime="transformers")  # auto: llama.cpp when installed
    assert "de-quantizing" not in capfd.readouterr().err  # stderr is not a terminal here: no progress bar
    assert s.runtime.describe()["format"] == "gguf" and s.runtime.context_length == CONTEXT
    msgs = [{"role": "user", "content": SHORT}]
    ids = tok.apply_chat_template(msgs, add_generation_prompt=True)["input_ids"]
    assert s.runtime.encode(msgs) == list(ids)  # vocabulary, merges and chat template came through
    with torch.no_grad():
        x = torch.tensor([ids])
        assert torch.equal(s.runtime.model(x).logits, model(x).logits)  # fp32 tensors, same weights
    [summary] = s.summarize([parse_article(SHORT)])
    assert summary.settings["model_file"] == str(path) and summary.settings["format"] == "gguf"


def test_out_of_memory_names_a_smaller_batch(models, monkeypatch):
    import torch

    s = get_summarizer(str(models["qwen2"]), max_new_tokens=4)

    def oom(**kwargs):
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")

    monkeypatch.setattr(s.runtime.model, "generate", oom)
    with pytest.raises(ModelError, match=r"batch of 2 conversations .* --batch-size 1"):
        s.summarize([parse_article(SHORT), parse_article(SHORT + " More words here.")])


from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), st.one_of(st.none(), st.integers(min_value=1, max_value=5)))
def test_any_answer_parses_into_at_most_n_clean_points(answer, n):
    points = parse_points(answer, n)
    assert n is None or len(points) <= n
    assert all(p == p.strip() and len(p.split()) >= 2 and "\n" not in p for p in points)
    assert len({p.lower() for p in points}) == len(points)


def test_a_chat_template_without_system_turns_says_what_to_do(tmp_path):
    from eval.common.random_qwen2 import CHATML, build_tokenizer, qwen2_model

    template = "{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}" + CHATML
    tok = build_tokenizer(template=template)
    path = tmp_path / "no-system"
    qwen2_model(tok).save_pretrained(path)
    tok.save_pretrained(path)
    (tmp_path / "a.txt").write_text(SHORT, encoding="utf-8")
    r = invoke("-m", path, "-o", "max_new_tokens=2", tmp_path / "a.txt")
    assert r.exit_code == 1 and "System role not supported" in r.stderr and "-o system_prompt=" in r.stderr
    s = get_summarizer(str(path), max_new_tokens=2, system_prompt="")
    assert s.runtime.count_tokens(s._messages(SHORT, 3)) > 0


def test_a_model_folder_asking_for_custom_code_is_refused(models, tmp_path, short_file):
    import shutil

    path = tmp_path / "custom"
    shutil.copytree(models["qwen2"], path)
    config = json.loads((path / "config.json").read_text(encoding="utf-8"))
    config["auto_map"] = {"AutoModelForCausalLM": "modeling_evil.EvilForCausalLM"}
    (path / "config.json").write_text(json.dumps(config), encoding="utf-8")
    r = invoke("-m", path, short_file)
    assert r.exit_code == 1 and "Traceback" not in r.output and "auto_map" in r.stderr
