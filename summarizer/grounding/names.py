"""Names in a text: capitalised words and phrases, as written and as normalised words.

A capital is a name's mark only where case carries it. Not read as names:

* a capitalised common word that opens a sentence or follows a colon ("Study reveals ...",
  "Aged 20, she ...", "Critic: Movie doesn't ..."): a word is common when it is in the
  common-word list (``summarizer/data/common-words.txt``: words that news highlights write in
  lower case at least as often as capitalised mid-sentence, and the words a dictionary (SCOWL's
  English word lists) writes only in lower case and the news never capitalises mid-sentence;
  ``python -m eval.train.consistency`` rebuilds it) or in the few openers below, or when it is one
  of their ``-s``, ``-ed``, ``-ing`` or ``-ly`` forms ("Inputting", "Planned"), or a contraction of one ("Don't",
  "They're");
* the lower-case parts of a hyphenated word ("London-based": the name is "London");
* the pronoun "I" ("I have ... /I feel ..."), a weekday in the plural ("Thursdays": a date), and "No"
  before a number ("world No 14");
* a common word in capitals for emphasis ("LIVE", "CLICK HERE"), an abbreviation that is a
  common noun ("TV", "ID", "DNA"), and a site's furniture ("READ:", "SPOILER ALERT", "PICTURED:").

Names are compared without case, dots or a possessive: "U.S." = "US", "Obama's" = "obama".

>>> name_phrases("The U.S. and Bank of America sued Obama's team.")
[('U.S.', ['us']), ('Bank of America', ['bank', 'america']), ("Obama's", ['obama'])]
>>> name_phrases("Estimates of the value rose. Having fallen, Smith left. READ: CLICK HERE for more.")
[('Smith', ['smith'])]
"""

from __future__ import annotations

import re
from functools import lru_cache

from .aliases import COMMON_ABBREVIATIONS, TITLES
from .numbers import MONTHS, NOT_NUMBERS, TENS, UNITS, WEEKDAYS
from .weights import read_common_words

# Prefixes of a hyphenated word: "Co-pilot" is common, "Ex-Dortmund" names Dortmund.
PREFIXES = frozenset({"co", "ex", "pre", "post", "non", "anti", "pro", "mid", "neo", "re", "self"})
# Openers that are common words whatever the list says (it is built from data and may miss some).
_OPENERS = set("""
a an the this that these those there here it its he she they we you i his her their our my your
in on at after before during since until while when where as if but and or so yet for from with
without by about over under between among despite although though because once now then also
more most many some several few all both each every no not only just even still new former
officials police authorities researchers scientists experts witnesses residents investigators
prosecutors lawyers doctors critics analysts sources reports report people family families
friends officers troops fans players students parents workers voters leaders members
""".split())
# A site's furniture: labels and calls to action that are not part of the story.
_FURNITURE = re.compile(
    r"\b(?:READ(?: MORE)?|WATCH|VIDEO|PICTURED|SCROLL DOWN(?: FOR VIDEO)?|SPOILER ALERT|CLICK HERE|EXCLUSIVE|"
    r"UPDATE|BREAKING|LIVE|NEW|Click here|Scroll down(?: for video)?|Read more)\b:?")
_CAP = re.compile(r"(?<![\w'’.&-])[A-Z][\w'’.&]*(?:-[A-Z]?[\w'’.&]+)*")  # a capital that starts a word
_DECADES = frozenset(t[:-1] + "ies" for t in TENS)  # "the Seventies": a decade, not a name
_NUMBER_AFTER = re.compile(r"\.?[\s-]?\d")  # "No 14", "No. 1", "Under 21", "Over-50s": no name there
_PRONOUN_I = re.compile(r"I(?:['’](?:m|ve|d|ll))?")  # "I", "I'm": the pronoun, never a name
_NAME_JOINERS = {"of", "de", "da", "del", "van", "von", "bin", "al", "la", "le", "du"}
_STARTS = re.compile(r"[.!?:;]\s+|[!?](?=[A-Z])|\n|[\"“‘'(]\s*|\s[-–—]\s")  # where a sentence (or a quote, or a clause) opens


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """The common-word list (sha256-checked): lower-case words that are not names when capitalised
    to open a sentence."""
    return read_common_words() | _OPENERS


def is_common(word: str) -> bool:
    """Whether a normalised word is a common word (or an inflection of one).

    >>> is_common("reveals"), is_common("admitting"), is_common("smith")
    (True, True, False)
    """
    common = common_words()
    if word in common or word in UNITS or word in TENS:
        return True
    if "-" in word.strip("-"):  # "off-road", "well-known", "co-pilot": every part common, or a prefix
        parts = [p for p in word.split("-") if p]
        return parts[-1] not in PREFIXES and all(is_common(p) or (k == 0 and p in PREFIXES) for k, p in enumerate(parts))
    for suffix, repl in (("s", ""), ("es", ""), ("ies", "y"), ("ed", ""), ("ed", "e"), ("ing", ""), ("ing", "e"),
                         ("ly", ""), ("'s", ""), ("s'", "")):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            stem = word[: -len(suffix)]
            if stem + repl in common:
                return True
            # a doubled consonant: "inputting", "planned"
            if suffix in ("ed", "ing") and len(stem) > 3 and stem[-1] == stem[-2] and stem[-1] not in "aeiouls" \
                    and stem[:-1] in common:
                return True
    return False


