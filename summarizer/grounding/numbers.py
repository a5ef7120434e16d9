"""Numbers, amounts, percentages, scores and dates as written in a text, read by value.

"$84.5 million" = "84.5 million dollars" = "$84,500,000"; "five" = "5"; "two-hour" contains
"two"; "12%" = "12 percent"; a number glued to its unit or multiplier reads as if spaced
("3.6million" = "3.6 million", "74minutes" = "74 minutes", "2,000km" = "2,000 km"); a score
"2-0" is one thing, the same as "0-2"; a time of day is one thing ("3.30pm" = "3:30 p.m.");
"one" is not read as a number (it is mostly a pronoun: "one of the ..."); a weekday or month
with a possessive is still one ("Sunday's").

>>> [(q.kind, q.value) for q in quantities("Sales rose 12 per cent to $84.5m in May 2014.")]
[('percentage', 12.0), ('amount', 84500000.0), ('date', 'may'), ('date', 2014.0)]
>>> [(q.text, q.value) for q in quantities("a £3.6million deal after 74minutes, won 2-0")]
[('£3.6million', 3600000.0), ('74', 74.0), ('2-0', '0-2')]
>>> [(q.kind, q.value) for q in quantities("kick-off at 3.30pm on Sunday's card")]
[('time', '3:30'), ('date', 'sunday')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen".split())}
TENS = {w: 10 * (i + 2) for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split())}
_ORDINALS = {w: i + 3 for i, w in enumerate(
    "third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth".split())}
_SCALES = {"hundred": 1e2, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12,
           "k": 1e3, "m": 1e6, "mn": 1e6, "mln": 1e6, "bn": 1e9, "b": 1e9, "tn": 1e12}
_CURRENCY_SIGNS = {"$", "£", "€", "¥"}
_CURRENCY_WORDS = {"dollar", "dollars", "pound", "pounds", "euro", "euros", "cents", "yen", "usd"}
MONTHS = ("january february march april may june july august september october november december").split()
_MONTH_ABBR = {m[:3]: m for m in MONTHS} | {"sept": "september"}
WEEKDAYS = set("monday tuesday wednesday thursday friday saturday sunday".split())
NOT_NUMBERS = {"one"}  # mostly a pronoun ("one of the"); digits "1" still count

# A number is read whole before anything glued to it is looked at (the lookahead-and-backreference
# makes it atomic: "3.6million" must not fall back to "3" and ".6million"). What follows it
# directly is an ordinal or plural ending ("7th", "1990s") or a separate token: a multiplier
# ("m", "million"), a unit ("km", "minutes").
_NUMBER = r"(?=(?P<n>\d+(?:[.,]\d+)*))(?P=n)(?:(?:st|nd|rd|th|s)(?![^\W_]))?"
# A number glued after letters is part of a name, not a number: "F1", "G7", "A380", "M25".
_TOKEN = re.compile(r"[$£€¥%]|(?<![^\W\d_])" + _NUMBER + r"|[^\W\d_]+\d*(?:[.'’][^\W\d_]+)*\.?", re.UNICODE)
# A score or a result: two small whole numbers joined by a hyphen or a dash, not part of a date
# or a longer run ("2-0", "6–3"; not "2015-16", "273-8255").
_SCORE = re.compile(r"(?<![\w.,/-])(\d{1,3})\s?[-–]\s?(\d{1,3})(?![\w/-]|[.,]\d|[-–]\d)")
# A time of day: "3.30pm", "9pm", "12:30 p.m.", "15:30" (with a colon, am/pm may be left out). Compared on a
# 12-hour clock ("3:30" = "15:30"): a key point rarely swaps morning and afternoon, a text often drops them.
_TIME = re.compile(r"(?<![\w.,:/$£€¥-])(\d{1,2})(?:([:.])(\d{2}))?\s?(am|pm|a\.m\.|p\.m\.)?(?!\w|:\d|[.,]\d)", re.I)
# Multipliers of one letter that are also units when no currency is near: "64m" may be 64 metres.
_AMBIGUOUS_SCALES = {"m", "k", "b"}


def tokens(text: str) -> list[tuple[str, int, int]]:
    """Lowercased tokens with their spans; hyphens split words ("two-hour": "two", "hour").
    A full stop stays on short words only, where it may mark an abbreviation ("Sept.")."""
    out = []
    for m in _TOKEN.finditer(text):
        tok, end = m.group().lower(), m.end()
        if tok.endswith(".") and len(tok) > 5 and "." not in tok[:-1]:
            tok, end = tok[:-1], end - 1
        out.append((tok, m.start(), end))
    return out


def _digits(tok: str) -> float | None:
    t = re.sub(r"(st|nd|rd|th|s)$", "", tok)
    if not t or not t[0].isdigit():
        return None
    if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", t):
        t = t.replace(",", "")
    elif "," in t:
        return None  # "3,4": a list, not a number
    try:
        return float(t)
    except ValueError:
        return None


def value_key(v: float | str) -> float | str:
    """A value as compared: numbers to 9 significant digits (84.5 * 1e6 == 84500000)."""
    return v if isinstance(v, str) else float(f"{v:.9g}")


@dataclass(frozen=True)
class Quantity:
    kind: str  # number, amount, percentage, score, date
    text: str  # as written
    value: float | str  # a number; a month or weekday name; a score as "low-high"
    mantissa: float | None = None  # 84.5 of "84.5 million"
    plain: float | None = None  # 64 of "64m" with no currency: the "m" may be metres, so 64 may be meant


def _scores(text: str) -> list[tuple[int, int, str]]:
    """(start, end, "low-high") of the scores in ``text``."""
    out = []
    for m in _SCORE.finditer(text):
        a, b = sorted((int(m.group(1)), int(m.group(2))))
        out.append((m.start(), m.end(), f"{a}-{b}"))
    return out


# A fraction, alone or after a whole number: "1/2", "3 1/2", "2 3/4" (not "9/11", "24/7": a denominator of 2 to 4, 8).
_FRACTION = re.compile(r"(?<![\w./])(?:(\d{1,3})\s)?([1-7])/([2348])(?![\w/])")


def _fractions(text: str) -> list[tuple[int, int, tuple[float, float]]]:
    """(start, end, (whole, fraction)) of the fractions in ``text``."""
    out = []
    for m in _FRACTION.finditer(text):
        a, b = int(m.group(2)), int(m.group(3))
        if a < b:
            out.append((m.start(), m.end(), (float(m.group(1) or 0), a / b)))
    return out


def _times(text: str) -> list[tuple[int, int, str]]:
    """(start, end, "h:mm" on a 12-hour clock) of the times of day in ``text``."""
    out = []
    for m in _TIME.finditer(text):
        hour, sep, minutes, half = m.group(1), m.group(2), m.group(3), m.group(4)
        if not half and sep != ":":  # "9" or "9.30" alone: a number
            continue
        h, mm = int(hour), int(minutes or 0)
        if h > 24 or mm > 59:
            continue
        out.append((m.start(), m.end(), f"{h % 12}:{mm:02d}"))
    return out


def quantities(text: str) -> list[Quantity]:
    """The numbers, amounts, percentages, scores and dates written in ``text``.

    >>> [q.value for q in quantities("twenty-five people, two hundred thousand fans, the fifth day")]
    [25.0, 200000.0, 5.0]
    """
    toks = tokens(text)
    spans = [("score", s) for s in _scores(text)] + [("time", t) for t in _times(text)] + \
        [("fraction", f) for f in _fractions(text)]
    out: list[Quantity] = []
    i = 0
    while i < len(toks):
        tok, start, end = toks[i]
        span = next(((kind, s) for kind, s in spans if s[0] == start), None)
        if span is not None:
            kind, (s0, s1, value) = span
            if kind == "fraction":  # "3 1/2": 3.5, and 3 may be meant
                whole, part = value
                out.append(Quantity("number", text[s0:s1], whole + part, plain=whole or None))
            else:
                out.append(Quantity(kind, text[s0:s1].rstrip("."), value))
            while i < len(toks) and toks[i][1] < s1:
                i += 1
            continue
        word = re.sub(r"['’]s$", "", tok.rstrip("."))  # "sunday's": the day
        if word.endswith("s") and word[:-1] in WEEKDAYS:  # "Thursdays": the day, every week
            word = word[:-1]
        value: float | None = _digits(tok)
        j = i + 1
        if value is None and (word in UNITS or word in TENS) and word not in NOT_NUMBERS:
            # a number in words: "twenty five", "two hundred thousand"
            total, current = 0.0, 0.0
            j = i
            while j < len(toks):
                w = toks[j][0].rstrip(".")
                if w in UNITS:
                    current += UNITS[w]
                elif w in TENS:
                    current += TENS[w]
                elif w == "hundred" and j > i:
                    current = max(current, 1) * 100
                elif w in ("thousand", "million", "billion", "trillion") and j > i:
                    total += max(current, 1) * _SCALES[w]
                    current = 0.0
                elif w == "and" and j > i and j + 1 < len(toks) and toks[j + 1][0] in UNITS | TENS:
                    pass
                else:
                    break
                end = toks[j][2]
                j += 1
            value = total + current
            j = max(j, i + 1)  # always move on
        elif value is None and word in _ORDINALS:
            value = float(_ORDINALS[word])
        if value is None:
            month = _MONTH_ABBR.get(word) if tok.endswith(".") or word in ("sept",) else None
            name = word if word in MONTHS or word in WEEKDAYS else month
            # "may" is a month only when written "May" right before a number or a year ("May 5"; not the
            # surname of "Christopher May, 50")
            if name == "may" and not (text[start:start + 1] == "M" and i + 1 < len(toks) and _digits(toks[i + 1][0])
                                      and not text[end:toks[i + 1][1]].strip()):
                name = None
            if name:
                out.append(Quantity("date", text[start:end].rstrip("."), name))
            i += 1
            continue
        mantissa = None
        scale = ""
        if j < len(toks) and toks[j][0].rstrip(".") in _SCALES and (_digits(tok) is not None or toks[j][0] != "k"):
            if _digits(tok) is not None or toks[j][0] in ("hundred", "thousand", "million", "billion", "trillion"):
                scale = toks[j][0].rstrip(".")
                mantissa, value = value, value * _SCALES[scale]
                end = toks[j][2]
                j += 1
        kind = "number"
        before = toks[i - 1][0] if i > 0 else ""
        if before in _CURRENCY_SIGNS:
            kind, start = "amount", toks[i - 1][1]
        if j < len(toks) and toks[j][0] in _CURRENCY_WORDS:
            kind, end = "amount", toks[j][2]
            j += 1
        elif j < len(toks) and (toks[j][0] in ("%", "percent", "pct")
                                or toks[j][0] == "per" and j + 1 < len(toks) and toks[j + 1][0] == "cent"):
            kind = "percentage"
            j += 2 if toks[j][0] == "per" else 1
            end = toks[j - 1][2]
        elif kind == "number" and mantissa is None and value.is_integer() and 1900 <= value <= 2100 \
                and re.fullmatch(r"\d{4}s?", tok):  # a year, or its decade ("1970s")
            kind = "date"
        plain = mantissa if kind == "number" and scale in _AMBIGUOUS_SCALES else None
        out.append(Quantity(kind, text[start:end].rstrip("."), value, mantissa, plain))
        i = j
    return out
