"""The learned sentence scorer: oracle, features, choosing, weights on disk, and the default backend."""

from __future__ import annotations

import json
from collections import Counter

import numpy as np
import pytest
from click.testing import CliRunner

from helpers import EXAMPLE, make_article
from summarizer.article import Article, parse_article
from summarizer.backends import get_summarizer
from summarizer.backends.extractive.backend import ExtractiveSettings
from summarizer.backends.extractive.scorer import WINDOW, Adaptive, LearnedScorer, NumpyNet, choose, features, windows
from summarizer.backends.extractive.weights import FEATURES, WEIGHTS, WEIGHTS_SHA256, ScorerConfig, sha256
from summarizer.evaluate.oracle import _Reference, oracle
from summarizer.backends.extractive.net import ScorerNet, load_weights, save_weights
from summarizer.errors import ModelError, UsageError

# -- the oracle ---------------------------------------------------------------------------


def test_oracle_by_hand():
    sents = ["The cat sat.", "Dogs bark loudly at night.", "The cat sat on the mat."]
    # one sentence matches the highlight exactly; adding any other lowers F1, so it stops there
    assert oracle(sents, ["The cat sat on the mat"]) == [2]
    # two highlights, each matched by one sentence: both, in article order
    assert oracle(sents, ["Dogs bark loudly at night", "the cat sat on the mat"]) == [1, 2]
    assert oracle(sents, ["nothing in common here"]) == []
    assert oracle(sents, [""]) == []


def test_oracle_respects_eligible_and_max_sentences():
    sents = ["a b c", "d e f", "g h i", "j k l"]
    ref = ["a b c d e f g h i j k l"]
    assert oracle(sents, ref, max_sentences=2) == [0, 1]
    assert oracle(sents, ref, max_sentences=3, eligible=[False, True, True, True]) == [1, 2, 3]


def test_oracle_scores_are_rouge_scores(dev_stories):
    """Pinned to the reference implementation: the oracle's R1+R2 F1 is rouge-score's, and no
    further sentence would raise it (the greedy stopping rule), on real stories."""
    from rouge_score import rouge_scorer
    from rouge_score.tokenizers import DefaultTokenizer

    tok = DefaultTokenizer(use_stemmer=True).tokenize
    rs = rouge_scorer.RougeScorer(["rouge1", "rouge2"], use_stemmer=True)

    def reference(texts, idx, highlights):
        s = rs.score("\n".join(highlights), "\n".join(texts[i] for i in sorted(idx)))
        return s["rouge1"].fmeasure + s["rouge2"].fmeasure

    for story in dev_stories[:4]:
        texts = [s.text for s in Article(body=story["article"]).sentences][:25]
        idx = oracle(texts, story["highlights"], 3, tokenize=tok)
        assert 1 <= len(idx) <= 3
        ref = tok("\n".join(story["highlights"]))
        ours = _Reference(ref).rouge12([t for i in idx for t in tok(texts[i])])
        got = reference(texts, idx, story["highlights"])
        assert ours == pytest.approx(got, abs=1e-12)
        if len(idx) < 3:
            assert all(reference(texts, idx + [j], story["highlights"]) <= got + 1e-12
                       for j in range(len(texts)) if j not in idx)


# -- features and choosing ------------------------------------------------------------------


def test_features_by_hand():
    v = np.array([[1, 0], [0, 1], [1, 0]], dtype=np.float32)
    f = features(v, ["one two three four five", "video.", "six seven eight nine"], min_words=4)
    assert f.shape == (3, len(FEATURES))
    col = {name: f[:, i] for i, name in enumerate(FEATURES)}
    assert col["relative_position"].tolist() == [0.0, 0.5, 1.0]
    assert col["position_prior"] == pytest.approx([1, 1 / np.sqrt(2), 1 / np.sqrt(3)])
    assert col["cos_first"].tolist() == [1.0, 0.0, 1.0]
    assert col["is_short"].tolist() == [0.0, 1.0, 0.0]
    assert col["cos_article"] == pytest.approx([2 / np.sqrt(5), 1 / np.sqrt(5), 2 / np.sqrt(5)])
    assert features(np.zeros((0, 2), np.float32), []).shape == (0, len(FEATURES))


