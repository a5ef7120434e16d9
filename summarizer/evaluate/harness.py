"""The stages put together: load a dataset → summarize (resumably) → score → report.

:func:`run_eval` is ``summarize eval``; :func:`score_predictions` is ``summarize score``.
Both return a :class:`~summarizer.evaluate.report.Report` and, given a folder, leave
``scores.jsonl``, ``report.json`` and ``report.md`` in it.
"""

from __future__ import annotations

import dataclasses
import json
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from ..article import Limits
from ..credentials import redact, refuse_credentials
from ..errors import InputError, ModelError, SummarizerError, UsageError
from .baselines import LEAD_NAME, ORACLE_NAME, lead3, oracle_summary
from .datasets import Dataset, Document, Fields, load_dataset
from .engines import Engine, Job, LocalEngine
from .progress import Progress
from .report import Report, ScoringSettings, build_report, write_report
from .rouge import Scorer
from .runs import (
    PREDICTIONS,
    RUN,
    SCORES,
    Failure,
    LogState,
    Prediction,
    PredictionLog,
    batches,
    make_folder,
    open_run,
    read_json,
    read_log,
    read_predictions,
    whole_lines,
    write_atomic,
)
from .scores import SystemScores, score_system, to_jsonl

Notify = Callable[[str], None]
# settings that pace an HTTP runtime's requests without changing an answer
PACING = frozenset({"concurrency", "request_timeout", "run_timeout", "retries"})


@dataclass(frozen=True)
class DatasetOptions:
    """Where the documents come from and how to read them."""

    spec: str
    fields: Fields = Fields()
    skip_bad: bool = False  # skip and count unusable records instead of stopping
    format: str = "auto"
    limit: int | None = None  # the first N documents
    sample: int | None = None  # or N documents at random, in the file's order
    sample_seed: int = 0

    def load(self) -> Dataset:
        for name, value in (("--limit", self.limit), ("--sample", self.sample)):
            if value is not None and value < 1:
                raise UsageError(f"{name} must be at least 1, got {value}")
        if self.limit is not None and self.sample is not None:
            raise UsageError("give --limit (the first N documents) or --sample (N at random), not both")
        dataset = load_dataset(self.spec, fields=self.fields, skip_bad=self.skip_bad, fmt=self.format)
        return dataset.head(self.limit) if self.sample is None else dataset.sample(self.sample, self.sample_seed)

    def identity(self, dataset: Dataset) -> dict[str, Any]:
        """Where the documents are (the resolved path, not its spelling) and what they are
        (a fingerprint of their content), and how they were read."""
        return {"path": resolved(self.spec), "fingerprint": dataset.fingerprint, "format": self.format,
                "fields": dataclasses.asdict(self.fields), "skip_bad": self.skip_bad, "limit": self.limit,
                **self._sampling()}

    def _sampling(self) -> dict[str, Any]:
        return {} if self.sample is None else {"sample": self.sample, "sample_seed": self.sample_seed}


def resolved(spec: str) -> str:
    """``spec`` as an absolute path with links resolved (``hf:`` names as they are)."""
    if spec.startswith("hf:"):
        return spec
    try:
        return str(Path(spec).expanduser().resolve())
    except (OSError, RuntimeError):  # a symlink loop: the spelling is all there is
        return spec


@dataclass(frozen=True)
class EvalOptions:
    """One ``summarize eval`` run."""

    data: DatasetOptions
    model: str
    out: Path
    settings: dict[str, Any] = field(default_factory=dict, hash=False)  # backend settings (-o)
    num_points: int | None = 3  # key points per summary: 3, as Lead-3
    docs_per_call: int = 16  # documents per summarize call: at most this many are redone after a kill
    resolved: Any = None  # the model resolved by the caller (a ResolvedModel), passed to the engine
    resume: bool = False
    scoring: ScoringSettings = ScoringSettings()
    oracle: bool = False
    jobs: int | None = None  # scoring processes; None: every core
    limits: Limits = Limits()  # the input ceiling: a bigger document fails alone

    def identity(self, dataset: Dataset) -> dict[str, Any]:
        """What must match for ``--resume`` to continue a run rather than mix two (not the
        pacing of requests to a server, which a resumed run may well change). The batch
        size is part of it: the extractive model's int8 vectors depend on a batch's articles."""
        settings = {k: v for k, v in self.settings.items() if k not in PACING}
        return {"dataset": self.data.identity(dataset), "model": self.model, "settings": settings,
                # "batch_size": the name run folders have recorded it under since the first release
                "num_points": self.num_points, "batch_size": self.docs_per_call}


