"""What the ``llm`` backend says to an instruct model, and how it reads the answer.

The default prompt asks for key points in the style of CNBC's "Key Points": one sentence
each, about 25 words at most, facts from the story only, one a line. ``parse_points``
reads an answer robustly: bullets (``-``, ``*``, ``•``), numbering (``1.``, ``2)``),
Markdown bold and quotes are stripped; a preamble ("Here are the key points:") and
closing remarks are dropped; at most ``n`` points are kept.

>>> parse_points("Here are the key points:\\n1. Rates rose.\\n2. **Stocks fell** sharply.\\nLet me know!", 3)
['Rates rose.', 'Stocks fell sharply.']
>>> fill("Summarize {article} in {n} points.", article="Text.", n=2)
'Summarize Text. in 2 points.'

Reasoning models (DeepSeek-R1 distills, Qwen3, QwQ) think before they answer, in a
``<think>…</think>`` block; :func:`split_reasoning` takes it out, so thinking is never a key point:

>>> split_reasoning("<think>The story is about rates.</think>\\n- Rates rose.")
Reasoning(text='The story is about rates.', answer='- Rates rose.', finished=True)

A key point obeys the ceiling of an extracted sentence (``split.MAX_SENTENCE_CHARS``, 1,000
characters): :func:`bound_point` cuts a longer one to its leading sentences that fit, or at a
word boundary, and the backend reports each cut.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...split import MAX_SENTENCE_CHARS, split_sentences

DEFAULT_POINTS = 3  # CNBC stories carry three key points; asked for when -n is not given
DEFAULT_SYSTEM_PROMPT = (
    "You are a careful news editor. You write the key points of news stories using only facts "
    "stated in the story, never adding names, numbers or dates that it does not contain."
)
DEFAULT_PROMPT = (
    'Write the {n} key points of the news story below, in the style of CNBC\'s "Key Points": '
    "each one sentence of at most 25 words, the most important first, using only facts from the story. "
    'Answer with the key points only, one per line, each starting with "- ".\n\n'
    "Story:\n{article}"
)

_MARKER = re.compile(r"^\s*(?:[-*•·–—+]|\(?\d{1,2}[.)]|\(?[a-z][.)](?=\s))\s*")
_PREAMBLE = re.compile(
    r"^(?:here\s+(?:are|is)|sure|certainly|of course|okay|ok|below|the\s+(?:\w+\s+)?key\s+points|key\s+points|"
    r"summary|in\s+summary|i\s+hope|let\s+me\s+know|note:)\b",
    re.IGNORECASE,
)
_DECOR = re.compile(r"\*\*|__|`+")
MIN_WORDS = 2  # a one-word "point" is a header or a scrap ("Summary", "Sources")


def fill(template: str, *, article: str, n: int) -> str:
    """``template`` with ``{article}`` and ``{n}`` filled in (other braces left alone)."""
    return template.replace("{n}", str(n)).replace("{article}", article)


def messages(
    article: str, n: int, *, prompt: str = DEFAULT_PROMPT, system_prompt: str = DEFAULT_SYSTEM_PROMPT
) -> list[dict[str, str]]:
    """The conversation asking for ``n`` key points of ``article``; an empty system prompt sends none."""
    out = [{"role": "system", "content": system_prompt}] if system_prompt else []
    out.append({"role": "user", "content": fill(prompt, article=article, n=n)})
    return out


def strip_marker(line: str) -> str:
    """``line`` without a bullet or number in front: ``"2) Rates rose."`` -> ``"Rates rose."``."""
    return _MARKER.sub("", line, count=1).strip()


def _clean(line: str) -> str:
    line = _DECOR.sub("", line).strip()
    line = re.sub(r"^(?:key\s+point|point)\s*\d*\s*[:.-]\s*", "", line, flags=re.IGNORECASE)
    return line.strip().strip('"“”').strip()


# <think>, <thinking>, <reasoning> (any case); some chat templates open the block in the prompt,
# so an answer may hold only its end
_OPEN = re.compile(r"<\s*(think|thinking|reasoning)\s*>", re.IGNORECASE)
_CLOSE = re.compile(r"<\s*/\s*(think|thinking|reasoning)\s*>", re.IGNORECASE)


@dataclass(frozen=True)
class Reasoning:
    """An answer split into the model's thinking and what it answered."""

    text: str  # the thinking, blocks joined by blank lines ('' when there is none)
    answer: str  # the rest: where the key points are
    finished: bool  # False when a block was still open at the end: the budget ran out while thinking