TEXTS = ["the mayor approved the budget", "the mayor approved the budget again", "buses run late", "a new pier"]


def test_choose_blocks_repeated_trigrams_and_fills_in_for_n():
    scores = np.array([0.9, 0.8, 0.5, 0.4])
    assert choose(scores, TEXTS, 2) == [0, 2]  # 1 repeats "the mayor approved"
    assert choose(scores, TEXTS, 2, block_trigrams=False) == [0, 1]
    assert choose(scores, TEXTS, 4) == [0, 1, 2, 3]  # -n 4 gets four: the blocked one fills in
    assert choose(scores, TEXTS, 9) == [0, 1, 2, 3]


def test_choose_adaptive_count():
    scores = np.array([0.9, 0.1, 0.6, 0.35])
    assert choose(scores, TEXTS, None, adaptive=Adaptive(0.3, 1, 4)) == [0, 2, 3]
    assert choose(scores, TEXTS, None, adaptive=Adaptive(0.5, 1, 4)) == [0, 2]
    assert choose(scores, TEXTS, None, adaptive=Adaptive(0.95, 2, 4)) == [0, 2]  # at least min_points
    assert choose(scores, TEXTS, None, adaptive=Adaptive(0.0, 1, 2)) == [0, 2]  # at most max_points


def test_choose_never_takes_short_sentences_unless_all_are():
    scores = np.array([0.9, 0.8, 0.1])
    eligible = np.array([False, True, True])
    assert choose(scores, ["By staff.", "the council met on monday", "it voted for the plan"], 2, eligible) == [1, 2]
    assert choose(scores, ["a", "b", "c"], 1, np.zeros(3, bool)) == [0]
    assert choose(np.zeros(0), [], 3) == []


# -- weights on disk ------------------------------------------------------------------------


def test_weights_round_trip_with_checksum(tmp_path):
    import torch

    torch.manual_seed(0)
    model = ScorerNet(ScorerConfig(d_model=16, ff=32, heads=2, layers=1))
    path = tmp_path / "w.safetensors"
    digest = save_weights(model, {"seed": 7, "features": list(FEATURES), "adaptive": {"threshold": 0.4, "min_points": 2, "max_points": 4}}, path)
    assert digest == sha256(path) == (tmp_path / "w.safetensors.sha256").read_text().strip()
    loaded, meta = load_weights(path)
    assert meta["seed"] == 7 and meta["config"]["d_model"] == 16
    for k, v in model.state_dict().items():
        assert torch.equal(v, loaded.state_dict()[k])
    scorer = LearnedScorer(path)
    assert scorer.adaptive == Adaptive(0.4, 2, 4)
    article = (np.eye(3, 384, dtype=np.float32), ["a b c d", "e f g h", "i j k l"])
    (probs,) = scorer.score([article])
    assert probs.shape == (3,) and ((0 < probs) & (probs < 1)).all()
    # numpy's forward pass is torch's (the module in eval mode)
    (ref,) = LearnedScorer(path, runtime="torch").score([article])
    np.testing.assert_allclose(probs, ref, atol=1e-6)


def test_missing_weights_are_a_model_error(tmp_path):
    with pytest.raises(ModelError, match=r"cannot read the scorer weights .*nope.safetensors.*-m eval\.train\.scorer"):
        load_weights(tmp_path / "nope.safetensors")


def test_corrupt_weights_are_a_model_error(tmp_path):
    path = tmp_path / "w.safetensors"
    save_weights(ScorerNet(ScorerConfig(d_model=16, ff=32, heads=2, layers=1)), {}, path)
    with pytest.raises(ModelError, match="trained on the features None"):  # whole, but not ours
        load_weights(path)
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ModelError, match=r"w.safetensors fail their sha256 check.*regenerate"):
        load_weights(path)
    (tmp_path / "w.safetensors.sha256").unlink()
    with pytest.raises(ModelError, match="no checksum file"):
        load_weights(path)
    # a file whose checksum matches but is not safetensors: still one ModelError
    path.write_bytes(b"not a weights file")
    (tmp_path / "w.safetensors.sha256").write_text(sha256(path))
    with pytest.raises(ModelError, match="cannot be loaded"):
        load_weights(path)


