"""Benchmark: ROUGE-1.5.5's numbers on 10,000 real pairs three ways: ``--implementation
rouge155`` (this package, pure Python), the perl script through a wrapper, and today's
rouge-score path of the harness, for scale.

    python -m eval.rouge155.bench                  # print the table
    python -m eval.rouge155.bench --write-results  # and record it in eval/RESULTS.md

The pairs are ``eval/bench/scoring.py``'s: real text from ../shared/data (the 3,000 See et
al. outputs, Lead-3 and sentences 4-6 of the dev and training stories, against their
highlights). All score ROUGE-1, ROUGE-2 and the summary-level ROUGE-L (rougeLsum) with
stemming, one reference a pair:

* rouge155: ``summarizer.evaluate.rouge155.score_pairs`` over ``--jobs`` processes (and
  over one), from cold caches;
* rouge-score: ``summarizer.evaluate.rouge.score_pairs``, the harness's scorer today, the
  same way (cold stem cache);
* perl: ``eval.rouge155.perl.run``, which writes the SEE files and the XML configuration
  as pyrouge does, runs ``ROUGE-1.5.5.pl -c 95 -r 1000 -n 2 -m -a -d -f A`` once on all
  pairs (not niced: the whole benchmark runs at one priority) and parses its per-pair
  output. Its time is the wrapper's wall clock, files included.

The Python rows run ``--repeat`` times, alternating, and the table gives the median; perl
runs once. Every per-pair P, R and F of rouge155 is compared with perl's.
"""

from __future__ import annotations

import os
import platform
import resource
import statistics
import time

import click

from eval.results_md import publish

METRICS = ("rouge1", "rouge2", "rougeLsum")


def cpu() -> float:
    """CPU seconds of this process and of its finished children (pool workers, perl):
    less sensitive than the wall clock to a machine shared with other jobs."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def time_rouge155(pairs, jobs: int) -> tuple[float, float, list]:
    from summarizer.evaluate import rouge155
    from summarizer.evaluate.rouge import RougeConfig

    c0, t0 = cpu(), time.perf_counter()
    got = rouge155.score_pairs(references=[[r] for r, _ in pairs], predictions=[p for _, p in pairs],
                               config=RougeConfig(implementation="rouge155"), jobs=jobs)
    return time.perf_counter() - t0, cpu() - c0, got


def time_rouge_score(pairs, jobs: int) -> tuple[float, float, list]:
    from summarizer.evaluate import rouge

    rouge._STEMS.clear()  # a cold start, as in a fresh process
    c0, t0 = cpu(), time.perf_counter()
    got = rouge.score_pairs(references=[[r] for r, _ in pairs], predictions=[p for _, p in pairs],
                            config=rouge.RougeConfig(metrics=METRICS), jobs=jobs)
    return time.perf_counter() - t0, cpu() - c0, got


@click.command()
@click.option("--pairs", "n", default=10_000, show_default=True, help="Prediction/reference pairs.")
@click.option("--jobs", default=2, show_default=True, help="Scoring processes of the Python scorers.")
@click.option("--repeat", default=3, show_default=True, help="Runs of each Python row; the median is reported.")
@click.option("--write-results", is_flag=True, help="Record the table in eval/RESULTS.md.")
def main(n: int, jobs: int, repeat: int, write_results: bool) -> None:
    """Time rouge155 against the perl script and against rouge-score on the same pairs."""
    import rouge_score.rouge_scorer  # noqa: F401  (NLTK's import, seconds, is not timed)

    from eval.bench.scoring import load_pairs
    from eval.rouge155 import perl as rouge155_perl
    from summarizer.evaluate.rouge155 import exceptions, stopwords

    exceptions(), stopwords()  # the package data, read once per process (milliseconds)
    pairs = load_pairs(n)
    rouge155_perl.data_dir()  # the WordNet DB is built once, not timed
    load_before = os.getloadavg()
    rows: dict[tuple[str, int], list[tuple[float, float]]] = {}
    got = None
    for _ in range(repeat):
        for procs in dict.fromkeys((jobs, 1)):
            wall, cpu_s, got = time_rouge155(pairs, procs)
            rows.setdefault(("rouge155", procs), []).append((wall, cpu_s))
            wall, cpu_s, _ = time_rouge_score(pairs, procs)
            rows.setdefault(("rouge-score", procs), []).append((wall, cpu_s))
    c0, t0 = cpu(), time.perf_counter()
    perl = rouge155_perl.run([[r] for r, _ in pairs], [p for _, p in pairs], cache=False, nice=False)
    perl_wall, perl_cpu = time.perf_counter() - t0, cpu() - c0
    load_after = os.getloadavg()

    same = sum(all((g[m].precision, g[m].recall, g[m].fmeasure) == q[m] for m in METRICS)
               for g, q in zip(got, perl.scores))

    def med(name: str, procs: int, k: int) -> float:
        return statistics.median(t[k] for t in rows[(name, procs)])

    per = 10_000 / len(pairs)
    lines = [
        f"{len(pairs):,} real pairs (ROUGE-1, -2, -L summary-level, stemming, one reference); {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, load average {load_before[0]:.1f} before, {load_after[0]:.1f} after; "
        f"Python rows: median of {repeat} runs, alternating. CPU: seconds of CPU of the process and its "
        "children (workers, perl), which a shared machine disturbs less than the wall clock.",
        "",
        "| scorer | processes | wall s per 10,000 pairs | CPU s per 10,000 | perl / this (wall) | perl / this (CPU) "
        "| this / rouge-score, same processes (wall) |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, procs in rows:
        wall, cpu_s = med(name, procs, 0), med(name, procs, 1)
        lines.append(f"| {name} | {procs} | {wall * per:.2f} | {cpu_s * per:.2f} | {perl_wall / wall:.1f}x | "
                     f"{perl_cpu / cpu_s:.1f}x | {wall / med('rouge-score', procs, 0):.2f} |")
    lines.append(f"| perl ROUGE-1.5.5 through the wrapper (the script alone: {perl.seconds * per:.1f} s) | 1 | "
                 f"{perl_wall * per:.1f} | {perl_cpu * per:.1f} | 1.0x | 1.0x | |")
    options = "".join([f" --pairs {n}" if n != 10_000 else "", f" --jobs {jobs}" if jobs != 2 else "",
                       f" --repeat {repeat}" if repeat != 3 else ""])
    lines += [
        "",
        f"rouge155 with {jobs} processes: {perl_wall / med('rouge155', jobs, 0):.1f}x the perl script's wall time "
        f"({perl_cpu / med('rouge155', jobs, 1):.1f}x its CPU time), {med('rouge155', jobs, 0) / med('rouge-score', jobs, 0):.2f}x "
        f"the wall time of rouge-score with {jobs}. Per-pair precision, recall and F1 of rouge155 identical to "
        f"perl's on {same:,} of {len(pairs):,} pairs.",
        "",
        f"Command: `python -m eval.rouge155.bench{options} --write-results`",
    ]
    publish("bench_rouge155", "## ROUGE-1.5.5 speed: rouge155 against the perl script and rouge-score\n\n"
            + "\n".join(lines), write_results)


if __name__ == "__main__":
    main()
