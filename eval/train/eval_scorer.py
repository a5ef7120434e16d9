"""Dev-set table of the learned sentence scorer, through the evaluation harness:
oracle, Lead-3, the unlearned scorer and the learned one, with paired tests against Lead-3.

    python -m eval.train.eval_scorer                    # print the table
    python -m eval.train.eval_scorer --write-results    # ... and write its section of eval/RESULTS.md

Two harness runs on ../shared/data/cnndm_dev_from_test.jsonl (1,000 stories), as
``summarize eval`` makes them (``summarizer.evaluate.run_eval``, into eval/runs/, not
committed): ``extractive -o selection=sentences`` (the learned scorer's sentences one by one,
the adaptive number of key points; the default before summary-level selection, whose table
``python -m eval.quality.selection_dev`` writes) with the oracle, and ``extractive -o scorer=centrality`` with 3 key points. Each run also
scores Lead-3 on the same stories. ROUGE is the harness's (rouge-score's rules, stemming,
mean F1 x 100, ROUGE-Lsum on one key point per line); each system is compared with
Lead-3 by the harness's paired approximate-randomization test (two-sided, seeded) and a
seeded bootstrap 95% interval of the difference.

Throughput is articles/s of the whole extractive backend (encode + score + choose), after
load, on the first 100 stories, for both scorers in the same process, alternating.
"""

from __future__ import annotations

import shlex
import shutil
import sys
import time
from pathlib import Path

import click
import numpy as np

from eval.results_md import publish

EVAL = Path(__file__).resolve().parents[1]
DEV = EVAL.parent.parent / "shared" / "data" / "cnndm_dev_from_test.jsonl"
RUNS = EVAL / "runs"
METRICS = ("rouge1", "rouge2", "rougeLsum")
CHUNK = 32  # articles per summarize call in the throughput test, as the command line does


def harness_run(name: str, settings: dict, num_points: int | None, oracle: bool, limit: int | None, data: Path):
    """One ``summarize eval`` run of the extractive backend; its per-story scores by system."""
    from summarizer.evaluate import DatasetOptions, EvalOptions, run_eval
    from summarizer.evaluate.runs import SCORES
    from summarizer.evaluate.scores import read_scores

    out = RUNS / f"scorer-dev-{name}{f'-{limit}' if limit else ''}"
    if out.exists():
        shutil.rmtree(out)  # fresh predictions: the model may have changed since
    flags = "".join(f" -o {k}={v}" for k, v in settings.items())
    flags += f" -n {num_points}" if num_points else " -n auto"
    command = (f"summarize eval --dataset ../shared/data/{data.name}{f' --limit {limit}' if limit else ''} "
               f"--model extractive{flags} --out eval/runs/{out.name}{' --oracle' if oracle else ''}")
    t0 = time.perf_counter()
    run_eval(
        EvalOptions(DatasetOptions(str(data), limit=limit), "extractive", out, settings=settings,
                    num_points=num_points, oracle=oracle),
        command=command,
        notify=lambda msg: click.echo(f"Warning: {msg}", err=True),
    )
    click.echo(f"{name}: {time.perf_counter() - t0:.0f} s", err=True)
    from summarizer.evaluate.runs import PREDICTIONS, read_predictions

    systems = {s.name: s for s in read_scores(out / SCORES, METRICS)}
    return systems, read_predictions(out / PREDICTIONS), command


def throughput(models: dict, articles: list, repeats: int) -> dict[str, float]:
    """Articles/s of each model's summarize() on ``articles``, alternating models, best of ``repeats``."""
    best = {name: 0.0 for name in models}
    for model, n in models.values():  # warm-up: the first calls allocate
        model.summarize(articles[:4], num_points=n)
    for _ in range(repeats):
        for name, (model, n) in models.items():
            start = time.perf_counter()
            for b in range(0, len(articles), CHUNK):
                model.summarize(articles[b : b + CHUNK], num_points=n)
            best[name] = max(best[name], len(articles) / (time.perf_counter() - start))
    return best


@click.command()
@click.option("--data", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=DEV,
              show_default=True, help="Dev stories (JSONL with article and highlights).")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Only the first N stories (a quick check).")
