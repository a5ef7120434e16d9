"""Bootstrap intervals and paired tests: seeded, and right on cases with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from summarizer.errors import UsageError
from summarizer.evaluate.aggregate import bootstrap, paired_test


def scores(n=500, seed=1):
    return np.random.default_rng(seed).beta(4, 6, size=(n, 3))


def test_bootstrap_is_deterministic_for_a_seed_and_changes_with_it():
    v = scores()
    a, b = bootstrap(v, seed=7), bootstrap(v, seed=7)
    assert a == b
    assert bootstrap(v, seed=8) != a


def test_bootstrap_mean_is_the_sample_mean_and_the_interval_brackets_it():
    v = scores()
    for col, ci in enumerate(bootstrap(v)):
        assert ci.mean == pytest.approx(v[:, col].mean(), abs=1e-15)
        assert ci.low < ci.mean < ci.high
        # the 95% interval of a mean is about +-1.96 standard errors
        se = v[:, col].std(ddof=1) / np.sqrt(len(v))
        assert (ci.high - ci.low) == pytest.approx(2 * 1.96 * se, rel=0.15)


def test_bootstrap_of_a_constant_has_no_width():
    (ci,) = bootstrap(np.full(50, 0.25))
    assert (ci.mean, ci.low, ci.high) == (0.25, 0.25, 0.25)


def test_bootstrap_chunks_give_the_same_numbers(monkeypatch):
    # resampling in small chunks (bounded memory) must not change a figure
    import summarizer.evaluate.aggregate as agg

    v = scores(200)
    whole = bootstrap(v, samples=300)
    monkeypatch.setattr(agg, "_CHUNK_VALUES", 1000)
    assert bootstrap(v, samples=300) == whole


def test_paired_tests_see_a_real_difference_and_not_a_null_one():
    rng = np.random.default_rng(0)
    base = rng.beta(4, 6, size=400)
    better = np.clip(base + 0.03 + rng.normal(0, 0.02, size=400), 0, 1)
    noise = base + rng.normal(0, 0.02, size=400)  # same mean, independent noise
    for test in ("randomization", "bootstrap"):
        t = paired_test(better, base, test=test)
        assert t.delta == pytest.approx((better - base).mean())
        assert t.p_value < 0.01
        assert paired_test(noise, base, test=test, seed=3).p_value > 0.05
        assert paired_test(base, base, test=test).p_value == 1.0
        assert paired_test(better, base, test=test, seed=5) == paired_test(better, base, test=test, seed=5)


def test_bad_arguments_are_usage_errors():
    with pytest.raises(UsageError, match="equal-length"):
        paired_test(np.zeros(3), np.zeros(4))
    with pytest.raises(UsageError, match="unknown test"):
        paired_test(np.zeros(3), np.zeros(3), test="t-test")
    with pytest.raises(UsageError, match="no documents"):
        bootstrap(np.zeros((0, 2)))
    with pytest.raises(UsageError, match="at least 1"):
        bootstrap(np.zeros(3), samples=0)
