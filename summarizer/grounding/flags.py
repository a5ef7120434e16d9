"""Flags: what a key point states that its article does not contain, and why, in words.

Numbers, amounts, percentages, scores and dates are compared by value (``numbers``), names
by their words (``names``). Articles may be lowercased (the CNN/DailyMail copies are): the
article side is always compared without case. A line of site furniture (a "click here",
a web address, a phone number) is not checked: it is not a statement about the story. The
author that opens an opinion piece's key point ("Jane Smith: ...") is checked: the story's
body often lacks the byline, but a misspelt or wrong author is an error people flag (CLIFF).

>>> [f.text for f in find_flags("Shares rose 12% to $84.5 million on Friday.", Facts.of("shares rose 12 percent to 84.5 million dollars on monday."))]
['Friday']
>>> [f.why for f in find_flags("Smith paid £6billion.", Facts.of("Jones paid £9.15 for a £1.8million house."))]
['"Smith": the article does not mention Smith', '"£6billion": the article has £1.8million and £9.15, not £6billion']
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from ..results import Flag
from .names import name_phrases, norm_word, words
from .numbers import quantities, value_key

_FURNITURE_LINE = re.compile(
    r"click here|https?://|\bwww\.|\.co\.uk\b|\.com\b|\b0\d{3,4}\s?\d{3}\s?\d{3,4}\b|\(\d{3}\)\s?\d{3}-\d{4}", re.I)
_KIND_PLURAL = {"number": "numbers", "amount": "amounts of money", "percentage": "percentages", "score": "scores",
                "date": "years"}


@dataclass(frozen=True)
class Facts:
    """What an article contains that key points are checked against."""

    values: frozenset  # numbers (9 significant digits), month and weekday names, scores ("0-2")
    words: frozenset[str]  # normalised words
    written: tuple[tuple[str, str, float | str], ...] = ()  # (kind, text, value) of each quantity, for the reasons
    initials: frozenset[str] = frozenset()  # initials of runs of 3 to 5 words: "icu" of "intensive care unit"

    @classmethod
    def of(cls, body: str) -> "Facts":
        values: set = set()
        written = []
        for q in quantities(body):
            values.add(value_key(q.value))
            written.append((q.kind, q.text, value_key(q.value)))
            if q.mantissa is not None:
                values.add(value_key(q.mantissa))
            if q.kind == "score":  # "2-0" also has the numbers 2 and 0
                values.update(float(p) for p in str(q.value).split("-"))
        if re.search(r"\bmay \d", body, re.I):  # a lowercased article's "may 2": the month, there
            values.add("may")
        return cls(frozenset(values), frozenset(words(body)), tuple(written), _initials(body))


_SMALL = frozenset({"of", "the", "and", "for", "de", "on", "in"})


def _initials(body: str) -> frozenset[str]:
    """The initials of every run of 3 to 5 words, with and without the small words in it."""
    ws = re.findall(r"[^\W\d_]+", body.lower())
    out = set()
    for i in range(len(ws)):
        for n in (3, 4, 5, 6):
            run = ws[i : i + n]
            if len(run) < n:
                break
            out.add("".join(w[0] for w in run))
            small = [w for w in run if w not in _SMALL]
            if 2 < len(small) < n:
                out.add("".join(w[0] for w in small))
    return frozenset(out)


def is_furniture(point: str) -> bool:
    """A line of a site's furniture: a call to click, a web address or a phone number."""
    return bool(_FURNITURE_LINE.search(point))


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _nearest(facts: Facts, kind: str, value: float | str, k: int = 3) -> list[str]:
    """Up to ``k`` texts of the article's quantities of ``kind`` closest in value to ``value``."""
    named = isinstance(value, str) and kind == "date"
    same = [(t, v) for kd, t, v in facts.written if kd == kind and isinstance(v, str) == isinstance(value, str)]
    if named:  # weekdays with weekdays, months with months
        from .numbers import WEEKDAYS

        same = [(t, v) for t, v in same if (v in WEEKDAYS) == (value in WEEKDAYS)]

    def distance(v: float | str) -> float:
        if isinstance(v, str) or isinstance(value, str):
            return 0.0
        return abs(math.log((abs(v) + 1) / (abs(value) + 1)))

    out: list[str] = []
    for t, v in sorted(same, key=lambda tv: distance(tv[1])):
        if t.lower() not in (o.lower() for o in out):
            out.append(t)
        if len(out) == k:
            break
    return out


