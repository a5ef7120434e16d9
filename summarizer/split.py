"""Split an article body into sentences, with character offsets.

Rules written for news text, cased or lowercased (the CNN/DailyMail copies we evaluate on
are lowercased, so a capital letter after a full stop cannot be relied on):

* ``.``, ``!``, ``?`` (and closing quotes or brackets after them) followed by white space
  end a sentence, unless the word before is an abbreviation that never ends one
  (``Mr.``, ``Gen.``, ``Jan. 5``, ``No. 1``, ``e.g.``) or one that rarely does
  (``U.S.``, ``p.m.``, an initial, a one-word parenthetical like ``(ret.)``), which ends
  a sentence only when the next word is a usual sentence opener (``the``, ``he``,
  ``but``, ...; capitalized in cased text, so ``U.S. Coast Guard`` stays whole);
* decimals and prices (``43.3``, ``$1.5``) never match, since no space follows the dot;
* an ellipsis ends a sentence only before a capital (cased text) or an opener;
* ``?``/``!`` inside a quotation that goes on with ``he said`` does not end one;
* a blank line always ends one (a paragraph break), and ``--`` dashes never do;
* the sentence ends of other scripts always end one, white space after them or not: the
  ideographic full stop ``。`` (and its half-width form ``｡``), the full-width ``！`` and
  ``？``, the Devanagari danda ``।`` and double danda ``॥``, the Arabic ``؟`` and the
  Ethiopic ``።``;
* no sentence is longer than :data:`MAX_SENTENCE_CHARS`: a longer stretch without a sentence
  end (a text with no punctuation at all) is cut at the last space before the cap, or at the
  cap where there is none, so a key point is never longer than that either.

>>> [s.text for s in split_sentences('Mr. Smith paid $1.5 million in the U.S. last week. He left.')]
['Mr. Smith paid $1.5 million in the U.S. last week.', 'He left.']
>>> [s.text for s in split_sentences('市议会周一通过了预算。新线路明年开通！')]
['市议会周一通过了预算。', '新线路明年开通！']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import expect


@dataclass(frozen=True)
class Sentence:
    """One sentence of a body: ``body[start:end] == text``."""

    index: int
    text: str
    start: int
    end: int


# Words that, followed by a full stop, never end a sentence: titles and reference words.
_NEVER_END = frozenset(
    """mr mrs ms messrs dr prof gen sen rep reps gov lt col sgt capt cmdr adm maj brig cpl pvt
    rev fr hon pres supt det insp st mt ft vs v cf fig figs approx dept univ assn bros
    e.g i.e a.k.a viz al""".split()
)
# Followed by a number, these never end a sentence ("Jan. 5", "No. 1", "p. 12").
_BEFORE_NUMBER = frozenset(
    "jan feb mar apr jun jul aug sep sept oct nov dec no nos p pp vol art ch sec".split()
)
# These may end a sentence: they do when the next word opens one.
_AMBIGUOUS = frozenset(
    """inc corp co ltd llc plc jr sr etc esq ph.d m.d u.s u.k u.n u.s.a e.u d.c l.a n.y a.m p.m
    jan feb mar apr jun jul aug sep sept oct nov dec no""".split()
)
# Usual first words of a news sentence (lowercase).
_OPENERS = frozenset(
    """the a an he she it they we i you his her its their our my this that these those there
    but and so yet however meanwhile still also then now in on at as after before when while
    if although though since because during for from with by about some many most one two
    three several both each all no not mr mrs ms dr police officials authorities
    according what who how why where","""
    .replace('","', "").split()
)
# After an abbreviation or an ellipsis in lowercased text, only these open a sentence:
# prepositions, "and" and nouns ("u.s. officials said", "9 p.m. on sunday", "the u.s. and
# britain") follow them inside a sentence far more often than they start the next one.
_STRICT_OPENERS = frozenset(
    """the a an he she it they we i you his her its their our my this these those there
    but however meanwhile yet still then now if although though while when what who how why
    where""".split()
)
_SPEECH = re.compile(
    r"(?:[a-z]+\s+)?(?:said|says|asked|asks|added|adds|told|tells|wrote|writes|tweeted|"
    r"shouted|replied|explained|insisted|continued)\b",
    re.IGNORECASE,
)

# The longest sentence (and so key point), in characters: news sentences stay far below it
# (the longest of 1,000 CNN/DailyMail dev stories has 536); a longer run has no sentence end.
MAX_SENTENCE_CHARS = 1000

