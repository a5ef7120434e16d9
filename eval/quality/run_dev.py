"""The models on the dev set, through the evaluation harness, side by side.

    python -m eval.quality.run_dev                  # eval lead and extractive, print the comparison
    python -m eval.quality.run_dev --write-results  # and record it in eval/RESULTS.md
    python -m eval.quality.run_dev --resume         # continue runs a kill interrupted
    python -m eval.quality.run_dev -o extractive:scorer=centrality   # a model setting (repeatable)

Each model is run as ``summarize eval`` would (``summarizer.evaluate.run_eval``) into
``eval/runs/dev-<model>`` (not committed), with 3 key points each, as Lead-3, and the
oracle on the first run; then the runs are compared (``summarize compare``): mean F1
with 95% bootstrap intervals, and a * where a model differs from ``lead`` (paired
approximate randomization, p < 0.05).
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import click

from eval.results_md import publish

EVAL = Path(__file__).resolve().parents[1]
DEV = EVAL.parent.parent / "shared" / "data" / "cnndm_dev_from_test.jsonl"
RUNS = EVAL / "runs"


@click.command()
@click.option("--models", default="lead,extractive", show_default=True,
              help="Models to run, comma-separated; the first is the reference of the significance marks.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Only the first N dev stories.")
@click.option("-o", "--option", "options", multiple=True, metavar="MODEL:KEY=VALUE",
              help="A setting of one model, e.g. -o extractive:scorer=centrality (see `summarize models`).")
@click.option("--resume", is_flag=True, help="Continue the runs in eval/runs/ instead of starting afresh.")
@click.option("--write-results", is_flag=True, help="Record the table in eval/RESULTS.md.")
def main(models: str, limit: int | None, options: tuple[str, ...], resume: bool, write_results: bool) -> None:
    """Evaluate models on the dev stories and compare them."""
    from summarizer.cli.options import parse_settings
    from summarizer.evaluate import DatasetOptions, EvalOptions, run_eval
    from summarizer.evaluate.compare import compare_runs

    if not DEV.is_file():
        raise click.ClickException(f"the dev stories are not at {DEV}")
    names = [m.strip() for m in models.split(",") if m.strip()]
    by_model: dict[str, list[str]] = {m: [] for m in names}
    for opt in options:
        model, sep, setting = opt.partition(":")
        if not sep or model not in by_model:
            raise click.BadParameter(f"{opt!r}: expected MODEL:KEY=VALUE with MODEL one of {', '.join(names)}",
                                     param_hint="-o")
        by_model[model].append(setting)
    flags = {m: "".join(f" -o {s}" for s in settings) for m, settings in by_model.items()}
    suffix = f"-{limit}" if limit else ""
    dirs, seconds = [], {}
    for i, model in enumerate(names):
        out = RUNS / f"dev-{model}{suffix}"
        if out.exists() and not resume:
            shutil.rmtree(out)  # fresh predictions: the model's code may have changed since
        t0 = time.perf_counter()
        settings = parse_settings(model, by_model[model])
        run_eval(
            EvalOptions(DatasetOptions(str(DEV), limit=limit), model, out, settings=settings, resume=resume,
                        oracle=i == 0),
            command=f"summarize eval --dataset ../shared/data/{DEV.name}{f' --limit {limit}' if limit else ''} "
                    f"--model {model}{flags[model]} --out eval/runs/{out.name}{' --oracle' if i == 0 else ''}",
            notify=lambda msg: click.echo(f"Warning: {msg}", err=True),
        )
        seconds[model] = time.perf_counter() - t0
        dirs.append(out)
        click.echo(f"{model}: {seconds[model]:.0f} s", err=True)

    table = compare_runs(dirs).to_markdown()
    timing = ", ".join(f"{m} {s:.0f} s" for m, s in seconds.items())
    section = "\n".join([
        f"## Dev set ({'first ' + str(limit) + ' of ' if limit else ''}1,000 stories): models through the harness",
        "",
        table.rstrip(),
        "",
        "Runs: " + "; ".join(f"`summarize eval --dataset ../shared/data/{DEV.name}"
                             f"{f' --limit {limit}' if limit else ''} --model {m}{flags[m]} --out eval/runs/{d.name}"
                             f"{' --oracle' if i == 0 else ''}`" for i, (m, d) in enumerate(zip(names, dirs))),
        f"then `summarize compare {' '.join('eval/runs/' + d.name for d in dirs)}`. "
        f"Wall time{' (resumed)' if resume else ''}: {timing}.",
        "",
        f"Command: `python -m eval.quality.run_dev{f' --models {models}' if models != 'lead,extractive' else ''}"
        f"{f' --limit {limit}' if limit else ''}{''.join(f' -o {o}' for o in options)} --write-results`",
    ])
    publish("harness_dev", section, write_results)


if __name__ == "__main__":
    main()
