"""Flags: what a key point states that its article does not contain, and why, in words.

Numbers, amounts, percentages, scores and dates are compared by value (``numbers``), names
by their words (``names``). Articles may be lowercased (the CNN/DailyMail copies are): the
article side is always compared without case. A line of site furniture (a "click here",
a web address, a phone number) is not checked: it is not a statement about the story. The
author that opens an opinion piece's key point ("Jane Smith: ...") is checked: the story's
body often lacks the byline, but a model that writes one invents it (CLIFF's summaries with
a byline the article lacks are all judged inconsistent), and a wrong author is an error.

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
from .aliases import EXPANSIONS, TITLES, same_place
from .names import PREFIXES, name_phrases, norm_word, words
from .numbers import quantities, value_key

_FURNITURE_LINE = re.compile(
    r"click here|https?://|\bwww\.|\.co\.uk\b|\.com\b|\b0\d{3,4}\s?\d{3}\s?\d{3,4}\b|\(\d{3}\)\s?\d{3}-\d{4}|"
    r"\b\d{3}[\s.-]\d{3}-\d{4}\b", re.I)
# A content warning, as a site writes it among its key points: "WARNING: GRAPHIC CONTENT".
_WARNING_LINE = re.compile(r"^\W*warning\W+(?:graphic|disturbing|distressing)\s+(?:content|images?|video|footage)\W*$", re.I)
# A link to another story, as a site writes it among its key points: "READ: ...", "WATCH: ..." (in capitals).
_LINK_LINE = re.compile(r"^\W*(?:READ(?: MORE)?|WATCH(?: MORE)?|SEE ALSO|LISTEN|VOTE|RELATED|PLAY|QUIZ)\s*:")
_KIND_PLURAL = {"number": "numbers", "amount": "amounts of money", "percentage": "percentages", "score": "scores",
                "date": "years", "time": "times of day"}
# Words of an article that name a day relative to its date: a weekday in a key point may be that day.
_RELATIVE_DAY = re.compile(r"\b(?:yesterday|today|tonight|tomorrow|last night|this morning|this afternoon|this evening)\b", re.I)
_WEEKDAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())
_FUZZY_MIN = 6
# The kind of place a name ends in, which an article often leaves out: "Wembley Stadium", "Kiln Road".
_KINDS_OF_PLACE = frozenset("""stadium park road avenue street lane club ground arena hall centre center court
hospital airport station university college school church cathedral square bridge city state""".split())
_DERIVED = ("ation", "ations", "al", "ian", "ians", "n", "ns")  # endings of words made from a name's word
_SPACED_AMPERSAND = re.compile(r"\b(\w{1,2}) & (\w{1,2})\b")  # "texas a & m": the name "A&M"
# A number said roughly: the words before it and how far off the article's may be (as a ratio of it).
_ROUGHLY = re.compile(r"\b(?:(?P<near>about|around|almost|nearly|roughly|approximately|some|close to|just over|just under|"
                      r"an estimated|estimated)|(?P<above>more than|over|at least|upwards of)|"
                      r"(?P<below>less than|fewer than|under|up to|as many as|as much as))\s+$", re.I)  # a word this long, one letter off a word of the article, is the article's word misspelt


@dataclass(frozen=True)
class Facts:
    """What an article contains that key points are checked against."""

    values: frozenset  # numbers (9 significant digits), month and weekday names, scores ("0-2")
    words: frozenset[str]  # normalised words
    written: tuple[tuple[str, str, float | str], ...] = ()  # (kind, text, value) of each quantity, for the reasons
    initials: frozenset[str] = frozenset()  # initials of runs of 3 to 5 words: "icu" of "intensive care unit"
    near_spellings: frozenset[str] = frozenset()  # the long words with one letter deleted: "hernndez" of "hernandez"
    pairs: frozenset[tuple[str, str]] = frozenset()  # each two neighbouring words: ("rob", "green")

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
            if q.kind == "time":  # "3:30pm" also has the numbers 3 and 30, as before times were read whole
                hour, minutes = str(q.value).split(":")
                values.update({float(hour) or 12.0, float(minutes)})
                values.add(value_key(float(f"{int(hour) or 12}.{minutes}")))  # "7.35am", "7:35am": a key point's "7.35"
        if re.search(r"\bmay \d", body, re.I):  # a lowercased article's "may 2": the month, there
            values.add("may")
        if _RELATIVE_DAY.search(body):  # "yesterday" may be any weekday: each is taken as there
            values.update(_WEEKDAYS)
        if re.search(r"\bweekend\b", body, re.I):  # "at the weekend": Saturday or Sunday
            values.update({"saturday", "sunday"})
        ws = frozenset(words(body)) | {f"{a}&{b}" for a, b in _SPACED_AMPERSAND.findall(body.lower())}
        seq = [w for w in (norm_word(m.group().strip(".-'’")) for m in re.finditer(r"[\w'’.&-]+", body)) if w]
        return cls(frozenset(values), ws, tuple(written), _initials(body), _near_spellings(ws), frozenset(zip(seq, seq[1:])))


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def _near_spellings(article_words: frozenset[str]) -> frozenset[str]:
    """Every long article word with one letter deleted (a word one edit away shares one of these)."""
    out: set[str] = set()
    for w in article_words:
        if len(w) >= _FUZZY_MIN - 1 and w.isalpha():
            out.add(w)
            out |= _deletions(w)
    return frozenset(out)


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
    """A line of a site's furniture: a call to click, a link to another story ("READ: ..."), a content
    warning ("WARNING: GRAPHIC CONTENT"), a web address or a phone number."""
    return bool(_FURNITURE_LINE.search(point) or _LINK_LINE.match(point) or _WARNING_LINE.match(point))


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
        if q.plain is not None and value_key(q.plain) in facts.values:
            continue  # "64m" against "64 metres"
        if _roughly_there(point[: max(point.find(q.text), 0)], q.kind, q.value, facts):
            continue  # "almost 16 million" against "15.9 million"
        if _rounded_from(q.kind, value, facts):
            continue  # "$3.6 million" against "$3.64 million", "80,000" against "81,000"
        if q.kind == "amount" and _rounded_price(value, facts):
            continue  # "£20" against "£19.99"
        if _decade_there(q.text, value, facts):
            continue  # "in his 50s" against "56", "the '60s" against "1965"
        if q.kind == "time" and str(value).endswith(":00") and (float(str(value)[:-3]) or 12.0) in facts.values:
            continue  # "9pm" against "nine o'clock"
        found.append((point.find(q.text), Flag(q.kind, q.text, quantity_reason(q.text, q.kind, value, facts))))
    for phrase, ws in name_phrases(point):
        acronyms = {norm_word(a) for a in re.findall(r"\b[A-Z](?:\.?[A-Z]){1,4}\b\.?", phrase)}
        missing = [w for w in ws if not _has_word(w, facts, w in acronyms, alone=len(ws) == 1)]
        if missing:
            missing = _other_forms(ws, missing, facts)
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


_AGE_GROUP = re.compile(r"u-?(\d{2})s?")  # "U20", "U-21", "U23s": a team's age group


def _other_forms(ws: list[str], missing: list[str], facts: Facts) -> list[str]:
    """The ``missing`` words of a name (words ``ws``) that the article has in none of these forms either:
    a short or long form beside the name's next or previous word ("Rob Green" for "Robert Green",
    "Man United" for "Manchester United": one a start of the other, three letters at least), or one
    letter off there ("Krew Boylan" for "Krey Boylan", four letters at least); initials ("Queens Park
    Rangers" for "QPR"); the kind of place alone ("Wembley Stadium" for "Wembley"); two
    neighbouring words written as one ("Swim Sexy" for "SwimSexy"); an age group written out
    ("U20" for "under-20")."""
    whole = "_".join(ws[1:] if ws[:1] == ["the"] else ws)  # "The Red Devils" as "red_devils"
    if any(all(p in facts.words for p in form) for form in EXPANSIONS.get(whole, ())):
        return []  # a nickname of several words: "Red Devils" for Manchester United
    found: set[int] = set()
    for i, w in enumerate(ws):
        if w not in missing:
            continue
        m = _AGE_GROUP.fullmatch(w)
        if m and (f"under-{m.group(1)}" in facts.words or ("under", m.group(1)) in facts.pairs):
            found.add(i)
            continue
        if (i + 1 < len(ws) and w + ws[i + 1] in facts.words) or (i > 0 and ws[i - 1] + w in facts.words):
            found.add(i)
            continue
        if len(w) < 3 or not w.isalpha():
            continue
        for a, b in facts.pairs:
            if (i + 1 < len(ws) and _same_word(ws[i + 1], b) and _near_form(w, a)) or \
                    (i > 0 and _same_word(ws[i - 1], a) and _near_form(w, b)):
                found.add(i)
                break
    found |= _initialled(ws, missing, facts)
    left = [w for i, w in enumerate(ws) if w in missing and i not in found]
    if left and all(w in _KINDS_OF_PLACE for w in left) and any(w not in _KINDS_OF_PLACE for w in ws):
        return []  # "Selhurst Park", "Wembley Stadium" for the article's "selhurst", "wembley"
    return left


def _same_word(w: str, a: str) -> bool:
    """A name's word and an article's word that are the same, or the name's word an abbreviation of it ("Utd")."""
    return w == a or (a,) in EXPANSIONS.get(w, ())


def _initialled(ws: list[str], missing: list[str], facts: Facts) -> set[int]:
    """Positions of the words of a run of 3 to 5 words, one of them missing at least, whose initials are a word
    of the article ("Queens Park Rangers" for "QPR", "Higher School Certificate" for "HSC")."""
    out: set[int] = set()
    for i in range(len(ws)):
        for j in range(i + 3, min(i + 5, len(ws)) + 1):
            run = ws[i:j]
            if all(w[:1].isalpha() for w in run) and any(w in missing for w in run) \
                    and "".join(w[0] for w in run) in facts.words:
                out.update(range(i, j))
    return out


def _near_form(w: str, a: str) -> bool:
    """A short or long form of ``a`` (``_short_form``), or ``a`` spelt one letter off ("Krew" for "Krey"),
    where the name's next or previous word is the article's."""
    return _short_form(w, a) or (min(len(w), len(a)) >= 4 and a.isalpha() and _one_edit(w, a))


def _short_form(w: str, a: str) -> bool:
    """One word the start of the other, the shorter three letters at least ("rob" and "robert")."""
    return w != a and min(len(w), len(a)) >= 3 and (a.startswith(w) or w.startswith(a))


def _roughly_there(before: str, kind: str, value: float | str, facts: Facts) -> bool:
    """Whether a number said roughly ("about 150", "more than 40", "almost £30million") has a number of
    the article near enough: for "about", one that rounds to it at its precision and is within a fifth of
    it ("16 million" of 15.9 million; not "13,000" of 12,000); for "more than", one above it by up to half;
    for "up to", one under it by up to a third."""
    m = _ROUGHLY.search(before)
    if not m or isinstance(value, str) or kind not in ("number", "amount", "percentage") or value <= 0:
        return False
    for k, _, v in facts.written:
        if k != kind or isinstance(v, str):
            continue
        if m.group("near") and abs(v - value) <= 0.2 * value and _rounds_to(v, value):
            return True
        if m.group("above") and value < v <= 1.5 * value:
            return True
        if m.group("below") and value / 1.5 <= v < value:
            return True
    return False


def _rounded_from(kind: str, value: float | str, facts: Facts) -> bool:
    """Whether a number is an article's number of the same kind rounded to the key point's precision (its last
    non-zero digit), and off it by at most 2% ("$3.6 million" of $3.64 million; not "20" of 19)."""
    if isinstance(value, str) or kind not in ("number", "amount", "percentage") or value <= 0:
        return False
    step = _precision(value)
    return any(k == kind and not isinstance(v, str) and v != value and abs(v - value) <= 0.02 * value
               and abs(_round_half_up(v / step) * step - value) < step / 1000 for k, _, v in facts.written)


def _round_half_up(x: float) -> float:
    """``x`` rounded to a whole number, halves up, as people round (145 to 150 at tens; Python's ``round`` gives 140)."""
    return math.floor(x + 0.5)


def _rounded_price(value: float | str, facts: Facts) -> bool:
    """Whether a whole amount is an article's amount rounded up from its pence or cents ("£20" of "£19.99")."""
    if isinstance(value, str) or not float(value).is_integer() or value <= 0:
        return False
    return any(k == "amount" and not isinstance(v, str) and value - 1 < v < value and round(v, 2) % 1 >= 0.9
               for k, _, v in facts.written)


def _decade_there(text: str, value: float | str, facts: Facts) -> bool:
    """Whether a decade, a century or an age group ("1960s", "'60s", "the 1800s", "his 50s") has a number of the
    article in it: a year of the decade (of the century), or for "50s" an age of 50 to 59 as well."""
    if isinstance(value, str) or not re.search(r"0s$", text) or value % 10:
        return False
    years = [value] if value >= 1000 else [value, 1900 + value, 2000 + value] if value < 100 else []
    span = 100 if value >= 1000 and value % 100 == 0 else 10  # "the 1800s": the century
    return any(isinstance(v, float) and start <= v < start + span for v in facts.values for start in years)


def _precision(value: float) -> float:
    """The place of a number's last non-zero digit: 10000 of 80,000, 0.1 of 3.6."""
    if not float(value).is_integer():
        return 10.0 ** -len(f"{value:.9g}".split(".")[1])
    step = 1.0
    while value % (step * 10) == 0:
        step *= 10
    return step


def _rounds_to(v: float, value: float) -> bool:
    """Whether ``v`` rounds to ``value`` at the precision ``value`` is written to (its last non-zero digit)."""
    if not float(value).is_integer():
        return False
    step = _precision(value)
    return _round_half_up(v / step) * step == value


def _has_word(w: str, facts: Facts, acronym: bool = False, alone: bool = False) -> bool:
    """A name's word is in the article: as is, in the singular, each part of a hyphenated word (less a
    prefix), as a word of the same stem ("German" and "Germany") or made from it ("Transport" and
    "transportation"), as the same place or people ("British" and "Britain"), as the words an
    abbreviation stands for ("PM", "prime minister"), spelt one letter off (a long word), or it is a
    title beside a name ("Mrs" of "Mrs Boudreau")."""
    article_words = facts.words
    if w in article_words or (w.endswith("s") and w[:-1] in article_words):
        return True
    if w in TITLES and not alone:
        return True
    if acronym and 3 <= len(w) <= 5 and w in facts.initials:  # "ICU" for "intensive care unit" (two letters: too likely by chance)
        return True
    forms = [f.split("_") for f in same_place(w)] + [list(f) for f in EXPANSIONS.get(w, ())]
    if any(all(p in article_words for p in form) for form in forms):
        return True
    parts = [p for p in w.split("-") if p]
    if len(parts) > 1:  # each part, less a prefix ("Ex-Dortmund": Dortmund)
        parts = [p for p in parts if p not in PREFIXES] or parts
        return all(_has_word(p, facts) for p in parts)
    if len(w) >= _FUZZY_MIN and w.isalpha() and (w in facts.near_spellings or _deletions(w) & facts.near_spellings):
        near = [a for a in article_words if a[:1] == w[:1] and abs(len(a) - len(w)) <= 1]
        if any(_one_edit(w, a) for a in near):
            return True
    if len(w) >= 5 and any(w + end in article_words for end in _DERIVED):  # "Transport" of "transportation"
        return True
    return len(w) >= 5 and any(_same_stem(w, a) for a in article_words if a[:4] == w[:4])


def _one_edit(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by one letter added, dropped, changed, or two neighbours swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return a == b
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
                                   and a[diff[1]] == b[diff[0]])
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


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
