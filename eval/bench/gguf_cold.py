"""What a person waits for `summarize --model FILE.gguf`: against bare llama-cpp-python, new processes.

    python -m eval.bench.gguf_cold --model ~/.cache/summarizer-llm/qwen2.5-coder-0.5b-instruct.gguf \
        [--runs 5] [--write-results]

* **cold key points**: ``python -m summarizer --model FILE.gguf -n 3 -f json ARTICLE`` in a new
  process, against a new process that does the same load and generation with bare
  llama-cpp-python (``Llama(...).create_chat_completion`` on the conversation the llm backend
  sends, greedy, a context large enough, ``max_tokens`` set to the number of answer tokens the
  package's first run wrote, so that neither does more work: two builds of the same greedy
  decoding may part on a near-tie and stop at different lengths): the two alternate,
  ``--runs`` times each, after one warm-up of each; wall-clock medians. The difference is what the package adds: its
  imports, reading the article, the chat template, grounding the key points (the sentence
  encoder) and writing JSON. Both answers' token counts are shown, so the generations are
  seen to match.
* **summarize models FILE.gguf**: the header read, the runtime choice; median of ``--runs``.
* **the header alone**: the package's reader (:mod:`summarizer.backends.llm.gguf_header`)
  against the ``gguf`` package's ``GGUFReader`` (once: it takes seconds), in this process.

The article is ``examples/cnbc_article.txt``. Run it on an idle machine: the load average is
printed at the start and the end.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import click

from ..results_md import publish

REPO = Path(__file__).resolve().parents[2]
ARTICLE = REPO / "examples" / "cnbc_article.txt"

_BARE = r"""
import json, sys, time
model, max_tokens, n_ctx, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
messages = json.loads(sys.stdin.read())
from llama_cpp import Llama
llm = Llama(model_path=model, n_ctx=n_ctx, n_threads=threads, n_threads_batch=threads, verbose=False)
out = llm.create_chat_completion(messages=messages, max_tokens=max_tokens, temperature=0.0, top_k=1,
                                 repeat_penalty=1.0, seed=0)
