"""``summarize models [MODEL]``: the registered models and their settings, or what runs MODEL."""

from __future__ import annotations

import dataclasses

import click

from ..backends import DEFAULT_MODEL, known_models, resolve, settings_class
from ..backends.settings import help_of
from . import cli


def _runtimes() -> list[str]:
    """One line per llm runtime: whether it can run here."""
    import importlib.util

    from ..backends.llm.runtimes.gguf_files import LLM_INSTALL, llama_cpp_version

    version = llama_cpp_version()
    httpx = importlib.util.find_spec("httpx") is not None
    return [
        "transformers: transformers directories; GGUF files too, dequantized to fp32 (needs 'summarizer[gguf]')",
        f"llama.cpp: GGUF files on their quantized weights, chosen for them by -o runtime=auto; "
        + (f"llama-cpp-python {version} is installed" if version else f"not installed: {LLM_INSTALL}"),
        "openai: --model openai:NAME --api-base URL, any OpenAI-compatible server; "
        + ("httpx is installed" if httpx else "needs httpx: pip install 'summarizer[api]'"),
    ]


def _explain(model: str, options: tuple[str, ...]) -> None:
    """Which backend runs ``model``, and for the llm one which runtime and why."""
    from .options import parse_settings

    resolved = resolve(model)  # once: a GGUF's header is read here and served from memory after
    click.echo(f"{model}: the {resolved.backend} model")
    if resolved.backend != "llm":
        return
    from ..backends.llm.runtimes.gguf_files import available_bytes, choose_runtime, dequantize_check

    requested = parse_settings(resolved, options).get("runtime", "auto")
    checkpoint = resolved.implied.get("checkpoint", model)
    choice = choose_runtime(checkpoint, requested)
    click.echo(f"runtime: {choice.runtime}: {choice.reason}")
    if choice.runtime == "transformers":
        need = dequantize_check(checkpoint)  # refuses, with the fix, when it cannot fit
        have = available_bytes()
        if need is not None:
            click.echo(f"dequantizing: about {need / 1e9:.1f} GB at its peak"
                       + (f", {have / 1e9:.1f} GB available now" if have is not None else ""))


@cli.command("models")
@click.argument("model", required=False)
@click.option("-o", "--option", "options", multiple=True, metavar="KEY=VALUE",
              help="With MODEL: a setting that changes the choice, e.g. -o runtime=transformers.")
def models(model: str | None, options: tuple[str, ...]) -> None:
    """List the models and the settings each takes with -o KEY=VALUE; with MODEL (a name, a
    directory, a .gguf file or openai:NAME), say which model and which runtime run it, and why.

    \b
    summarize models
    summarize models qwen2.5-0.5b-instruct-q4_k_m.gguf
    """
    if model is not None:
        _explain(model, options)
        return
    for name in known_models():
        mark = " (default)" if name == DEFAULT_MODEL else ""
        click.echo(f"{name}{mark}")
        for f in dataclasses.fields(settings_class(name)):
            default = f.default if f.default is not dataclasses.MISSING else "(required)"
            shown = repr(default) if len(repr(default)) <= 40 else repr(default)[:37] + "..."
            click.echo(f"    {f.name} = {shown}" + (f"  # {help_of(f)}" if help_of(f) else ""))
        if name == "llm":
            click.echo("    runtimes (-o runtime=auto picks one):")
            for line in _runtimes():
                click.echo(f"        {line}")
