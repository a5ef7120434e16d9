"""The article-extraction benchmark's metric (eval/quality/extraction_metric.py) on cases
computed by hand from the benchmark README's definition."""

from __future__ import annotations

import pytest

from eval.quality.extraction_metric import bootstrap_std, corpus, page_match, shingles, tokens


def test_tokens_are_unicode_word_runs_with_case_kept():
    assert tokens("Café ouvre, l'été — 2024!") == ["Café", "ouvre", "l", "été", "2024"]


def test_shingles_of_four_and_of_a_short_text():
    assert shingles(["a", "b", "c", "d", "e"]) == {("a", "b", "c", "d"): 1, ("b", "c", "d", "e"): 1}
    assert shingles(["a", "b"]) == {("a", "b"): 1}  # 1 to 3 tokens: one shingle of them all
    assert shingles([]) == {}


def test_half_the_article():
    # true: abcd, bcde; predicted: abcd -> tp 1, fp 0, fn 1, each over 2
    m = page_match(true="a b c d e", pred="a b c d")
    assert (m.tp, m.fp, m.fn) == (0.5, 0.0, 0.5)
    assert (m.precision, m.recall, m.exact) == (1.0, 0.5, False)


def test_shingles_are_a_multiset():
    # true: xyzw twice, yzwx, zwxy, wxyz -> 5 shingles; predicted xyzw once: tp 1, fn 4
    m = page_match(true="x y z w x y z w", pred="x y z w")
    assert m.recall == pytest.approx(0.2) and m.precision == 1.0


def test_extra_text_costs_precision_only():
    # true: abcd; predicted: abcd, bcde, cdef -> tp 1, fp 2
    m = page_match(true="a b c d", pred="a b c d e f")
    assert m.precision == pytest.approx(1 / 3) and m.recall == 1.0


def test_case_matters_and_nothing_in_common_is_zero():
    m = page_match(true="Hello world", pred="hello world")
    assert (m.precision, m.recall) == (0.0, 0.0)


def test_identical_texts_and_empty_texts():
    same = page_match(true="One, two: three.", pred="One two three")
    assert (same.precision, same.recall, same.exact) == (1.0, 1.0, True)  # punctuation is no token
    both = page_match(true="", pred="")
    assert (both.precision, both.recall, both.exact, both.predicted) == (1.0, 1.0, True, False)


def test_corpus_means_precision_over_predictions_and_recall_over_all():
    half = page_match(true="a b c d e", pred="a b c d")  # P 1, R 0.5
    empty = page_match(true="a b c d e", pred="")  # no prediction: R 0, left out of precision
    exact = page_match(true="p q r s", pred="p q r s")  # P 1, R 1, exact
    c = corpus([half, empty, exact])
    assert c.precision == 1.0
    assert c.recall == pytest.approx(0.5)  # (0.5 + 0 + 1) / 3
    assert c.f1 == pytest.approx(2 * 1.0 * 0.5 / 1.5)
    assert c.accuracy == pytest.approx(1 / 3)


def test_bootstrap_is_seeded():
    ms = [page_match(true="a b c d e", pred="a b c d"), page_match(true="p q r s", pred="p q r s t")]
    assert bootstrap_std(ms, samples=50, seed=3) == bootstrap_std(ms, samples=50, seed=3)
