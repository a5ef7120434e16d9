"""Benchmark the llm backend's transformers runtime against one-conversation-at-a-time generate, in the same run.

    python -m eval.bench.llm [--limit 16] [--new-tokens 96] [--threads N] [--write-results]

The model is a Qwen2 of SmolLM2-135M's size built in code (hidden 576, 30 layers, 9 heads,
3 key-value heads, FFN 1,536, 49,152 tokens, tied embeddings: 135M parameters) with
random weights, seeded: no instruct checkpoint of that size is at hand, and random weights
cost the same compute as trained ones. The tokenizer is a byte-level BPE trained in memory
on the dev articles (not saved), with a ChatML template; the conversations are the
backend's own (default system prompt and CNBC-style prompt) for the first ``--limit`` dev
articles, read in place. Both paths are greedy, fp32, at most ``--new-tokens`` new tokens.

* **naive**: one conversation at a time, ``model.generate(input_ids, attention_mask)``;
* **project**: ``HFRuntime.chat`` on all of them: length-sorted batches bounded by memory, each
  batch's prompts prefilled in groups of nearly equal length and laid side by side, left-padded,
  in a preallocated KV cache, then decoded together by ``generate``, in inference mode. Its
  answers are compared with the naive ones.

Prefill and decode are told apart by timing the model's forward calls: a call on more than
one position per row is a prefill, the rest decode steps (sampling and bookkeeping between
steps count as decode). Wall and CPU seconds are both reported: on a shared machine the
process's CPU time shows the work done better than the wall clock.

Target: >= 2x the naive conversations/s with identical greedy outputs.
"""

from __future__ import annotations

import functools
import json
import os
import platform
import sys
import time
from pathlib import Path

import click

from eval.results_md import publish

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / "shared" / "data" / "cnndm_dev_from_test.jsonl"
TARGET_SPEEDUP = 2.0

# HuggingFaceTB/SmolLM2-135M-Instruct's config.json (a Llama there; Qwen2 here, as the issue asks)
SMOLLM2_135M = dict(hidden=576, layers=30, heads=9, kv_heads=3, inter=1536, positions=8192)
VOCAB = 49152


class ForwardClock:
    """Wraps ``model.forward``: wall time of prefill calls (more than one new position) and decode calls."""

    def __init__(self, model):
        self.model, self.real = model, model.forward
        self.prefill = self.decode_calls = 0.0
        self.prefill_tokens = 0

    def __enter__(self):
        @functools.wraps(self.real)  # generate() reads forward's signature (position_ids) through __wrapped__
        def timed(*args, **kwargs):
            ids = kwargs.get("input_ids")
            t = time.perf_counter()
            out = self.real(*args, **kwargs)
            dt = time.perf_counter() - t
            if ids is not None and ids.shape[1] > 1:
                self.prefill += dt
                mask = kwargs.get("attention_mask")
                self.prefill_tokens += int(mask.sum()) if mask is not None else ids.numel()
            else:
                self.decode_calls += dt
            return out

        self.model.forward = timed
        return self

    def __exit__(self, *exc):
        del self.model.forward


def load_articles(data: Path, limit: int) -> list[str]:
    from summarizer.article import parse_article

    out = []
    with data.open(encoding="utf-8") as f:
        for line in f:
            if len(out) >= limit:
                break
            if line.strip():
                out.append(parse_article(json.loads(line)["article"]).body)
    return out


def corpus(data: Path, limit: int = 300) -> list[str]:
    with data.open(encoding="utf-8") as f:
        return [json.loads(line)["article"] for _, line in zip(range(limit), f) if line.strip()]


def timed(fn):
    t, c = time.perf_counter(), time.process_time()
    out = fn()
    return out, (time.perf_counter() - t, time.process_time() - c)


@click.command()
@click.option("--data", type=click.Path(dir_okay=False, path_type=Path), default=DATA, show_default=True,
              help="Dev JSONL (read in place, never copied).")
