"""Write summaries: bullets, plain text, JSON or JSON lines."""

from __future__ import annotations

import json
from typing import Sequence

from .results import Summary

FORMATS = ("bullets", "text", "json", "jsonl")


def render(summary: Summary, fmt: str, *, header: bool = False) -> str:
    """One summary in ``fmt``; ``header`` names the input (several inputs, bullets or text)."""
    if fmt == "jsonl":
        return summary.to_json()
    if fmt == "json":
        return json.dumps(summary.to_dict(), ensure_ascii=False, indent=2)
    lines = [f"==> {summary.name} <==" ] if header else []
    if fmt == "bullets":
        lines += [f"• {t}" for t in summary.texts]
    else:
        lines += summary.texts
    return "\n".join(lines)


def render_json_list(summaries: Sequence[Summary]) -> str:
    return json.dumps([s.to_dict() for s in summaries], ensure_ascii=False, indent=2)
