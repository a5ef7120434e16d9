"""Characters that have no place in a key point, and taking them out of a model's answer.

A model's answer (a server's JSON, a decoded token sequence) is text nobody checked: it may
hold characters that break what comes after it or mislead whoever reads it:

* ``surrogate``: a lone UTF-16 surrogate (U+D800-U+DFFF), which JSON's ``"\\ud800"`` escape
  and ``errors="surrogateescape"`` produce; no encoder or tokenizer takes it (``TypeError``,
  ``UnicodeEncodeError``);
* ``nul``: U+0000, which ends a C string and which files and databases refuse;
* ``bidi``: the bidirectional embeddings, overrides and isolates (U+202A-U+202E,
  U+2066-U+2069, the "Trojan Source" characters), which reorder what a terminal or a page
  shows: a U+202E makes "[! 9 million]" read backwards;
* ``control``: the other C0 and C1 controls and DEL (tab, line feed and carriage return
  excepted): an ESC starts a terminal escape sequence.

:func:`clean_answer` takes them out and counts them by class, so a caller can say what it
removed (never silently). The module is a leaf: pure functions over ``str``.

>>> clean_answer("- Rates\\u202e rose.\\x00")
('- Rates rose.', {'nul': 1, 'bidi': 1})
>>> clean_answer("Plain text.")
('Plain text.', {})
>>> unsafe_counts("a\\ud800b\\x1b[31m")
{'surrogate': 1, 'control': 1}
"""

from __future__ import annotations

import re

# The classes, in the order they are reported; each a character class of a regular expression.
SURROGATE = "\ud800-\udfff"
NUL = "\x00"
BIDI = "\u202a-\u202e\u2066-\u2069"
CONTROL = "\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # tab (09), line feed (0a), carriage return (0d) are text
CLASSES: dict[str, str] = {"surrogate": SURROGATE, "nul": NUL, "bidi": BIDI, "control": CONTROL}

_UNSAFE = re.compile("[" + "".join(CLASSES.values()) + "]")
_BY_CLASS = {name: re.compile(f"[{chars}]") for name, chars in CLASSES.items()}


def unsafe_counts(text: str) -> dict[str, int]:
    """How many characters of each class ``text`` holds (classes with none left out)."""
    if _UNSAFE.search(text) is None:  # the usual case: one scan
        return {}
    counts = {name: len(pattern.findall(text)) for name, pattern in _BY_CLASS.items()}
    return {name: n for name, n in counts.items() if n}


def clean_answer(text: str) -> tuple[str, dict[str, int]]:
    """``text`` without the characters of :data:`CLASSES`, and how many of each were removed."""
    removed = unsafe_counts(text)
    return (_UNSAFE.sub("", text), removed) if removed else (text, removed)


def merge_counts(*counts: dict[str, int]) -> dict[str, int]:
    """Counts added up by class, in the order of :data:`CLASSES`.

    >>> merge_counts({"nul": 1}, {"bidi": 2, "nul": 1})
    {'nul': 2, 'bidi': 2}
    """
    total = {name: sum(c.get(name, 0) for c in counts) for name in CLASSES}
    return {name: n for name, n in total.items() if n}


def describe_removed(removed: dict[str, int]) -> str:
    """One phrase for a warning.

    >>> describe_removed({"nul": 1, "bidi": 2})
    '1 NUL, 2 bidirectional controls'
    """
    names = {"surrogate": ("lone surrogate", "lone surrogates"), "nul": ("NUL", "NULs"),
             "bidi": ("bidirectional control", "bidirectional controls"),
             "control": ("control character", "control characters")}
    return ", ".join(f"{n} {names[k][n != 1]}" for k, n in removed.items())
