"""The llm backend on the dev stories beside Lead-3 and the extractive default, on the same stories.

    # 1. the llm run, through the harness (resumable: add --resume after a kill): a seeded random
    #    sample of the dev file (its first 98 stories are all the CNN ones, so --limit 100 is a CNN slice)
    summarize eval -d ../shared/data/cnndm_dev_from_test.jsonl --sample 100 --sample-seed 0 \
        -m ~/.cache/summarizer-llm/qwen2.5-coder-0.5b-instruct.gguf --out ~/.cache/summarizer-llm/runs/llm
    # 2. this table (Lead-3 and extractive are run on the same stories). A --limit run may be partial
    #    (the table covers the stories written so far); a --sample run must be complete:
    python -m eval.quality.llm_dev --run ~/.cache/summarizer-llm/runs/llm [--note "the run's load"] [--write-results]

With llama-cpp-python installed (the ``[llm]`` extra) the GGUF runs on llama.cpp; without it
on transformers, dequantized (add ``-o dtype=bf16 --docs-per-call 10`` there).

Reports ROUGE F1 (``summarize score`` / ``summarize eval``: rouge-score, stemming,
rougeLsum per line) of the three on the stories the llm run covers, words per key point,
the grounding flag rate of the llm's key points (``summarizer.grounding``), and seconds per
story of the llm run (wall clock from the run's start to its last written prediction,
model loading included), with the load average.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import click

from eval.results_md import publish

REPO = Path(__file__).resolve().parents[2]
DEV = REPO.parent / "shared" / "data" / "cnndm_dev_from_test.jsonl"
DTYPE_FLAGS = {"bfloat16": "bf16", "float32": "fp32", "float16": "fp16"}  # settings record torch's names


def rouge(report: Path) -> dict[str, float]:
    s = json.loads(report.read_text(encoding="utf-8"))["systems"][0]["metrics"]
    return {m: 100 * s[m]["f1"] for m in ("rouge1", "rouge2", "rougeLsum")}


def summarize_cli(*args: str) -> None:
    cmd = [sys.executable, "-m", "summarizer", *args]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


@click.command()
@click.option("--run", "run_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="The llm run folder (summarize eval --out).")
@click.option("--data", type=click.Path(dir_okay=False, path_type=Path), default=DEV, show_default=True)
@click.option("--note", default="", help="How the run itself went (the load it ran at), for the record.")
@click.option("--write-results", is_flag=True, help="Write the table into eval/RESULTS.md.")
def main(run_dir: Path, data: Path, note: str, write_results: bool) -> None:
    """Compare a (possibly partial) llm run with Lead-3 and the extractive default on its stories."""
    from summarizer.article import parse_article
    from summarizer.grounding import Facts, find_flags

    preds = [json.loads(line) for line in (run_dir / "predictions.jsonl").read_text(encoding="utf-8").splitlines()
             if line.strip()]
    if not preds:
        raise click.ClickException(f"{run_dir}: no predictions yet")
    n = len(preds)
    settings = preds[0].get("settings", {})
    chosen = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))["identity"]["dataset"]
    if chosen.get("sample"):  # Lead-3 and extractive on the same seeded sample: the run must be complete
        total, select = chosen["sample"], ["--sample", str(chosen["sample"]), "--sample-seed", str(chosen["sample_seed"])]
        if n < total:
            raise click.ClickException(f"{run_dir}: {n} of its {total} sampled stories are written; finish it "
                                       "with --resume first")
        which = f"a seeded random sample of {n} dev stories (`--sample {total} --sample-seed {chosen['sample_seed']}`)"
    else:  # the first n of however many the run had written
        total, select = chosen.get("limit") or n, ["--limit", str(n)]
        which = (f"the first {n} dev stories (`--limit {total}`; the dev file lists its CNN stories first, so this "
                 "is no sample of it)")
    started = (run_dir / "run.json").stat().st_mtime
    seconds = ((run_dir / "predictions.jsonl").stat().st_mtime - started) / n
    stories = {}
    with data.open(encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            stories[d["id"]] = d
    points = [p for r in preds for p in r["summary"]]
    empty = sum(not r["summary"] for r in preds)
    mix = sum("dailymail" in stories[r["id"]].get("url", "") for r in preds)
    refs = {}  # source -> (highlights per story, words of highlights per story) over the stories covered
    for source in ("CNN", "DailyMail"):
        hl = [stories[r["id"]]["highlights"] for r in preds
              if ("dailymail" in stories[r["id"]].get("url", "")) == (source == "DailyMail")]
        if hl:
            refs[source] = (sum(map(len, hl)) / len(hl), sum(len(" ".join(h).split()) for h in hl) / len(hl))
    ref_text = "; ".join(f"{k}: {a:.1f} highlights of {w:.0f} words in all a story" for k, (a, w) in refs.items())
    flagged = sum(bool(find_flags(p, Facts.of(parse_article(stories[r["id"]]["article"]).body)))
                  for r in preds for p in r["summary"])
    words = sum(len(p.split()) for p in points) / max(1, len(points))
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        summarize_cli("score", "-p", str(run_dir / "predictions.jsonl"), "-d", str(data), "--out", str(t / "llm"),
                      "--samples", "200", "-j", "1")
        rows = {"llm": rouge(t / "llm" / "report.json")}
        for model in ("lead", "extractive"):
            summarize_cli("eval", "-d", str(data), *select, "-m", model, "--out", str(t / model),
                          "--samples", "200", "-j", "1")
            rows[model] = rouge(t / model / "report.json")
            if model == "extractive":
                ext = [json.loads(x) for x in (t / model / "predictions.jsonl").read_text(encoding="utf-8").splitlines()]
                ext_words = [len(p.split()) for r in ext for p in r["summary"]]
    lines = [
        "## llm backend on dev stories (`eval/quality/llm_dev.py`)",
        "",
        f"Command: `python -m eval.quality.llm_dev --run RUN{' --write-results' if write_results else ''}` on a run of "
        f"`summarize eval -m {Path(settings.get('model_file') or settings.get('checkpoint', '?')).name} "
        f"-o dtype={DTYPE_FLAGS.get(settings.get('dtype'), settings.get('dtype'))} {' '.join(select)}` (see the "
        f"script's docstring) that had written **{n} of {total} stories**: {which}, {n - mix} from CNN and {mix} "
        f"from DailyMail (references: {ref_text}; shorter references lower every system's F1, so a CNN-heavy "
        f"slice scores lower than the whole dev set); Lead-3 and the extractive default were run on the same {n}. "
        "Greedy, "
        f"{settings.get('max_new_tokens')} new tokens at most, default prompt, 3 key points asked, runtime "
        f"{settings.get('runtime')}, {settings.get('device')}. Load average {os.getloadavg()[0]:.1f} when this "
        f"table was made.{' ' + note if note else ''}",
        "",
        "| model | ROUGE-1 | ROUGE-2 | ROUGE-Lsum | words per key point | key points flagged |",
        "| --- | --- | --- | --- | --- | --- |",
        f"| lead (Lead-3) | {rows['lead']['rouge1']:.2f} | {rows['lead']['rouge2']:.2f} | "
        f"{rows['lead']['rougeLsum']:.2f} | | |",
        f"| extractive (default) | {rows['extractive']['rouge1']:.2f} | {rows['extractive']['rouge2']:.2f} | "
        f"{rows['extractive']['rougeLsum']:.2f} | {sum(ext_words) / len(ext_words):.1f} | |",
        f"| llm: Qwen2.5-Coder-0.5B-Instruct GGUF | {rows['llm']['rouge1']:.2f} | {rows['llm']['rouge2']:.2f} | "
        f"{rows['llm']['rougeLsum']:.2f} | {words:.1f} | {flagged}/{len(points)} ({flagged / max(1, len(points)):.1%}) |",
        "",
        f"llm: {len(points)} key points for {n} stories ({empty} stories with no usable answer, scored as empty); "
        f"{seconds:.1f} s per story of wall clock, from the run folder's start to its last prediction (model "
        "loading included).",
    ]
    publish("llm_dev_sample" if chosen.get("sample") else "llm_dev", "\n".join(lines), write_results)


if __name__ == "__main__":
    main()