def _warn_skipped(dataset: Dataset, notify: Notify | None) -> None:
    if dataset.skipped and notify:
        notify(f"skipped {len(dataset.skipped)} unusable records of {dataset.spec} (--skip-bad), "
               f"the first: {dataset.skipped[0]}")


def _dataset_info(data: DatasetOptions, dataset: Dataset, scored: int, missing: int) -> dict[str, Any]:
    return {"spec": data.spec, "format": dataset.format, "limit": data.limit, **data._sampling(),
            "documents": len(dataset),
            "scored": scored, "missing_predictions": missing, "skipped": len(dataset.skipped),
            "fields": dataclasses.asdict(data.fields), "skip_bad": data.skip_bad}  # to read it again (report.html)


def _score_all(
    name: str,
    docs: Sequence[Document],
    summaries: Sequence[Sequence[str]],
    scoring: ScoringSettings,
    *,
    oracle: bool,
    oracle_size: int,
    jobs: int | None,
) -> list[SystemScores]:
    """The system's scores, then Lead-3's, then the oracle's (when asked)."""
    rows = [
        score_system(name, "system", docs, summaries, scoring.rouge, jobs=jobs),
        score_system(LEAD_NAME, "baseline", docs, lead3(docs), scoring.rouge, jobs=jobs),
    ]
    if oracle:
        scorer = Scorer(scoring.rouge)
        picks = [oracle_summary(d, scorer, oracle_size) for d in docs]
        rows.append(score_system(ORACLE_NAME, "baseline", docs, picks, scoring.rouge, jobs=jobs))
    return rows


def _finish(out: Path | None, rows: list[SystemScores], report: Report, dataset: Dataset,
            scoring: ScoringSettings) -> Report:
    if out is not None:
        from .compare import compare_runs
        from .html_report import write_html_report

        write_atomic(out / SCORES, to_jsonl(rows))
        write_report(out, report)
        comparison = compare_runs([out], samples=scoring.samples, seed=scoring.seed, test=scoring.test,
                                  confidence=scoring.confidence)
        write_html_report(comparison, out, dataset=dataset)
    return report


def _check_resume(opts: EvalOptions, identity: dict[str, Any]) -> None:
    """Refuse to mix two runs in one folder."""
    run_file = opts.out / RUN
    preds = opts.out / PREDICTIONS
    started = run_file.exists() or preds.exists()
    if started and not opts.resume:
        raise UsageError(f"{opts.out} already holds a run; pass --resume to continue it, or choose another --out")
    if not started:
        return
    if not run_file.exists():
        raise InputError(f"{opts.out}: has {PREDICTIONS} but no {RUN}; it was not written by `summarize eval`")
    before = read_json(run_file).get("identity", {})
    diffs = [f"{k}: {before.get(k)!r} then, {v!r} now" for k, v in identity.items()
             if k in before and not _same(k, before[k], v)]  # a key older versions did not record is not checked
    if diffs:
        # masked: an older version may have recorded a credential in run.json
        raise UsageError(redact(f"{opts.out} holds a run with other options ({'; '.join(diffs)}); "
                                "resume with the same options, or choose another --out"))


def check_settings(opts: EvalOptions, command: str | None = None) -> None:
    """What can be refused before anything is written to a run folder: a credential in what
    the run records (the command, the model, the dataset's name, each setting), and settings
    the backend refuses (the model itself may refuse more when it loads: the folder is then
    left as it was, see :func:`~.runs.open_run`)."""
    from ..backends import make_settings, resolve

    if opts.docs_per_call < 1:
        raise UsageError(f"--docs-per-call must be at least 1, got {opts.docs_per_call}")
    for name, value in sorted(opts.settings.items()):
        refuse_credentials(f"the setting {name}", value)
    refuse_credentials("--model", opts.model)
    refuse_credentials("--dataset", opts.data.spec)
    if command is not None:
        refuse_credentials("the command line", command)
    resolved = resolve(opts.resolved or opts.model)
    make_settings(resolved.backend, {**resolved.implied, **opts.settings})


def _same(key: str, then: Any, now: Any) -> bool:
    if key == "dataset" and isinstance(then, dict) and "spec" in then and "path" not in then:
        # a run folder of an older version: it recorded the spelling of the path, no fingerprint
        then = {**{k: v for k, v in then.items() if k != "spec"}, "path": resolved(then["spec"]),
                "fingerprint": now.get("fingerprint")}
    return then == now


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value))


