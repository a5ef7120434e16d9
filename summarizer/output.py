"""Write summaries: bullets, plain text, JSON or JSON lines.

JSON keeps every text exactly as it is (offsets index it). In bullets and text, a text
with a bidirectional embedding, override or isolate it does not close (an article in
Arabic or Hebrew may hold them; a hostile one may hold a lone U+202E) has the closers
added at its end, so it cannot reverse what the line shows after it (a flag, the next
text): :func:`bidi_closed`.
"""

from __future__ import annotations

import json
import re
from typing import Sequence

from .grounding import LEGEND
from .results import KeyPoint, References, Summary
from .text_safety import BIDI

FORMATS = ("bullets", "text", "json", "jsonl")


# explicit bidirectional formatting: embeddings and overrides (closed by PDF), isolates (closed by PDI)
_EMBEDDINGS = "\u202a\u202b\u202d\u202e"  # LRE, RLE, LRO, RLO
_ISOLATES = "\u2066\u2067\u2068"  # LRI, RLI, FSI
_PDF, _PDI = "\u202c", "\u2069"
_BIDI = re.compile(f"[{BIDI}]")  # the same characters as text_safety's class: these and their two closers


def bidi_closed(text: str) -> str:
    """``text`` with a closer added for each bidirectional embedding, override or isolate it
    leaves open (Unicode's rules: a PDI closes its isolate and whatever opened inside it), so
    what follows it on a line reads in its own direction. Text without them is returned as is.

    >>> bidi_closed("Fares rose \\u202eby 12%") == "Fares rose \\u202eby 12%\\u202c", bidi_closed("Fares rose.")
    (True, 'Fares rose.')
    """
    if not _BIDI.search(text):
        return text
    open_: list[str] = []  # the closer each open initiator needs, innermost last
    for m in _BIDI.finditer(text):
        c = m.group()
        if c in _EMBEDDINGS:
            open_.append(_PDF)
        elif c in _ISOLATES:
            open_.append(_PDI)
        elif c == _PDF:
            if open_ and open_[-1] == _PDF:  # a PDF closes an embedding opened inside the same isolate only
                open_.pop()
        elif _PDI in open_:  # a PDI closes its isolate and the embeddings opened inside it
            del open_[len(open_) - 1 - open_[::-1].index(_PDI):]
    return text + "".join(reversed(open_))


def bullet(k: KeyPoint) -> str:
    """``• text``, and for a flagged key point what the article lacks: ``• text [! $5 million, Smith]``."""
    if not k.flagged:
        return f"• {bidi_closed(k.text)}"
    return f"• {bidi_closed(k.text)} [! {', '.join(bidi_closed(f.text) for f in k.flags or ())}]"


def render(summary: Summary, fmt: str, *, header: bool = False) -> str:
    """One summary in ``fmt``; ``header`` names the input (several inputs, bullets or text)."""
    if fmt == "jsonl":
        return summary.to_json()
    if fmt == "json":
        return json.dumps(summary.to_dict(), ensure_ascii=False, indent=2)
    lines = [f"==> {bidi_closed(str(summary.name))} <=="] if header else []
    if fmt == "bullets":
        lines += [bullet(k) for k in summary.key_points]
        if any(k.flagged for k in summary.key_points):
            lines.append(LEGEND)
    else:
        lines += [bidi_closed(t) for t in summary.texts]
    return "\n".join(lines)


ROUGE_LABELS = {"rouge1": "ROUGE-1", "rouge2": "ROUGE-2", "rougeL": "ROUGE-L", "rougeLsum": "ROUGE-Lsum"}


def render_references(refs: References) -> str:
    """The article's own key points, where they came from, and the scores against them (``--score``)."""
    lines = ["", f"Key points written for the article ({refs.source}):", *(f"• {bidi_closed(k)}" for k in refs.key_points)]
    if refs.rouge:
        lines += ["", "ROUGE of the key points above against them:", f"  {'':<10}  precision  recall      F1"]
        lines += [f"  {ROUGE_LABELS.get(m, m):<10}  {f.precision:>9.4f}  {f.recall:>6.4f}  {f.fmeasure:>6.4f}"
                  for m, f in refs.rouge.items()]
        lines.append(f"Scorer: {refs.signature}")
    return "\n".join(lines)


def render_json_list(summaries: Sequence[Summary]) -> str:
    return json.dumps([s.to_dict() for s in summaries], ensure_ascii=False, indent=2)
