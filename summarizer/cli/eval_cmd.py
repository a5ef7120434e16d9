"""``summarize eval``, ``summarize score`` and ``summarize compare``: the evaluation harness.

The harness (``summarizer.evaluate``) is imported inside the commands, so ``--help`` and
the other commands do not pay for numpy and rouge-score.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any, Callable

import click

from ..backends import DEFAULT_MODEL
from . import cli
from .options import parse_settings
from .run_cmd import limit_options, settings_with_flags

_METRICS = ("rouge1", "rouge2", "rougeL", "rougeLsum")
# options that cannot change a figure, left out of the recorded command (a Ray run's report is a local run's)
_NOT_RECORDED = {"resume", "jobs", "engine", "address", "workers", "concurrency"}


def _warn(msg: str) -> None:
    click.echo(f"Warning: {msg}", err=True)


def _command_line(ctx: click.Context) -> str:
    """The command that reproduces these figures: the arguments and every option not at
    its default."""
    parts = ["summarize", ctx.info_name or ctx.command.name or ""]  # as installed, whatever ran it
    for p in ctx.command.params:
        value = ctx.params.get(p.name)
        if isinstance(p, click.Argument):
            parts += [str(v) for v in value] if isinstance(value, tuple) else [str(value)]
            continue
        if value is None and isinstance(p.type, NumPoints):
            value = "auto"  # None is what "auto" converts to, and not the default
        if p.name in _NOT_RECORDED or value in (None, ()) or value == p.default:
            continue
        assert isinstance(p, click.Option)
        name = max(p.opts, key=len)  # the long form reads better in a report
        if p.is_flag:
            if value or p.secondary_opts:  # a plain flag that is off is not written
                parts.append(name if value else max(p.secondary_opts, key=len))
            continue
        for v in value if isinstance(value, tuple) else (value,):
            parts += [name, str(v)]
    return shlex.join(parts)


class NumPoints(click.ParamType):
    """A positive number of key points, or ``auto`` (the model decides)."""

    name = "N|auto"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int | None:
        if value is None or isinstance(value, int) and value >= 1:
            return value
        if str(value).strip().lower() == "auto":
            return None
        try:
            n = int(value)
        except ValueError:
            n = 0
        if n < 1:
            self.fail(f"{value!r}: give a positive number of key points, or auto", param, ctx)
        return n


def _pairs(values: tuple[str, ...], option: str) -> dict[str, str]:
    out = {}
    for v in values:
        key, sep, value = v.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{v!r}: expected FIELD=VALUE", param_hint=option)
        out[key] = value
    return out


def _metrics(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None  # the implementation's own
    names = tuple(m.strip() for m in value.split(",") if m.strip())
    unknown = [m for m in names if m not in _METRICS]
    if unknown or not names:
        raise click.BadParameter(f"{value!r}: choose from {', '.join(_METRICS)} (comma-separated)", param_hint="--metrics")
    return names


def dataset_options(f: Callable) -> Callable:
    """--dataset and how to read it."""
    options = [
        click.option("--dataset", "-d", required=True, metavar="D",
                     help="A .jsonl/.csv/.tsv file, a folder of CNN/DailyMail .story files, a folder of .txt "
                          "articles in the CNBC layout, or hf:NAME[:CONFIG[:SPLIT]] / hf:SAVED_DIR[:SPLIT] "
                          "(needs `pip install 'summarizer[hf]'`)."),
        click.option("--dataset-format", type=click.Choice(["auto", "jsonl", "csv", "tsv", "stories", "cnbc", "hf"]),
                     default="auto", show_default=True, help="How to read --dataset; auto goes by its name."),
        click.option("--id-field", default="id", show_default=True,
                     help="Field with the document id; '' numbers the records 1, 2, 3 ..."),
        click.option("--article-field", default=None,
                     help="Field with the article text  [default: article, else text]"),
        click.option("--reference-field", "reference_fields", multiple=True,
                     help="Field with the human key points (a list, or a newline-separated string; a list of "
                          "lists is several references). Repeat it for several references, one per field  "
                          "[default: highlights, else key_points]"),
        click.option("--skip-bad", is_flag=True,
                     help="Skip unusable records (bad JSON, missing or empty fields, repeated ids) and count "
                          "them, instead of stopping at the first with its file and line."),
        click.option("--limit", type=click.IntRange(min=1), default=None,
                     help="Only the first N documents of the dataset."),
        click.option("--sample", type=click.IntRange(min=1), default=None,
                     help="Only N documents drawn at random (seeded), kept in the file's order: a fair slice of a "
                          "file sorted by source (CNN/DailyMail lists its CNN stories first)."),
        click.option("--sample-seed", type=int, default=0, show_default=True, help="Seed of --sample."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def scoring_options(f: Callable) -> Callable:
    """How ROUGE is computed and aggregated."""
    options = [
        click.option("--implementation", type=click.Choice(["rouge-score", "rouge155"]), default="rouge-score",
                     show_default=True,
                     help="rouge-score: Google's rules; rouge155: the perl ROUGE-1.5.5's own per-document numbers "
                          "(papers' tables), in pure Python."),
        click.option("--metrics", default=None,
                     help="ROUGE metrics, comma-separated  [default: rouge1,rouge2,rougeL,rougeLsum; with rouge155 "
                          "rouge1,rouge2,rougeLsum (its ROUGE-L is summary-level)]"),
        click.option("--stem/--no-stem", default=True, show_default=True,
                     help="Porter stemming (as ROUGE-1.5.5 -m and the published tables)."),
        click.option("--tokenizer", type=click.Choice(["default", "unicode"]), default="default", show_default=True,
                     help="default: rouge-score's, which keeps only ASCII letters and digits (a summary in "
                          "another script scores 0); unicode: keeps letters and digits of every script."),
        click.option("--multi-ref", type=click.Choice(["max", "mean", "A", "B"]), default=None,
                     help="With several references per document: rouge-score's max (the best one per metric) or "
                          "mean; rouge155's A (-f A: counts pooled over references) or B (-f B: the best recall)  "
                          "[default: max; A with rouge155]"),
        click.option("--remove-stopwords", is_flag=True,
                     help="With rouge155: drop the SMART stopwords first (ROUGE-1.5.5 -s)."),
        click.option("--word-limit", type=click.IntRange(min=1), default=None,
                     help="With rouge155: only the first N words of each summary and reference (-l N)."),
        click.option("--byte-limit", type=click.IntRange(min=1), default=None,
                     help="With rouge155: only the first N bytes of each summary and reference (-b N)."),
        click.option("--samples", type=click.IntRange(min=1), default=1000, show_default=True,
                     help="Bootstrap resamples for the confidence intervals (and trials of the paired test)."),
        click.option("--seed", type=int, default=0, show_default=True,
                     help="Seed of the bootstrap and the paired test: the same figures on every run."),
        click.option("--test", "test", type=click.Choice(["randomization", "bootstrap"]), default="randomization",
                     show_default=True, help="Paired significance test against Lead-3."),
        click.option("--oracle", is_flag=True,
                     help="Add the greedy extractive oracle row (BertSum's; a ceiling that reads the references)."),
        click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
                     help="Scoring processes  [default: every core]"),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _data_options(kw: dict[str, Any]):
    from ..evaluate import DatasetOptions, Fields

    article = (kw.pop("article_field"),) if kw.get("article_field") else Fields.article
    id_field = kw.pop("id_field")
    fields = Fields(id=id_field or None, article=article, references=tuple(kw.pop("reference_fields")))
    return DatasetOptions(kw.pop("dataset"), fields, kw.pop("skip_bad"), kw.pop("dataset_format"), kw.pop("limit"),
                          kw.pop("sample"), kw.pop("sample_seed"))


def _scoring(kw: dict[str, Any]):
    from ..evaluate import RougeConfig, ScoringSettings

    rouge = RougeConfig(metrics=_metrics(kw.pop("metrics")), stemming=kw.pop("stem"), tokenizer=kw.pop("tokenizer"),
                        multi_ref=kw.pop("multi_ref"), implementation=kw.pop("implementation"),
                        stopwords=kw.pop("remove_stopwords"), word_limit=kw.pop("word_limit"),
                        byte_limit=kw.pop("byte_limit"))
    return ScoringSettings(rouge, samples=kw.pop("samples"), seed=kw.pop("seed"), test=kw.pop("test"))


@cli.command("eval")
@dataset_options
@click.option("--model", "-m", default=DEFAULT_MODEL, show_default=True,
              help="Model: a registered name (see `summarize models`) or a checkpoint directory.")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for predictions.jsonl, scores.jsonl, report.json, report.md and report.html.")
@click.option("--resume", is_flag=True,
              help="Continue the run in --out where it stopped (after a crash or a kill).")
@click.option("--num-points", "-n", type=NumPoints(), default=3, show_default=True,
              help="Key points per summary, or auto to let the model decide (3 compares with Lead-3).")
@click.option("-o", "--option", "options", multiple=True, metavar="KEY=VALUE",
              help="A model setting, e.g. -o batch_size=32 (see `summarize models`).")
@click.option("--batch-size", type=click.IntRange(min=1), default=16, show_default=True,
              help="Documents per summarize call, written together: a kill loses at most this many.")
@click.option("--api-base", default=None, metavar="URL",
              help="With --model openai:NAME: the OpenAI-compatible server (the key, if any, from OPENAI_API_KEY).")
@click.option("--concurrency", type=click.IntRange(min=1), default=None,
              help="With --model openai:NAME: requests open at once [default: 4].")
@click.option("--engine", type=click.Choice(["local", "ray"]), default="local", show_default=True,
              help="local: the model in this process; ray: Ray Data actors holding one model each, on a "
                   "local Ray instance or a cluster (needs `pip install 'summarizer[ray]'`). Same files either way.")
@click.option("--address", default=None, metavar="auto|ray://HOST:PORT",
              help="With --engine ray: auto joins the cluster started on this machine (`ray start`); "
                   "ray://HOST:PORT a remote one through Ray Client  [default: a Ray instance for this run]")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="With --engine ray: model workers  [default: one per CPU, or per GPU with -o device=cuda]")
@limit_options
@scoring_options
def eval_command(**kw: Any) -> None:
    """Summarize every article of a dataset with a model and score the key points with
    ROUGE against the human ones.

    \b
    summarize eval --dataset dev.jsonl --model lead --out runs/lead
    summarize eval -d dev.jsonl -m extractive --out runs/ext --limit 100 --oracle
    summarize eval -d dev.jsonl -m extractive --out runs/ext --resume   # after a kill
    summarize eval -d dev.jsonl -m extractive --out runs/ext --engine ray --workers 4

    Prints the report and leaves in --out: predictions.jsonl (id, key points, settings;
    appended batch by batch), scores.jsonl (per document), report.json (means, seeded
    bootstrap intervals, tests against Lead-3, scorer signature) and report.md. A progress
    bar shows on a terminal.

    One run writes a folder at a time: a second `eval` on the same --out is refused at
    once, naming the process that holds it. A document that cannot be summarized (over
    the input ceiling, a model error) is named on stderr; the others are written, and the
    exit code is 1.
    """
    from ..article import Limits
    from ..evaluate import EvalOptions, run_eval
    from ..evaluate.engines import LocalEngine, RayEngine, import_ray

    if kw["engine"] == "ray":
        import_ray()  # before the dataset is read: a missing extra is said at once
        engine = RayEngine(kw["address"], kw["workers"])
    elif kw["address"] is not None or kw["workers"] is not None:
        raise click.UsageError(f"--{'address' if kw['address'] is not None else 'workers'} applies to --engine ray")
    else:
        engine = LocalEngine(notify=_warn)
    command = _command_line(click.get_current_context())
    data = _data_options(kw)
    scoring = _scoring(kw)
    server = {k: kw.pop(k) for k in ("api_base", "concurrency") if kw[k] is not None}
    settings = settings_with_flags(kw["model"], parse_settings(kw["model"], kw["options"]), server)
    opts = EvalOptions(data, kw["model"], kw["out"], settings=settings,
                       num_points=kw["num_points"], batch_size=kw["batch_size"], resume=kw["resume"],
                       scoring=scoring, oracle=kw["oracle"], jobs=kw["jobs"],
                       limits=Limits(kw["max_chars"], kw["max_sentences"]))
    report = run_eval(opts, engine=engine, command=command, notify=_warn)
    click.echo(report.to_markdown(), nl=False)
    click.echo(f"wrote {kw['out']}/report.json, report.md and report.html", err=True)


@cli.command("score")
@click.option("--predictions", "-p", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="JSONL with an id and a summary (a string with one sentence a line, or a list) per line.")
@dataset_options
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="table: the Markdown report; json: report.json.")
@click.option("--where", "where", multiple=True, metavar="FIELD=VALUE",
              help="Only the predictions whose FIELD equals VALUE, e.g. --where system=NAME for a file that "
                   "holds several systems.")
@click.option("--summary-field", default="summary", show_default=True, help="Field with the summary.")
@click.option("--prediction-id-field", default="id", show_default=True, help="Field with the document id.")
@click.option("--name", default=None, help="The system's name in the report  [default: the --where values, "
                                           "else the file name]")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Also write predictions.jsonl, scores.jsonl, report.json, report.md and report.html to this "
                   "folder (for `summarize compare`).")
@scoring_options
def score_command(**kw: Any) -> None:
    """Score existing predictions (another system's outputs) against a dataset.

    \b
    summarize score -p outputs.jsonl -d dev.jsonl
    summarize score -p outputs.jsonl -d dev.jsonl --where system=NAME --out runs/NAME -f json

    Documents without a prediction are left out (with a warning); a prediction whose id is
    not in the dataset is an error.
    """
    from ..evaluate import score_predictions

    command = _command_line(click.get_current_context())
    where = _pairs(kw["where"], "--where")
    data = _data_options(kw)
    scoring = _scoring(kw)
    report = score_predictions(kw["predictions"], data, name=kw["name"], id_field=kw["prediction_id_field"],
                               summary_field=kw["summary_field"], where=where, scoring=scoring, oracle=kw["oracle"],
                               jobs=kw["jobs"], out=kw["out"], command=command, notify=_warn)
    if kw["fmt"] == "json":
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(report.to_markdown(), nl=False)


@cli.command("compare")
@click.argument("runs", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--format", "-f", "fmt", type=click.Choice(["markdown", "html"]), default="markdown",
              show_default=True, help="The table printed.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Write report.html (one standalone page: the table, the plots and every document), "
                   "compare.md and the PNG plots to this folder.")
@click.option("--dataset", "-d", "dataset_spec", default=None, metavar="D",
              help="With --out: the dataset whose articles report.html shows  [default: the first run's, "
                   "read as it was read]")
@click.option("--metric", type=click.Choice(list(_METRICS)), default="rougeLsum", show_default=True,
              help="The metric plotted (and first shown in report.html).")
@click.option("--test", type=click.Choice(["randomization", "bootstrap"]), default="randomization",
              show_default=True, help="Paired significance test against the first run.")
@click.option("--samples", type=click.IntRange(min=1), default=1000, show_default=True,
              help="Bootstrap resamples and test trials.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the bootstrap and the test.")
def compare_command(runs: tuple[Path, ...], fmt: str, out: Path | None, dataset_spec: str | None, metric: str,
                    test: str, samples: int, seed: int) -> None:
    """One table of several runs (eval or score --out folders) on the same documents: mean
    F1 with confidence intervals, a * where a run differs significantly from the first,
    and the first run's Lead-3 row; with --out, also report.html, a standalone page with
    the table, plots of the per-document scores and of summary length against ROUGE, and
    every document with each run's key points beside the article.

    \b
    summarize compare runs/lead runs/ext
    summarize compare runs/lead runs/ext --out cmp/    # then open cmp/report.html
    """
    from ..evaluate.compare import compare_runs, figures
    from ..evaluate.html_report import write_html_report

    if dataset_spec is not None and out is None:
        raise click.UsageError("--dataset names the articles of report.html: give --out too")
    comparison = compare_runs(list(runs), samples=samples, seed=seed, test=test)
    click.echo(comparison.to_html() if fmt == "html" else comparison.to_markdown(), nl=False)
    if out is not None:
        from ..evaluate.runs import make_folder

        make_folder(out)
        (out / "compare.md").write_text(comparison.to_markdown(), encoding="utf-8")
        images = figures(comparison, metric=metric)
        for name, data in images.items():
            (out / name).write_bytes(data)
            click.echo(f"wrote {out / name}", err=True)
        page = write_html_report(comparison, out, dataset_spec=dataset_spec, metric=metric, images=images,
                                 notify=_warn)
        click.echo(f"wrote {page}", err=True)
