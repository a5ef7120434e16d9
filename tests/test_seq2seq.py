"""The seq2seq backend end to end, on tiny random-weight checkpoints saved in a temporary directory.

Loading through ``--model DIR``, presets and their overrides, chunking and truncation of
long articles, key point splitting, batching, determinism, the CLI options, and each error
the issue names. Summaries of random weights are nonsense: only behaviour is asserted.
"""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

import summarizer.api
from helpers import make_article
from seq2seq_models import POSITIONS, build_checkpoints
from summarizer.article import Article, parse_article
from summarizer.backends import ResolvedModel, get_summarizer, resolve
from summarizer.backends.seq2seq.backend import Prepared
from summarizer.cli import cli
from summarizer.errors import ModelError, UnknownModelError, UsageError

# greedy and short: the presets' beams and 141 tokens would take seconds per test
FAST = ("-o", "num_beams=1", "-o", "min_new_tokens=6", "-o", "max_new_tokens=6")
FAST_SETTINGS = {"num_beams": 1, "min_new_tokens": 6, "max_new_tokens": 6}
SHORT = (
    "The city council approved a plan to widen the coastal road on Monday. "
    "The work will cost $4 million and start in May. Residents asked for a bike lane."
)


@pytest.fixture(scope="session")
def ckpts(tmp_path_factory):
    return build_checkpoints(tmp_path_factory.mktemp("seq2seq"))


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    import torch

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    # fresh models for each test, and the session's extractive model stays in the real cache
    monkeypatch.setattr(summarizer.api, "_CACHE", {})
    # tiny matrices: one thread is fastest, and on a busy machine two wait on each other
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def short_file(tmp_path):
    path = tmp_path / "short.txt"
    path.write_text(SHORT, encoding="utf-8")
    return path


@pytest.fixture
def long_file(tmp_path):
    path = tmp_path / "long.txt"
    path.write_text(make_article(3000, seed=1), encoding="utf-8")
    return path


def invoke(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args])


