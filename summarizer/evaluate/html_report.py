"""``report.html``: one standalone page for one run or a comparison of several.

The page is a single file that works offline and from ``file://``: its styles, script,
plots (PNG, base64) and data are inline, and a Content-Security-Policy forbids it any
request. It shows, without JavaScript, the table of runs with intervals and significance,
the plots, the scorer signature, the dataset and each run's model, settings and command;
with JavaScript, a per-document explorer (sort, filter, best and worst documents, and one
document at a time: article, human key points and each run's key points side by side).

The markup is in ``templates/report.html`` (with ``report.css`` and ``report.js``),
rendered by Jinja2 with autoescaping: article and summary text is data, never markup.
Data travels in two blocks:

* ``table`` (JSON): document ids and every run's per-document F1 (x 10,000, rounded) and
  length, what the explorer sorts and filters; small, parsed at load;
* ``texts`` (gzip, base64): one JSON line per document with its article, references, each
  run's key points and their offsets in the article; decompressed in the browser after
  the first paint and parsed one document at a time, so that 11,490 CNN/DailyMail
  articles keep the page well under 40 MB and quick to open.

The page holds no clock time: the same runs give the same bytes.
"""

from __future__ import annotations

import base64
import gzip
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from ..errors import InputError
from .baselines import LEAD_NAME
from .compare import ALPHA, Comparison, figures
from .datasets import Dataset, Document, Fields, load_dataset
from .report import LABELS, fmt_interval
from .runs import PREDICTIONS, Prediction, read_predictions, write_atomic

REPORT_HTML = "report.html"
_SCALE = 10_000  # scores travel as round(F1 x 10,000): four digits, a quarter of the bytes of a float

Notify = Callable[[str], None]


@dataclass(frozen=True)
class Texts:
    """What the explorer shows of one run's documents: key points and their offsets."""

    key_points: dict[str, tuple[str, ...]]  # by document id
    spans: dict[str, tuple[tuple[tuple[int, int], ...], ...]]
    note: str | None = None  # why there are none


def _script_json(value: Any) -> str:
    """JSON that can sit inside ``<script>``: no ``<``, ``>`` or ``&`` that could end it.

    >>> _script_json({"a": "</script>"})
    '{"a":"\\\\u003c/script\\\\u003e"}'
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def load_report_dataset(comparison: Comparison, spec: str | None = None) -> tuple[Dataset | None, str | None]:
    """The first run's dataset (or ``spec``), read as the run read it; ``(None, why)`` when
    it cannot be read: the report is then written without articles."""
    info = comparison.runs[0].report.dataset
    spec = spec or info.get("spec")
    if not spec:
        return None, "the run does not name its dataset"
    f = info.get("fields") or {}
    fields = Fields(id=f.get("id", "id"), article=tuple(f.get("article", Fields.article)),
                    references=tuple(f.get("references", ())))
    try:
        dataset = load_dataset(spec, fields=fields, skip_bad=bool(info.get("skip_bad")),
                               fmt=info.get("format", "auto"))
    except InputError as e:
        return None, f"the dataset could not be read ({e})"
    return dataset, None


def _run_texts(path: Path) -> Texts:
    preds_path = path / PREDICTIONS
    if not preds_path.exists():
        return Texts({}, {}, f"{preds_path} is missing")
    try:
        preds: list[Prediction] = read_predictions(preds_path)
    except InputError as e:
        return Texts({}, {}, str(e))
    return Texts({p.id: p.summary for p in preds}, {p.id: p.spans for p in preds if any(p.spans)})


def _lead_texts(docs: Sequence[Document]) -> Texts:
    """Lead-3's key points and offsets, computed again (the run keeps only their scores)."""
    from .baselines import lead3_summaries

    summaries = lead3_summaries(docs)
    return Texts({d.id: tuple(s.texts) for d, s in zip(docs, summaries)},
                 {d.id: tuple(k.spans for k in s.key_points) for d, s in zip(docs, summaries)})


def _texts_blob(ids: Sequence[str], dataset: Dataset | None, texts: Sequence[Texts]) -> str:
    """One JSON line per document: [article, references, key points per run, offsets per run]."""
    lines = []
    for i in ids:
        doc = dataset.by_id.get(i) if dataset is not None else None
        lines.append(_script_json([
            doc.body if doc else None,
            [list(r) for r in doc.references] if doc else None,
            [list(t.key_points[i]) if i in t.key_points else None for t in texts],
            [[[list(s) for s in point] for point in t.spans[i]] if i in t.spans else None for t in texts],
        ]))
    data = gzip.compress("\n".join(lines).encode("utf-8"), compresslevel=6, mtime=0)  # mtime=0: same bytes
    return base64.b64encode(data).decode("ascii")


def _run_info(comparison: Comparison) -> list[dict[str, Any]]:
    out = []
    for row, run in zip(comparison.rows, comparison.runs):
        r = run.report.run
        model = r.get("model") or f"predictions {r.get('predictions')}" + (
            f" where {', '.join(f'{k}={v}' for k, v in r['where'].items())}" if r.get("where") else "")
        settings = {k: v for k, v in r.items() if k not in ("model", "predictions", "where", "name")}
        out.append({"label": row.label, "path": str(run.path), "model": model,
                    "settings": json.dumps(settings, indent=1, ensure_ascii=False, sort_keys=True),
                    "command": run.report.command, "dataset": run.report.dataset.get("spec"),
                    "documents": run.report.dataset.get("scored")})
    return out


