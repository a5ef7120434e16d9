"""Parity with published results on the real dev stories (skipped without ../shared/data).

Tolerance: 1.5 ROUGE points (F1 x 100), from three sources of difference:

* sampling: the dev set is 1,000 of the 11,490 test stories the paper scored. Per-document
  F1 has a standard deviation of about 10 to 12 points here, so the mean of 1,000 stories
  has a standard error of about 0.35 and a 95% interval of about +-0.7 points around the
  full-split mean (the test checks that half-width below 0.9, so the claim holds);
* the scorer: rouge-score lands 0.1 to 0.4 points below ROUGE-1.5.5 (perl) on the full
  split (../shared/data/README.md; the README's "Evaluating" section says why);
* text: the stories and outputs are the lowercased, PTB-tokenized copies, detokenized,
  and Lead-3 depends on our own sentence splitter.

0.7 + 0.4 + 0.4 for the text = 1.5. The paper's ROUGE-L is summary-level (ROUGE-Lsum here).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from summarizer.evaluate import DatasetOptions, EvalOptions, RougeConfig, ScoringSettings, load_dataset, run_eval
from summarizer.evaluate.runs import read_predictions
from summarizer.evaluate.scores import score_system

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
DEV = DATA / "cnndm_dev_from_test.jsonl"
SEE = DATA / "see2017_outputs_dev1000.jsonl"
TOLERANCE = 1.5  # ROUGE points; see the module docstring

PAPER = {  # See et al. (2017), Table 1: ROUGE-1, ROUGE-2, ROUGE-L (summary level), F1
    "see2017_seq2seq_attn_baseline_50k": (31.33, 11.81, 28.83),
    "see2017_pointer_generator": (36.44, 15.66, 33.42),
    "see2017_pointer_generator_coverage": (39.53, 17.28, 36.38),
    "lead-3": (40.34, 17.70, 36.57),
}
METRICS = ("rouge1", "rouge2", "rougeLsum")

pytestmark = pytest.mark.skipif(
    not (DEV.is_file() and SEE.is_file()),
    reason=f"the real news data is not in {DATA} (it lives in ../shared/data beside the clone)",
)


@pytest.fixture(scope="module")
def dev():
    return load_dataset(str(DEV))


def mean_f1(system) -> tuple[float, ...]:
    return tuple(100 * float(system.column(m).mean()) for m in METRICS)


@pytest.mark.parametrize("name", [n for n in PAPER if n != "lead-3"])
def test_see_et_al_outputs_score_near_the_paper(dev, name):
    preds = read_predictions(SEE, where={"system": name})
    assert len(preds) == len(dev) == 1000
    docs = [dev.by_id[p.id] for p in preds]
    config = RougeConfig(metrics=(*METRICS, "rougeL"))
    system = score_system(name, "system", docs, [p.summary for p in preds], config)
    ours = mean_f1(system)
    for metric, got, paper in zip(METRICS, ours, PAPER[name]):
        assert abs(got - paper) <= TOLERANCE, f"{name} {metric}: {got:.2f}, paper {paper:.2f}"
    # the sampling half of the tolerance: the standard error of a 1,000-story mean
    for m in METRICS:
        col = 100 * system.column(m)
        assert 1.96 * col.std(ddof=1) / len(col) ** 0.5 < 0.9
    # the usual harness mistake: ROUGE-L over the whole text instead of per key point
    assert ours[2] - 100 * float(system.column("rougeL").mean()) > 5


def test_see_et_al_systems_keep_the_papers_order(dev):
    means = {}
    for name in [n for n in PAPER if n != "lead-3"]:
        preds = read_predictions(SEE, where={"system": name})
        system = score_system(name, "system", [dev.by_id[p.id] for p in preds], [p.summary for p in preds],
                              RougeConfig(metrics=("rouge1",)))
        means[name] = 100 * float(system.column("rouge1").mean())
    assert means["see2017_seq2seq_attn_baseline_50k"] < means["see2017_pointer_generator"] < means[
        "see2017_pointer_generator_coverage"]


def test_lead3_on_dev_is_near_the_published_lead3(tmp_path):
    opts = EvalOptions(DatasetOptions(str(DEV)), "lead", tmp_path / "lead",
                       scoring=ScoringSettings(RougeConfig(metrics=METRICS), samples=200))
    report = run_eval(opts)
    row = report.system("lead-3")
    assert row.role == "baseline" and row.documents == 1000
    for m, paper in zip(METRICS, PAPER["lead-3"]):
        got = 100 * row.metrics[m].f1.mean
        assert abs(got - paper) <= TOLERANCE, f"Lead-3 {m}: {got:.2f}, published {paper:.2f}"
    # the lead model with three key points is Lead-3
    assert report.system("lead").metrics["rouge1"] == row.metrics["rouge1"]
