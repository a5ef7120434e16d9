"""``summarize [run] INPUT...``: key points of articles in files, directories, stdin or URLs."""

from __future__ import annotations

import sys

import click

from ..backends import DEFAULT_MODEL, make_settings, resolve
from ..credentials import redact
from ..errors import InputError, SummarizerError, UsageError
from ..grounding import drop_flagged
from ..output import FORMATS, render, render_json_list, render_references
from ..read import URL_TIMEOUT, expand, read_source
from . import cli, to_click_error
from .options import limit_options, parse_settings, settings_with_flags

CHUNK = 32  # articles summarized per call: bounds memory on a long list of inputs


def _error(msg: str) -> None:
    """One input's error on stderr, masked like the command's own errors (``to_click_error``)."""
    click.echo(f"Error: {redact(msg)}", err=True)


def _check_encoding(ctx: click.Context, param: click.Parameter, value: str) -> str:
    # a misspelt codec is a usage mistake: say so once, not once per input
    from ..inputs.local import codec_name

    try:
        codec_name(value)
    except InputError as e:
        raise click.BadParameter(str(e)) from None
    return value


@cli.command("run", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("inputs", nargs=-1, metavar="INPUT...")
@click.option("-n", "--num-points", type=click.IntRange(min=1), default=None, show_default="adaptive",
              help="Key points per article (fewer when the article has fewer sentences); without it "
                   "the number adapts to the article (most news stories get 3 or 4).")
@click.option("-m", "--model", default=DEFAULT_MODEL, show_default=True,
              help="Model: a registered name (see `summarize models`), a seq2seq checkpoint (a "
                   "directory or a Hugging Face hub id in the local cache), or an instruct LLM with a chat "
                   "template (a transformers directory, a .gguf file or a directory holding one: the llm model).")
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), default="bullets", show_default=True,
              help="bullets: '• ' lines; text: one key point a line; json: key points with source "
                   "sentence indices, character offsets in the body, scores, model and settings; "
                   "jsonl: one JSON object a line per input, with its name.")
@click.option("-o", "--option", "options", multiple=True, metavar="KEY=VALUE",
              help="A model setting, e.g. -o quantize=none -o batch_size=32 (see `summarize models`).")
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda", "mps"]), default=None,
              help="Where a neural model runs (seq2seq, llm) [default: auto: cuda, else mps, else cpu].")
@click.option("--dtype", type=click.Choice(["auto", "fp32", "bf16", "fp16"]), default=None,
              help="Weights' precision (seq2seq, llm) [default: auto: bf16 on a GPU that has it, else fp32]; "
                   "fp16 only on a GPU.")
@click.option("--truncate", is_flag=True, default=None,
              help="Cut articles longer than the model's input limit instead of summarizing them in "
                   "overlapping chunks (seq2seq, llm); the JSON output counts the dropped tokens.")
@click.option("--strict", is_flag=True,
              help="Leave out abstractive key points (seq2seq, llm) that name a number, date or name the "
                   "article does not contain; the JSON info counts them (dropped_flagged).")
@click.option("--quantize", type=click.Choice(["int8", "none"]), default=None,
              help="int8: dynamic int8 linear layers on CPU, faster, outputs change a little; none: fp32.")
@click.option("--batch-size", type=click.IntRange(min=1), default=None,
              help="Inputs per model call; lower it after an out-of-memory error.")
@click.option("--api-base", default=None, metavar="URL",
              help="With --model openai:NAME: the OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1; "
                   "the API key, if it needs one, is read from OPENAI_API_KEY.")
@click.option("--concurrency", type=click.IntRange(min=1), default=None,
              help="With --model openai:NAME: requests open at once [default: 4].")
@click.option("--encoding", default="utf-8", show_default=True, callback=_check_encoding,
              help="Encoding of files and stdin. Bytes that are not valid in it are refused "
                   "(never replaced): convert the file or name its encoding, e.g. cp1252. A web page "
                   "is read in the charset it declares; given here, the encoding overrides that.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=URL_TIMEOUT,
              show_default=True, help="Seconds for the whole fetch of a URL (connecting, redirects, "
                                      "reading), not for each read.")
@click.option("--any-page", is_flag=True,
              help="Summarize a web page even when it does not look like an article (too little "
                   "story text, or mostly lists and links); its prose list items count as text.")
@click.option("--score", is_flag=True,
              help="Also show the article's own key points (a CNBC layout's, a page's Key Points list or "
                   "highlights) and the ROUGE of the key points against them, scored as `summarize eval` "
                   "scores (the same scorer and signature). An article without key points of its own is "
                   "an error (exit 1); its key points are still written.")
