"""The seq2seq backend's pure parts: chunk planning, merging chunk summaries, presets, settings."""

from __future__ import annotations

import random

import pytest

from summarizer.backends.chunking import merge_points, plan_chunks
from summarizer.backends.seq2seq.presets import BART_CNN, PEGASUS, PEGASUS_CNN, T5, find_preset, from_task_params, get_preset
from summarizer.backends.seq2seq.backend import Seq2SeqSettings
from summarizer.errors import UsageError


def test_short_input_is_one_window():
    assert plan_chunks(100, budget=100, overlap=10) == [(0, 100)]
    assert plan_chunks(0, budget=100, overlap=10) == [(0, 0)]


@pytest.mark.parametrize("seed", range(60))
def test_windows_cover_everything_within_budget_with_overlap(seed):
    rng = random.Random(seed)
    n, budget, overlap = rng.randint(1, 3000), rng.randint(20, 600), rng.randint(0, 150)
    starts = sorted(rng.sample(range(n), k=min(n, rng.randint(0, 80))))
    chunks = plan_chunks(n, budget, overlap, starts)
    assert chunks[0][0] == 0 and chunks[-1][1] == n
    assert all(0 < b - a <= budget for a, b in chunks) or n == 0
    for (a1, b1), (a2, b2) in zip(chunks, chunks[1:]):
        assert a1 < a2 <= b1 < b2  # progress, no gap
        assert b1 - a2 <= 1.5 * min(overlap, budget // 2) + 1  # overlap stays bounded


def test_windows_follow_sentence_starts():
    # sentences of 30 tokens: cuts and restarts fall on them
    starts = list(range(0, 300, 30))
    chunks = plan_chunks(300, budget=100, overlap=20, sentence_starts=starts)
    assert all(a in starts for a, _ in chunks)
    assert all(b in starts for _, b in chunks[:-1])
    assert all(b1 > a2 for (_, b1), (a2, _) in zip(chunks, chunks[1:]))  # they overlap


def test_windows_are_balanced():
    # 250 tokens in windows of 200: two of about 125, not 200 + 50
    chunks = plan_chunks(250, budget=200, overlap=0)
    assert [b - a for a, b in chunks] == [125, 125]


def test_merge_is_round_robin_deduplicated_in_window_order():
    windows = [
        ["A fire broke out downtown.", "Two people died."],
        ["Police closed the road.", "A fire broke out downtown on Monday."],
        ["The mayor will speak.", "Police closed the road again."],
    ]
    assert merge_points(windows, 3) == ["A fire broke out downtown.", "Police closed the road.", "The mayor will speak."]
    assert merge_points(windows, None) == [
        "A fire broke out downtown.", "Two people died.", "Police closed the road.", "The mayor will speak.",
    ]
    assert merge_points([["One.", "Two.", "Three."]], 2) == ["One.", "Two."]
    assert merge_points([[], ["..."]], 3) == []  # nothing with words is not a key point


@pytest.mark.parametrize(
    ("name", "model_type", "preset"),
    [
        ("facebook/bart-large-cnn", "bart", BART_CNN),
        ("sshleifer/distilbart-cnn-12-6", "bart", BART_CNN),
        ("/models/BART-large-CNN", "bart", BART_CNN),
        ("google/pegasus-cnn_dailymail", "pegasus", PEGASUS_CNN),
        ("google/pegasus-xsum", "pegasus", PEGASUS),
        ("google-t5/t5-small", "t5", T5),
        ("facebook/bart-base", "bart", None),
    ],
)
def test_presets_are_found_by_name_and_type(name, model_type, preset):
    assert find_preset(name, model_type) == preset


def test_paper_settings():
    assert BART_CNN.values() == {
        "num_beams": 4, "length_penalty": 2.0, "min_new_tokens": 55, "max_new_tokens": 141,
        "no_repeat_ngram_size": 3, "early_stopping": True,
    }
    assert PEGASUS_CNN.num_beams == 8 and PEGASUS_CNN.length_penalty == 0.8 and PEGASUS_CNN.newline_token == "<n>"
    assert T5.prefix == "summarize: "


def test_preset_choice():
    assert get_preset("none", "facebook/bart-large-cnn", "bart") is None
    assert get_preset("bart-large-cnn", "/models/renamed", "bart") is BART_CNN
    with pytest.raises(UsageError, match="unknown preset 'bogus'"):
        get_preset("bogus", "x", "bart")
    # a checkpoint's own task_specific_params, as the old pipeline applied them (lengths count the start token)
    p = get_preset("auto", "acme/summarizer", "bart", {"num_beams": 3, "min_length": 11, "max_length": 60, "prefix": "sum: "})
    assert p == from_task_params({"num_beams": 3, "min_length": 11, "max_length": 60, "prefix": "sum: "})
    assert (p.name, p.num_beams, p.min_new_tokens, p.max_new_tokens, p.prefix) == ("checkpoint", 3, 10, 59, "sum: ")


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"device": "tpu"}, "device='tpu': expected auto or cpu or cuda or mps"),
        ({"dtype": "int4"}, "dtype='int4'"),
        ({"quantize": "int4"}, "quantize='int4': expected int8 or none"),
        ({"preset": "bogus"}, "preset='bogus'"),
        ({"batch_size": 0}, "batch_size=0: expected a positive number"),
        ({"num_beams": 0}, "num_beams=0"),
        ({"chunk_overlap": -1}, "chunk_overlap=-1: expected zero or more"),
        ({"max_input_tokens": 8}, "max_input_tokens=8"),
        ({"dedup_threshold": 0.0}, "dedup_threshold=0.0"),
        ({"min_new_tokens": 9, "max_new_tokens": 5}, "min_new_tokens=9 > max_new_tokens=5"),
    ],
)
def test_bad_settings_are_usage_errors(values, message):
    with pytest.raises(UsageError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Seq2SeqSettings(**values)
