"""``summarizer.text_safety``: what is taken out of a model's answer, and the counts."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from summarizer.text_safety import CLASSES, clean_answer, describe_removed, merge_counts, unsafe_counts

# text weighted towards the characters that matter: every class, and ordinary text around them
UNSAFE = "\ud800\udfff\x00\u202a\u202e\u2066\u2069\x1b\x7f\x85\x9f"
SAFE_EDGES = "\t\n\r \u200e\u200f\u061c\u2067x"  # tab and line breaks stay; LRM, RLM, ALM are marks, not controls
TEXT = st.text(st.sampled_from(UNSAFE + SAFE_EDGES) | st.characters(), max_size=200)


@given(TEXT)
def test_a_cleaned_answer_holds_no_unsafe_character_and_encodes(text):
    clean, removed = clean_answer(text)
    assert unsafe_counts(clean) == {}
    clean.encode("utf-8")  # no lone surrogate left: any encoder and tokenizer takes it
    assert sum(removed.values()) == len(text) - len(clean)
    assert list(removed) == [name for name in CLASSES if name in removed]  # in the classes' order


def test_each_class_and_what_stays():
    assert clean_answer("a\ud800b\x00c\u202ed\u2066e\x1b[31mf") == ("abcde[31mf", {
        "surrogate": 1, "nul": 1, "bidi": 2, "control": 1})
    assert clean_answer("tab\tline\nreturn\r\u200e") == ("tab\tline\nreturn\r\u200e", {})
    assert describe_removed({"surrogate": 1, "control": 3}) == "1 lone surrogate, 3 control characters"
    assert merge_counts({}, {"bidi": 1}, {"bidi": 2, "nul": 1}) == {"nul": 1, "bidi": 3}
