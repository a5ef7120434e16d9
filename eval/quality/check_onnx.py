"""How the ONNX encoder compares with the torch fp32 vectors, and whether int8 depends on the batch.

    python -m eval.quality.check_onnx [--limit 200] [--write-results]

On the first ``--limit`` dev stories (their sentences, as the extractive backend splits them):

* **agreement**: mean and lowest cosine of each sentence's vector from the ONNX encoder
  (int8, the default, and fp32) and from torch int8 (the old default) to the torch fp32
  vector of the same weights; and the number of stories whose key points (the default
  learned scorer, adaptive number) are the same as with the torch fp32 vectors;
* **batch dependence**: the key points of each story summarized with all the stories in
  one call against each story summarized alone, counting the stories whose key points
  differ, for each encoder setting. Dynamic int8 quantizes each layer's input with the
  range of the whole batch, so int8 vectors depend on their batch neighbours; fp32 vectors
  should not.

The ONNX files come from the per-user cache (their sha256 is printed). Each setting runs in
this process one after another; nothing here is timed.
"""

from __future__ import annotations

import os

import click
import numpy as np

from eval.results_md import publish
from eval.train.vector_cache import DEV, read_stories

SETTINGS = {
    "onnx int8 (default)": {"runtime": "onnx", "quantize": "int8"},
    "onnx fp32 (`-o quantize=none`)": {"runtime": "onnx", "quantize": None},
    "torch int8 (`-o runtime=torch`)": {"runtime": "torch", "quantize": "int8"},
    "torch fp32 (`-o runtime=torch -o quantize=none`): the reference": {"runtime": "torch", "quantize": None},
}


@click.command()
@click.option("--limit", default=200, show_default=True, help="Dev stories.")
@click.option("--write-results", is_flag=True, help="Write the section to eval/RESULTS.md.")
def main(limit: int, write_results: bool) -> None:
    """Cosines to torch fp32, key points against torch fp32, and int8's batch dependence."""
    from summarizer.article import Article
    from summarizer.backends import get_summarizer

    load_before = os.getloadavg()[0]
    arts = [Article(body=r["article"], name=r["id"]) for r in read_stories(DEV, limit)]
    vectors, picks, alone, sha = {}, {}, {}, {}
    for label, s in SETTINGS.items():
        click.echo(f"{label} ...", err=True)
        model = get_summarizer("extractive", **s)
        vectors[label] = np.concatenate(model.encode(arts))
        picks[label] = [x.texts for x in model.summarize(arts, num_points=None)]
        alone[label] = [model.summarize([a], num_points=None)[0].texts for a in arts]
        sha[label] = model.encoder.description.get("onnx_sha256", "")
        scorer = model.scorer.description
    ref_label = list(SETTINGS)[-1]
    ref = vectors[ref_label]
    sentences = len(ref)
    lines = [
        "## ONNX encoder against torch fp32, and batch dependence (`eval/quality/check_onnx.py`)",
        "",
        f"The first {len(arts)} dev stories ({sentences} sentences); key points by the default learned scorer "
        "(adaptive number). Cosine: each sentence's vector against its torch fp32 vector (all the stories encoded "
        "in one call either way). Same key points as torch fp32: stories whose key points are identical. "
        "Batch dependence: stories whose key points differ between one call with all the stories and one call "
        "per story.",
        "",
        "| encoder | ONNX sha256 | mean cosine | lowest cosine | same key points as torch fp32 | key points differ, batch vs alone |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for label in SETTINGS:
        cos = (vectors[label] * ref).sum(1)
        same = sum(a == b for a, b in zip(picks[label], picks[ref_label]))
        differ = sum(a != b for a, b in zip(picks[label], alone[label]))
        lines.append(f"| {label} | {sha[label] or '-'} | {cos.mean():.4f} | {cos.min():.4f} | {same}/{len(arts)} "
                     f"| {differ}/{len(arts)} |")
    lines += ["", f"Scorer weights: `{scorer['weights']}` (sha256 {scorer['sha256']}...).", "", f"Load average {load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end; "
                  f"{os.cpu_count()} CPU cores.", "", f"Command: `python -m eval.quality.check_onnx --limit {limit}"
                  f"{' --write-results' if write_results else ''}`"]
    publish("check_onnx", "\n".join(lines), write_results)


if __name__ == "__main__":
    main()
