"""Engines: how the documents still without a prediction become predictions.

:func:`~summarizer.evaluate.harness.run_eval` hands an engine the pending documents and
appends what it yields, batch by batch, to ``predictions.jsonl``; reading the dataset,
resuming and scoring stay with the harness, whatever the engine.

* :class:`LocalEngine` (``--engine local``): the model in this process.
* :class:`RayEngine` (``--engine ray``): `Ray Data <https://docs.ray.io/en/latest/data/>`_
  on a local Ray instance or an existing cluster; a ``map_batches`` stage on actors that
  each load the model once. ``ray`` is imported only here, only when asked for.

Both engines are handed the batches to summarize, fixed by the harness by document index
(batch ``k`` is always documents ``k*size`` to ``(k+1)*size``), and yield them in that order: a
backend may encode a batch's articles together (the extractive model's int8 layers scale by
the batch), so the same grouping is what gives the same key points, resumed or not. An engine
needs only what it is given (the batches and a :class:`Job`), nothing of the harness.

A document that fails (over the input ceiling, a model error on it alone) comes back as a
:class:`~.runs.Failure`; the rest of its batch is still summarized.

Scoring stays in the harness, on this machine, for both: it needs every reference and
every score in one place for the bootstrap anyway, it already uses every core, and it
costs far less than summarizing with a real model.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import logging
import os
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterator, Protocol, Sequence, Union

from ..article import Limits
from ..errors import SummarizerError, UsageError, first_line
from .datasets import Document
from .runs import Failure, Prediction, read_spans

if TYPE_CHECKING:
    from ..backends import Summarizer

RAY_INSTALL = "pip install 'summarizer[ray]'"


class EngineError(SummarizerError):
    """An engine that cannot run: Ray not installed, no cluster at the address, workers
    that cannot start."""


Result = Union[Prediction, Failure]


@dataclass(frozen=True)
class Job:
    """What an engine needs to summarize: the model, its settings, the key points wanted and
    the input ceiling."""

    model: str
    settings: dict[str, Any] = field(default_factory=dict, hash=False)
    num_points: int | None = 3
    limits: Limits = Limits()
    resolved: Any = field(default=None, compare=False)  # the caller's ResolvedModel of ``model``: not resolved again here


class Engine(Protocol):
    """What the harness needs of an engine."""

    def predict(self, batches: Sequence[Sequence[Document]], job: Job) -> Iterator[list[Result]]:
        """One list of results per batch, in order: a prediction, or a failure, per document."""
        ...


def summarize_batch(summarizer: "Summarizer", docs: Sequence[Document], job: Job,
                    notify: Callable[[str], None] | None = None) -> list[Result]:
    """One summarize call for ``docs`` (both engines use it): their results, in order. A
    document over the input ceiling fails alone; when the call fails, each document is
    tried alone, so one bad document does not sink the others.

    A document whose model run failed (``info["runtime_failed"]``: a server down, a timeout)
    is a :class:`Failure` with ``retry`` set: not written, so ``--resume`` tries it again. One
    with an unusable answer gets an empty prediction (that is the model's answer), told to
    ``notify`` in one line."""
    results: dict[str, Result] = {}
    ok = []
    for d in docs:
        try:
            job.limits.check(d.article)
        except SummarizerError as e:
            results[d.id] = Failure(d.id, str(e))
        else:
            ok.append(d)
    try:
        summaries = summarizer.summarize([d.article for d in ok], num_points=job.num_points) if ok else []
        for d, s in zip(ok, summaries):
            results[d.id] = _prediction_of(d, s, job, notify)
    except (SummarizerError, MemoryError) as e:
        for d in ok:
            results[d.id] = _alone(summarizer, d, job, notify) if len(ok) > 1 else Failure(d.id, str(e) or type(e).__name__)
    return [results[d.id] for d in docs]


def _alone(summarizer: "Summarizer", d: Document, job: Job, notify: Callable[[str], None] | None) -> Result:
    try:
        (s,) = summarizer.summarize([d.article], num_points=job.num_points)
    except (SummarizerError, MemoryError) as e:
        return Failure(d.id, str(e) or type(e).__name__)
    return _prediction_of(d, s, job, notify)


def _prediction_of(d: Document, s: Any, job: Job, notify: Callable[[str], None] | None) -> Result:
    if s.info.get("runtime_failed"):  # no answer came: nothing wrong with the document, try it again
        return Failure(d.id, s.info.get("error") or "the model run failed", retry=True)
    if s.info.get("error") and notify is not None:
        notify(f"{d.id}: {s.info['error']} (scored as empty)")
    for warning in (s.info.get("warnings") or ()) if notify is not None else ():  # e.g. characters taken out
        notify(f"{d.id}: {warning}")
    return Prediction(d.id, tuple(s.texts), job.model, s.settings, tuple(k.spans for k in s.key_points))


@dataclass(frozen=True)
class LocalEngine:
    """The model in this process, one batch after another."""

    notify: Callable[[str], None] | None = None  # told of each article with an unusable answer

    def predict(self, batches: Sequence[Sequence[Document]], job: Job) -> Iterator[list[Result]]:
        from ..backends import get_summarizer

        summarizer = get_summarizer(job.resolved or job.model, **job.settings)
        for notice in getattr(summarizer, "notices", ()):  # e.g. a GGUF left to transformers, and why
            if self.notify is not None:
                self.notify(notice)
        for batch in batches:
            yield summarize_batch(summarizer, batch, job, self.notify)


# --- Ray ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RayEngine:
    """Ray Data: the pending batches go to a pool of ``workers`` actors, each holding the
    model; their predictions come back to this process in order, where the harness
    appends them to the run folder as they arrive (the folder stays on this machine).

    Without ``address`` a local Ray instance with ``workers`` CPUs is started for the run
    and stopped after it; ``"auto"`` joins the cluster running on this machine (``ray
    start``), ``"ray://host:10001"`` a remote one through Ray Client. If Ray is already
    initialized in this process (a notebook, a test), that instance is used as it is.
    """

    address: str | None = None  # None: a local instance for this run; "auto"; "ray://host:port"
    workers: int | None = None  # actors; None: one per CPU of the cluster (per GPU with -o device=cuda)

    def predict(self, batches: Sequence[Sequence[Document]], job: Job) -> Iterator[list[Result]]:
        if self.workers is not None and self.workers < 1:
            raise UsageError(f"--workers must be at least 1, got {self.workers}")
        _check_model(job)  # here, in one line, rather than from every actor
        ray = import_ray()
        started = self.connect(ray)
        try:
            yield from self._run(ray, batches, job)
        finally:
            if started:
                ray.shutdown()

    def connect(self, ray: Any) -> bool:
        """Start or join Ray as `predict` does; True when the caller must shut it down again
        (False when Ray was already initialized: it is left as it was)."""
        if ray.is_initialized():
            return False
        quiet = {"log_to_driver": False, "logging_level": logging.ERROR}  # workers' output stays in Ray's logs
        try:
            if self.address is None:
                # "local": a new instance even when `ray start` left one running here
                ray.init(address="local", num_cpus=self.workers or os.cpu_count() or 1, include_dashboard=False,
                         **quiet)
            else:
                ray.init(address=self.address, **quiet)
        except (ConnectionError, TimeoutError, RuntimeError, ValueError) as e:
            if self.address is None:
                what, hint = "start a local Ray instance", "see Ray's logs under /tmp/ray"
            elif self.address == "auto":
                what = "join a Ray cluster on this machine (--address auto)"
                hint = "start one with `ray start --head`, or leave out --address for a Ray instance of this run"
            else:
                what = f"connect to the Ray cluster at {self.address}"
                hint = ("check the address, that the cluster runs this machine's Ray and Python versions, and "
                        "with token authentication RAY_AUTH_MODE=token and the cluster's RAY_AUTH_TOKEN")
            raise EngineError(f"cannot {what}: {first_line(e).rstrip('.')}; {hint}") from None
        return True

    def _run(self, ray: Any, batches: Sequence[Sequence[Document]], job: Job) -> Iterator[list[Result]]:
        rows = [{"batch": i, "documents": json.dumps([[d.id, d.body, d.title] for d in batch], ensure_ascii=False)}
                for i, batch in enumerate(batches)]
        stage = {"model": job.model, "settings": dict(job.settings), "num_points": job.num_points,
                 "limits": dataclasses.asdict(job.limits)}
        pipeline = ray.remote(num_cpus=0)(_Pipeline).remote(rows, stage, self._pool(ray, job))
        try:
            for expected in range(len(rows)):
                row = ray.get(pipeline.next.remote())
                if row["error"]:
                    raise _rebuild(row["error"])
                if row["batch"] != expected:  # preserve_order guarantees it; the file depends on it
                    raise EngineError(f"Ray returned batch {row['batch']} where {expected} was due")
                yield [_prediction(line) for line in row["predictions"].splitlines()]
        except ray.exceptions.RayError as e:
            raise _worker_error(e) from None
        finally:
            ray.kill(pipeline)  # its workers with it, also when Ray stays up (a caller's instance)

    def _pool(self, ray: Any, job: Job) -> dict[str, Any]:
        """The model workers: how many, and what each reserves."""
        gpu = str(job.settings.get("device", "")).startswith("cuda")
        unit = "GPU" if gpu else "CPU"
        per_node = [int(n.get("Resources", {}).get(unit, 0)) for n in ray.nodes() if n.get("Alive")]
        slots = sum(per_node)
        workers = self.workers or slots
        if gpu:
            share = 1 if workers <= slots else 0
            reserve = {"num_gpus": 1, "num_cpus": 1}
        else:
            share = cpu_share(per_node, workers)
            reserve = {"num_cpus": share}  # Ray sets OMP_NUM_THREADS to it: torch uses that many threads
        if share < 1 or slots < 1:
            wanted = f"--workers {workers}" if self.workers else ("-o device=cuda" if gpu else "a worker")
            raise EngineError(f"{wanted}: the Ray cluster has {slots} {unit}s"
                              + (f"; ask for at most {slots} workers" if slots else ""))
        return {"workers": workers, **reserve}


class _Pipeline:
    """The Ray Data pipeline, run in an actor inside the cluster, which hands the finished
    batches to the driver one at a time, in order. (A driver connected through Ray Client
    cannot run Ray Data itself; this way every address works the same.)"""

    def __init__(self, rows: list[dict[str, Any]], stage: dict[str, Any], pool: dict[str, Any]):
        import ray

        ctx = ray.data.DataContext.get_current()  # this actor's own
        ctx.execution_options.preserve_order = True
        ctx.enable_progress_bars = False  # the driver draws its own bar, on a terminal only
        ctx.print_on_execution_start = False
        # one batch per block: each is its own task, so a kill loses only the batches in flight
        ds = ray.data.from_items(rows, override_num_blocks=len(rows))
        out = ds.map_batches(
            _SummarizeBatches,
            fn_constructor_kwargs=stage,
            batch_size=1,
            batch_format="numpy",
            compute=ray.data.ActorPoolStrategy(size=pool["workers"]),
            num_cpus=pool["num_cpus"],
            num_gpus=pool.get("num_gpus", 0),
        )
        self._rows = iter(out.iter_rows())

    def next(self) -> dict[str, Any]:
        row = next(self._rows)
        return {"batch": int(row["batch"]), "predictions": str(row["predictions"]), "error": str(row["error"])}


def cpu_share(node_cpus: Sequence[int], workers: int) -> int:
    """The most CPUs each of ``workers`` actors can reserve with all of them placed on the
    nodes (0 when they do not fit even with one CPU each).

    >>> cpu_share([16, 16], 4), cpu_share([16, 16], 3), cpu_share([16, 4], 3), cpu_share([2], 3)
    (8, 8, 5, 0)
    """
    for share in range(max(node_cpus, default=0), 0, -1):
        if sum(n // share for n in node_cpus) >= workers:
            return share
    return 0


class _SummarizeBatches:
    """The ``map_batches`` stage: built once per actor (the model loads here), then called
    with one batch of documents at a time."""

    def __init__(self, model: str, settings: dict[str, Any], num_points: int | None, limits: dict[str, Any]):
        from ..backends import get_summarizer

        self.job = Job(model, settings, num_points, Limits(**limits))
        self.error: SummarizerError | None = None
        try:
            self.summarizer = get_summarizer(model, **settings)
        except SummarizerError as e:
            self.error = e  # answered for each batch: an actor that dies starting is retried, noisily

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        import numpy as np

        out, errors = [], []
        for text in batch["documents"]:
            try:
                if self.error is not None:
                    raise self.error
                docs = [Document(doc_id, body, (), title) for doc_id, body, title in json.loads(text)]
                results = summarize_batch(self.summarizer, docs, self.job)
                out.append("".join(_to_line(r) + "\n" for r in results))
                errors.append("")
            except SummarizerError as e:
                # sent back as data: Ray would pass on only its text, inside pages of its own traceback
                out.append("")
                errors.append(json.dumps([type(e).__module__, type(e).__qualname__, str(e)]))
        return {"batch": batch["batch"], "predictions": np.array(out, dtype=object),
                "error": np.array(errors, dtype=object)}


def import_ray() -> Any:
    """``ray`` with Ray Data, or an :class:`EngineError` that says how to install it."""
    try:
        import ray
        import ray.data  # noqa: F401  (the [data] extra: pyarrow, pandas)
    except ImportError as e:
        raise EngineError(f"--engine ray needs Ray Data ({e.name or 'ray'} is not installed): {RAY_INSTALL}") from None
    return ray


def _check_model(job: Job) -> None:
    """Refuse an unknown model or setting before any worker starts."""
    from ..backends import make_settings, resolve

    resolved = resolve(job.resolved or job.model)
    make_settings(resolved.backend, {**resolved.implied, **job.settings})


def _to_line(result: Result) -> str:
    if isinstance(result, Failure):
        return json.dumps({"id": result.id, "error": result.message, "retry": result.retry}, ensure_ascii=False)
    return result.to_json()


def _prediction(line: str) -> Result:
    d = json.loads(line)
    if "error" in d:
        return Failure(d["id"], d["error"], bool(d.get("retry")))
    return Prediction(d["id"], tuple(d["summary"]), d.get("model"), d.get("settings", {}),
                      read_spans(d.get("spans"), len(d["summary"])))


def _rebuild(error: str) -> SummarizerError:
    """The error a worker sent back (module, class name, message), raised here as itself."""
    module, name, message = json.loads(error)
    cls = getattr(importlib.import_module(module), name, None)
    if not (isinstance(cls, type) and issubclass(cls, SummarizerError)):
        return EngineError(f"a Ray worker failed: {name}: {message}")
    for k in cls.__mro__:  # UnknownModelError takes (name, known); its base UsageError the message
        try:
            return k(message)
        except TypeError:
            continue
    return EngineError(message)


_RAISED = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception)): (.+)$")


def _worker_error(e: BaseException) -> EngineError:
    """A worker's unexpected exception (a bug, a node that died) in one line: Ray passes
    on only its text, inside its own traceback; the first non-Ray ``Type: message`` line."""
    for line in str(e).splitlines():
        m = _RAISED.match(line.strip())
        if m and not m.group(1).startswith("ray."):
            return EngineError(f"a Ray worker failed: {m.group(1).rpartition('.')[2]}: {m.group(2)}")
    return EngineError(f"Ray failed: {first_line(e)}")