def run_json(*args: str) -> dict:
    result = invoke("-f", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def one_line_error(result, code: int, *fragments: str) -> str:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 or (code == 2 and lines[-1].startswith("Error:")), result.stderr
    msg = lines[-1]
    for f in fragments:
        assert f in msg, msg
    return msg


# -- loading and presets -------------------------------------------------------------------


def test_model_directory_infers_the_backend_and_summarizes(ckpts, short_file):
    assert resolve(str(ckpts["bart"])) == ResolvedModel(str(ckpts["bart"]), "seq2seq", {"checkpoint": str(ckpts["bart"])})
    d = run_json("-m", ckpts["bart"], "-n", "2", *FAST, short_file)
    assert d["model"] == str(ckpts["bart"])
    assert 1 <= len(d["key_points"]) <= 2
    assert all(k["sentences"] == [] and k["spans"] == [] and k["score"] is None for k in d["key_points"])
    s = d["settings"]
    assert (s["preset"], s["device"], s["dtype"], s["seed"], s["num_points"]) == ("bart-large-cnn", "cpu", "float32", 0, 2)
    # the options win over the preset, the rest of the preset stays
    assert (s["num_beams"], s["max_new_tokens"], s["no_repeat_ngram_size"], s["length_penalty"]) == (1, 6, 3, None)
    assert d["info"] == {
        "input_tokens": d["info"]["input_tokens"], "max_input_tokens": POSITIONS,
        "chunks": 1, "chunked_tokens": 0, "dropped_tokens": 0,
    }
    assert d["info"]["input_tokens"] > 20


def test_presets_set_the_papers_generation_settings(ckpts):
    s = get_summarizer(str(ckpts["bart"]))
    gen = s.generation_config
    assert (gen.num_beams, gen.length_penalty, gen.min_new_tokens, gen.max_new_tokens) == (4, 2.0, 55, 141)
    assert (gen.no_repeat_ngram_size, gen.early_stopping) == (3, True)
    [ids] = s.generate(s.prepare(Article(body=SHORT)).windows)  # generate takes them all
    assert 1 + 55 <= len(ids) <= 1 + 141
    over = get_summarizer(str(ckpts["bart"]), num_beams=2, length_penalty=1.0, min_new_tokens=3, max_new_tokens=9)
    g = over.generation_config
    assert (g.num_beams, g.length_penalty, g.min_new_tokens, g.max_new_tokens, g.no_repeat_ngram_size) == (2, 1.0, 3, 9, 3)
    peg = get_summarizer(str(ckpts["pegasus"]))
    assert (peg.preset.name, peg.generation_config.num_beams, peg.generation_config.length_penalty) == (
        "pegasus-cnn_dailymail", 8, 0.8,
    )
    t5 = get_summarizer(str(ckpts["t5"]))
    assert (t5.preset.name, t5.prefix, t5.generation_config.num_beams) == ("t5", "summarize: ", 4)
    # without a preset: the checkpoint's own generation config
    own = get_summarizer(str(ckpts["bart"]), preset="none")
    assert own.preset is None and own.generation_config.num_beams == 1


def test_checkpoint_without_preset_keeps_its_generation_config(ckpts, short_file):
    d = run_json("-m", ckpts["bart_plain"], short_file)
    s = d["settings"]
    assert (s["preset"], s["num_beams"], s["max_new_tokens"]) == (None, 2, 11)  # its max_length 12 counts the start


def test_t5_prefix_opens_every_window(ckpts):
    s = get_summarizer(str(ckpts["t5"]), max_input_tokens=48, **FAST_SETTINGS)
    tok = s.tokenizer
    prefix = tok("summarize: ", add_special_tokens=False)["input_ids"]
    p = s.prepare(Article(body=make_article(1500, seed=2)))
    assert len(p.windows) > 2
    for w in p.windows:
        assert len(w) <= 48
        assert w[: 1 + len(prefix)] == [tok.cls_token_id, *prefix] and w[-1] == tok.sep_token_id
    assert p.input_tokens == len(tok(make_article(1500, seed=2), add_special_tokens=False)["input_ids"])
    bare = get_summarizer(str(ckpts["t5"]), prefix="", **FAST_SETTINGS).prepare(Article(body=SHORT))
    assert bare.windows[0][1 : 1 + len(prefix)] != prefix


def test_pegasus_newline_token_separates_key_points(ckpts, monkeypatch):
    s = get_summarizer(str(ckpts["pegasus"]), **FAST_SETTINGS)
    ids = s.tokenizer("the mayor resigned.<n>a vote follows in may", add_special_tokens=False)["input_ids"]
    assert s.sentences(ids) == ["the mayor resigned.", "a vote follows in may"]
    monkeypatch.setattr(s, "generate", lambda inputs: [ids for _ in inputs])
    [one] = s.summarize([Article(body=SHORT)], num_points=1)
    assert one.texts == ["the mayor resigned."]


# -- key points ---------------------------------------------------------------------------


def test_output_is_split_into_key_points_capped_by_n(ckpts, monkeypatch):
    s = get_summarizer(str(ckpts["bart"]), **FAST_SETTINGS)
    text = "the council met on monday. it approved the budget. critics object to it. a vote is due in may."
    ids = s.tokenizer(text)["input_ids"]
    monkeypatch.setattr(s, "generate", lambda inputs: [ids for _ in inputs])
    [two] = s.summarize([Article(body=SHORT)], num_points=2)
    assert two.texts == ["the council met on monday.", "it approved the budget."]
    assert all(k.sentences == () and k.spans == () for k in two.key_points)
    [every] = s.summarize([Article(body=SHORT)], num_points=None)
    assert len(every.texts) == 4 and every.num_sentences == 3


def test_chunk_summaries_are_merged_and_deduplicated(ckpts, monkeypatch):
    s = get_summarizer(str(ckpts["bart"]), **FAST_SETTINGS)
    texts = [
        "a fire broke out downtown. two people died.",
        "police closed the road. a fire broke out downtown on monday.",
        "the mayor will speak. police closed the road again.",
    ]
    monkeypatch.setattr(s, "generate", lambda inputs: [s.tokenizer(texts[i % 3])["input_ids"] for i in range(len(inputs))])
    monkeypatch.setattr(s, "prepare", lambda article: Prepared([[1], [2], [3]], input_tokens=500))
    [summary] = s.summarize([Article(body=SHORT)], num_points=3)
    assert summary.texts == ["a fire broke out downtown.", "police closed the road.", "the mayor will speak."]
    assert summary.info["chunks"] == 3 and summary.info["chunked_tokens"] == 500


# -- long articles ------------------------------------------------------------------------


def test_long_article_is_chunked_never_cut(ckpts, long_file):
    d = run_json("-m", ckpts["bart"], *FAST, long_file)
    info = d["info"]
    assert info["input_tokens"] > 2 * POSITIONS
    assert info["chunks"] >= 3 and info["chunked_tokens"] == info["input_tokens"] and info["dropped_tokens"] == 0
    s = get_summarizer(str(ckpts["bart"]), **FAST_SETTINGS)
    article = parse_article(long_file.read_text(encoding="utf-8"))
    windows = s.prepare(article).windows
    body = s.tokenizer(article.body, add_special_tokens=False)["input_ids"]
    assert all(len(w) <= POSITIONS for w in windows)
    assert windows[0][1:10] == body[:9] and windows[-1][-10:-1] == body[-9:]  # nothing lost at either end
    assert all(set(a[-40:]) & set(b[1:41]) for a, b in zip(windows, windows[1:]))  # they overlap


def test_truncate_opts_into_cutting_and_counts_the_loss(ckpts, long_file):
    d = run_json("-m", ckpts["bart"], "--truncate", *FAST, long_file)
    info = d["info"]
    assert info["chunks"] == 1 and info["chunked_tokens"] == 0
    assert info["dropped_tokens"] == info["input_tokens"] - (POSITIONS - 2) > 0
    assert d["settings"]["truncate"] is True


# -- speed: batching ------------------------------------------------------------------------


def test_batches_are_sorted_padded_to_their_longest_and_get_only_accepted_inputs(ckpts, monkeypatch):
    s = get_summarizer(str(ckpts["bart"]), batch_size=2, **FAST_SETTINGS)
    calls = []
    real = s.model.generate

    def spy(**kwargs):
        calls.append(({k: v for k, v in kwargs.items() if k != "generation_config"}))
        return real(**kwargs)

    monkeypatch.setattr(s.model, "generate", spy)
    inputs = [[101, *range(2000, 2000 + n), 102] for n in (30, 120, 70)]
    out = s.generate(inputs)
    assert [c["input_ids"].shape for c in calls] == [(2, 122), (1, 32)]  # longest first, no padding to 160
    # no token_type_ids (the WordPiece tokenizer makes them; BART takes none); encoder states padded to the batch
    assert all(set(c) == {"input_ids", "attention_mask", "encoder_outputs"} for c in calls)
    assert calls[0]["encoder_outputs"].last_hidden_state.shape == (2, 122, 32)
    assert calls[0]["attention_mask"].sum(1).tolist() == [122, 72]
    assert len(out) == 3 and all(len(o) == 7 for o in out)  # start token + 6


def test_automatic_batches_stay_under_the_memory_bound(ckpts):
    s = get_summarizer(str(ckpts["bart"]), memory_mb=1, **FAST_SETTINGS)
    lengths = [150, 20, 90] * 10
    batches = s.batches(lengths)
    assert len(batches) > 1
    assert [lengths[i] for b in batches for i in b] == sorted(lengths, reverse=True)
    assert all(len(b) * s._bytes_per_row(lengths[b[0]]) <= 2**20 for b in batches)


def test_encoder_runs_on_equal_lengths_and_pads_its_states(ckpts):
    import torch

    from summarizer.backends.hf.batching import encode

    s = get_summarizer(str(ckpts["bart"]), **FAST_SETTINGS)
    rows = [[101, *range(3000, 3000 + n), 102] for n in (90, 90, 40)]
    encoder = s.model.get_encoder()
    with torch.inference_mode():
        states = encode(encoder, rows, s.pad_token_id, s.device).last_hidden_state
        alone = [encoder(input_ids=torch.tensor([r])).last_hidden_state[0] for r in rows]
    assert states.shape == (3, 92, 32)
    for k, r in enumerate(rows):  # each row's states as the encoder gives them for it alone
        assert torch.allclose(states[k, : len(r)], alone[k], atol=1e-6)
        assert not states[k, len(r) :].any()


def test_outputs_are_deterministic_and_do_not_depend_on_batching(ckpts):
    import torch

    arts = [Article(body=make_article(n, seed=n)) for n in (150, 400, 700)]
    batched = get_summarizer(str(ckpts["bart"]), **FAST_SETTINGS)
    single = get_summarizer(str(ckpts["bart"]), batch_size=1, **FAST_SETTINGS)
    inputs = [w for a in arts for w in batched.prepare(a).windows]
    ids = batched.generate(inputs)
    assert ids == batched.generate(inputs) == single.generate(inputs)
    with torch.inference_mode():  # the naive path: one input, plain generate
        naive = [batched.model.generate(input_ids=torch.tensor([x]), generation_config=batched.generation_config)[0].tolist() for x in inputs]
    assert ids == naive
    assert [s.texts for s in batched.summarize(arts)] == [s.texts for s in single.summarize(arts)]


def test_int8_quantization(ckpts, short_file):
    import torch

    d = run_json("-m", ckpts["bart"], "--quantize", "int8", *FAST, short_file)
    assert d["settings"]["quantize"] == "int8" and d["key_points"]
    s = get_summarizer(str(ckpts["bart"]), quantize="int8", **FAST_SETTINGS)
    assert isinstance(s.model.model.encoder.layers[0].fc1, torch.ao.nn.quantized.dynamic.Linear)


# -- the command line options -------------------------------------------------------------


def test_options_map_onto_settings(ckpts, short_file):
    d = run_json("-m", ckpts["bart"], "--device", "cpu", "--dtype", "fp32", "--batch-size", "3",
                 "--truncate", "--quantize", "none", *FAST, short_file)
    s = d["settings"]
    assert (s["device"], s["dtype"], s["batch_size"], s["truncate"], s["quantize"]) == ("cpu", "float32", 3, True, None)
    d = run_json("-m", "seq2seq", "-o", f"checkpoint={ckpts['bart']}", *FAST, short_file)
    assert d["settings"]["checkpoint"] == str(ckpts["bart"]) and d["model"] == str(ckpts["bart"])


def test_extractive_takes_the_options_it_has(short_file):
    from summarizer.backends import make_settings
    from summarizer.cli.run_cmd import settings_with_flags

    assert settings_with_flags("extractive", {}, {"quantize": None, "batch_size": 8}) == {"quantize": None, "batch_size": 8}
    assert make_settings("extractive", {"quantize": None, "batch_size": 8}).batch_size == 8


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (("-m", "lead", "--device", "cpu"), ["--device does not apply to model 'lead'"]),
        (("-m", "lead", "--truncate"), ["--truncate does not apply"]),
        (("--batch-size", "2", "-o", "batch_size=3"), ["--batch-size and -o batch_size", "disagree"]),
        (("--quantize", "int8", "--dtype", "bf16"), ["--quantize int8 quantizes an fp32 model"]),
        (("-o", "num_beams=0"), ["num_beams=0: expected a positive number"]),
        (("-o", "max_new_tokens=500"), ["exceeds the decoder's 160 positions", "max_new_tokens=159"]),
        (("-o", "preset=bogus"), ["preset='bogus'"]),
        (("-o", "max_input_tokens=999"), ["exceeds the model's 160 positions"]),
    ],
)
def test_bad_options_are_usage_errors(ckpts, short_file, args, fragments):
    model = () if args[:2] in (("-m", "lead"),) else ("-m", ckpts["bart"])
    one_line_error(invoke(*model, *args, short_file), 2, *fragments)


