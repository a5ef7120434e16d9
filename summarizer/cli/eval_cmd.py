"""``summarize eval``: summarize a dataset with a model and score the key points with ROUGE.

The harness (``summarizer.evaluate``) is imported inside the command, so ``--help`` and
the other commands do not pay for numpy and rouge-score.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..backends import DEFAULT_MODEL
from . import cli
from .options import (NumPoints, command_line, dataset_options, limit_options, parse_settings, scoring_options,
                      settings_with_flags, warn)


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
@click.option("--docs-per-call", type=click.IntRange(min=1), default=16, show_default=True,
              help="Documents handed to the model per call, written together: a kill loses at most this many.")
@click.option("--batch-size", type=click.IntRange(min=1), default=None,
              help="The model's own batch, as in `summarize FILE` (sentences, windows, conversations): "
                   "the backend's batch_size setting.")
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
def eval_command(data: Any, model: str, out: Path, resume: bool, num_points: int | None, options: tuple[str, ...],
                 docs_per_call: int, batch_size: int | None, api_base: str | None, concurrency: int | None,
                 engine: str, address: str | None, workers: int | None, max_chars: int, max_sentences: int,
                 scoring: Any, oracle: bool, jobs: int | None) -> None:
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
    from ..backends import resolve
    from ..evaluate import EvalOptions, run_eval
    from ..evaluate.engines import LocalEngine, RayEngine, import_ray

    if engine == "ray":
        import_ray()  # before the dataset is read: a missing extra is said at once
        runner = RayEngine(address, workers)
    elif address is not None or workers is not None:
        raise click.UsageError(f"--{'address' if address is not None else 'workers'} applies to --engine ray")
    else:
        runner = LocalEngine(notify=warn)
    command = command_line(click.get_current_context())
    resolved = resolve(model)  # once: the settings, the check and the local engine use this
    flags = {k: v for k, v in {"batch_size": batch_size, "api_base": api_base, "concurrency": concurrency}.items()
             if v is not None}
    settings = settings_with_flags(resolved, parse_settings(resolved, options), flags)
    opts = EvalOptions(data, model, out, settings=settings, num_points=num_points, docs_per_call=docs_per_call,
                       resolved=resolved, resume=resume, scoring=scoring, oracle=oracle, jobs=jobs,
                       limits=Limits(max_chars, max_sentences))
    report = run_eval(opts, engine=runner, command=command, notify=warn)
    click.echo(report.to_markdown(), nl=False)
    click.echo(f"wrote {out}/report.json, report.md and report.html", err=True)
