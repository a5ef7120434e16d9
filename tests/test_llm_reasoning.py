"""Reasoning models' thinking is never a key point: ``<think>`` blocks (closed, opened by the chat
template, left open when the budget ran out) and a server's ``reasoning_content``."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import summarizer.api
from llm_models import ScriptedRuntime, build_chat_models
from summarizer.backends.llm import runtimes as llm_runtimes
from summarizer.backends.llm.prompt import parse_points, split_reasoning
from summarizer.cli import cli

STORY = (
    "The city council approved a plan to widen the coastal road on Monday. "
    "The work will cost $4 million and start in May. Residents asked for a bike lane."
)


@pytest.mark.parametrize(
    "raw, thinking, answer, finished",
    [
        ("<think>They want 2 points.</think>\n- Rates rose.\n- Stocks fell.", "They want 2 points.",
         "- Rates rose.\n- Stocks fell.", True),
        # the chat template opened the block: the answer starts inside it
        ("The story says rates rose.\n</think>\n\n- Rates rose.", "The story says rates rose.", "- Rates rose.", True),
        ("<think>Let me count the facts: one, two", "Let me count the facts: one, two", "", False),
        ("<THINKING>a</THINKING>- One.<think>b</think>\n- Two.", "a\n\nb", "- One.\n- Two.", True),
        ("- Rates rose.", "", "- Rates rose.", True),
        ("- Rates rose.\n<think>wait, there is more", "wait, there is more", "- Rates rose.", False),
    ],
)
def test_thinking_is_split_from_the_answer(raw, thinking, answer, finished):
    r = split_reasoning(raw)
    assert (r.text, r.answer, r.finished) == (thinking, answer, finished)


def test_a_servers_reasoning_content_counts_as_thinking():
    r = split_reasoning("- Rates rose.", "The user wants key points.")
    assert (r.text, r.answer) == ("The user wants key points.", "- Rates rose.")


def test_thinking_never_becomes_a_key_point():
    raw = "<think>\n- Maybe the cost matters.\n- Or the date.\n</think>\n- The council approved the road plan."
    assert parse_points(split_reasoning(raw).answer, 3) == ["The council approved the road plan."]


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    return build_chat_models(tmp_path_factory.mktemp("reasoning"))


@pytest.fixture(autouse=True)
def scripted(monkeypatch):
    monkeypatch.setattr(summarizer.api, "_CACHE", {})
    monkeypatch.setitem(llm_runtimes.RUNTIMES, "scripted", "llm_models:ScriptedRuntime")
    monkeypatch.setattr(ScriptedRuntime, "answers", {})
    monkeypatch.setattr(ScriptedRuntime, "calls", [])


@pytest.fixture
def story(tmp_path):
    path = tmp_path / "story.txt"
    path.write_text(STORY, encoding="utf-8")
    return path


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_key_points_of_a_thinking_model_and_the_reasoning_counted(models, story):
    thought = "The story is about a road. Key facts: approval, $4 million, May."
    ScriptedRuntime.answers = {"coastal": f"<think>{thought}</think>\n- The council approved the road plan.\n"
                                          "- The work costs $4 million."}
    r = invoke("-m", models["qwen2"], "-o", "runtime=scripted", "-n", "2", "-f", "json", story)
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert [k["text"] for k in d["key_points"]] == ["The council approved the road plan.", "The work costs $4 million."]
    assert d["info"]["reasoning_chars"] == len(thought)


def test_a_model_that_only_thinks_is_told_to_raise_max_new_tokens(models, story):
    ScriptedRuntime.answers = {"coastal": "<think>First I will list every fact in the story, then"}
    r = invoke("-m", models["qwen2"], "-o", "runtime=scripted", "-o", "max_new_tokens=64", story)
    assert r.exit_code == 1
    [line] = r.stderr.strip().splitlines()
    assert "spent its whole answer thinking" in line and "max_new_tokens=64" in line
    assert "-o max_new_tokens=256" in line


def test_reasoning_content_from_a_server_is_read_apart_from_the_answer():
    from summarizer.backends.llm.runtimes.openai_api import _content, _reasoning

    answer = {"choices": [{"message": {"content": "- Rates rose.", "reasoning_content": "The user wants points."}}]}
    assert (_content(answer, str), _reasoning(answer)) == ("- Rates rose.", "The user wants points.")
    thinking_only = {"choices": [{"message": {"content": None, "reasoning_content": "Still thinking about"}}]}
    assert (_content(thinking_only, str), _reasoning(thinking_only)) == ("", "Still thinking about")


def test_a_budget_spent_in_reasoning_content_is_said(models, story, monkeypatch):
    from summarizer.backends.llm.runtimes import Generation

    def chat(self, conversations, *, max_new_tokens, temperature, seed):
        return [Generation("", completion_tokens=max_new_tokens, reasoning="Let me list the facts first")
                for _ in conversations]

    monkeypatch.setattr(ScriptedRuntime, "chat", chat)
    r = invoke("-m", models["qwen2"], "-o", "runtime=scripted", "-o", "max_new_tokens=32", story)
    assert r.exit_code == 1 and "spent its whole answer thinking" in r.stderr and "max_new_tokens=32" in r.stderr
