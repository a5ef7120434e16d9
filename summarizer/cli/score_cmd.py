"""``summarize score``: score existing predictions (another system's outputs) against a dataset."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from . import cli
from .options import command_line, dataset_options, pairs, scoring_options, warn


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
def score_command(predictions: Path, data: Any, fmt: str, where: tuple[str, ...], summary_field: str,
                  prediction_id_field: str, name: str | None, out: Path | None, scoring: Any, oracle: bool,
                  jobs: int | None) -> None:
    """Score existing predictions (another system's outputs) against a dataset.

    \b
    summarize score -p outputs.jsonl -d dev.jsonl
    summarize score -p outputs.jsonl -d dev.jsonl --where system=NAME --out runs/NAME -f json

    Documents without a prediction are left out (with a warning); a prediction whose id is
    not in the dataset is an error.
    """
    from ..evaluate import score_predictions

    command = command_line(click.get_current_context())
    report = score_predictions(predictions, data, name=name, id_field=prediction_id_field, summary_field=summary_field,
                               where=pairs(where, "--where"), scoring=scoring, oracle=oracle, jobs=jobs, out=out,
                               command=command, notify=warn)
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(report.to_markdown(), nl=False)