print(json.dumps({"text": out["choices"][0]["message"]["content"], "usage": out["usage"]}))
"""


def _messages(n: int) -> tuple[list[dict], int]:
    """The conversation the llm backend sends for the example, and its max_new_tokens."""
    from summarizer.article import parse_article
    from summarizer.backends.llm.backend import LLMSettings
    from summarizer.backends.llm.prompt import messages

    settings = LLMSettings()
    article = parse_article(ARTICLE.read_text(encoding="utf-8"))
    return messages(article.body, n, prompt=settings.prompt, system_prompt=settings.system_prompt), \
        settings.max_new_tokens


def _ours(model: Path, n: int) -> tuple[float, dict]:
    t = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "summarizer", "--model", str(model), "-n", str(n), "-f", "json",
                          str(ARTICLE)], cwd=REPO, capture_output=True, text=True)
    seconds = time.perf_counter() - t
    if run.returncode != 0:
        raise click.ClickException(f"summarize failed: {run.stderr.strip()[-500:]}")
    return seconds, json.loads(run.stdout)


def _bare(model: Path, messages: list[dict], max_tokens: int, n_ctx: int, threads: int) -> tuple[float, dict]:
    t = time.perf_counter()
    run = subprocess.run([sys.executable, "-c", _BARE, str(model), str(max_tokens), str(n_ctx), str(threads)],
                         input=json.dumps(messages), capture_output=True, text=True, cwd=REPO)
    seconds = time.perf_counter() - t
    if run.returncode != 0:
        raise click.ClickException(f"bare llama-cpp-python failed: {run.stderr.strip()[-500:]}")
    return seconds, json.loads(run.stdout.strip().splitlines()[-1])


def _models(model: Path) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "summarizer", "models", str(model)], cwd=REPO, check=True,
                   capture_output=True)
    return time.perf_counter() - t


@click.command()
@click.option("--model", "model", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A chat model's GGUF file.")
@click.option("--runs", type=click.IntRange(min=1), default=5, show_default=True, help="New processes of each kind.")
@click.option("-n", "num_points", type=click.IntRange(min=1), default=3, show_default=True, help="Key points.")
@click.option("--write-results", is_flag=True, help="Record the table in eval/RESULTS.md.")
def main(model: Path, runs: int, num_points: int, write_results: bool) -> None:
    """Cold `summarize --model FILE.gguf` against bare llama-cpp-python; `summarize models FILE.gguf`."""
    from summarizer.backends.llm.gguf_header import read_header
    from summarizer.env import cpu_count

    loads = [os.getloadavg()[0]]
    t = time.perf_counter()
    header = read_header(model)
    ours_header = time.perf_counter() - t
    try:
        from gguf import GGUFReader

        t = time.perf_counter()
        GGUFReader(model)
        theirs_header: float | None = time.perf_counter() - t
    except ImportError:
        theirs_header = None
    messages, max_tokens = _messages(num_points)
    threads = cpu_count()
    n_ctx = 2048  # the prompt (about 400 tokens) and max_tokens fit; the package sizes its own context likewise
    ours, bare, answers = [], [], []
    _models(model)  # the page cache holds the file for both from here on
    _, warm = _ours(model, num_points)
    max_tokens = warm["info"]["completion_tokens"]  # the bare process writes at most as many
    _bare(model, messages, max_tokens, n_ctx, threads)
    for k in range(runs):
        pair = [("ours", None), ("bare", None)] if k % 2 == 0 else [("bare", None), ("ours", None)]
        for name, _ in pair:
            if name == "ours":
                seconds, out = _ours(model, num_points)
                ours.append(seconds)
                answers.append(("ours", out["info"]["completion_tokens"], out["info"]["seconds"]))
            else:
                seconds, out = _bare(model, messages, max_tokens, n_ctx, threads)
                bare.append(seconds)
                answers.append(("bare", out["usage"]["completion_tokens"], None))
        click.echo(f"run {k + 1}/{runs}: ours {ours[-1]:.1f} s, bare {bare[-1]:.1f} s", err=True)
    models = [_models(model) for _ in range(runs)]
    loads.append(os.getloadavg()[0])
    med = statistics.median
    ours_tokens = sorted({a[1] for a in answers if a[0] == "ours"})
    bare_tokens = sorted({a[1] for a in answers if a[0] == "bare"})
    inside = med([a[2] for a in answers if a[0] == "ours"])
    lines = [
        f"## Cold `summarize --model FILE.gguf` against bare llama-cpp-python (`eval/bench/gguf_cold.py`)",
        "",
        f"{model.name} ({model.stat().st_size / 1e6:.0f} MB, {header.architecture}, "
        f"{header.parameters / 1e6:.0f}M weights), `examples/cnbc_article.txt`, -n {num_points}, greedy, "
        f"{threads} threads.",
        "",
        "| measure | seconds |",
        "| --- | --- |",
        f"| `summarize --model FILE.gguf -n {num_points} -f json ARTICLE`, new process (median of {runs}) "
        f"| {med(ours):.2f} |",
        f"| the same load and generation with bare llama-cpp-python, new process (median of {runs}) | {med(bare):.2f} |",
        f"| **difference: what the package adds** | **{med(ours) - med(bare):+.2f}** |",
        f"| the package's own `info.seconds` (load and generation) | {inside:.2f} |",
        f"| `summarize models FILE.gguf`, new process (median of {runs}) | {med(models):.2f} |",
        f"| the header read by the package (in process) | {ours_header:.3f} |",
        f"| the header read by the `gguf` package's `GGUFReader` (in process, once) | "
        + (f"{theirs_header:.1f} |" if theirs_header is not None else "not installed |"),
        "",
        f"Answer tokens: the package's {ours_tokens}, bare llama-cpp-python's {bare_tokens} (greedy both, the bare "
        f"one capped at the package's count, {max_tokens}). The two kinds alternate run by run, after a warm-up "
        "of each. Load average "
        f"{loads[0]:.1f} at the start and {loads[-1]:.1f} at the end, {os.cpu_count()} CPU cores.",
        "",
        f"Command: `python -m eval.bench.gguf_cold --model {model.name} --runs {runs}"
        f"{' --write-results' if write_results else ''}`",
    ]
    publish("bench_gguf_cold", "\n".join(lines), write_results)


if __name__ == "__main__":
    main()