@limit_options
def run(inputs: tuple[str, ...], num_points: int, model: str, fmt: str, options: tuple[str, ...],
        device: str | None, dtype: str | None, truncate: bool | None, quantize: str | None,
        batch_size: int | None, strict: bool, api_base: str | None, concurrency: int | None, encoding: str,
        timeout: float, any_page: bool, score: bool, max_chars: int, max_sentences: int) -> None:
    """Write the key points of each INPUT: a text file, a directory (its .txt files,
    sorted), - for standard input, or an http(s) URL.

    A web page (a URL, a saved .html/.htm file, HTML on standard input) is summarized
    from its story paragraphs only: captions, bylines, datelines, credits, prompts
    and runs of links are left out, and a page that is not an article is refused.

    Articles in the CNBC layout (a title, a "Key Points" header with • bullets, an
    optional video caption, then the body) are summarized from the body only.
    Given several inputs, a bad one (unreadable, not text, over the input ceiling, or
    one the model fails on, or writes nothing usable for) is reported on stderr in one
    line, the others are still summarized, and the exit code is 1 at the end.

    Key points written by a model (seq2seq, llm) are checked against the article:
    one naming a number, amount, date or name the article does not contain is marked
    [! ...] in bullets and carries "flags" in JSON (with --strict it is left out).
    """
    if not inputs:
        raise click.UsageError("give at least one INPUT: a file, a directory, a URL, or - for stdin")
    from ..api import load, with_page
    from ..article import Limits

    limits = Limits(max_chars, max_sentences)

    try:
        flags = {"device": device, "dtype": dtype, "truncate": truncate, "batch_size": batch_size, "quantize": quantize,
                 "api_base": api_base, "concurrency": concurrency}
        flags = {k: v for k, v in flags.items() if v is not None and v is not False}
        if flags.get("quantize") == "none":
            flags["quantize"] = None
        resolved = resolve(model)  # once: a GGUF's header or a checkpoint's config is read here, not again
        settings = settings_with_flags(resolved, parse_settings(resolved, options), flags)
        make_settings(resolved.backend, {**resolved.implied, **settings})  # bad values fail now, before any input
    except SummarizerError as e:
        raise to_click_error(e) from None
    loaded = []  # the model loads (seconds) only once there is an article to summarize

    def summarizer():
        if not loaded:
            loaded.append(load(resolved, **settings))
            for notice in getattr(loaded[0], "notices", ()):  # e.g. a GGUF left to transformers, and why
                click.echo(f"Warning: {notice}", err=True)
        return loaded[0]

    # a web page's declared charset gives way only to an --encoding the user typed
    explicit = click.get_current_context().get_parameter_source("encoding") == click.core.ParameterSource.COMMANDLINE
    page_encoding = encoding if explicit else None
    sources = list(expand(list(inputs)))
    many = len(inputs) > 1 or len(sources) > 1
    failed = False
    written = 0
    json_items = []
    pending = []

    def summarize_each() -> list:
        """The pending articles' summaries (None for one that failed, reported), in order:
        one call for all; when it fails, one call each, so one input does not sink the rest.
        A model that does not load fails the command (every input would fail alike)."""
        nonlocal failed
        if not pending:
            return []
        model_ = summarizer()
        if len(pending) > 1:
            try:
                return model_.summarize(pending, num_points=num_points)
            except (SummarizerError, MemoryError):
                pass  # which input? each alone says
        out = []
        for article in pending:
            try:
                out += model_.summarize([article], num_points=num_points)
            except (SummarizerError, MemoryError) as e:
                _error(f"{article.name}: {str(e) or 'out of memory'}")
                failed = True
                out.append(None)
        return out

    def flush() -> None:
        nonlocal written, failed
        for article, s in zip(pending, summarize_each()):
            if s is None:
                continue
            s = with_page([article], [s])[0]
            if s.info.get("error"):
                _error(f"{s.name}: {s.info['error']}")
                failed = True
                continue
            for warning in s.info.get("warnings") or ():  # e.g. characters taken out of a model's answer
                click.echo(f"Warning: {s.name}: {warning}", err=True)
            if strict:
                s = drop_flagged(s)
            if score:
                if s.references is None:
                    _error(f"{s.name}: nothing to score against: the article has no key points of its own "
                           "(a Key Points list or highlights); its key points are written without scores")
                    failed = True
                else:
                    from ..evaluate.references import scored

                    s = scored(s)
            if fmt == "json":
                json_items.append(s)
                continue
            if many and written and fmt in ("bullets", "text"):
                click.echo("")  # a blank line between inputs
            click.echo(render(s, fmt, header=many))
            if score and s.references is not None and fmt in ("bullets", "text"):
                click.echo(render_references(s.references))
            written += 1
        pending.clear()

    for src in sources:
        if isinstance(src, InputError):
            _error(str(src))
            failed = True
            continue
        try:
            pending.append(read_source(src, encoding=encoding, timeout=timeout, page_encoding=page_encoding,
                                       any_page=any_page, limits=limits))
        except InputError as e:
            _error(str(e))
            failed = True
            continue
        if len(pending) >= CHUNK:
            flush()
    flush()
    if fmt == "json" and json_items:
        click.echo(render_json_list(json_items) if many else render(json_items[0], "json"))
    if failed:
        sys.exit(1)
