"""Grounding: is an abstractive key point backed by its article?

One module for every backend that writes key points (``llm``, ``seq2seq``), for
``summarizer.check`` and for ``summarize check``. For each key point:

* ``support``: the article sentences closest to it, by cosine of the embedded encoder's
  vectors (``SUPPORT_SENTENCES`` of them, best first), each with its score; a key point
  merging two sentences finds both;
* ``flags``: what it states that the article does not contain:

  - numbers, amounts, percentages and dates, compared by value: "$84.5 million" =
    "84.5 million dollars" = "84,500,000"; "five" = "5"; "two-hour" contains "two";
    "12%" = "12 percent"; month and weekday names; "one" is not read as a number
    (it is mostly a pronoun: "one of the ...");
  - names: capitalised words and phrases, compared without case, dots or a possessive:
    "U.S." = "US", "Obama's" = "obama". A key point's first word is a name only when it
    is not a common sentence opener ("The", "Police", "After" ...).

Articles may be lowercased (the CNN/DailyMail copies are): the article side is always
compared without case. Key points in lower case have no capitalised names to check.

>>> [f.text for f in find_flags("Shares rose 12% to $84.5 million on Friday.", Facts.of("shares rose 12 percent to 84.5 million dollars on monday."))]
['Friday']
>>> [f.text for f in find_flags("Two men held after a two-hour chase in the U.S.", Facts.of("police held 2 men after a chase of two hours in the us."))]
[]
>>> [(f.kind, f.text) for f in find_flags("Smith paid $5 million in 2014.", Facts.of("jones paid $4 million in 2014."))]
[('name', 'Smith'), ('amount', '$5 million')]
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Iterable, Sequence

from .results import Flag, KeyPoint, Summary, Support

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from .article import Article

SUPPORT_SENTENCES = 2  # supporting sentences listed per key point: a point often merges two
LEGEND = "[! ...] = names or numbers the article does not contain; check them (details: -f json)"

# -- numbers ---------------------------------------------------------------------------------

_UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen".split())}
_TENS = {w: 10 * (i + 2) for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split())}
_ORDINALS = {w: i + 3 for i, w in enumerate(
    "third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth".split())}
_SCALES = {"hundred": 1e2, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12,
           "k": 1e3, "m": 1e6, "mn": 1e6, "mln": 1e6, "bn": 1e9, "b": 1e9, "tn": 1e12}
_CURRENCY_SIGNS = {"$", "£", "€", "¥"}
_CURRENCY_WORDS = {"dollar", "dollars", "pound", "pounds", "euro", "euros", "cents", "yen", "usd"}
_MONTHS = ("january february march april may june july august september october november december").split()
_MONTH_ABBR = {m[:3]: m for m in _MONTHS} | {"sept": "september"}
_WEEKDAYS = set("monday tuesday wednesday thursday friday saturday sunday".split())
_NOT_NUMBERS = {"one"}  # mostly a pronoun ("one of the"); digits "1" still count

_TOKEN = re.compile(r"[$£€¥%]|\d+(?:[.,]\d+)*(?=(?:k|m|mn|bn|b|tn)\b)|\d+(?:[.,]\d+)*(?:st|nd|rd|th|s)?(?![\w])|\d+(?:[.,]\d+)*(?=[^\W\d_])|[^\W\d_]+(?:[.'’][^\W\d_]+)*\.?", re.UNICODE)


def _tokens(text: str) -> list[tuple[str, int, int]]:
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


def _key(v: float) -> float:
    """Values compared to 9 significant digits (84.5 * 1e6 == 84500000)."""
    return float(f"{v:.9g}")


@dataclass(frozen=True)
class Quantity:
    kind: str  # number, amount, percentage, date
    text: str  # as written
    value: float | str  # a number, or a month or weekday name
    mantissa: float | None = None  # 84.5 of "84.5 million"


def quantities(text: str) -> list[Quantity]:
    """The numbers, amounts, percentages and dates written in ``text``.

    >>> [(q.kind, q.value) for q in quantities("Sales rose 12 per cent to $84.5m in May 2014.")]
    [('percentage', 12.0), ('amount', 84500000.0), ('date', 'may'), ('date', 2014.0)]
    >>> [q.value for q in quantities("twenty-five people, two hundred thousand fans, the fifth day")]
    [25.0, 200000.0, 5.0]
    """
    toks = _tokens(text)
    out: list[Quantity] = []
    i = 0
    while i < len(toks):
        tok, start, end = toks[i]
        word = tok.rstrip(".")
        value: float | None = _digits(tok)
        j = i + 1
        if value is None and (word in _UNITS or word in _TENS) and word not in _NOT_NUMBERS:
            # a number in words: "twenty five", "two hundred thousand"
            total, current = 0.0, 0.0
            j = i
            while j < len(toks):
                w = toks[j][0].rstrip(".")
                if w in _UNITS:
                    current += _UNITS[w]
                elif w in _TENS:
                    current += _TENS[w]
                elif w == "hundred" and j > i:
                    current = max(current, 1) * 100
                elif w in ("thousand", "million", "billion", "trillion") and j > i:
                    total += max(current, 1) * _SCALES[w]
                    current = 0.0
                elif w == "and" and j > i and j + 1 < len(toks) and toks[j + 1][0] in _UNITS | _TENS:
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
            name = word if word in _MONTHS or word in _WEEKDAYS else month
            # "may" is a month only when written "May" before a number or a year
            if name == "may" and not (text[start:start + 1] == "M" and i + 1 < len(toks) and _digits(toks[i + 1][0])):
                name = None
            if name:
                out.append(Quantity("date", text[start:end].rstrip("."), name))
            i += 1
            continue
        mantissa = None
        if j < len(toks) and toks[j][0].rstrip(".") in _SCALES and (_digits(tok) is not None or toks[j][0] != "k"):
            scale = _SCALES[toks[j][0].rstrip(".")]
            if _digits(tok) is not None or toks[j][0] in ("hundred", "thousand", "million", "billion", "trillion"):
                mantissa, value = value, value * scale
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
        elif kind == "number" and mantissa is None and value.is_integer() and 1900 <= value <= 2100 and tok.isdigit():
            kind = "date"
        out.append(Quantity(kind, text[start:end].rstrip("."), value, mantissa))
        i = j
    return out


# -- names -----------------------------------------------------------------------------------

# Capitalised only because they open a sentence: not read as names there (when the article
# lacks them, a paraphrase is likelier than an invented name).
_OPENERS = set("""
a an the this that these those there here it its he she they we you i his her their our my your
in on at after before during since until while when where as if but and or so yet for from with
without by about over under between among despite although though because once now then also
more most many some several few all both each every no not only just even still new former
officials police authorities researchers scientists experts witnesses residents investigators
prosecutors lawyers doctors critics analysts sources reports report people family families
friends officers troops fans players students parents workers voters leaders members
""".split())
_CAP = re.compile(r"(?<![\w'’.&-])[A-Z][\w'’.&]*(?:-[A-Z]?[\w'’.&]+)*")  # a capital that starts a word
_NAME_JOINERS = {"of", "de", "da", "del", "van", "von", "bin", "al", "la", "le", "du"}


def _norm_word(w: str) -> str:
    w = w.lower().replace("’", "'")
    w = re.sub(r"'s$|'$", "", w)
    return w.replace(".", "").replace("'", "")


def _words(text: str) -> set[str]:
    """Normalised words of a text, hyphenated ones also whole ("saint-denis", "saint", "denis")."""
    out: set[str] = set()
    for m in re.finditer(r"[\w'’.&-]+", text):
        w = _norm_word(m.group().strip(".-'’"))
        if not w:
            continue
        out.add(w)
        out.update(p for p in w.split("-") if p)
    return out


def name_phrases(text: str) -> list[tuple[str, list[str]]]:
    """Capitalised phrases of ``text``, as written and as their normalised words.

    >>> name_phrases("The U.S. and Bank of America sued Obama's team.")
    [('U.S.', ['us']), ('Bank of America', ['bank', 'america']), ("Obama's", ['obama'])]
    """
    out: list[tuple[str, list[str]]] = []
    starts = {0} | {m.end() for m in re.finditer(r"[.!?:;]\s+|\n|[\"“(]\s*", text)}
    matches = list(_CAP.finditer(text))
    k = 0
    while k < len(matches):
        first = matches[k]
        group = [first]
        # extend over following capitalised words, and joiners between two of them
        while k + 1 < len(matches):
            gap = text[group[-1].end():matches[k + 1].start()]
            if gap == " " or (gap.strip().lower() in _NAME_JOINERS and gap.startswith(" ") and gap.endswith(" ")):
                k += 1
                group.append(matches[k])
            else:
                break
        k += 1
        words = [_norm_word(g.group().rstrip(".") if not re.search(r"\.\w", g.group()) else g.group()) for g in group]
        opener = first.start() in starts
        if opener and len(group) == 1 and (words[0] in _OPENERS or words[0] in _UNITS or words[0] in _TENS):
            continue
        if opener and words[0] in _OPENERS:  # "The White House": "the" is not part of the name
            group, words = group[1:], words[1:]
        keep = [w for w in words if w and w not in _MONTHS and w not in _WEEKDAYS and w not in _NOT_NUMBERS]
        if keep:
            phrase = text[group[0].start():group[-1].end()]
            out.append((phrase if re.search(r"\.\w", phrase) else phrase.rstrip("."), keep))
    return out


# -- facts of an article, and the flags of a key point ------------------------------------------


@dataclass(frozen=True)
class Facts:
    """What an article contains that key points are checked against."""

    values: frozenset  # numbers (9 significant digits), month and weekday names
    words: frozenset[str]  # normalised words

    @classmethod
    def of(cls, body: str) -> "Facts":
        values: set = set()
        for q in quantities(body):
            values.add(q.value if isinstance(q.value, str) else _key(q.value))
            if q.mantissa is not None:
                values.add(_key(q.mantissa))
        return cls(frozenset(values), frozenset(_words(body)))


def find_flags(point: str, facts: Facts) -> list[Flag]:
    """Numbers, amounts, percentages, dates and names in ``point`` that ``facts`` lack, in order."""
    found: list[tuple[int, Flag]] = []
    for q in quantities(point):
        value = q.value if isinstance(q.value, str) else _key(q.value)
        if value not in facts.values:
            found.append((point.find(q.text), Flag(q.kind, q.text)))
    for phrase, words in name_phrases(point):
        missing = [w for w in words if w not in facts.words and not (w.endswith("s") and w[:-1] in facts.words)]
        if missing:
            found.append((point.find(phrase), Flag("name", phrase)))
    seen: set[tuple[str, str]] = set()
    out = []
    for _, f in sorted(found, key=lambda x: x[0]):
        if (f.kind, f.text) not in seen:
            seen.add((f.kind, f.text))
            out.append(f)
    return out


# -- support ----------------------------------------------------------------------------------

_ENCODER = None


def sentence_vectors(texts: Sequence[str]) -> "np.ndarray":
    """L2-normalised vectors of ``texts`` from the embedded encoder (the one place grounding calls it)."""
    global _ENCODER
    if _ENCODER is None:
        from .encoder import SentenceEncoder

        _ENCODER = SentenceEncoder()
    return _ENCODER.encode(list(texts))


def ground(article: "Article", points: Sequence[str]) -> tuple[KeyPoint, ...]:
    """Key points for ``points`` with their ``support`` in ``article`` (best first) and their ``flags``."""
    sents = article.sentences
    facts = Facts.of(article.body)
    if not points:
        return ()
    sims = None
    if sents:
        vecs = sentence_vectors([s.text for s in sents] + list(points))
        sims = vecs[len(sents):] @ vecs[: len(sents)].T
    out = []
    for k, text in enumerate(points):
        support: tuple[Support, ...] = ()
        if sims is not None:
            order = sorted(range(len(sents)), key=lambda i: (-float(sims[k, i]), i))[:SUPPORT_SENTENCES]
            support = tuple(Support(i, round(float(sims[k, i]), 4), (sents[i].start, sents[i].end)) for i in order)
        out.append(KeyPoint(text, support=support, flags=tuple(find_flags(text, facts))))
    return tuple(out)


def flag_rate(points: Iterable[KeyPoint]) -> float:
    """Fraction of grounded key points with at least one flag (NaN when there are none)."""
    checked = [p for p in points if p.flags is not None]
    return sum(p.flagged for p in checked) / len(checked) if checked else math.nan


def drop_flagged(summary: Summary) -> Summary:
    """``summary`` without its flagged key points (``--strict``); ``info["dropped_flagged"]`` counts them."""
    kept = tuple(k for k in summary.key_points if not k.flagged)
    dropped = len(summary.key_points) - len(kept)
    return replace(summary, key_points=kept, info={**summary.info, "dropped_flagged": dropped})