def test_cuda_without_a_gpu_is_a_usage_error(ckpts, short_file):
    import torch

    if torch.cuda.is_available():
        pytest.skip("a CUDA device is present")
    one_line_error(invoke("-m", ckpts["bart"], "--device", "cuda", short_file), 2, "sees no CUDA device", "--device cpu")
    one_line_error(invoke("-m", ckpts["bart"], "--dtype", "fp16", short_file), 2, "fp16 is for GPUs")


# -- errors ---------------------------------------------------------------------------------


def test_a_checkpoint_that_is_not_seq2seq(ckpts, short_file):
    one_line_error(invoke("-m", ckpts["bert"], short_file), 1, "bert model (BertModel), not a sequence-to-sequence")
    with pytest.raises(ModelError, match="not a sequence-to-sequence"):
        get_summarizer("seq2seq", checkpoint=str(ckpts["bert"]))


def test_hub_id_neither_local_nor_cached_while_offline(tmp_path, short_file, monkeypatch):
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    msg = one_line_error(invoke("-m", "facebook/bart-large-cnn", short_file), 1)
    for f in ("'facebook/bart-large-cnn' is not a local directory", "not in the local Hugging Face cache",
              "Hub cannot be reached (HF_HUB_OFFLINE is set)", "--model DIR"):
        assert f in msg