def run_eval(
    opts: EvalOptions,
    *,
    engine: Engine | None = None,
    command: str | None = None,
    notify: Notify | None = None,
    progress: bool | None = None,
) -> Report:
    """Summarize every document of the dataset with the model, appending to
    ``predictions.jsonl`` batch by batch (a resumed run skips what is there), then score
    the predictions, Lead-3 (and the oracle), and write the report.

    One process writes a run folder at a time: the folder is locked for the whole call
    (:func:`~.runs.lock_run`), and a second writer is refused at once. Batches are fixed by
    document index, and a batch a kill interrupted is redone whole, so a resumed run writes
    the same predictions, in the same order, as one never interrupted.

    ``engine`` summarizes the pending batches: :class:`~.engines.LocalEngine` (the
    default) in this process, :class:`~.engines.RayEngine` on Ray; the files and figures
    are the same either way.

    Nothing is written until the settings pass (:func:`check_settings`) and the dataset is
    read; ``run.json`` is written with the first batch the model answers. A run refused
    before then leaves ``out`` as it found it."""
    check_settings(opts, command)
    dataset = opts.data.load()
    _warn_skipped(dataset, notify)
    with open_run(opts.out):
        return _run_locked(opts, dataset, engine or LocalEngine(notify), command, notify, progress)


def _run_locked(opts: EvalOptions, dataset: Dataset, engine: Engine, command: str | None, notify: Notify | None,
                progress: bool | None) -> Report:
    identity = _jsonable(opts.identity(dataset))
    _check_resume(opts, identity)
    preds_path = opts.out / PREDICTIONS
    groups = list(batches(dataset.documents, opts.docs_per_call))
    done, rewrite, notes = _plan_log(preds_path, dataset, groups)
    started = False

    def start() -> None:
        """The first write of this command: once the model has answered (or need not)."""
        nonlocal started
        if started:
            return
        started = True
        if not (opts.out / RUN).exists():
            write_atomic(opts.out / RUN, json.dumps({"identity": identity}, indent=2, ensure_ascii=False) + "\n")
        if rewrite is not None:
            write_atomic(preds_path, rewrite)
        preds_path.touch(exist_ok=True)
        for note in notes if notify else ():
            notify(note)

    todo = [g for g in groups if not all(d.id in done for d in g)]
    failures: list[Failure] = []
    if todo:
        job = Job(opts.model, opts.settings, opts.num_points, opts.limits, resolved=opts.resolved)
        with ExitStack() as stack:
            bar = stack.enter_context(Progress(len(dataset), done=len(done), label="summarizing", enabled=progress))
            log: PredictionLog | None = None
            for results in engine.predict(todo, job):
                if log is None:
                    start()
                    log = stack.enter_context(PredictionLog(preds_path))
                log.append(r for r in results if isinstance(r, Prediction))
                for f in (r for r in results if isinstance(r, Failure)):
                    failures.append(f)
                    if notify:
                        then = " (not written, --resume tries it again)" if f.retry else ""
                        notify(redact(f"document {f.id!r} not summarized: {f.message}{then}"))
                bar.update(len(results))
    start()
    if failures and all(f.retry for f in failures):  # a server down, a timeout: nothing to fix in the documents
        raise ModelError(
            f"{len(failures)} of {len(dataset)} documents could not be summarized (the first: {failures[0].id!r}): "
            f"the model run failed on them (see above); the others are in {preds_path}: rerun with --resume to try "
            "them again"
        )
    if failures:
        raise SummarizerError(
            f"{len(failures)} of {len(dataset)} documents could not be summarized (the first: {failures[0].id!r}); "
            f"the others are in {preds_path}; fix or drop those documents (or raise the ceiling), then --resume"
        )
    done = _in_dataset_order(preds_path, dataset)

    docs = list(dataset.documents)
    rows = _score_all(opts.model, docs, [done[d.id].summary for d in docs], opts.scoring, oracle=opts.oracle,
                      oracle_size=opts.num_points or 3, jobs=opts.jobs)
    first = done[docs[0].id]
    run = {"model": opts.model, "options": opts.settings, "num_points": opts.num_points,
           "backend_settings": first.settings}
    report = build_report(rows, opts.scoring, dataset=_dataset_info(opts.data, dataset, len(docs), 0), run=run,
                          command=command)
    return _finish(opts.out, rows, report, dataset, opts.scoring)


def _own_log(path: Path, dataset: Dataset, data: bytes | None = None) -> LogState:
    state = read_log(path, data)
    unknown = [i for i in state.rows if i not in dataset.by_id]
    if unknown:
        raise InputError(f"{path}: prediction for {unknown[0]!r}, which is not in the dataset; "
                         "was the dataset changed? start a new run with another --out")
    return state


