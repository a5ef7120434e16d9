"""``summarize compare``: one table (and with --out one page) of several runs on the same documents."""

from __future__ import annotations

from pathlib import Path

import click

from . import cli
from .options import METRICS, warn


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
@click.option("--metric", type=click.Choice(list(METRICS)), default="rougeLsum", show_default=True,
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
                                 notify=warn)
        click.echo(f"wrote {page}", err=True)
