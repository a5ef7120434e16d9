"""``summarize check ARTICLE --summary FILE``: ground key points written elsewhere against the article."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import InputError
from ..output import FORMATS, render
from ..read import URL_TIMEOUT, Source, decode, read_source
from . import cli

EXIT_FLAGGED = 3  # 0: nothing flagged; 1: an input could not be read; 2: a usage mistake


@cli.command("check", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("article", metavar="ARTICLE")
@click.option("-s", "--summary", "summary_path", required=True, metavar="FILE",
              help="The key points to check, one a line ('• ', '- ' or '1.' in front are ignored).")
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), default="bullets", show_default=True,
              help="bullets: the key points, flagged ones marked [! ...] with a legend; text: one a line; "
                   "json/jsonl: each key point's supporting sentences (index, span, score) and flags.")
@click.option("--encoding", default="utf-8", show_default=True, help="Encoding of both files.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=URL_TIMEOUT,
              show_default=True, help="Seconds to wait when ARTICLE is a URL.")
def check(article: str, summary_path: str, fmt: str, encoding: str, timeout: float) -> None:
    """Check key points written elsewhere (by a person, another tool, a chat assistant)
    against ARTICLE (a text file, - for standard input, or a URL; for a CNBC-layout
    article, its body).

    For each key point: the article sentences that support it best, with a score
    (cosine similarity of the embedded encoder's vectors), and flags for numbers,
    amounts, percentages, dates and names that the article does not contain.

    \b
    Exit code: 0 nothing flagged; 3 at least one key point flagged;
    1 a file could not be read; 2 a usage mistake.
    """
    from ..api import check_points

    doc = read_source(Source(article), encoding=encoding, timeout=timeout)
    path = Path(summary_path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InputError(f"{summary_path}: cannot read ({e.strerror or e})") from None
    summary = check_points(doc, decode(data, summary_path, encoding).splitlines())
    click.echo(render(summary, fmt))
    if any(k.flagged for k in summary.key_points):
        sys.exit(EXIT_FLAGGED)
