"""A long article through ``--model openai:NAME`` against a server with a small context: chunked, or cut
with ``--truncate``, as on every runtime.

    python -m eval.bench.openai_context [--model ~/.cache/summarizer-llm/qwen2.5-coder-0.5b-instruct.gguf] \
        [--n-ctx 2048] [--words 5000] [--write-results]

Starts llama-cpp-python's server (``eval/common/llama_server.py``) with ``--n_ctx N`` on a chat
GGUF, and summarizes one long article through the openai runtime, in this process, as
``summarize --model openai:qwen --api-base URL -o context_tokens=N ARTICLE`` does:

* **no context given**: llama-cpp-python's server says neither its context nor anything the
  runtime can learn it from (its ``/v1/models`` lists ids only, it has no ``/props``), so the
  article goes whole and fails, alone, with the server's message;
* **chunked**: ``-o context_tokens=N`` (the server's ``--n_ctx``): the article is packed into
  chunks that fit, tokens counted by the server's ``/extras/tokenize/count``;
* **truncated**: the same with ``--truncate``: the leading sentences that fit, the loss in ``info``.

For each: wall time (the runtime's start, its questions to the server, counting, generation and
grounding), chunks, the article's tokens and the dropped ones, requests to each endpoint, the
prompt tokens the runtime counted against those the server's ``usage`` reports, and the key
points (printed; the section records their number and length, not their text).

The article: the first dev stories of ``cnndm_dev_from_test.jsonl`` (CNN/DailyMail), concatenated
in file order until ``--words`` words, one story a paragraph; built at run time, never stored.
Greedy (``repeat_penalty`` 1.0, see docs/llm.md), ``concurrency`` 1 (the server answers one at a
time), 3 key points. Run it on an idle machine: the load average is recorded.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import click

from ..results_md import publish

REPO = Path(__file__).resolve().parents[2]
DEV = REPO.parent / "shared" / "data" / "cnndm_dev_from_test.jsonl"
MODEL = Path("~/.cache/summarizer-llm/qwen2.5-coder-0.5b-instruct.gguf").expanduser()
GREEDY = '{"repeat_penalty": 1.0}'


def long_article(path: Path, words: int) -> tuple[str, int]:
    """The first stories of ``path`` joined, one a paragraph, until ``words`` words; and how many stories."""
    parts, count = [], 0
    with path.open(encoding="utf-8") as f:
        for line in f:
            text = " ".join(str(json.loads(line)["article"]).split())
            parts.append(text)
            count += len(text.split())
            if count >= words:
                break
    return "\n\n".join(parts), len(parts)


def one_run(base: str, article: Any, settings: dict[str, Any]) -> dict[str, Any]:
    """Open the openai runtime on ``base`` and summarize ``article``; what it cost and said."""
    from summarizer.api import load
    from summarizer.backends import resolve

    t = time.perf_counter()
    # a chunk's prefill on a busy 2-core machine can pass the default 120 s, and a retry would queue
    # behind the first request, which the server does not cancel
    summarizer = load(resolve("openai:qwen"), api_base=base, concurrency=1, api_extra=GREEDY, request_timeout=900.0,
                      **settings)
    runtime = summarizer.runtime
    c = time.perf_counter()
    prepared = summarizer.prepare(article, 3)  # counting; summarize() below finds the counts cached
    counting = time.perf_counter() - c
    counted = sum(runtime.count_tokens(c) for c in prepared.conversations) if summarizer.context_length else None
    (summary,) = summarizer.summarize([article], num_points=3)
    seconds = time.perf_counter() - t
    segments = None
    if summarizer.context_length and runtime.facts().tokenizer:  # the body counted by sentences, as chunking counts
        user = [{"role": "user", "content": article.body}]
        segments = runtime.count_tokens(user) - runtime.count_tokens([{"role": "user", "content": ""}])
    described = runtime.describe()
    runtime.close()
    return {"seconds": seconds, "counting": counting, "info": summary.info, "requests": dict(runtime.requests), "counted": counted,
            "points": [k.text for k in summary.key_points], "flagged": sum(bool(k.flags) for k in summary.key_points),
            "token_count": described["token_count"], "context_source": described["context_source"],
            "segments": segments}


def _count(base: str, text: str) -> int:
    """``text``'s tokens in one request to llama-cpp-python's ``/extras/tokenize/count``."""
    import httpx

    root = base[: -len("/v1")]
    return int(httpx.post(f"{root}/extras/tokenize/count", json={"input": text}, timeout=60).json()["count"])


@click.command()
@click.option("--model", "model", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=MODEL,
              show_default=True, help="A chat model's GGUF file, served by llama-cpp-python.")
@click.option("--n-ctx", type=click.IntRange(min=512), default=2048, show_default=True,
              help="The server's context (its --n_ctx), given to the runtime as -o context_tokens.")
@click.option("--words", type=click.IntRange(min=100), default=5000, show_default=True,
              help="Words of dev stories joined into the long article.")
@click.option("--write-results", is_flag=True, help="Record the table in eval/RESULTS.md.")
def main(model: Path, n_ctx: int, words: int, write_results: bool) -> None:
    """A long article through the openai runtime on a small-context server: chunked, and with --truncate."""
    from eval.common.llama_server import llama_server
    from summarizer.article import parse_article
    from summarizer.env import cpu_count

    loads = [os.getloadavg()[0]]
    text, stories = long_article(DEV, words)
    article = parse_article(text)
    threads = cpu_count()
    t = time.perf_counter()
    with llama_server(model, n_ctx=n_ctx, threads=threads) as base:
        started = time.perf_counter() - t
        whole = one_run(base, article, {})
        chunked = one_run(base, article, {"context_tokens": n_ctx})
        cut = one_run(base, article, {"context_tokens": n_ctx, "truncate": True})
        body_tokens = _count(base, article.body)  # the body in one request: what the segments' sum approximates
    loads.append(os.getloadavg()[0])
    for name, r in (("no context given", whole), ("chunked", chunked), ("--truncate", cut)):
        click.echo(f"\n{name}: {r['info']}\n  requests {r['requests']}", err=True)
        for p in r["points"]:
            click.echo(f"  - {p}", err=True)

    def n0(v: Any) -> str:
        return "-" if v is None else f"{v:,}"

    def row(name: str, r: dict[str, Any]) -> str:
        info = r["info"]
        tokenize = sum(v for k, v in r["requests"].items() if "tokenize" in k)
        chats = r["requests"].get("chat/completions", 0)
        if "error" in info:
            return (f"| {name} | {r['seconds']:.1f} | - | {info['chunks']} | {chats} | - | - | {tokenize} | - | "
                    f"failed: {info['error'][:150]} |")
        words_per = sum(len(p.split()) for p in r["points"]) / max(1, len(r["points"]))

        def n(v: Any) -> str:
            return "-" if v is None else f"{v:,}"

        return (f"| {name} | {r['seconds']:.1f} | {r['counting']:.1f} | {info['chunks']} | {chats} | "
                f"{n(info['input_tokens'])} | "
                f"{n(info['dropped_tokens'])} | {tokenize} | {n(r['counted'])} / {n(info['prompt_tokens'])} | "
                f"{len(r['points'])} key points, {words_per:.0f} words each, {r['flagged']} flagged |")

    lines = [
        "## A long article through the openai runtime on a small-context server (`eval/bench/openai_context.py`)",
        "",
        f"llama-cpp-python's server (`python -m llama_cpp.server --n_ctx {n_ctx}`, {threads} threads) on "
        f"{model.name} ({model.stat().st_size / 1e6:.0f} MB); the article: the first {stories} dev stories of "
        f"cnndm_dev_from_test.jsonl joined, {len(article.body.split()):,} words, {len(article.sentences)} sentences. "
        "`--model openai:qwen`, 3 key points, greedy (`repeat_penalty` 1.0), at most 256 new tokens, "
        f"concurrency 1, request_timeout 900 s; in one process, the server started once ({started:.1f} s, not counted below).",
        "",
        "| run | wall (s) | of which counting (s) | chunks | chat requests | article tokens | dropped tokens | "
        "tokenize requests | prompt tokens counted / server's usage | answer |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        row("no context given", whole),
        row(f"`-o context_tokens={n_ctx}`: chunked", chunked),
        row(f"`-o context_tokens={n_ctx} --truncate`", cut),
        "",
        f"`context_source` in the settings: without the setting \"{whole['context_source']}\"; with it "
        f"\"{chunked['context_source']}\". `token_count`: \"{chunked['token_count']}\". Wall time: the "
        "runtime's start and its questions to the server, counting, generation and grounding; counting: the "
        "first preparation of the article (the tokenize requests). The tokenize requests include the runtime's probe of the "
        "server's endpoints, and each distinct sentence is counted once (the truncated run, a new runtime, counts "
        f"again). Requests of the chunked run by endpoint: {chunked['requests']}. "
        f"The article's body counted by sentences, as chunking counts it: {n0(chunked['segments'])} tokens; in one "
        f"request to the server: {body_tokens:,}. "
        "Prompt tokens counted: the runtime's count of the conversations it sent (the template's own tokens "
        "by the fixed allowance, llama-cpp-python having no template endpoint); the server's usage: its "
        "`prompt_tokens`. "
        f"Load average {loads[0]:.1f} at the start and {loads[-1]:.1f} at the end, {os.cpu_count()} CPU cores.",
        "",
        f"Command: `python -m eval.bench.openai_context --model {model.name} --n-ctx {n_ctx} --words {words}"
        f"{' --write-results' if write_results else ''}`",
    ]
    publish("bench_openai_context", "\n".join(lines), write_results)


if __name__ == "__main__":
    main()