def test_hub_id_found_in_the_local_cache(ckpts, tmp_path, short_file, monkeypatch):
    from huggingface_hub import constants

    cache = tmp_path / "hub"
    snapshot = cache / "models--acme--tiny-bart-large-cnn" / "snapshots" / ("0" * 40)
    shutil.copytree(ckpts["bart"], snapshot)
    (cache / "models--acme--tiny-bart-large-cnn" / "refs").mkdir()
    (cache / "models--acme--tiny-bart-large-cnn" / "refs" / "main").write_text("0" * 40)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
    assert resolve("acme/tiny-bart-large-cnn") == ResolvedModel("acme/tiny-bart-large-cnn", "seq2seq", {"checkpoint": "acme/tiny-bart-large-cnn"})
    d = run_json("-m", "acme/tiny-bart-large-cnn", *FAST, short_file)
    assert d["model"] == "acme/tiny-bart-large-cnn" and d["settings"]["preset"] == "bart-large-cnn"


def test_unknown_names_and_bad_directories(tmp_path, short_file):
    with pytest.raises(UnknownModelError, match="known models: extractive, lead, llm, seq2seq"):
        resolve("foo")
    one_line_error(invoke("-m", "foo", short_file), 2, "unknown model 'foo'")
    (tmp_path / "empty").mkdir()
    one_line_error(invoke("-m", tmp_path / "empty", short_file), 1, "has no config.json")
    one_line_error(invoke("-m", "./no/such/dir", short_file), 1, "not a checkpoint directory")
    one_line_error(invoke("-m", "seq2seq", short_file), 2, "needs a checkpoint: --model")


