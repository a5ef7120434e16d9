"""Summary-level selection (the extractive default): quotations, candidates, their features,
the selector's weights on disk, and the backend choosing key points as a set."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from helpers import EXAMPLE
from summarizer.article import Article, parse_article
from summarizer.backends.extractive.backend import ExtractiveSettings, eligible_sentences
from summarizer.backends.extractive.quotes import begins_inside_quote
from summarizer.backends.extractive.scorer import LearnedScorer, choose
from summarizer.backends.extractive.selection import (Selector, SelectorNet, candidate_features, candidates,
                                                      shortlist)
from summarizer.backends.extractive.weights import (CANDIDATE_FEATURES, SELECTOR, SELECTOR_SHA256,
                                                    SelectorConfig, read_selector, sha256)
from summarizer.cli import cli
from summarizer.errors import ModelError, UsageError


def inside(text: str) -> list[bool]:
    sents = Article(body=text).sentences
    return begins_inside_quote(text, [s.start for s in sents])


# -- quotations -------------------------------------------------------------------------------


def test_the_tail_of_a_two_sentence_quote_begins_inside_it():
    # the issue's case: with -n 3 the third key point was `...," Tillerson said.` with no opening mark
    text = ('The talks ended on Friday. "We made real progress. There is more to do before the summit," '
            'Tillerson said. Both sides will meet again in May.')
    assert inside(text) == [False, False, True, False]


def test_curly_marks_paragraphs_and_a_quote_that_reopens():
    assert inside("He spoke. “It works. It is cheap,” she said. Fine.") == [False, False, True, False]
    # news style: a quotation running on into a new paragraph reopens with a mark; a line break ends it
    assert inside('She said: "We tried.\n"We will try again. And again," she added.') == [False, False, True]
    assert inside('He said: "never again.\nThe next day it rained.') == [False, False]


def test_single_marks_count_only_on_firm_evidence():
    # British style: a sentence that closes a single quotation it never opened
    assert inside("He was clear. 'I will stay. I love this club,' he said. Fans cheered.") == [False, False, True, False]
    # apostrophes and a plural possessive are not quotation marks
    assert inside("The players' union met. It didn't agree. Talks go on.") == [False, False, False]


def test_eligible_sentences_leave_out_quote_tails_unless_too_few_remain():
    body = 'The vote was held. "We won. It was close," she said.'
    texts = ["The vote was held.", '"We won.', 'It was close," she said.']
    starts = [0, 19, 28]
    assert eligible_sentences(texts, body, starts, 2).tolist() == [True, True, False]
    assert eligible_sentences(texts, body, starts, 2, quotes=False).tolist() == [True, True, True]
    assert eligible_sentences(texts, body, starts, 2, need=3).tolist() == [True, True, True]  # -n 3: all of them


# -- candidates and their features -----------------------------------------------------------


def test_shortlist_and_candidates_by_hand():
    probs = np.array([0.2, 0.9, 0.1, 0.8, 0.7])
    ok = np.array([True, True, True, False, True])
    assert shortlist(probs, ok, 3) == [1, 4, 0]
    assert candidates([4, 1, 0], 2, 3) == [(0, 1), (0, 4), (1, 4), (0, 1, 4)]
    assert candidates([4, 1], 2, 4) == [(1, 4)]
    assert candidates([], 2, 4) == []


def test_candidate_features_by_hand():
    v = np.eye(4, dtype=np.float32)
    texts = ["the mayor approved the budget", "the mayor approved the budget again", "buses run late", "a new pier"]
    probs = np.array([0.9, 0.6, 0.5, 0.1], dtype=np.float32)
    f = candidate_features(v, texts, probs, np.ones(4, bool), [(0, 1), (0, 2, 3)])
    col = {name: f[:, i] for i, name in enumerate(CANDIDATE_FEATURES)}
    assert f.shape == (2, len(CANDIDATE_FEATURES))
    assert col["size_2"].tolist() == [1, 0] and col["size_3"].tolist() == [0, 1]
    assert col["p_mean"] == pytest.approx([0.75, 0.5])
    assert col["p_min"] == pytest.approx([0.6, 0.1])
    assert col["words_scaled"] == pytest.approx([11 / 60, 11 / 60])
    assert col["trigram_pairs"].tolist() == [1.0, 0.0]  # "the mayor approved" twice
    assert col["sim_max"].tolist() == [0.0, 0.0]  # orthogonal vectors
    assert col["has_first"].tolist() == [1.0, 1.0]
    assert col["coverage"] == pytest.approx([0.5, 0.75])  # best cosine per sentence: 1 for members, 0 else
    assert col["p_gap_next"] == pytest.approx([0.5 - 0.6, 0.6 - 0.1])  # best left out minus its lowest
    assert candidate_features(v, texts, probs, np.ones(4, bool), []).shape == (0, len(CANDIDATE_FEATURES))


# -- the network and its weights ---------------------------------------------------------------


def test_numpy_selector_matches_torch_and_weights_round_trip(tmp_path):
    import torch

    from summarizer.backends.extractive.net import CandidateEnsemble, CandidateNet, save_selector

    torch.manual_seed(0)
    config = SelectorConfig(hidden=16, members=3)
    rng = np.random.default_rng(0)
    feats = rng.normal(size=(30, config.num_features)).astype(np.float32)
    model = CandidateEnsemble([CandidateNet(config, feats.mean(0), feats.std(0)) for _ in range(3)]).eval()
    path = tmp_path / "s.safetensors"
    digest = save_selector(model, {"seed": 5, "features": list(CANDIDATE_FEATURES)}, path)
    assert digest == sha256(path) == (tmp_path / "s.safetensors.sha256").read_text().strip()
    selector = Selector(path)
    assert selector.meta["seed"] == 5 and selector.config == config
    with torch.inference_mode():
        ref = model(torch.from_numpy(feats)).numpy()
    np.testing.assert_allclose(selector.net.scores(feats), ref, atol=1e-5)


def test_bad_selector_weights_are_model_errors(tmp_path):
    from summarizer.backends.extractive.net import CandidateEnsemble, CandidateNet, save_selector

    path = tmp_path / "s.safetensors"
    with pytest.raises(ModelError, match=r"cannot read the selector weights .*-m eval\.train\.selection"):
        read_selector(path)
    save_selector(CandidateEnsemble([CandidateNet(SelectorConfig(hidden=8, members=1))]), {}, path)
    with pytest.raises(ModelError, match="trained on the features None"):
        read_selector(path)
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="fail their sha256 check"):
        read_selector(path)


def test_shipped_selector_is_small_and_matches_its_recorded_checksum():
    assert SELECTOR.stat().st_size <= 1024 * 1024
    assert sha256(SELECTOR) == SELECTOR_SHA256
    _, meta = read_selector()
    assert isinstance(meta["seed"], int) and meta["features"] == list(CANDIDATE_FEATURES)


def test_random_selector_picks_one_candidate_of_the_asked_size():
    selector = Selector.__new__(Selector)
    selector.config = SelectorConfig(hidden=8, members=2)
    selector.net = SelectorNet.random(selector.config, seed=1)
    rng = np.random.default_rng(2)
    v = rng.normal(size=(12, 384)).astype(np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    texts = [f"sentence number {i} about the council" for i in range(12)]
    probs = rng.uniform(size=12).astype(np.float32)
    ok = np.ones(12, bool)
    ok[int(np.argmax(probs))] = False  # the best sentence is not eligible: never chosen
    for n in (1, 2, 3, 4, 5):
        c = selector.choose(v, texts, probs, ok, n)
        assert len(c.indices) == n and list(c.indices) == sorted(c.indices) and all(ok[list(c.indices)])
    auto = selector.choose(v, texts, probs, ok, None)
    assert 2 <= len(auto.indices) <= 4
    assert selector.choose(v[:2], texts[:2], probs[:2], np.ones(2, bool), 3).indices == (0, 1)  # all there are
    assert selector.choose(v, texts, probs, ok, 0).indices == ()


# -- the default backend -----------------------------------------------------------------------


def run_json(*args: str) -> dict:
    r = CliRunner().invoke(cli, ["-f", "json", *args])
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_default_selection_is_the_set_and_records_it(extractive):
    assert extractive.settings.selection == "set" and extractive.selector is not None
    d = run_json(str(EXAMPLE))
    assert d["settings"]["selection"] == "set"
    assert d["settings"]["selector_model"]["sha256"] == SELECTOR_SHA256[:12]
    assert 2 <= len(d["key_points"]) <= 4
    article = parse_article(EXAMPLE.read_text(encoding="utf-8"))
    by_index = {s.index: s for s in article.sentences}
    for kp in d["key_points"]:
        (i,) = kp["sentences"]
        assert kp["text"] == by_index[i].text and kp["spans"] == [[by_index[i].start, by_index[i].end]]
    for n in (1, 3, 5, 7):  # 7: beyond the trained sizes, chosen one by one
        assert len(run_json("-n", str(n), str(EXAMPLE))["key_points"]) == n


def test_selection_sentences_keeps_the_previous_choice(extractive):
    """-o selection=sentences is the sentence-by-sentence choice, unchanged (pinned on the example,
    as the default picked before summary-level selection)."""
    for args, picks in (((), [0, 1, 2, 5]), (("-n", "3"), [0, 1, 2]), (("-n", "5"), [0, 1, 2, 5, 7])):
        d = run_json("-o", "selection=sentences", *args, str(EXAMPLE))
        assert [k["sentences"][0] for k in d["key_points"]] == picks
        assert d["settings"]["selection"] == "sentences" and "selector_model" not in d["settings"]


def test_sentences_path_is_choose_on_the_scores(extractive, dev_stories):
    from summarizer.api import load

    sentences = load("extractive", selection="sentences")
    arts = [Article(body=r["article"]) for r in dev_stories[:30]]
    vectors = sentences.encode(arts)
    scorer = LearnedScorer()
    for a, v, s in zip(arts, vectors, sentences.choose(arts, vectors, num_points=None)):
        texts = [x.text for x in a.sentences]
        (p,) = scorer.score([(v, texts)])
        eligible = np.array([len(t.split()) >= 4 for t in texts])
        assert [k.sentences[0] for k in s.key_points] == choose(p, texts, None, eligible, scorer.adaptive)


def test_no_key_point_begins_inside_a_quotation_on_real_stories(extractive, dev_stories):
    arts = [Article(body=r["article"]) for r in dev_stories[:60]]
    for n in (None, 3):
        for a, s in zip(arts, extractive.summarize(arts, num_points=n)):
            flags = begins_inside_quote(a.body, [x.start for x in a.sentences])
            assert not any(flags[k.sentences[0]] for k in s.key_points), (a.body[:80], s.texts)


def test_unknown_selection_is_a_usage_error():
    with pytest.raises(UsageError, match="extractive setting selection='best': expected set or sentences"):
        ExtractiveSettings(selection="best")
