"""An instruct LLM on the dev stories through the harness: ROUGE (with Lead-3 and the extractive
default on the same stories), words per key point, flag rate and seconds per article.

    python eval/run_llm_dev.py --model ~/.cache/summarizer-llm/qwen2.5-coder-0.5b-instruct.gguf \\
        [--limit 100] [-o runtime=llama.cpp] [--resume] [--write-results]

The llm model runs as ``summarize eval`` would (``run_eval``, 3 key points, greedy) into
``eval/runs/llm-dev-<file stem>`` (not committed; ``--resume`` continues a killed run), then
the extractive default on the same stories. The flag rate is the share of the llm's key
points that name a number, amount, date or name their article does not contain
(``grounding.find_flags``, the rule ``--strict`` applies). Seconds per article are the llm
run's wall seconds (load, prompt, generation, grounding) over the stories it summarized in
this invocation. The GGUF is assembled by ``eval/assemble_gguf.py`` (see
``eval/bench_llm_runtimes.py``).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

import click

HERE = Path(__file__).resolve().parent
DEV = HERE.parent.parent / "shared" / "data" / "cnndm_dev_from_test.jsonl"
RUNS = HERE / "runs"


def _run(model: str, out: Path, limit: int, settings: dict, resume: bool) -> None:
    from summarizer.evaluate import DatasetOptions, EvalOptions, run_eval
    from summarizer.evaluate.engines import LocalEngine

    if out.exists() and not resume:
        shutil.rmtree(out)
    opts = EvalOptions(DatasetOptions(str(DEV), limit=limit), model, out, settings=settings, num_points=3,
                       batch_size=8, resume=resume, jobs=1)
    warn = lambda m: print(f"warning: {m}", file=sys.stderr)  # noqa: E731
    run_eval(opts, engine=LocalEngine(notify=warn), notify=warn, progress=False)


def _score(out: Path, name: str, limit: int, ids: set[str] | None = None):
    """The report of a run's predictions (only ``ids`` when given), with Lead-3 on the same stories."""
    from summarizer.evaluate import DatasetOptions, score_predictions

    preds = out / "predictions.jsonl"
    if ids is not None:
        kept = out / "predictions.same-stories.jsonl"
        kept.write_text("".join(x for x in preds.open(encoding="utf-8") if json.loads(x)["id"] in ids), encoding="utf-8")
        preds = kept
    return score_predictions(preds, DatasetOptions(str(DEV), limit=limit), name=name, jobs=1,
                             notify=lambda m: print(f"note: {m}", file=sys.stderr))


def _pace(out: Path) -> tuple[int, float]:
    """(predictions written, wall seconds from the run's start to its last batch written): the
    run starts by writing run.json and appends each batch to predictions.jsonl, so this holds
    for a run killed midway too (an interrupted and resumed run counts its pause)."""
    preds = out / "predictions.jsonl"
    n = sum(1 for _ in preds.open(encoding="utf-8"))
    return n, preds.stat().st_mtime - (out / "run.json").stat().st_mtime


def _flags(out: Path) -> tuple[int, int, int, float]:
    """(key points, flagged ones, articles with none, mean words per key point) of a run's predictions."""
    from summarizer.article import parse_article
    from summarizer.grounding import Facts, find_flags

    stories = {}
    with open(DEV, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            stories[d["id"]] = d["article"]
    points = flagged = empty = words = 0
    for line in open(out / "predictions.jsonl", encoding="utf-8"):
        p = json.loads(line)
        facts = Facts.of(parse_article(stories[p["id"]]).body)
        summary = p["summary"]
        empty += not summary
        for text in summary:
            points += 1
            words += len(text.split())
            flagged += bool(find_flags(text, facts))
    return points, flagged, empty, words / max(points, 1)


@click.command()
@click.option("--model", required=True, help="The instruct model: a .gguf file or a transformers directory.")
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True, help="The first N dev stories.")
@click.option("-o", "--option", "options", multiple=True, metavar="KEY=VALUE", help="An llm setting.")
@click.option("--resume", is_flag=True, help="Continue the llm run a kill interrupted.")
@click.option("--partial", is_flag=True,
              help="Do not run the llm: score the stories its (killed) run finished, the others left out.")
@click.option("--write-results", is_flag=True, help="Record the table in eval/RESULTS.md.")
def main(model: str, limit: int, options: tuple[str, ...], resume: bool, partial: bool, write_results: bool) -> None:
    """Evaluate an instruct LLM on the dev stories."""
    from summarizer.cli.options import parse_settings

    load = os.getloadavg()
    out = RUNS / f"llm-dev-{Path(model).stem}"
    if not partial:
        _run(model, out, limit, parse_settings(model, options), resume)
    ids = {json.loads(x)["id"] for x in (out / "predictions.jsonl").open(encoding="utf-8")}
    report = _score(out, model, limit, ids)
    ext_out = RUNS / "llm-dev-extractive"
    _run("extractive", ext_out, limit, {}, resume=(ext_out / "run.json").exists())
    ext = _score(ext_out, "extractive", limit, ids)
    summarized, seconds = _pace(out)
    points, flagged, empty, words = _flags(out)
    from summarizer.evaluate.baselines import LEAD_NAME

    backend = json.loads((out / "predictions.jsonl").open().readline())["settings"]

    def r(rep, name: str) -> str:
        row = next(s for s in rep.systems if s.name == name)
        return " | ".join(f"{100 * row.metrics[k].f1.mean:.2f}" for k in ("rouge1", "rouge2", "rougeLsum"))

    name = Path(model).name
    lines = [
        f"## An instruct LLM on {limit} dev stories, runtime {backend.get('runtime')} (`eval/run_llm_dev.py`)",
        "",
        f"`{name}`, runtime `{backend.get('runtime')}` ({backend.get('parallel', backend.get('batch_size'))} sequences at "
        f"once, {backend.get('threads')} threads), the default prompt for 3 key points, greedy, at most "
        f"{backend.get('max_new_tokens')} new tokens; ROUGE F1 x 100 (rouge-score, stemming, mean over stories).",
        "",
        "| system | R-1 | R-2 | R-Lsum |",
        "| --- | --- | --- | --- |",
        f"| {name} | {r(report, model)} |",
        f"| Lead-3 | {r(report, LEAD_NAME)} |",
        f"| extractive (default) | {r(ext, 'extractive')} |",
        "",
        f"Key points: {points} ({words:.1f} words each on average); flagged (a number, amount, date or name the "
        f"article lacks): {flagged} = {100 * flagged / max(points, 1):.1f}%; stories with no usable key point: {empty}. "
        f"Seconds per article: {seconds / max(summarized, 1):.1f} (wall, from the run's start to its last batch "
        f"written, over {summarized} stories; load and grounding included)."
        + (f" **Only {len(ids)} of the {limit} stories**: the run was stopped for time; every row is on those "
           f"{len(ids)}." if len(ids) < limit else ""),
        "",
        f"Load average {load[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end (2 cores, shared).",
        "",
        f"Command: `python eval/run_llm_dev.py --model FILE --limit {limit}" + "".join(f" -o {o}" for o in options)
        + (" --partial" if partial else "") + "`",
    ]
    markdown = "\n".join(lines) + "\n"
    print(markdown)
    if write_results:
        sys.path.insert(0, str(HERE))
        from results_md import write_section

        write_section("run_llm_dev", markdown)


if __name__ == "__main__":
    main()