@click.option("--limit", default=16, show_default=True, help="Articles (conversations).")
@click.option("--new-tokens", default=96, show_default=True, help="max_new_tokens of both paths.")
@click.option("--threads", type=int, default=None, help="torch threads [default: torch's, all cores].")
@click.option("--write-results", is_flag=True, help="Write the table into eval/RESULTS.md.")
def main(data: Path, limit: int, new_tokens: int, threads: int | None, write_results: bool) -> None:
    """Time the llm backend's batched generation against one conversation at a time."""
    if not data.is_file():
        click.echo(f"skipped: the dev data is not at {data} (it lives in ../shared/data beside the clone)")
        return
    import torch
    from transformers.utils import logging as hf_logging

    from eval.common.random_qwen2 import build_tokenizer, qwen2_model
    from summarizer.backends.llm.backend import LLMSettings
    from summarizer.backends.llm.prompt import messages
    from summarizer.backends.llm.runtimes.hf import HFRuntime

    hf_logging.set_verbosity_error()
    if threads:
        torch.set_num_threads(threads)
    load_start = os.getloadavg()
    t = time.perf_counter()
    tok = build_tokenizer(vocab_size=VOCAB, corpus=corpus(data))
    tok.model_max_length = sys.maxsize
    model = qwen2_model(tok, vocab=VOCAB, init=0.02, **SMOLLM2_135M)
    params = sum(p.numel() for p in model.parameters())
    click.echo(f"built a Qwen2 of {params / 1e6:.0f}M parameters (random weights) and a {len(tok)}-token BPE in "
               f"{time.perf_counter() - t:.1f} s; {torch.get_num_threads()} torch threads")
    model.eval()
    convs = [messages(body, 3) for body in load_articles(data, limit)]
    runtime = HFRuntime(LLMSettings(checkpoint="qwen2-smollm2-size-random", device="cpu", dtype="fp32"),
                        model=model, tokenizer=tok)
    rows_ids = [runtime.encode(c) for c in convs]
    n, prompt_tokens = len(convs), sum(map(len, rows_ids))
    gen = runtime._generation_config(new_tokens, 0.0)

    def naive():
        outs = []
        with torch.no_grad():
            for ids in rows_ids:
                x = torch.tensor([ids])
                out = model.generate(input_ids=x, attention_mask=torch.ones_like(x), generation_config=gen)
                new = out[0, len(ids):].tolist()
                end = next((k for k, t in enumerate(new) if t in runtime.eos), len(new))
                outs.append((tok.decode(new[:end], skip_special_tokens=True), end))
        return outs

    with ForwardClock(model) as naive_clock:
        naive_out, naive_t = timed(naive)
    click.echo(f"naive: {naive_t[0]:.1f} s")
    with ForwardClock(model) as clock:
        project_out, project_t = timed(lambda: runtime.chat(convs, max_new_tokens=new_tokens, temperature=0, seed=0))
    click.echo(f"project: {project_t[0]:.1f} s")
    batches = [len(b) for b in runtime.batches([len(runtime.encode(c)) for c in convs], new_tokens)]
    same = sum((g.text, g.completion_tokens) == o for g, o in zip(project_out, naive_out))
    differ = []  # (article, tokens in each, the first character where the texts part)
    for k, (g, (text, end)) in enumerate(zip(project_out, naive_out)):
        if (g.text, g.completion_tokens) != (text, end):
            at = next((c for c, (a, b) in enumerate(zip(g.text, text)) if a != b), min(len(g.text), len(text)))
            differ.append(f"article {k}: {g.completion_tokens} vs {end} tokens, texts part at character {at} "
                          f"of {len(text)}")
            click.echo("differs: " + differ[-1], err=True)
    new_total = sum(e for _, e in naive_out)

    def row(name, secs, clk, batch_text, same_text):
        decode = secs[0] - clk.prefill
        return (f"| {name} | {secs[0]:.1f} | {secs[1]:.1f} | {n / secs[0]:.3f} | {naive_t[0] / secs[0]:.2f}x | "
                f"{clk.prefill_tokens / clk.prefill:.0f} | {new_total / decode:.1f} | {batch_text} | {same_text} |")

    speedup = naive_t[0] / project_t[0]
    met = speedup >= TARGET_SPEEDUP and same == n
    flags = [f"--limit {limit}" if limit != 16 else "", f"--new-tokens {new_tokens}" if new_tokens != 96 else "",
             f"--threads {threads}" if threads else "", "--write-results" if write_results else ""]
    command = " ".join(["python -m eval.bench.llm", *filter(None, flags)])
    distinct = sorted(len(set(text.split())) for text, _ in naive_out)
    lines = [
        "## llm backend speed (`eval/bench/llm.py`)",
        "",
        f"Command: `{command}`. A Qwen2 of SmolLM2-135M's size ({params / 1e6:.0f}M parameters, random weights, "
        f"fp32), the backend's default prompts for the first {n} dev articles ({prompt_tokens} prompt tokens with "
        f"the chat template), greedy, at most {new_tokens} new tokens ({new_total} written in all); "
        f"{os.cpu_count()} CPU cores, {torch.get_num_threads()} torch threads, load average "
        f"{load_start[0]:.1f} at the start and {os.getloadavg()[0]:.1f} at the end; torch {torch.__version__}, "
        f"Python {platform.python_version()}.",
        "",
        "| path | wall s | CPU s | conversations/s | vs naive | prefill tokens/s | decode tokens/s | batch sizes "
        "| outputs vs naive |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        row("naive: one conversation at a time, plain `generate`", naive_t, naive_clock, "1 x " + str(n), "-"),
        row("project: `HFRuntime.chat` (prompts prefilled apart, decoded in left-padded batches from a "
            "preallocated KV cache)", project_t, clock,
            "+".join(map(str, batches)), f"{same}/{n} identical"),
        "",
        f"Target >= {TARGET_SPEEDUP:.0f}x the naive conversations/s with identical greedy outputs: "
        f"{'met' if met else '**not met**'} ({speedup:.2f}x wall, {naive_t[1] / project_t[1]:.2f}x CPU time, "
        f"{same}/{n} identical). Prefill tokens/s counts real (unpadded) prompt tokens over the prefill calls' "
        "time (the project's prefill covers every prompt token but the last, which its first decode step "
        "computes); decode tokens/s the tokens written over the rest. Batching cannot speed prefill much (each "
        "prompt is already a large matrix product, and padding a short one to a long one's width only adds "
        "work); it pays in decoding, where one step reads every weight once for all the rows of a batch.",
        "",
        *([f"Outputs that differ from the naive ones: {'; '.join(differ)}.", ""] if differ else []),
        f"Random weights write degenerate text (a median of {distinct[len(distinct) // 2]} distinct words per "
        "answer), so identical outputs here say the batching is exact, not that a trained model's close calls "
        "between tokens could never differ in the last bits.",
    ]
    publish("bench_llm", "\n".join(lines), write_results)


if __name__ == "__main__":
    main()
