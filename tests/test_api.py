"""The Python API: summarize(), the frozen result types, JSON, and the docstring examples."""

from __future__ import annotations

import dataclasses
import doctest
import importlib
import json
import pkgutil

import pytest

import summarizer
from summarizer import InputError, KeyPoint, Summary, UnknownModelError, UsageError, parse_article, summarize

STORY = (
    "Rail workers in the northern region began a two-day strike on Thursday over pay. "
    "The union says wages have fallen behind prices for three years in a row. "
    "Most regional trains were cancelled, and buses replaced some of them. "
    "The rail company said it had offered a 4% raise and wants talks to resume. "
    "Another strike is planned for the first week of next month."
)
CNBC_STORY = "Rail strike halts northern trains\nKey Points\n• Workers strike for two days.\n\n" + STORY


def test_one_text_gives_a_summary():
    s = summarize(STORY, n=2, model="lead")
    assert isinstance(s, Summary)
    assert s.texts == [
        "Rail workers in the northern region began a two-day strike on Thursday over pay.",
        "The union says wages have fallen behind prices for three years in a row.",
    ]
    assert s.model == "lead" and s.num_sentences == 5
    assert str(s) == "\n".join(s.texts)


def test_a_list_gives_a_list_in_order():
    out = summarize([STORY, "A short one. Just two sentences."], n=1, model="lead")
    assert isinstance(out, list) and len(out) == 2
    assert [s.name for s in out] == ["text 0", "text 1"]
    assert out[1].texts == ["A short one."]
    assert summarize([], model="lead") == []


def test_default_model_reads_the_body_only(extractive):
    s = summarize(CNBC_STORY)
    assert s.model == "extractive" and s.title == "Rail strike halts northern trains"
    body = parse_article(CNBC_STORY).body
    assert len(s.key_points) == 3
    for kp in s.key_points:
        (start, end), = kp.spans
        assert body[start:end] == kp.text
        assert kp.text != "Workers strike for two days."


def test_n_none_lets_the_backend_choose():
    assert len(summarize(STORY, n=None, model="lead").key_points) == 3


@pytest.mark.parametrize("n", [0, -1, "3", 2.5])
def test_bad_n(n):
    with pytest.raises(UsageError, match="n must be a positive number"):
        summarize(STORY, n=n, model="lead")


@pytest.mark.parametrize("bad", [123, [STORY, 5], b"bytes"])
def test_bad_argument_type(bad):
    with pytest.raises(UsageError, match="takes a string or a list of strings"):
        summarize(bad, model="lead")


@pytest.mark.parametrize("text", ["", "   \n "])
def test_empty_text(text):
    with pytest.raises(InputError, match="is empty"):
        summarize(text, model="lead")


def test_unknown_model_names_the_known_ones():
    with pytest.raises(UnknownModelError) as e:
        summarize(STORY, model="gpt-17")
    assert "extractive" in e.value.known and "lead" in e.value.known
    assert "known models: " in str(e.value)


def test_settings_are_checked():
    with pytest.raises(UsageError, match="has no setting"):
        summarize(STORY, model="lead", no_such_setting=1)


def test_results_are_frozen():
    s = summarize(STORY, n=1, model="lead")
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.model = "other"
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.key_points[0].text = "other"


def test_json_round_trip(extractive):
    s = summarize(CNBC_STORY, n=2)
    d = json.loads(s.to_json())
    assert Summary.from_dict(d) == s
    assert d["key_points"][0].keys() == {"text", "score", "sentences", "spans"}
    assert d["settings"]["num_points"] == 2
    assert json.loads(json.dumps(s.to_dict())) == d


def test_keypoint_to_dict():
    kp = KeyPoint("A point.", score=0.5, sentences=(2,), spans=((10, 18),))
    assert kp.to_dict() == {"text": "A point.", "score": 0.5, "sentences": [2], "spans": [[10, 18]]}


def _modules() -> list[str]:
    names = [summarizer.__name__]
    for info in pkgutil.walk_packages(summarizer.__path__, prefix="summarizer."):
        if not info.name.endswith("__main__"):  # running it would start the command
            names.append(info.name)
    return names


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} doctest(s) failed in {name}"
