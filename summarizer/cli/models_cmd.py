"""``summarize models``: the registered models and their settings."""

from __future__ import annotations

import dataclasses

import click

from ..backends import DEFAULT_MODEL, known_models, settings_class
from . import cli


@cli.command("models")
def models() -> None:
    """List the models and the settings each takes with -o KEY=VALUE."""
    for name in known_models():
        mark = " (default)" if name == DEFAULT_MODEL else ""
        click.echo(f"{name}{mark}")
        for f in dataclasses.fields(settings_class(name)):
            default = f.default if f.default is not dataclasses.MISSING else "(required)"
            click.echo(f"    {f.name} = {default!r}")