def _table_rows(comparison: Comparison) -> list[dict[str, Any]]:
    rows = []
    for i, row in enumerate(comparison.rows):
        cells = []
        for m in comparison.metrics:
            t = row.versus_first.get(m)
            cells.append({"text": fmt_interval(row.f1[m]), "significant": t is not None and t.p_value < ALPHA,
                          "test": f"{100 * t.delta:+.2f} against the first run, p = {t.p_value:.3f}" if t else ""})
        words = sum(d.words for d in row.scores.documents) / len(row.scores.documents)
        rows.append({"index": i, "label": row.label, "role": row.role, "cells": cells, "words": f"{words:.1f}"})
    return rows


def render(
    comparison: Comparison,
    *,
    dataset: Dataset | None,
    dataset_note: str | None = None,
    metric: str = "rougeLsum",
    images: dict[str, bytes] | None = None,
) -> str:
    """The page for ``comparison`` (see the module doc); ``dataset`` None: no articles,
    and ``dataset_note`` says why."""
    import jinja2  # here, not at import: only the report needs it

    ids = comparison.rows[0].scores.ids
    texts = [_run_texts(run.path) for run in comparison.runs]
    for row in comparison.rows[len(comparison.runs):]:
        if row.scores.name == LEAD_NAME and dataset is not None:
            texts.append(_lead_texts([dataset.by_id[i] for i in ids if i in dataset.by_id]))
        else:
            texts.append(Texts({}, {}, "its key points are not kept in the run"))
    table = {
        "ids": ids,
        "metric": metric,
        "metrics": list(comparison.metrics),
        "labels": {m: LABELS.get(m, m) for m in comparison.metrics},
        "runs": [{"label": r.label, "role": r.role, "extractive": bool(t.spans), "note": t.note}
                 for r, t in zip(comparison.rows, texts)],
        "scores": {m: [[round(_SCALE * v) for v in r.scores.column(m)] for r in comparison.rows]
                   for m in comparison.metrics},
        "words": [[d.words for d in r.scores.documents] for r in comparison.rows],
        "scale": _SCALE,
        "articles": dataset is not None,
    }
    first = comparison.runs[0].report
    env = jinja2.Environment(loader=jinja2.PackageLoader("summarizer.evaluate", "templates"),
                             autoescape=True, keep_trailing_newline=True, undefined=jinja2.StrictUndefined)
    static = {name: env.loader.get_source(env, name)[0] for name in ("report.css", "report.js")}
    return env.get_template("report.html").render(
        title=" vs ".join(r.label for r in comparison.rows[:len(comparison.runs)]),
        metrics=[LABELS.get(m, m) for m in comparison.metrics],
        rows=_table_rows(comparison),
        runs=_run_info(comparison),
        documents=comparison.documents,
        confidence=f"{100 * comparison.confidence:g}",
        samples=comparison.samples,
        seed=comparison.seed,
        test=comparison.test,
        alpha=ALPHA,
        signature=comparison.signature,
        dataset_spec=first.dataset.get("spec"),
        dataset_note=dataset_note,
        images=[{"name": n, "data": base64.b64encode(b).decode("ascii")} for n, b in (images or {}).items()],
        css=_markup(static["report.css"]),
        js=_markup(static["report.js"]),
        table_json=_markup(_script_json(table)),
        texts_b64=_markup(_texts_blob(ids, dataset, texts)),
    )


def _markup(text: str) -> Any:
    from markupsafe import Markup

    return Markup(text)


def write_html_report(
    comparison: Comparison,
    out: Path,
    *,
    dataset: Dataset | None = None,
    dataset_spec: str | None = None,
    metric: str = "rougeLsum",
    images: dict[str, bytes] | None = None,
    notify: Notify | None = None,
) -> Path:
    """Write ``out/report.html`` for ``comparison`` (of one run or several).

    ``dataset``: the documents already in memory (``eval``, ``score``); otherwise the
    first run's dataset is read again (or ``dataset_spec``), and when it cannot be, the
    page says so and shows no articles. ``images``: the plots, when already drawn."""
    metric = metric if metric in comparison.metrics else comparison.metrics[-1]
    note = None
    if dataset is None:
        dataset, why = load_report_dataset(comparison, dataset_spec)
        if why:
            note = f"No articles in this report: {why}"
            if notify:
                notify(f"{why}; writing {REPORT_HTML} without articles")
    ids = comparison.rows[0].scores.ids
    missing = sum(1 for i in ids if dataset is not None and i not in dataset.by_id)
    if dataset is not None and missing:
        note = f"{missing} of the {len(ids)} documents are not in {dataset.spec}: shown without their article"
        if notify:
            notify(f"{note} in {REPORT_HTML}")
    if images is None:
        images = figures(comparison, metric=metric)
    page = render(comparison, dataset=dataset, dataset_note=note, metric=metric, images=images)
    Path(out).mkdir(parents=True, exist_ok=True)
    path = Path(out) / REPORT_HTML
    write_atomic(path, page)
    return path