def split_reasoning(raw: str, extra: str = "") -> Reasoning:
    """``raw`` without its reasoning blocks: closed ``<think>…</think>`` blocks anywhere, an
    answer that starts inside a block opened by the chat template (text before a lone
    ``</think>``), and a block left open at the end (everything after ``<think>``).
    ``extra`` is reasoning a server sent apart (``reasoning_content``).

    >>> split_reasoning("Let me see. The vote passed.</think>- The vote passed.").answer
    '- The vote passed.'
    >>> split_reasoning("<think>First, the council...").finished
    False
    """
    thoughts = [extra.strip()] if extra and extra.strip() else []
    text = raw
    first_close, first_open = _CLOSE.search(text), _OPEN.search(text)
    if first_close and (first_open is None or first_close.start() < first_open.start()):
        thoughts.append(text[: first_close.start()].strip())
        text = text[first_close.end():]
    finished = True
    out: list[str] = []
    while True:
        opened = _OPEN.search(text)
        if opened is None:
            out.append(text)
            break
        out.append(text[: opened.start()])
        closed = _CLOSE.search(text, opened.end())
        if closed is None:
            thoughts.append(text[opened.end():].strip())
            finished = False
            break
        thoughts.append(text[opened.end() : closed.start()].strip())
        text = text[closed.end():]
    answer = "".join(out).strip()
    return Reasoning("\n\n".join(t for t in thoughts if t), answer, finished)


def parse_points(answer: str, n: int | None) -> list[str]:
    """The key points in a model's ``answer``: at most ``n`` (all when None), in order, without repeats.

    When some lines are bullets or numbered, only those are key points (the rest is a
    preamble or a remark); otherwise every line that is not a preamble is, and a single
    paragraph is split into its sentences.
    """
    lines = [ln for ln in answer.replace("\r", "").split("\n") if ln.strip() and not ln.strip().startswith("```")]
    marked = [ln for ln in lines if _MARKER.match(ln) and _MARKER.sub("", ln, count=1).strip()]
    if marked:
        texts = [_MARKER.sub("", ln, count=1) for ln in marked]
    else:
        texts = [ln for ln in lines if not _PREAMBLE.match(ln.strip()) and not ln.rstrip().endswith(":")]
        if len(texts) == 1:
            texts = [s.text for s in split_sentences(texts[0].strip())]
    out: list[str] = []
    seen: set[str] = set()
    for t in texts:
        t = _clean(t)
        key = t.lower()
        if len(t.split()) < MIN_WORDS or key in seen or _PREAMBLE.match(t) and t.endswith(":"):
            continue
        seen.add(key)
        out.append(t)
        if n is not None and len(out) >= n:
            break
    return out


def bound_point(text: str, limit: int = MAX_SENTENCE_CHARS) -> str:
    """``text`` at most ``limit`` characters long: as it is when it fits; else its leading
    whole sentences that fit; else cut at the last space before the limit (at the limit when
    the first half has none). Only the first ``limit + 1`` characters are looked at, so a
    megabyte-long line costs no more than a short one.

    >>> bound_point("Rates rose. " + "On and on " * 200, limit=50)
    'Rates rose.'
    >>> bound_point("word " * 30, limit=22)
    'word word word word'
    """
    if len(text) <= limit:
        return text
    head = text[: limit + 1]
    ends = [s.end for s in split_sentences(head)[:-1] if s.end <= limit]  # the last may be cut by the slice
    if ends:
        return head[: ends[-1]].rstrip()
    space = max(head.rfind(" ", 0, limit + 1), head.rfind("\n", 0, limit + 1))
    return (head[:space] if space > limit // 2 else head[:limit]).rstrip()
