"""Which sentences begin in the middle of a quotation (a leaf: plain text, no numpy).

A sentence that continues a quotation opened in an earlier sentence reads wrongly on its own:
``...to the talks," Tillerson said.`` with no opening mark. The default selection never
starts a key point with one (:func:`begins_inside_quote` marks them).

Quotation marks are read from the text around each one, since news copy (and the lowercased
CNN/DailyMail text, where every mark is ``"``) uses the same straight mark to open and close:
a ``"`` after a space or an opening bracket and before a word opens; one after a word or
punctuation and before a space closes; one the spacing cannot tell (spaces on both sides,
or none) flips the state. ``“`` always opens and ``”`` always closes. The state is read at
each sentence's start; a line break ends a paragraph and with it an unclosed quotation
(news style reopens a quotation that runs on in each paragraph), and a sentence that itself
opens with a quotation mark begins a quotation rather than continuing one.

Single quotation marks (British style) are mostly apostrophes, and the detokenized
CNN/DailyMail text often spaces them wrongly (``she added:' his health is fine``), so only
their firmest sign counts: a sentence whose first single mark (apostrophes inside words
aside) closes a quotation after a full stop, comma, question or exclamation mark
(``club,' he said``), the tail of a quotation begun earlier.

>>> body = 'The talks failed. "We tried. It did not work," he said. Next year is open.'
>>> starts = [0, 18, 29, 56]
>>> begins_inside_quote(body, starts)
[False, False, True, False]
"""

from __future__ import annotations

import bisect
import re
from typing import Sequence

OPENING = "“"
CLOSING = "”"
STRAIGHT = '"'


def _kind(text: str, i: int) -> str:
    """``open``, ``close`` or ``flip`` for the straight mark at ``text[i]``, from its neighbours."""
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    space_before = before.isspace() or before in "([{—–"
    space_after = after.isspace() or after in ")]}"
    if space_before and not space_after:
        return "open"
    if space_after and not space_before:
        return "close"
    return "flip"


def _closes_single_quote_it_never_opened(sentence: str) -> bool:
    """The first single mark of the sentence that is not an apostrophe inside a word closes a
    quotation (``.'`` or ``,’`` before a space or the end): the tail of one begun earlier."""
    for i, ch in enumerate(sentence):
        if ch not in "'‘’":
            continue
        before = sentence[i - 1] if i else " "
        after = sentence[i + 1] if i + 1 < len(sentence) else " "
        if before.isalnum() and after.isalnum():  # an apostrophe inside a word
            continue
        return before in ".,!?" and (after.isspace() or after in '"”')
    return False


_MARKS = re.compile(r'["“”\n]')


def _double_changes(text: str) -> tuple[list[int], list[bool]]:
    """Where the double-quotation state changes: positions of the marks (and line breaks) and
    whether a quotation is open just after each."""
    positions, states = [], []
    inside = False
    for m in _MARKS.finditer(text):
        i, ch = m.start(), m.group()
        if ch == "\n" or ch == CLOSING:
            inside = False
        elif ch == OPENING:
            inside = True
        else:
            kind = _kind(text, i)
            inside = True if kind == "open" else False if kind == "close" else not inside
        positions.append(i)
        states.append(inside)
    return positions, states


def quote_state(text: str, at: int) -> bool:
    """Whether a double quotation is open at position ``at`` of ``text``: opened before it and
    not closed yet.

    >>> [quote_state('a "b" c', i) for i in range(7)]
    [False, False, False, True, True, False, False]
    """
    positions, states = _double_changes(text[:at])
    return bool(states) and states[-1]


def opens_quote(text: str) -> bool:
    """Whether ``text`` begins with an opening quotation mark (a quotation that starts, or one
    reopened at a new paragraph, as news style does)."""
    if text[:1] in (OPENING, "‘"):
        return True
    if text[:1] == STRAIGHT:
        return _kind(" " + text, 1) != "close"
    return text[:1] == "'" and text[1:2].isalpha()


def begins_inside_quote(text: str, starts: Sequence[int]) -> list[bool]:
    """Whether each sentence, starting at ``starts[j]`` in ``text`` (its end the next start),
    begins inside a quotation that an earlier sentence opened; one that opens a quotation
    itself does not."""
    positions, states = _double_changes(text)
    bounds = [*starts, len(text)]
    out = []
    for j, s in enumerate(starts):
        while s < len(text) and text[s].isspace():
            s += 1
        sentence = text[s : max(s, bounds[j + 1])]
        last = bisect.bisect_left(positions, s) - 1  # the last mark before the sentence
        double = last >= 0 and states[last]
        inside = double or ("'" in sentence or "’" in sentence) and _closes_single_quote_it_never_opened(sentence)
        out.append(inside and not opens_quote(sentence[:2]))
    return out
