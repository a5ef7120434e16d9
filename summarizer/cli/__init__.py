"""The ``summarize`` command: a click group whose default command summarizes files.

``summarize article.txt`` runs the default command; ``summarize models`` (and the other
subcommands) run theirs. Library errors become click errors here, in one place:
usage mistakes exit 2, everything else 1.
"""

from __future__ import annotations

import click

from ..credentials import redact
from ..errors import SummarizerError, UsageError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
DEFAULT_COMMAND = "run"


def to_click_error(e: SummarizerError) -> click.ClickException:
    """The click error for one of ours: exit 2 for usage mistakes, 1 for the rest; masked of
    anything that looks like a credential (the key of the environment in any written form, a
    URL's password), whatever a server or a library put in it."""
    message = redact(str(e))
    if isinstance(e, UsageError):
        return click.UsageError(message)
    return click.ClickException(message)


class DefaultGroup(click.Group):
    """A group that runs ``DEFAULT_COMMAND`` when the first argument is not a subcommand,
    and translates library errors into click errors."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] in ("-h", "--help", "--version"):
            return super().parse_args(ctx, args)
        if not args or args[0] not in self.commands:
            args = [DEFAULT_COMMAND, *args]
        return super().parse_args(ctx, args)

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage(ctx.command_path, "[OPTIONS] INPUT... | COMMAND [ARGS]...")

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except SummarizerError as e:
            raise to_click_error(e) from None


@click.group(cls=DefaultGroup, context_settings=CONTEXT)
@click.version_option(package_name="summarizer", prog_name="summarize")
def cli() -> None:
    """Write the key points of news articles.

    \b
    summarize article.txt                 key points of one article (the default command)
    summarize -n 5 -f json a.txt b.txt    five key points each, as JSON
    summarize run --help                  every option of the default command
    summarize models                      the models and their settings
    summarize check a.txt --summary k.txt  check key points written elsewhere against the article
    summarize prepare                     build the default model's ONNX encoder ahead of time
    summarize serve                       key points over HTTP, and a page at http://127.0.0.1:8000/
    """


def main(*args, **kwargs):
    return cli.main(*args, **kwargs)


# Subcommands register themselves on import; keep these modules free of heavy imports.
from . import check_cmd, compare_cmd, eval_cmd, models_cmd, prepare_cmd, read_cmd, run_cmd, score_cmd, serve_cmd  # noqa: E402,F401
