"""A run's files, written so that a kill at any moment loses at most the batch in flight.

* ``predictions.jsonl``: one line per document, appended, flushed and synced batch by
  batch. A kill (even ``kill -9``) can leave only a torn last line, which a resumed run
  cuts off before appending; the documents already there are not summarized again.
* ``run.json``: what the run was started with, checked on ``--resume``.
* Every other file (``scores.jsonl``, ``report.json``, ``report.md``) is written whole
  to a temporary file and renamed over the old one: never half-written.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

from ..errors import InputError
from .datasets import json_object

PREDICTIONS = "predictions.jsonl"
SCORES = "scores.jsonl"
REPORT_JSON = "report.json"
REPORT_MD = "report.md"
RUN = "run.json"


@dataclass(frozen=True)
class Prediction:
    """One system summary: the key points written for the document ``id``."""

    id: str
    summary: tuple[str, ...]
    model: str | None = None
    settings: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    # per key point, the (start, end) offsets in the article body it was copied from; () when
    # not known (abstractive key points, or outputs of other systems)
    spans: tuple[tuple[tuple[int, int], ...], ...] = field(default=(), compare=False)

    def to_json(self) -> str:
        d: dict[str, Any] = {"id": self.id, "summary": list(self.summary)}
        if any(self.spans):
            d["spans"] = [[list(s) for s in point] for point in self.spans]
        if self.model is not None:
            d["model"] = self.model
            d["settings"] = self.settings
        return json.dumps(d, ensure_ascii=False)


def write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one step: readers see the old file or the new one."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")  # same folder: the rename stays atomic
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _summary(value: Any, name: str) -> tuple[str, ...]:
    if isinstance(value, str):
        points = value.split("\n")
    elif isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        points = list(value)
    else:
        raise ValueError(f"field {name!r} must be a string (one sentence a line) or a list of strings, "
                         f"found {type(value).__name__}")
    return tuple(p.strip() for p in points if p.strip())


def read_predictions(
    path: Path,
    *,
    id_field: str = "id",
    summary_field: str = "summary",
    where: dict[str, str] | None = None,
) -> list[Prediction]:
    """The predictions in a JSONL file: ``id`` and ``summary`` (a string with one sentence a
    line, or a list), other fields ignored. ``where`` keeps the records whose fields have
    the given values (a file with several systems: ``{"system": "..."}``)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror or e})") from None
    out: list[Prediction] = []
    seen: dict[str, int] = {}
    for lineno, raw in enumerate(data.removeprefix(b"\xef\xbb\xbf").split(b"\n"), 1):
        if not raw.strip():
            continue
        loc = f"{path}:{lineno}"
        try:
            record = json_object(raw)
        except ValueError as e:
            raise InputError(f"{loc}: {e}") from None
        if where and any(str(record.get(k)) != v for k, v in where.items()):
            continue
        for name in (id_field, summary_field):
            if name not in record:
                raise InputError(f"{loc}: no field {name!r} (fields present: {', '.join(sorted(record)) or 'none'})")
        doc_id = str(record[id_field])
        try:
            summary = _summary(record[summary_field], summary_field)
        except ValueError as e:
            raise InputError(f"{loc}: {e}") from None
        if doc_id in seen:
            several = "; the file may hold several systems: pick one with --where FIELD=VALUE" if not where else ""
            raise InputError(f"{loc}: duplicate id {doc_id!r} (first at line {seen[doc_id]}){several}")
        seen[doc_id] = lineno
        model = record.get("model") if isinstance(record.get("model"), str) else None
        settings = record.get("settings") if isinstance(record.get("settings"), dict) else {}
        out.append(Prediction(doc_id, summary, model, settings, read_spans(record.get("spans"), len(summary))))
    if not out:
        raise InputError(f"{path}: no predictions" + (" match the --where filter" if where else ""))
    return out


def read_spans(value: Any, points: int) -> tuple[tuple[tuple[int, int], ...], ...]:
    """The ``spans`` field of a prediction: a list per key point of ``[start, end]`` pairs.
    Like any other extra field, one that is not well formed is ignored (no offsets).

    >>> read_spans([[[0, 5]], []], 2)
    (((0, 5),), ())
    >>> read_spans([[[5, 0]]], 1), read_spans("0-5", 1)
    ((), ())
    """
    if not isinstance(value, list) or len(value) != points:
        return ()
    out = []
    for point in value:
        if not isinstance(point, list):
            return ()
        pairs = []
        for pair in point:
            if (not isinstance(pair, list) or len(pair) != 2
                    or not all(isinstance(v, int) and not isinstance(v, bool) for v in pair)
                    or not 0 <= pair[0] <= pair[1]):
                return ()
            pairs.append((pair[0], pair[1]))
        out.append(tuple(pairs))
    return tuple(out)


def cut_torn_tail(path: Path) -> int:
    """Cut off a last line that has no newline (what a killed writer leaves); its bytes."""
    with open(path, "rb+") as f:
        size = f.seek(0, os.SEEK_END)
        if size == 0:
            return 0
        pos = size
        while pos > 0:  # read backwards to the last newline
            step = min(65536, pos)
            f.seek(pos - step)
            chunk = f.read(step)
            nl = chunk.rfind(b"\n")
            if nl >= 0:
                keep = pos - step + nl + 1
                break
            pos -= step
        else:
            keep = 0
        if keep < size:
            f.truncate(keep)
            f.flush()
            os.fsync(f.fileno())
        return size - keep


class PredictionLog:
    """Appends predictions to ``predictions.jsonl``, a whole batch per write, synced."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._f = self.path.open("a", encoding="utf-8")

    def append(self, predictions: Iterable[Prediction]) -> None:
        text = "".join(p.to_json() + "\n" for p in predictions)
        if text:
            self._f.write(text)
            self._f.flush()
            os.fsync(self._f.fileno())  # on disk before the next batch starts

    def close(self) -> None:
        self._f.close()

    def __enter__(self) -> "PredictionLog":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror or e})") from None
    except json.JSONDecodeError as e:
        raise InputError(f"{path}: not valid JSON ({e.msg} at line {e.lineno})") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a JSON object")
    return data


def batches(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