_CONTRACTION = re.compile(r"^([A-Za-z]+)(?:n['’]t|['’](?:re|ve|ll|d|m|s))$")


def is_contraction(word: str) -> bool:
    """A common word with a contracted ending ("Don't", "They're", "We've"), as written.

    >>> is_contraction("They're"), is_contraction("O'Neill")
    (True, False)
    """
    m = _CONTRACTION.match(word)
    return bool(m) and is_common(m.group(1).lower())


def norm_word(w: str) -> str:
    w = w.lower().replace("’", "'")
    w = re.sub(r"'s$|'$", "", w)
    return w.replace(".", "").replace("'", "")


def words(text: str) -> set[str]:
    """Normalised words of a text, hyphenated ones also whole ("saint-denis", "saint", "denis")."""
    out: set[str] = set()
    for m in re.finditer(r"[\w'’.&-]+", text):
        w = norm_word(m.group().strip(".-'’"))
        if not w:
            continue
        out.add(w)
        out.update(p for p in w.split("-") if p)
    return out


def _capitalised_parts(token: str) -> str:
    """A name's word, normalised: of a hyphenated word only its capitalised parts ("London-based": "london";
    "Saint-Denis": "saint-denis"; "A-listers": "")."""
    if "-" not in token.strip("-"):
        return norm_word(token)
    parts = [p for p in token.split("-") if len(p) > 1 and p[0].isupper()]
    return "-".join(norm_word(p) for p in parts)


def _emphasis(word: str) -> bool:
    """A common word written in capitals for emphasis ("LIVE", "HERE"), not an acronym."""
    # three letters, or no vowel, reads as an acronym ("BBC", "FBI", "NHS") even when the letters make a word
    return len(word) >= 4 and word.isupper() and word.isalpha() and bool(re.search("[AEIOUY]", word)) \
        and is_common(word.lower())


def _ends_sentence(token: str) -> bool:
    """A capitalised word with a full stop that ends a sentence: not an initial ("J."), an abbreviation
    ("U.S.") or a title ("Mr.", "St.")."""
    return token.endswith(".") and len(token) > 2 and not re.search(r"\.\w", token) \
        and norm_word(token) not in TITLES


def _may_be_name(w: str, m: re.Match, text: str) -> bool:
    """Whether a capitalised word (normalised ``w``, matched as ``m`` in ``text``) may be part of a name: not a
    month, a weekday (also in the plural: "Thursdays"), "One", the pronoun "I", a decade in words ("the
    Seventies"), or "No", "Under", "Over" before a number ("world No 14", "Under 21")."""
    return (w not in MONTHS and w not in WEEKDAYS and w not in NOT_NUMBERS and w not in _DECADES
            and not _PRONOUN_I.fullmatch(m.group()) and not (w.endswith("s") and w[:-1] in WEEKDAYS)
            and not (w in ("no", "under", "over") and _NUMBER_AFTER.match(text, m.end())))


def name_phrases(text: str) -> list[tuple[str, list[str]]]:
    """Capitalised phrases of ``text`` that may be names, as written and as their normalised words."""
    text = _FURNITURE.sub(lambda m: " " * len(m.group()), text)  # same length: spans stay right
    out: list[tuple[str, list[str]]] = []
    starts = {0} | {m.end() for m in _STARTS.finditer(text)}
    starts |= {len(text) - len(text.lstrip())}
    matches = [m for m in _CAP.finditer(text) if not _emphasis(m.group().rstrip("."))
               and norm_word(m.group().rstrip(".")) not in COMMON_ABBREVIATIONS]
    k = 0
    while k < len(matches):
        first = matches[k]
        group = [first]
        # extend over following capitalised words, and joiners between two of them
        while k + 1 < len(matches):
            gap = text[group[-1].end():matches[k + 1].start()]
            if _ends_sentence(group[-1].group()) and matches[k + 1].start() in starts:
                break  # "... met Tom. It rained": two sentences, not the name "Tom It"
            if gap == " " or (gap.strip().lower() in _NAME_JOINERS and gap.startswith(" ") and gap.endswith(" ")):
                k += 1
                group.append(matches[k])
            else:
                break
        k += 1
        words_ = [_capitalised_parts(g.group().rstrip(".") if not re.search(r"\.\w", g.group()) else g.group())
                  for g in group]
        if first.start() in starts and (words_[0] in _OPENERS or is_common(words_[0]) or is_contraction(first.group())
                                        or ("-" in first.group() and is_common(norm_word(first.group())))):
            # a capital that opens a sentence on a common word: "The White House", "Study reveals"
            group, words_ = group[1:], words_[1:]
        keep = [w for w, g in zip(words_, group) if w and _may_be_name(w, g, text)]
        if keep:
            phrase = text[group[0].start():group[-1].end()]
            out.append((phrase if re.search(r"\.\w", phrase) else phrase.rstrip("."), keep))
    return out