@click.option("--samples", default=10000, show_default=True, help="Randomization trials and bootstrap resamples.")
@click.option("--seed", default=0, show_default=True, help="Seed of the significance tests.")
@click.option("--speed-articles", default=100, show_default=True, help="Stories timed for throughput (0: skip).")
@click.option("--repeats", default=3, show_default=True, help="Timing repeats per scorer (the best is kept).")
@click.option("--write-results", is_flag=True, help="Write the table to eval/RESULTS.md.")
def main(data: Path, limit: int | None, samples: int, seed: int, speed_articles: int, repeats: int,
         write_results: bool) -> None:
    """Oracle, Lead-3, the unlearned and the learned extractive scorer on the dev set."""
    from summarizer.evaluate import bootstrap, paired_test

    command = "python -m eval.train.eval_scorer" + "".join(f" {shlex.quote(a)}" for a in sys.argv[1:])
    # the sentence-by-sentence choice: the default now chooses key points as a set, on top of
    # this scorer (its table: python -m eval.quality.selection_dev)
    learned, preds, cmd_learned = harness_run("learned", {"selection": "sentences"}, None, True, limit, data)
    central, _, cmd_central = harness_run("centrality", {"scorer": "centrality"}, 3, False, limit, data)
    lead = learned["lead-3"]
    assert central["lead-3"].ids == lead.ids == learned["extractive"].ids  # same stories, same order
    rows = [
        ("oracle (greedy ROUGE, up to 3 sentences): the ceiling", learned["oracle"]),
        ("Lead-3", lead),
        ("extractive -o scorer=centrality (unlearned), 3 key points", central["extractive"]),
        ("**extractive -o selection=sentences (learned scorer, adaptive number)**", learned["extractive"]),
    ]
    base = 100 * lead.f1(METRICS)
    lines = [
        "| system | ROUGE-1 | ROUGE-2 | ROUGE-Lsum | Δ vs Lead-3: R1 / R2 / RLsum [95% CI] | p vs Lead-3: R1 / R2 / RLsum | words |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for label, system in rows:
        f1 = 100 * system.f1(METRICS)
        means = f1.mean(0)
        words = np.mean([d.words for d in system.documents])
        if system is lead:
            delta = p = ""
        else:
            diff = bootstrap(f1 - base, samples=samples, seed=seed)
            tests = [paired_test(f1[:, i], base[:, i], samples=samples, seed=seed) for i in range(len(METRICS))]
            delta = " / ".join(f"{d.mean:+.2f} [{d.low:+.2f}, {d.high:+.2f}]" for d in diff)
            # the smallest p a randomization test can give is 1 / (trials + 1)
            p = " / ".join(f"{t.p_value:.4f}" if t.p_value > 1 / (samples + 1) else f"≤ {1 / (samples + 1):.4f}"
                           for t in tests)
        lines.append(f"| {label} | {means[0]:.2f} | {means[1]:.2f} | {means[2]:.2f} | {delta} | {p} | {words:.1f} |")
    counts = np.bincount([len(p.summary) for p in preds], minlength=5)
    model = preds[0].settings.get("scorer_model", {})
    lines += [
        "",
        f"{len(lead.documents)} dev stories; F1 x 100 from the harness (rouge-score's rules, stemming, ROUGE-Lsum "
        f"on one key point per line). CI: bootstrap of the per-story difference with Lead-3 "
        f"(`summarizer.evaluate.bootstrap`, {samples} resamples, seed {seed}); p: paired approximate "
        f"randomization, two-sided (`summarizer.evaluate.paired_test`, {samples} trials, seed {seed}). "
        f"Learned scorer: `{model.get('weights')}` (sha256 {model.get('sha256')}..., training seed "
        f"{model.get('seed')}); key points per story without -n: "
        + ", ".join(f"{i}: {c}" for i, c in enumerate(counts) if c) + ".",
    ]
    lines += ["", f"Runs: `{cmd_learned}`; `{cmd_central}`."]

    if speed_articles:
        from eval.train.vector_cache import read_stories
        from summarizer.article import Article
        from summarizer.backends import get_summarizer

        arts = [Article(body=r["article"]) for r in read_stories(data, speed_articles)]
        models = {"centrality": (get_summarizer("extractive", scorer="centrality"), 3),
                  "learned": (get_summarizer("extractive", selection="sentences"), None)}
        tp = throughput(models, arts, repeats)
        lines += ["", f"Throughput (the whole backend: encode, score, choose; after load; the first {len(arts)} "
                      f"stories in calls of {CHUNK}; best of {repeats}, the two scorers alternating, same process): "
                      f"centrality {tp['centrality']:.2f} articles/s, learned {tp['learned']:.2f} articles/s "
                      f"({100 * (tp['learned'] / tp['centrality'] - 1):+.1f}%)."]
    publish("learned-scorer", "## Learned sentence scorer vs Lead-3 (dev set, through the harness)\n\n"
            + "\n".join(lines) + f"\n\nCommand: `{command}`", write_results)


if __name__ == "__main__":
    main()
