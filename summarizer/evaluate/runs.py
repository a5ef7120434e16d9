"""A run's files, written so that a kill at any moment loses at most the batch in flight.

* ``predictions.jsonl``: one line per document, appended, flushed and synced batch by
  batch. A kill (even ``kill -9``) can leave only a torn last line, which a resumed run
  cuts off before appending; the documents already there are not summarized again.
* ``run.json``: what the run was started with, checked on ``--resume``; written with the first
  batch the model answers, so settings a model refuses when it loads leave nothing behind.
* ``.lock`` and ``writer.json``: one writer per folder. :func:`lock_run` holds an exclusive
  kernel lock (``flock``, through ``filelock``) on ``.lock`` for the whole run; the kernel
  drops it when the process dies, so even ``kill -9`` leaves no stale lock. ``writer.json``
  names the holder (pid, host, start time) for the message a second writer gets, and is
  removed when the run ends (``.lock`` stays: removing a lock file races with its next taker).
* Every other file (``scores.jsonl``, ``report.json``, ``report.md``) is written whole
  to a temporary file and renamed over the old one: never half-written.
* A run refused before it wrote anything (a setting the model refuses, a dataset that
  cannot be read) leaves the folder as it found it (:func:`open_run`): a folder it created is
  removed, an existing one keeps its bytes, so it can be rerun or resumed as before.
"""

from __future__ import annotations

import json
import os
import socket
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from ..errors import InputError, OutputError
from .datasets import json_object

PREDICTIONS = "predictions.jsonl"
SCORES = "scores.jsonl"
REPORT_JSON = "report.json"
REPORT_MD = "report.md"
RUN = "run.json"
LOCK = ".lock"
WRITER = "writer.json"


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


@dataclass(frozen=True)
class Failure:
    """A document that could not be summarized, and why (one line). Never written, so
    ``--resume`` tries it again; ``retry``: the model run failed (a server down, a timeout),
    not the document, so trying again may well succeed."""

    id: str
    message: str
    retry: bool = False


class RunLockedError(OutputError):
    """Another process is writing the run folder."""


def make_folder(path: Path, what: str = "--out") -> Path:
    """Create ``path`` (and its parents); one line when it cannot be: a parent that is a
    file, no permission, a read-only or virtual file system (``/proc``)."""
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / f".probe.{os.getpid()}"
        probe.open("w").close()  # /proc and /sys accept mkdir of nothing, but no files
        probe.unlink()
    except FileExistsError:
        raise OutputError(f"{what} {path}: exists and is not a folder; choose another {what}") from None
    except NotADirectoryError:
        raise OutputError(f"{what} {path}: a parent of it is a file, not a folder; choose another {what}") from None
    except OSError as e:
        raise OutputError(f"{what} {path}: cannot create it or write in it ({e.strerror or e}); "
                          f"choose another {what}") from None
    return path


def _new_folders(path: Path) -> list[Path]:
    """The folders that creating ``path`` makes, outermost first."""
    out = []
    p = Path(path).absolute()
    try:
        while not p.exists() and p != p.parent:
            out.append(p)
            p = p.parent
    except OSError:  # cannot even look: make_folder says why
        return []
    return out[::-1]


def _names(folder: Path) -> set[str] | None:
    try:
        return {p.name for p in Path(folder).iterdir()}
    except OSError:
        return None


@contextmanager
def open_run(folder: Path, what: str = "--out") -> Iterator[None]:
    """Create ``folder`` (:func:`make_folder`) and hold its writer lock (:func:`lock_run`) for
    the ``with`` block. A block that fails before it added a file leaves the folder as it
    was: the lock file it created is removed (while still held, so no other writer has
    taken it), then the folders it created, where they are empty."""
    folder = Path(folder)
    created = _new_folders(folder)
    before = _names(folder) or set()
    make_folder(folder, what)
    try:
        with lock_run(folder):
            try:
                yield
            except BaseException:
                now = _names(folder)
                if LOCK not in before and now is not None and now - before <= {LOCK, WRITER}:
                    (folder / LOCK).unlink(missing_ok=True)
                raise
    except BaseException:
        for d in reversed(created):
            try:
                d.rmdir()  # only an empty one: never what another run has put there since
            except OSError:
                break
        raise


@contextmanager
def lock_run(folder: Path) -> Iterator[None]:
    """Hold the folder's writer lock for the ``with`` block; refuse at once, in one line
    naming the holder, when another process holds it."""
    from filelock import FileLock, Timeout

    folder = Path(folder)
    lock = FileLock(str(folder / LOCK), timeout=0, thread_local=False)
    try:
        lock.acquire()
    except Timeout:
        raise RunLockedError(f"{folder} is being written by another run ({_holder(folder)}); wait for it to end "
                             "or choose another --out") from None
    except OSError as e:
        raise OutputError(f"{folder}: cannot lock it for writing ({e.strerror or e})") from None
    try:
        started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        write_atomic(folder / WRITER, json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                                                  "started": started}) + "\n")
        yield
    finally:
        (folder / WRITER).unlink(missing_ok=True)  # still held: no other writer has written its own yet
        lock.release()


def _holder(folder: Path, wait: float = 2.0) -> str:
    """Who holds the lock, from ``writer.json``. The holder writes it just after taking the
    lock: a file missing, or left by a writer that died, is waited for a moment."""
    deadline = time.monotonic() + wait
    while True:
        try:
            w = json.loads((folder / WRITER).read_text(encoding="utf-8"))
            said = f"pid {w['pid']} on {w['host']}, started {w['started']}"
            if w["host"] != socket.gethostname() or _alive(int(w["pid"])):
                return said
        except (OSError, ValueError, KeyError, TypeError):
            said = "a process that is just starting"
        if time.monotonic() > deadline:
            return said
        time.sleep(0.05)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


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


@dataclass(frozen=True)
class LogState:
    """What ``predictions.jsonl`` holds: each id's first complete row, with its exact bytes."""

    rows: dict[str, tuple[Prediction, bytes]]
    duplicates: int  # rows dropped because their id came earlier


def read_log(path: Path, data: bytes | None = None) -> LogState:
    """The rows of a run's own ``predictions.jsonl`` (or of its bytes ``data``), keeping each
    id's first row (older versions could write an id twice when two runs shared a folder)."""
    data = Path(path).read_bytes() if data is None else data
    rows: dict[str, tuple[Prediction, bytes]] = {}
    duplicates = 0
    for lineno, raw in enumerate(data.splitlines(keepends=True), 1):
        if not raw.strip():
            continue
        try:
            record = json_object(raw)
            missing = [k for k in ("id", "summary") if k not in record]
            if missing:
                raise ValueError(f"no field {missing[0]!r}")
            doc_id = str(record["id"])
            summary = _summary(record["summary"], "summary")
            pred = Prediction(doc_id, summary, record.get("model"),
                              record.get("settings") if isinstance(record.get("settings"), dict) else {},
                              read_spans(record.get("spans"), len(summary)))
        except ValueError as e:
            raise InputError(f"{path}:{lineno}: {e}; this run folder was edited by hand; start a new run "
                             "with another --out") from None
        if doc_id in rows:
            duplicates += 1
            continue
        rows[doc_id] = (pred, raw if raw.endswith(b"\n") else raw + b"\n")
    return LogState(rows, duplicates)


def whole_lines(data: bytes) -> bytes:
    """``data`` without a last line that has no newline (what a killed writer leaves).

    >>> whole_lines(b'{"id": 1}\\n{"id"')
    b'{"id": 1}\\n'
    """
    return data[: data.rfind(b"\n") + 1]


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