def _plan_log(path: Path, dataset: Dataset,
              groups: list[Sequence[Document]]) -> tuple[dict[str, Prediction], str | None, list[str]]:
    """The predictions of the batches already whole in the log, read without changing it; the
    text the log is to be rewritten to before this run appends to it (None: it is fine as it
    is), and what to say of that. The rewrite drops a torn last line, repeated ids (older
    versions let two runs write one folder) and the rows of a batch a kill interrupted
    (redone whole, as an uninterrupted run summarizes it)."""
    data = path.read_bytes() if path.exists() else b""
    complete = whole_lines(data)
    state = _own_log(path, dataset, complete)
    whole = {d.id for g in groups if all(d.id in state.rows for d in g) for d in g}
    partial = len(state.rows) - len(whole)
    torn = len(data) - len(complete)
    notes = []
    if torn:
        notes.append(f"{path}: cut off a torn last line ({torn} bytes) left by an interrupted run")
    if state.duplicates:
        notes.append(f"{path}: dropped {state.duplicates} repeated predictions (kept each id's first complete row)")
    if partial:
        notes.append(f"{path}: redoing the {partial} predictions of an interrupted batch (batches are summarized "
                     "whole, so that a resumed run writes what an uninterrupted one does)")
    rewrite = None
    if notes:
        rewrite = "".join(raw.decode("utf-8") for i, (_, raw) in state.rows.items() if i in whole)
    return {i: p for i, (p, _) in state.rows.items() if i in whole}, rewrite, notes


def _in_dataset_order(path: Path, dataset: Dataset) -> dict[str, Prediction]:
    """Every document's prediction; the log rewritten in dataset order if batches were
    redone out of order (a failed document retried), so the file is the uninterrupted one."""
    state = _own_log(path, dataset)
    missing = [d.id for d in dataset.documents if d.id not in state.rows]
    if missing:  # cannot happen unless the file was edited while the run went on
        raise InputError(f"{path}: no prediction for {len(missing)} documents (e.g. {missing[0]!r}); rerun with --resume")
    text = "".join(state.rows[d.id][1].decode("utf-8") for d in dataset.documents)
    if state.duplicates or text.encode("utf-8") != path.read_bytes():
        write_atomic(path, text)
    return {i: p for i, (p, _) in state.rows.items()}


def score_predictions(
    predictions: Path,
    data: DatasetOptions,
    *,
    name: str | None = None,
    id_field: str = "id",
    summary_field: str = "summary",
    where: dict[str, str] | None = None,
    scoring: ScoringSettings = ScoringSettings(),
    oracle: bool = False,
    jobs: int | None = None,
    out: Path | None = None,
    command: str | None = None,
    notify: Notify | None = None,
) -> Report:
    """Score existing predictions (another system's outputs) against the dataset."""
    if command is not None:
        refuse_credentials("the command line", command)  # before it is recorded in out
    dataset = data.load()
    _warn_skipped(dataset, notify)
    preds = read_predictions(Path(predictions), id_field=id_field, summary_field=summary_field, where=where)
    by_id = {p.id: p for p in preds}
    unknown = [p.id for p in preds if p.id not in dataset.by_id]
    if unknown:
        raise InputError(f"{predictions}: {len(unknown)} predictions have ids that are not in {data.spec} "
                         f"(e.g. {unknown[0]!r}); is it the right dataset (or --limit too small)?")
    docs = [d for d in dataset.documents if d.id in by_id]
    missing = len(dataset) - len(docs)
    if missing and notify:
        notify(f"{missing} of {len(dataset)} documents of {data.spec} have no prediction; scoring the {len(docs)} that do")
    name = name or (where and "+".join(where.values())) or Path(predictions).stem
    rows = _score_all(name, docs, [by_id[d.id].summary for d in docs], scoring, oracle=oracle, oracle_size=3, jobs=jobs)
    run = {"predictions": str(predictions), "where": where or {}, "name": name}
    report = build_report(rows, scoring, dataset=_dataset_info(data, dataset, len(docs), missing), run=run,
                          command=command)
    if out is not None:
        make_folder(Path(out))
        # the predictions scored, so that report.html can show them beside the article
        write_atomic(Path(out) / PREDICTIONS, "".join(by_id[d.id].to_json() + "\n" for d in docs))
    return _finish(Path(out) if out is not None else None, rows, report, dataset, scoring)