def test_shipped_weights_are_small_and_match_their_recorded_checksum():
    assert WEIGHTS.stat().st_size <= 10 * 1024 * 1024
    assert sha256(WEIGHTS) == WEIGHTS_SHA256
    _, meta = load_weights()
    assert isinstance(meta["seed"], int)
    assert meta["encoder"]["quantize"] == ExtractiveSettings().quantize  # trained on what it serves
    assert meta["encoder"]["runtime"] == ExtractiveSettings().runtime
    assert meta["min_words"] == ExtractiveSettings().min_words


def test_unknown_scorer_is_a_usage_error():
    with pytest.raises(UsageError, match="extractive setting scorer='magic': expected learned or centrality"):
        get_summarizer("extractive", scorer="magic")


# -- the default backend, with the real models -------------------------------------------------


def test_default_extractive_is_learned_and_adapts_the_number(extractive):
    assert extractive.settings.scorer == "learned"
    text = EXAMPLE.read_text(encoding="utf-8")
    (s,) = extractive.summarize([parse_article(text)], num_points=None)
    sizes = extractive.selector.config  # the number is chosen with the set (tests/test_selection.py)
    assert sizes.min_size <= len(s.key_points) <= sizes.max_size
    assert s.settings["num_points"] == "adaptive"
    assert s.settings["scorer_model"]["seed"] == extractive.scorer.meta["seed"]
    assert s.settings["scorer_model"]["sha256"] == WEIGHTS_SHA256[:12]
    idx = [k.sentences[0] for k in s.key_points]
    assert idx == sorted(idx)
    assert all(0 < k.score < 1 for k in s.key_points)
    (five,) = extractive.summarize([parse_article(text)], num_points=5)
    assert len(five.key_points) == 5


def test_the_number_adapts_on_real_stories(extractive, dev_stories):
    arts = [Article(body=r["article"]) for r in dev_stories[:16]]
    counts = [len(s.key_points) for s in extractive.summarize(arts, num_points=None)]
    assert len(set(counts)) > 1, counts  # not a constant in disguise


def test_centrality_scorer_is_still_available(extractive):
    central = get_summarizer("extractive", scorer="centrality")
    art = Article(body=make_article(2000, seed=3))
    (s,) = central.summarize([art], num_points=None)
    assert len(s.key_points) == 3 and s.settings["num_points"] == 3 and "scorer_model" not in s.settings


def test_cli_num_points_defaults_to_adaptive(extractive):
    from summarizer.cli import cli

    r = CliRunner().invoke(cli, ["-f", "json", str(EXAMPLE)])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["settings"]["num_points"] == "adaptive"
    assert d["settings"]["scorer"] == "learned"
    assert "adapts" in CliRunner().invoke(cli, ["run", "-h"]).output


# -- numpy and torch, long articles ---------------------------------------------------------


def test_numpy_net_matches_torch_on_random_weights():
    import torch

    torch.manual_seed(1)
    config = ScorerConfig(d_model=32, ff=64, heads=4, layers=2)
    model = ScorerNet(config).eval()
    net = NumpyNet({k: v.numpy() for k, v in model.state_dict().items()}, config)
    rng = np.random.default_rng(0)
    v = rng.normal(size=(37, 384)).astype(np.float32)
    f = rng.normal(size=(37, len(FEATURES))).astype(np.float32)
    with torch.inference_mode():
        ref = torch.sigmoid(model(torch.from_numpy(v)[None], torch.from_numpy(f)[None], torch.zeros(1, 37, dtype=torch.bool)))
    np.testing.assert_allclose(net.probs(v, f), ref[0].numpy(), atol=1e-5)


