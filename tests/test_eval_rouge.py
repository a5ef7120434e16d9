"""ROUGE: hand-computable cases, and the same bits as rouge-score's RougeScorer."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from rouge_score import rouge_scorer

from summarizer.errors import UsageError
from summarizer.evaluate.rouge import METRICS, RougeConfig, Scorer, Tokenizer, lines, score_pairs

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

# Our own sentences (never text from ../shared/data), for cases that need no real data.
OWN = [
    "The council approved the harbor budget on Tuesday after a long debate.",
    "Officials said the new ferries would run on batteries by 2030.",
    "Fishing crews worried that charging stations would take their dock space.",
    "The mayor promised that fares would stay at $2.50 a ride.",
    "Two council members voted against the plan, citing the cost of a second pier.",
    "Stocks rallied on Monday as investors cheered the jobs report.",
    "The storm knocked out power to 40,000 homes across the county.",
    "Schools closed early and buses stopped running before noon.",
]


def approx(x: float) -> pytest.approx:
    return pytest.approx(x, abs=1e-12)


def test_hand_computed_unigrams_bigrams_and_lcs():
    s = Scorer().score(reference="the cat sat on the mat", prediction="the cat lay on the mat")
    # unigrams: the x2, cat, on, mat match -> 5 of 6 on both sides
    assert (s["rouge1"].precision, s["rouge1"].recall, s["rouge1"].fmeasure) == (approx(5 / 6),) * 3
    # bigrams: "the cat", "on the", "the mat" -> 3 of 5
    assert s["rouge2"].fmeasure == approx(3 / 5)
    # longest common subsequence: "the cat on the mat" -> 5 of 6
    assert s["rougeL"].fmeasure == approx(5 / 6)


def test_hand_computed_summary_level_lcs_reads_one_key_point_per_line():
    ref = ["the cat sat", "the dog ran"]
    pred = ["the dog sat", "a cat ran"]
    s = Scorer().score(reference=ref, prediction=pred)
    # Union LCS per reference line: "the cat sat" gets {the, sat} from line 1 and {cat}
    # from line 2 -> 3 hits; "the dog ran" gets {the, dog} and {ran}, but the prediction's
    # only "the" is used up -> 2 hits. 5 of 6 tokens on each side.
    assert s["rougeLsum"].precision == approx(5 / 6)
    assert s["rougeLsum"].recall == approx(5 / 6)
    # The whole text as one sequence has an LCS of 3 ("the sat ran"): ROUGE-L 0.5.
    assert s["rougeL"].fmeasure == approx(0.5)
    # The same numbers as rouge-score given the key points one per line.
    ref_rs = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True).score("\n".join(ref), "\n".join(pred))
    assert {m: tuple(v) for m, v in ref_rs.items()} == {
        m: (v.precision, v.recall, v.fmeasure) for m, v in s.items()
    }


def test_stemming_on_by_default_and_off_on_request():
    on = Scorer().score(reference="stocks rallied", prediction="the stock rallies")
    assert (on["rouge1"].precision, on["rouge1"].recall) == (approx(2 / 3), approx(1.0))
    off = Scorer(RougeConfig(stemming=False)).score(reference="stocks rallied", prediction="the stock rallies")
    assert off["rouge1"].fmeasure == 0.0


def test_reference_and_prediction_are_keyword_only():
    with pytest.raises(TypeError):
        Scorer().score("the reference", "the prediction")  # type: ignore[misc]
    with pytest.raises(TypeError):
        Scorer().score(prediction="x")
    with pytest.raises(TypeError):
        Scorer().score(prediction="x", reference="y", references=["z"])


def test_multi_reference_best_or_mean():
    refs = ["rain fell in the city", "snow fell"]
    pred = "snow fell today"
    best = Scorer(RougeConfig(multi_ref="max")).score(references=refs, prediction=pred)["rouge1"]
    # against ref 1: 1 match, P 1/3, R 1/5, F 0.25; against ref 2: P 2/3, R 1, F 0.8
    assert (best.precision, best.recall, best.fmeasure) == (approx(2 / 3), approx(1.0), approx(0.8))
    mean = Scorer(RougeConfig(multi_ref="mean")).score(references=refs, prediction=pred)["rouge1"]
    assert (mean.precision, mean.recall, mean.fmeasure) == (approx(0.5), approx(0.6), approx(0.525))


def test_non_ascii_text_scores_zero_with_the_default_tokenizer_but_not_with_unicode():
    ref, pred = "Москва объявила новые меры", "Москва объявила меры"
    assert Scorer().score(reference=ref, prediction=pred)["rouge1"].fmeasure == 0.0
    s = Scorer(RougeConfig(tokenizer="unicode")).score(reference=ref, prediction=pred)["rouge1"]
    assert (s.precision, s.recall) == (approx(1.0), approx(3 / 4))
    # unspaced scripts: one token per character
    zh = Scorer(RougeConfig(tokenizer="unicode")).score(reference="北京今天下雨", prediction="北京下雨")["rouge1"]
    assert (zh.precision, zh.recall) == (approx(1.0), approx(4 / 6))


def test_unicode_tokenizer_keeps_combining_marks_in_their_words():
    tok = Tokenizer("unicode", stemming=False)
    assert tok.tokenize("नमस्ते दुनिया।") == ["नमस्ते", "दुनिया"]  # vowel signs and virama stay; the danda goes
    assert tok.tokenize("مَرْحَبًا بِالعالم") == ["مَرْحَبًا", "بِالعالم"]
    assert tok.tokenize("Café naïve") == ["café", "naïve"]


def test_unicode_tokenizer_equals_the_default_on_ascii_text():
    for stemming in (True, False):
        default, uni = Tokenizer("default", stemming=stemming), Tokenizer("unicode", stemming=stemming)
        for text in [*OWN, "U.S. forces -- 3,000 of them -- left at 5 p.m. (local time); it's over_now"]:
            assert uni.tokenize(text) == default.tokenize(text)


def test_empty_prediction_scores_zero_and_blank_lines_are_not_sentences():
    s = Scorer().score(reference="rain fell", prediction=[])
    assert all(v.fmeasure == 0.0 for v in s.values())
    assert lines(["a\n\nb", "", "c"]) == ["a", "b", "c"]


def test_config_is_checked_and_recorded_in_the_signature():
    with pytest.raises(UsageError, match="unknown metric 'rouge3'"):
        RougeConfig(metrics=("rouge3",))
    with pytest.raises(UsageError, match="tokenizer"):
        RougeConfig(tokenizer="nltk")
    sig = RougeConfig().signature()
    assert sig["metrics"] == list(METRICS) and sig["stemming"] is True
    assert sig["lsum_split"] == "one key point per line" and sig["multi_ref"] == "max"
    assert sig["rouge_score_version"][0].isdigit()


def _reference_scores(pairs):
    rs = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)
    return [{m: tuple(v) for m, v in rs.score(ref, pred).items()} for ref, pred in pairs]


def _ours(pairs, **kw):
    got = score_pairs(references=[[ref] for ref, _ in pairs], predictions=[pred for _, pred in pairs], **kw)
    return [{m: (v.precision, v.recall, v.fmeasure) for m, v in s.items()} for s in got]


def test_same_bits_as_rouge_score_on_own_text():
    rng = random.Random(3)
    pairs = []
    for _ in range(60):
        ref = "\n".join(rng.sample(OWN, rng.randint(1, 4)))
        pred = "\n".join(rng.sample(OWN, rng.randint(0, 4)))
        pairs.append((ref, pred))
    assert _ours(pairs, jobs=1) == _reference_scores(pairs)


@pytest.fixture(scope="module")
def real_pairs():
    dev, see = DATA / "cnndm_dev_from_test.jsonl", DATA / "see2017_outputs_dev1000.jsonl"
    if not (dev.exists() and see.exists()):
        pytest.skip(f"the real news data is not in {DATA} (see ../shared/data/README.md)")
    stories = {}
    with dev.open(encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            stories[r["id"]] = r
    with see.open(encoding="utf-8") as f:
        outputs = [json.loads(line) for line in f]
    rng = random.Random(0)
    pairs = [("\n".join(stories[o["id"]]["highlights"]), o["summary"]) for o in rng.sample(outputs, 300)]
    # long texts too: the first paragraph of an article against the highlights (long LCS tables)
    for r in rng.sample(list(stories.values()), 60):
        pairs.append(("\n".join(r["highlights"]), "\n".join(r["article"][:1500].split(". "))))
    return pairs


def test_same_bits_as_rouge_score_on_real_pairs(real_pairs):
    # 360 real pairs, every metric: exact equality of precision, recall and F1
    assert _ours(real_pairs, jobs=1) == _reference_scores(real_pairs)


def test_processes_give_the_same_scores_in_the_same_order(real_pairs):
    pairs = real_pairs + real_pairs  # 720: enough for two processes to be used
    assert _ours(pairs, jobs=2) == _ours(pairs, jobs=1)
