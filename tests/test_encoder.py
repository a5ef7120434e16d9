"""The sentence encoder's batching: token-capped batches, parallel workers, torch's thread count;
its two runtimes (ONNX Runtime, the default, and torch) side by side."""

from __future__ import annotations

import numpy as np
import pytest

from summarizer.article import parse_article
from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.encoder.model import RUN_OVERHEAD, SentenceEncoder, batch_cost, latency_batches, token_batches
from helpers import EXAMPLE

SENTENCES = [s.text for s in parse_article(EXAMPLE.read_text(encoding="utf-8")).sentences]


def test_token_batches_cover_every_sentence_once_in_order():
    lengths = [5, 7, 7, 12, 30, 31, 60, 200]
    batches = token_batches(range(8), lengths, max_rows=3, max_tokens=64)
    assert [i for b in batches for i in b] == list(range(8))
    for b in batches:
        assert len(b) <= 3
        assert len(b) == 1 or len(b) * max(lengths[i] for i in b) <= 64
    assert batches[-1] == [7]  # longer than the cap: alone, never cut or dropped


def test_token_batches_without_a_token_cap_count_rows_only():
    assert token_batches(range(5), [100] * 5, max_rows=2, max_tokens=None) == [[0, 1], [2, 3], [4]]
    assert token_batches([], [], max_rows=2, max_tokens=8) == []


def _cost(batches, lengths):
    return sum(batch_cost(b, lengths) + RUN_OVERHEAD for b in batches)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(1, 128), max_size=60), st.integers(1, 16), st.one_of(st.none(), st.integers(1, 512)),
       st.integers(1, 3), st.booleans())
def test_latency_batches_cover_every_sentence_within_the_caps_and_cost_no_more(lengths, rows, tokens, parts, sort):
    order = sorted(range(len(lengths)), key=lambda i: lengths[i]) if sort else list(range(len(lengths)))
    batches = latency_batches(order, lengths, max_rows=rows, max_tokens=tokens, parts=parts)
    assert [i for b in batches for i in b] == order  # each once, in order, none dropped
    for b in batches:
        assert b and len(b) <= rows
        assert len(b) == 1 or tokens is None or batch_cost(b, lengths) <= tokens
    if parts == 1:  # the least cost of all cuts: never more than the greedy cut's
        assert _cost(batches, lengths) <= _cost(token_batches(order, lengths, rows, tokens), lengths)
    assert len(batches) >= min(parts, len(order))  # a worker each, where there are sentences enough


def test_latency_batches_keep_short_and_long_sentences_apart():
    lengths = [8] * 10 + [60] * 10  # greedily: the 10 short rows padded to 60 with 7 long ones
    order = list(range(20))
    assert token_batches(order, lengths, 64, 1024) == [list(range(17)), list(range(17, 20))]
    batches = latency_batches(order, lengths, 64, 1024)
    assert batches == [list(range(10)), list(range(10, 20))]
    assert _cost(batches, lengths) < _cost(token_batches(order, lengths, 64, 1024), lengths)
    assert latency_batches([], [], 64, 1024, parts=2) == []


def test_a_story_is_cut_for_latency_and_a_long_call_greedily(extractive, monkeypatch):
    """One story's sentences go through latency_batches; more than LATENCY_SENTENCES keep the greedy cut."""
    from summarizer.encoder import model

    seen = []
    for name in ("latency_batches", "token_batches"):
        real = getattr(model, name)
        monkeypatch.setattr(model, name, lambda *a, _n=name, _f=real, **k: seen.append(_n) or _f(*a, **k))
    extractive.encoder.encode(SENTENCES)
    extractive.encoder.encode(SENTENCES * (model.LATENCY_SENTENCES // len(SENTENCES) + 1))
    assert seen == ["latency_batches", "token_batches"]


@pytest.fixture(scope="module")
def torch_encoder():
    return SentenceEncoder(runtime="torch", quantize="int8")


@pytest.fixture(params=["onnx", "torch"])
def encoder(request, extractive, torch_encoder):
    enc = extractive.encoder if request.param == "onnx" else torch_encoder
    saved = enc.workers, enc.batch_size, enc.batch_tokens
    yield enc
    enc.workers, enc.batch_size, enc.batch_tokens = saved


@pytest.fixture
def torch_only(torch_encoder):
    enc = torch_encoder
    saved = enc.workers, enc.batch_size, enc.batch_tokens
    yield enc
    enc.workers, enc.batch_size, enc.batch_tokens = saved


def test_workers_do_not_change_the_vectors(encoder):
    encoder.batch_size, encoder.batch_tokens = 4, 64  # several batches for the workers to share
    encoder.workers = 1
    one = encoder.encode(SENTENCES)
    encoder.workers = 2
    two = encoder.encode(SENTENCES)
    assert len(SENTENCES) > 8
    np.testing.assert_array_equal(one, two)
    np.testing.assert_allclose(np.linalg.norm(two, axis=1), 1.0, atol=1e-5)


def _threads_seen_by_a_new_thread() -> int:
    import threading

    import torch

    seen = []
    t = threading.Thread(target=lambda: seen.append(torch.get_num_threads()))
    t.start()
    t.join()
    return seen[0]


def test_parallel_encoding_restores_torchs_thread_count(torch_only):
    # the workers lower torch's process-wide count (a fresh thread reads it) to their share
    import torch

    torch.set_num_threads(torch.get_num_threads())  # whatever ran before, a fresh thread now sees it too
    before = torch.get_num_threads(), _threads_seen_by_a_new_thread()
    torch_only.batch_size, torch_only.workers = 2, 2
    torch_only.encode(SENTENCES)
    assert (torch.get_num_threads(), _threads_seen_by_a_new_thread()) == before


def test_concurrent_calls_from_several_threads_agree_and_keep_the_thread_count(torch_only):
    import torch
    from concurrent.futures import ThreadPoolExecutor

    torch.set_num_threads(torch.get_num_threads())
    before = _threads_seen_by_a_new_thread()
    torch_only.batch_size, torch_only.workers = 4, 2
    alone = torch_only.encode(SENTENCES)
    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(lambda _: torch_only.encode(SENTENCES), range(3)))
    for r in results:
        np.testing.assert_array_equal(r, alone)
    assert _threads_seen_by_a_new_thread() == before


def test_the_runtimes_tokenize_alike_and_give_close_vectors(extractive, torch_encoder):
    onnx_rt, torch_rt = extractive.encoder._runtime, torch_encoder._runtime
    hard = ["Ünïcode café — “quotes” and emoji 🙂.", "x" * 2000, "", "the senate passed the bill 52-48 ."]
    for max_tokens in (128, 8):
        assert onnx_rt.tokenize(SENTENCES + hard, max_tokens) == torch_rt.tokenize(SENTENCES + hard, max_tokens)
    fp32 = SentenceEncoder()  # what other modules use: fp32 vectors through ONNX Runtime
    assert fp32.runtime == "onnx" and fp32.quantize is None
    ref = SentenceEncoder(runtime="torch").encode(SENTENCES)
    np.testing.assert_allclose(fp32.encode(SENTENCES), ref, atol=1e-4)
    # int8 against fp32: close, as the build's check promised
    cos = (extractive.encoder.encode(SENTENCES) * ref).sum(1)
    assert cos.mean() > 0.98, cos


def test_an_unknown_runtime_is_a_model_error():
    from summarizer.errors import ModelError

    with pytest.raises(ModelError, match="unknown runtime 'tpu'; use one of: onnx, torch"):
        SentenceEncoder(runtime="tpu")