def test_windows_by_hand():
    assert windows(0, 8) == [(0, 0, 0, 0)]
    assert windows(8, 8) == [(0, 8, 0, 8)]
    assert windows(9, 8) == [(0, 8, 0, 4), (1, 9, 4, 9)]
    assert windows(20, 8) == [(0, 8, 0, 6), (4, 12, 6, 10), (8, 16, 10, 14), (12, 20, 14, 20)]


@pytest.mark.parametrize("k", [513, 700, 1024, 1500, 8000])
def test_windows_tile_the_article_with_context(k):
    ws = windows(k)
    kept = [i for _, _, a, b in ws for i in range(a, b)]
    assert kept == list(range(k))  # every sentence scored exactly once
    for start, stop, a, b in ws:
        assert stop - start == WINDOW and 0 <= start and stop <= k
        assert start <= a < b <= stop
        assert a == 0 or a - start >= WINDOW // 4  # context before it, unless the article starts there
        assert b == k or stop - b >= WINDOW // 4


def test_articles_up_to_the_window_are_scored_exactly_as_without_windows(monkeypatch):
    net = NumpyNet.random(ScorerConfig(d_model=16, heads=2, ff=32), seed=3)
    scorer = LearnedScorer.__new__(LearnedScorer)
    scorer.net, scorer.min_words = net, 4
    rng = np.random.default_rng(1)
    arts = []
    for k in (1, 40, WINDOW):
        v = rng.normal(size=(k, 384)).astype(np.float32)
        arts.append((v / np.linalg.norm(v, axis=1, keepdims=True), [f"w{i} x y z" for i in range(k)]))
    got = scorer.score(arts)
    for (v, t), p in zip(arts, got):
        np.testing.assert_array_equal(p, net.run([(v, features(v, t))])[0])
    # a longer one differs from one pass only by the windows: features are the whole article's
    v = rng.normal(size=(WINDOW + 100, 384)).astype(np.float32)
    t = [f"w{i} x y z" for i in range(len(v))]
    (p,) = scorer.score([(v, t)])
    whole = net.run([(v, features(v, t))])[0]
    np.testing.assert_array_equal(p[:10], net.run([(v[:WINDOW], features(v, t)[:WINDOW])])[0][:10])
    assert p.shape == whole.shape


def test_scoring_memory_grows_linearly_with_the_article():
    import tracemalloc

    net = NumpyNet.random(ScorerConfig(), seed=0)
    scorer = LearnedScorer.__new__(LearnedScorer)
    scorer.net, scorer.min_words = net, 4
    rng = np.random.default_rng(0)

    def peak(k: int) -> int:
        v = rng.normal(size=(k, 384)).astype(np.float32)
        t = [f"s{i} about the council vote" for i in range(k)]
        tracemalloc.start()
        scorer.score([(v, t)])
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top

    small, large = peak(4 * WINDOW), peak(16 * WINDOW)
    assert large < 6 * small, (small, large)  # 4x the sentences; quadratic attention would be 16x


def test_numpy_and_torch_scorers_make_the_same_choices_on_dev_stories(extractive, dev_stories):
    """Given the same sentence vectors, the default (numpy) scorer picks what the torch one picks."""
    arts = [Article(body=r["article"]) for r in dev_stories[:200]]
    texts = [[s.text for s in a.sentences] for a in arts]
    vectors = extractive.encode(arts)
    numpy_scorer, torch_scorer = LearnedScorer(), LearnedScorer(runtime="torch")
    assert numpy_scorer.runtime == "numpy" and extractive.scorer.runtime == "numpy"
    a = numpy_scorer.score(list(zip(vectors, texts)))
    b = torch_scorer.score(list(zip(vectors, texts)))
    assert max(float(np.abs(x - y).max()) for x, y in zip(a, b)) < 1e-5
    assert max(len(t) for t in texts) <= WINDOW  # real stories: one window, no change from windowing
    for n in (None, 3):
        ours = [choose(x, t, n, None, numpy_scorer.adaptive) for x, t in zip(a, texts)]
        theirs = [choose(y, t, n, None, torch_scorer.adaptive) for y, t in zip(b, texts)]
        assert ours == theirs