_CANDIDATE = re.compile(r"(\.{3}|…|[.!?]+)([\"'”’)\]]*)(\s+|$)")
# sentence ends of other scripts: CJK full stops and full-width marks, danda, Arabic, Ethiopic
_OTHER_END = re.compile(r"[。｡！？।॥؟።]+[\"'”’)\]」』）》〉]*")
_OTHER_END_CHAR = re.compile(r"[。｡！？।॥؟።]")
_PARAGRAPH = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_WORD_BEFORE = re.compile(r"\S*$")
_OPENING = "\"'“‘(["
_NEXT_WORD = re.compile(r"[\"'“‘(\[]*([A-Za-z]+)")


def _is_cased(text: str) -> bool:
    # A lowercased copy has (almost) no capitals; a cased article has one every few words.
    letters = sum(c.isalpha() for c in text[:2000]) or 1
    return sum(c.isupper() for c in text[:2000]) / letters > 0.01


def _ends_sentence(text: str, m: re.Match, cased: bool) -> bool:
    punct, closers, space = m.group(1), m.group(2), m.group(3)
    nxt = m.end()
    if nxt >= len(text) or not space:
        return True
    next_char = text[nxt]
    word_m = _NEXT_WORD.match(text, nxt)
    next_word = word_m.group(1).lower() if word_m else ""
    # cased: a capitalized usual opener ("U.S. He", not "U.S. Coast Guard");
    # lowercased: a strict opener ("u.s. the", not "u.s. officials")
    if cased:
        opener = next_char.isupper() and next_word in _OPENERS
    else:
        opener = next_word in _STRICT_OPENERS

    if punct in ("...", "…"):
        return next_char.isupper() if cased else opener
    if "?" in punct or "!" in punct:
        # '"Why now?" he asked.' continues the sentence.
        if closers and _SPEECH.match(text, nxt) and not (cased and next_char.isupper()):
            return False
        return not (cased and next_char.islower())
    if len(punct) > 1:  # '..' and the like: treat as an ellipsis
        return opener
    if cased and next_char.islower():
        return False
    # a window, not the whole text: searching from 0 would make splitting quadratic
    token = _WORD_BEFORE.search(text, max(0, m.start() - 40), m.start()).group(0)
    word = token.lstrip(_OPENING).lower()  # quotes open a word; "wing's" keeps its apostrophe
    if closers and token[:1] in "([" and closers[0] in ")]":
        return opener  # a one-word parenthetical such as "(ret.)" is an abbreviation
    if closers:
        return True
    if not word:  # a stray " . " (the PTB-tokenized copies have them): a boundary
        return True
    if word in _NEVER_END:
        return False
    if word in _BEFORE_NUMBER and next_char.isdigit():
        return False
    if word in _AMBIGUOUS or (len(word) == 1 and word.isalpha()) or re.fullmatch(
        r"(?:[a-z]\.)+[a-z]", word
    ):
        return opener
    return True


def _split_paragraph(text: str, offset: int, cased: bool, out: list[tuple[int, int]]) -> None:
    start = 0
    ends = [(m.start(3), m.end()) for m in _CANDIDATE.finditer(text) if _ends_sentence(text, m, cased)]
    if _OTHER_END_CHAR.search(text):  # the common case pays for one scan only
        ends = sorted(ends + [(m.end(), m.end()) for m in _OTHER_END.finditer(text)])
    for end, after in ends:
        if end <= start:
            continue
        if text[start:end].strip():
            _bounded(text, offset, start, end, out)
        start = after
    if text[start:].strip():
        _bounded(text, offset, start, len(text.rstrip()), out)


def _bounded(text: str, offset: int, start: int, end: int, out: list[tuple[int, int]]) -> None:
    """``text[start:end]`` as pieces of at most ``MAX_SENTENCE_CHARS``, cut at white space."""
    while end - start > MAX_SENTENCE_CHARS:
        while start < end and text[start].isspace():
            start += 1
        if end - start <= MAX_SENTENCE_CHARS:
            break
        cut = start + MAX_SENTENCE_CHARS
        space = max(text.rfind(" ", start, cut + 1), text.rfind("\n", start, cut + 1))
        if space > start:
            cut = space
        stop = cut
        while stop > start and text[stop - 1].isspace():
            stop -= 1
        out.append((offset + start, offset + stop))
        start = cut
    out.append((offset + start, offset + end))


def split_sentences(body: str) -> list[Sentence]:
    """Split ``body`` into sentences whose offsets index ``body`` itself."""
    expect(body, str, "split_sentences() takes the text as a string")
    cased = _is_cased(body)
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in _PARAGRAPH.finditer(body):
        _split_paragraph(body[pos : m.start()], pos, cased, spans)
        pos = m.end()
    _split_paragraph(body[pos:], pos, cased, spans)
    sentences = []
    for start, end in spans:
        # strip leading white space so that the span and its text agree
        while start < end and body[start].isspace():
            start += 1
        sentences.append(Sentence(len(sentences), body[start:end], start, end))
    return sentences
