"""``summarize check ARTICLE --summary FILE``: ground key points written elsewhere against the article."""

from __future__ import annotations

import sys

import click

from ..inputs.local import STDIN, max_bytes, read_file, read_stdin
from ..output import FORMATS, render
from ..read import URL_TIMEOUT, Source, decode, read_source
from . import cli
from .options import limit_options

EXIT_FLAGGED = 3  # 0: nothing flagged; 1: an input could not be read; 2: a usage mistake


@cli.command("check", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("article", metavar="ARTICLE")
@click.option("-s", "--summary", "summary_path", required=True, metavar="FILE",
              help="The key points to check, one a line ('• ', '- ' or '1.' in front are ignored); - for "
                   "standard input.")
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), default="bullets", show_default=True,
              help="bullets: the key points, flagged ones marked [! ...] with a legend; text: one a line; "
                   "json/jsonl: each key point's supporting sentences (index, span, score) and flags.")
@click.option("--encoding", default="utf-8", show_default=True, help="Encoding of both files.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=URL_TIMEOUT,
              show_default=True, help="Seconds to wait when ARTICLE is a URL.")
@limit_options
def check(article: str, summary_path: str, fmt: str, encoding: str, timeout: float, max_chars: int,
          max_sentences: int) -> None:
    """Check key points written elsewhere (by a person, another tool, a chat assistant)
    against ARTICLE (a text file, - for standard input, or a URL; for a CNBC-layout
    article, its body).

    For each key point: the article sentences that support it best, with a score
    (cosine similarity of the embedded encoder's vectors), and flags for numbers,
    amounts, percentages, dates and names that the article does not contain.

    The key points are read under the same ceiling as the article (--max-chars
    characters, --max-sentences key points): a larger file is refused before it is
    read whole.

    \b
    Exit code: 0 nothing flagged; 3 at least one key point flagged;
    1 a file could not be read (or is over the ceiling); 2 a usage mistake.
    """
    from ..api import check_points
    from ..article import Limits

    if article == STDIN and summary_path == STDIN:
        raise click.UsageError("ARTICLE and --summary cannot both be - (standard input): give one as a file")
    limits = Limits(max_chars, max_sentences)
    doc = read_source(Source(article), encoding=encoding, timeout=timeout, limits=limits)
    name = "<stdin>" if summary_path == STDIN else summary_path
    # bounded like an article: /dev/zero or an endless pipe is refused, never read into memory whole
    data = read_stdin(limit=max_bytes(max_chars)) if summary_path == STDIN else \
        read_file(summary_path, limit=max_bytes(max_chars))
    summary = check_points(doc, decode(data, name, encoding).splitlines(), limits=limits, name=name)
    click.echo(render(summary, fmt))
    if any(k.flagged for k in summary.key_points):
        sys.exit(EXIT_FLAGGED)
