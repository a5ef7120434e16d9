"""Peak memory of a huge article beside a normal one, through the CLI, in new processes.

    python -m eval.bench.hostile [--sentences 8000] [--model extractive] [--write-results]

Issue 16's case: a 0.8 MB text of 8,000 short sentences given to ``summarize`` together with
a normal news article. Each configuration runs ``python -m summarizer -f jsonl ...`` in a
fresh process; its peak RSS is that process's own ``ru_maxrss`` (``os.wait4``), so start-up,
model load and both articles are in it:

* **normal**: the normal article alone (the baseline, same run);
* **huge + normal**: the 8,000-sentence article, then the normal one, in one call.

The table gives peak RSS, wall time, the ratio to the baseline, and whether the normal
article came back summarized. Target (issue 16): huge + normal <= 1.5 GB peak RSS. The
articles are generated here (our own wording), never taken from the shared data.

The second table measures what the input checks added to the default path cost per article
(the decode checks of ``summarizer.inputs.local`` and the sentence splitter), on the first
``--articles`` dev stories when ``../shared/data`` is there, else on generated articles.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import click

from eval.results_md import publish

REPO = Path(__file__).resolve().parents[2]
DEV = REPO.parent / "shared" / "data" / "cnndm_dev_from_test.jsonl"
TARGET_MB = 1536.0

_WHO = ["The council", "A judge", "The board", "Officials", "The mayor", "Two nurses", "Farmers", "The agency",
        "Police", "Residents", "The governor", "Engineers"]
_DID = ["approved", "delayed", "rejected", "announced", "funded", "questioned", "reviewed", "expanded", "studied"]
_WHAT = ["the ferry plan", "new bus routes", "the bridge budget", "a water study", "the depot sale",
         "night service", "a road repair", "the stadium lease", "library hours", "school meals"]
_WHEN = ["on Monday", "after a debate", "by a 5-2 vote", "again", "late on Friday", "despite protests",
         "at a cost of $3 million", "without discussion", "this spring", "in a short meeting"]


def huge_article(sentences: int, seed: int = 0) -> str:
    """``sentences`` short news-like sentences (~100 bytes each), in paragraphs of five."""
    rng = random.Random(seed)
    out = []
    for i in range(sentences):
        s = (f"{rng.choice(_WHO)} {rng.choice(_DID)} {rng.choice(_WHAT)} {rng.choice(_WHEN)}, the city record of "
             f"item {i} shows in its notes.")
        out.append(s + ("\n\n" if i % 5 == 4 else " "))
    return "".join(out).strip()


def normal_article(seed: int = 1) -> str:
    """A normal-length story: 30 sentences, about 3 KB."""
    return huge_article(30, seed)


def run_cli(model: str, files: list[Path], extra: list[str]) -> dict:
    """``summarize -f jsonl FILES`` in a new process: its peak RSS, wall time, outputs."""
    cmd = [sys.executable, "-m", "summarizer", "-m", model, "-f", "jsonl", *extra, *map(str, files)]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    t = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t
        out.seek(0)
        err.seek(0)
        lines = [json.loads(line) for line in out.read().decode().splitlines() if line.strip()]
        stderr = err.read().decode()
    return {
        "peak_rss_mb": usage.ru_maxrss / 1024,  # Linux: KiB
        "wall_s": wall,
        "exit": os.waitstatus_to_exitcode(status),
        "summaries": {Path(d["name"]).name: len(d["key_points"]) for d in lines},
        "stderr": stderr.strip().splitlines()[-1:] if stderr.strip() else [],
    }


def overhead(articles: int) -> dict:
    """Per-article cost of the input checks and of splitting, on dev stories or generated ones."""
    from summarizer.inputs.local import check_text, decode
    from summarizer.split import split_sentences

    if DEV.is_file():
        with open(DEV, encoding="utf-8") as f:
            texts = [json.loads(line)["article"] for _, line in zip(range(articles), f)]
        source = f"the first {len(texts)} stories of {DEV.name}"
    else:
        texts = [normal_article(seed) for seed in range(articles)]
        source = f"{len(texts)} generated articles"
    blobs = [t.encode("utf-8") for t in texts]

    def per_article_ms(fn) -> float:
        times = []
        for _ in range(5):
            t = time.perf_counter()
            for x in fn():
                pass
            times.append((time.perf_counter() - t) / len(texts) * 1000)
        return statistics.median(times)

    return {
        "source": source,
        "plain_decode_ms": per_article_ms(lambda: (b.decode("utf-8") for b in blobs)),
        "decode_ms": per_article_ms(lambda: (decode(b, "x") for b in blobs)),
        "checks_ms": per_article_ms(lambda: (check_text(t, "x") for t in texts)),
        "split_ms": per_article_ms(lambda: (split_sentences(t) for t in texts)),
    }


@click.command()
@click.option("--sentences", default=8000, show_default=True, help="Sentences of the huge article.")
@click.option("--model", "-m", default="extractive", show_default=True, help="The model summarize runs.")
@click.option("--articles", default=1000, show_default=True, help="Articles for the overhead table.")
@click.option("--write-results", is_flag=True, help="Write the section of eval/RESULTS.md.")
def main(sentences: int, model: str, articles: int, write_results: bool) -> None:
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        huge, normal = Path(tmp) / "huge.txt", Path(tmp) / "normal.txt"
        huge.write_text(huge_article(sentences), encoding="utf-8")
        normal.write_text(normal_article(), encoding="utf-8")
        size_mb = huge.stat().st_size / 1e6
        base = run_cli(model, [normal], [])
        both = run_cli(model, [huge, normal], [])
    load_after = os.getloadavg()
    ratio = both["peak_rss_mb"] / base["peak_rss_mb"]
    met = both["peak_rss_mb"] <= TARGET_MB and both["summaries"].get("normal.txt", 0) > 0
    rows = [("normal article alone (baseline)", base), (f"huge ({sentences:,} sentences, {size_mb:.2f} MB) + normal", both)]
    lines = [
        "## Hostile inputs: peak RSS of a huge article beside a normal one (`eval/bench/hostile.py`)",
        "",
        f"Command: `python -m eval.bench.hostile --sentences {sentences} --model {model}"
        f"{' --write-results' if write_results else ''}`; each row is `summarize -m {model} -f jsonl FILES` in a "
        f"new process, peak RSS its own `ru_maxrss` (start-up and model load included). Load average "
        f"{load_before[0]:.1f} before, {load_after[0]:.1f} after (1 min; 2 CPU cores shared with other jobs).",
        "",
        "| configuration | exit | key points per input | wall (s) | peak RSS (MB) | ratio to baseline |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, r in rows:
        kps = ", ".join(f"{k}: {v}" for k, v in r["summaries"].items()) or "none"
        lines.append(f"| {name} | {r['exit']} | {kps} | {r['wall_s']:.1f} | {r['peak_rss_mb']:.0f} | "
                     f"{r['peak_rss_mb'] / base['peak_rss_mb']:.2f}x |")
    lines += ["", f"Target: huge + normal <= {TARGET_MB:.0f} MB peak RSS with the normal article summarized: "
                  f"{'met' if met else 'NOT met'} ({both['peak_rss_mb']:.0f} MB, {ratio:.2f}x the baseline)."]
    if both["stderr"]:
        lines.append(f"Last stderr line of the huge run: `{both['stderr'][0][:200]}`")
    o = overhead(articles)
    lines += [
        "",
        f"Default-path cost of the input checks, per article (median of 5 passes over {o['source']}):",
        "",
        "| step | ms per article |",
        "| --- | --- |",
        f"| `bytes.decode('utf-8')` alone | {o['plain_decode_ms']:.3f} |",
        f"| `inputs.local.decode` (BOM, strict decode, NUL / control / letter checks) | {o['decode_ms']:.3f} |",
        f"| the text checks alone (`check_text`, timed apart) | {o['checks_ms']:.3f} |",
        f"| `split_sentences` (with the other-script ends and the length cap) | {o['split_ms']:.3f} |",
    ]
    publish("bench_hostile", "\n".join(lines), write_results)


if __name__ == "__main__":
    main()