def test_out_of_memory_suggests_a_smaller_batch(ckpts, short_file, monkeypatch):
    import torch
    from transformers import BartForConditionalGeneration

    s = get_summarizer(str(ckpts["bart"]), **FAST_SETTINGS)

    def oom(**kwargs):
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")

    monkeypatch.setattr(s.model, "generate", oom)
    with pytest.raises(ModelError, match=r"out of memory generating a batch of 2 inputs .* --batch-size 1"):
        s.summarize([Article(body=SHORT), Article(body=SHORT)])

    def cpu_oom(self, **kwargs):
        raise RuntimeError("[enforce fail at alloc_cpu.cpp:118] DefaultCPUAllocator: can't allocate memory")

    monkeypatch.setattr(BartForConditionalGeneration, "generate", cpu_oom)
    one_line_error(invoke("-m", ckpts["bart"], *FAST, short_file), 1, "out of memory", "smaller --batch-size")

    def other(self, **kwargs):
        raise RuntimeError("something else")

    monkeypatch.setattr(BartForConditionalGeneration, "generate", other)
    with pytest.raises(RuntimeError, match="something else"):  # not every RuntimeError is memory
        get_summarizer(str(ckpts["bart"]), **FAST_SETTINGS).summarize([Article(body=SHORT)])


def test_settings_errors_are_usage_errors():
    with pytest.raises(UsageError):
        get_summarizer("seq2seq", device="tpu")
