"""``summarize read FILE_OR_URL...``: the text the model would summarize, as it was read."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from ..article import Article
from ..errors import InputError
from ..read import URL_TIMEOUT, expand, read_source
from . import cli
from .options import limit_options
from .run_cmd import _check_encoding

FORMATS = ("text", "json", "jsonl")


def article_dict(a: Article) -> dict[str, Any]:
    """What ``summarize read -f json`` writes for one article: its name, the page's metadata, the
    article's own key points with where they came from, its subheads, and ``text``: the body, the
    text that is summarized (its subheads are in it, as paragraphs of their own, and are never
    chosen as key points)."""
    d: dict[str, Any] = {"name": a.name}
    d.update({k: v for k in ("title", "author", "date", "url") if (v := getattr(a, k)) is not None})
    d["layout"] = a.layout
    if a.key_points:
        d["references"] = {"source": a.key_points_from, "key_points": list(a.key_points)}
    if a.caption is not None:
        d["caption"] = a.caption
    if a.headings:
        d["headings"] = list(a.headings)
    d["text"] = a.body
    from ..inputs.blocks import count_words

    d["words"] = count_words(a.body)
    d["sentences"] = len(a.sentences)
    return d


def article_text(a: Article) -> str:
    """The article for a person: its metadata as ``Name: value`` lines, its own key points as
    bullets, then the body after a blank line."""
    labels = {"title": "Title", "author": "Author", "date": "Date", "url": "URL"}
    lines = [f"{label}: {v}" for k, label in labels.items() if (v := getattr(a, k))]
    if a.key_points:
        lines.append(f"Key points ({a.key_points_from}):")
        lines += [f"• {k}" for k in a.key_points]
    if a.caption:
        lines.append(f"Caption (left out): {a.caption}")
    return "\n".join([*lines, "", a.body] if lines else [a.body])


@cli.command("read", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("inputs", nargs=-1, metavar="FILE_OR_URL...")
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text: the title, author, date, URL and the article's own key points, then the text; json: "
                   "the same as an object with the text in a `text` field (a list for several inputs); "
                   "jsonl: one object a line.")
@click.option("--encoding", default="utf-8", show_default=True, callback=_check_encoding,
              help="Encoding of files and stdin; for a web page, overrides the charset it declares.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=URL_TIMEOUT, show_default=True,
              help="Seconds for the whole fetch of a URL.")
@click.option("--any-page", is_flag=True,
              help="Read a web page even when it does not look like an article (too little story text, or "
                   "mostly lists and links).")
@limit_options
def read_command(inputs: tuple[str, ...], fmt: str, encoding: str, timeout: float, any_page: bool, max_chars: int,
                 max_sentences: int) -> None:
    """Show what the summarizer reads in each FILE_OR_URL (a text file, a saved web page, -
    for standard input, or an http(s) URL): the text the model would summarize, with the
    title, author and date, and the article's own key points (a CNBC layout's Key Points,
    a page's Key Points list or highlights above the story), which are left out of that text.

    \b
    summarize read examples/web_article.html
    summarize read -f json https://example.org/story

    A page that is not an article is refused in one line, as `summarize` refuses it.
    """
    if not inputs:
        raise click.UsageError("give at least one FILE_OR_URL, or - for stdin")
    from ..article import Limits

    limits = Limits(max_chars, max_sentences)
    explicit = click.get_current_context().get_parameter_source("encoding") == click.core.ParameterSource.COMMANDLINE
    sources = list(expand(list(inputs)))
    many = len(inputs) > 1 or len(sources) > 1
    failed, items = False, []
    for src in sources:
        if isinstance(src, InputError):
            click.echo(f"Error: {src}", err=True)
            failed = True
            continue
        try:
            article = read_source(src, encoding=encoding, timeout=timeout, page_encoding=encoding if explicit else None,
                                  any_page=any_page, limits=limits)
        except InputError as e:
            click.echo(f"Error: {e}", err=True)
            failed = True
            continue
        if fmt == "json":
            items.append(article_dict(article))
        elif fmt == "jsonl":
            click.echo(json.dumps(article_dict(article), ensure_ascii=False))
        else:
            if many:
                click.echo(("\n" if items else "") + f"==> {article.name} <==")
            click.echo(article_text(article))
            items.append(None)
    if fmt == "json" and items:
        click.echo(json.dumps(items if many else items[0], ensure_ascii=False, indent=2))
    if failed:
        sys.exit(1)