def quantity_reason(text: str, kind: str, value: float | str, facts: Facts) -> str:
    """Why a number, amount, percentage, score or date is flagged, naming what the article has instead."""
    near = _nearest(facts, kind, value)
    if near:
        return f'"{text}": the article has {_listed(near)}, not {text}'
    if kind == "date" and isinstance(value, str):
        from .numbers import WEEKDAYS

        return f'"{text}": the article names no {"day of the week" if value in WEEKDAYS else "month"}'
    return f'"{text}": the article has no {_KIND_PLURAL.get(kind, kind + "s")}'


def find_flags(point: str, facts: Facts) -> list[Flag]:
    """Numbers, amounts, percentages, scores, dates and names in ``point`` that ``facts`` lack, in order,
    each with the reason (``Flag.why``)."""
    if is_furniture(point):
        return []
    found: list[tuple[int, Flag]] = []
    for q in quantities(point):
        value = value_key(q.value)
        if value in facts.values:
            continue
        if q.kind == "score" and all(float(p) in facts.values for p in str(value).split("-")):
            continue  # "8-10" against "between 8 and 10"
        found.append((point.find(q.text), Flag(q.kind, q.text, quantity_reason(q.text, q.kind, value, facts))))
    for phrase, ws in name_phrases(point):
        acronyms = {norm_word(a) for a in re.findall(r"\b[A-Z](?:\.?[A-Z]){1,4}\b\.?", phrase)}
        missing = [w for w in ws if not _has_word(w, facts.words, facts.initials, w in acronyms)]
        if missing:
            lacks = _listed([_as_written(w, phrase) for w in missing]).replace(" and ", " or ")
            found.append((point.find(phrase), Flag("name", phrase, f'"{phrase}": the article does not mention {lacks}')))
    seen: set[tuple[str, str]] = set()
    out = []
    for _, f in sorted(found, key=lambda x: x[0]):
        if (f.kind, f.text) not in seen:
            seen.add((f.kind, f.text))
            out.append(f)
    return out


def _has_word(w: str, article_words: frozenset[str], initials: frozenset[str] = frozenset(), acronym: bool = False) -> bool:
    """A name's word is in the article: as is, in the singular, each part of a hyphenated word, or
    as a word of the same stem ("German" and "Germany", "Chinese" and "China")."""
    if w in article_words or (w.endswith("s") and w[:-1] in article_words):
        return True
    if acronym and 3 <= len(w) <= 5 and w in initials:  # "ICU" for "intensive care unit" (two letters: too likely by chance)
        return True
    parts = [p for p in w.split("-") if p]
    if len(parts) > 1:
        return all(_has_word(p, article_words) for p in parts)
    return len(w) >= 5 and any(_same_stem(w, a) for a in article_words if a[:4] == w[:4])


def _same_stem(a: str, b: str) -> bool:
    """Two words that share a prefix of at least 3/4 of the longer (and 4 letters): "German" and "Germany",
    "Indian" and "India"; not "Springfield" and "spring"."""
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n >= 4 and n >= 0.75 * max(len(a), len(b))


def _as_written(w: str, phrase: str) -> str:
    """The word ``w`` (normalised) as the phrase writes it, for the reason."""
    for token in re.findall(r"[\w'’.&-]+", phrase):
        if token.lower().replace(".", "").replace("’", "'").removesuffix("'s").replace("'", "") == w:
            return token.removesuffix("'s").removesuffix("’s")
    return w
