"""Write summaries: bullets, plain text, JSON or JSON lines."""

from __future__ import annotations

import json
from typing import Sequence

from .grounding import LEGEND
from .results import KeyPoint, References, Summary

FORMATS = ("bullets", "text", "json", "jsonl")


def bullet(k: KeyPoint) -> str:
    """``• text``, and for a flagged key point what the article lacks: ``• text [! $5 million, Smith]``."""
    if not k.flagged:
        return f"• {k.text}"
    return f"• {k.text} [! {', '.join(f.text for f in k.flags or ())}]"


def render(summary: Summary, fmt: str, *, header: bool = False) -> str:
    """One summary in ``fmt``; ``header`` names the input (several inputs, bullets or text)."""
    if fmt == "jsonl":
        return summary.to_json()
    if fmt == "json":
        return json.dumps(summary.to_dict(), ensure_ascii=False, indent=2)
    lines = [f"==> {summary.name} <==" ] if header else []
    if fmt == "bullets":
        lines += [bullet(k) for k in summary.key_points]
        if any(k.flagged for k in summary.key_points):
            lines.append(LEGEND)
    else:
        lines += summary.texts
    return "\n".join(lines)


ROUGE_LABELS = {"rouge1": "ROUGE-1", "rouge2": "ROUGE-2", "rougeL": "ROUGE-L", "rougeLsum": "ROUGE-Lsum"}


def render_references(refs: References) -> str:
    """The article's own key points, where they came from, and the scores against them (``--score``)."""
    lines = ["", f"Key points written for the article ({refs.source}):", *(f"• {k}" for k in refs.key_points)]
    if refs.rouge:
        lines += ["", "ROUGE of the key points above against them:", f"  {'':<10}  precision  recall      F1"]
        lines += [f"  {ROUGE_LABELS.get(m, m):<10}  {f.precision:>9.4f}  {f.recall:>6.4f}  {f.fmeasure:>6.4f}"
                  for m, f in refs.rouge.items()]
        lines.append(f"Scorer: {refs.signature}")
    return "\n".join(lines)


def render_json_list(summaries: Sequence[Summary]) -> str:
    return json.dumps([s.to_dict() for s in summaries], ensure_ascii=False, indent=2)
