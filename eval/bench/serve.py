"""`summarize serve` on 127.0.0.1 against `summarize eval`'s bulk rate, in the same run.

    python -m eval.bench.serve [--limit 1000] [--clients 1,8,32] [--page-runs 5] [--write-results]

* **bulk**: the first ``--limit`` dev stories through the path ``summarize eval`` takes
  (``get_summarizer`` once, then ``engines.summarize_batch`` on batches of its
  ``--docs-per-call`` 16, 3 key points each), in a process of its own, timed after the model
  loads; run before and after the server, and the mean taken (the machine is shared). Then
  the first 200 stories one a call, in that process: the model's own time for a lone story,
  the floor under the server's latency.
* **the server**: ``python -m summarizer serve`` (the default model and settings) in a
  process of its own on a free port of 127.0.0.1. For each ``--clients`` level, that many
  clients (one keep-alive connection each, a small asyncio HTTP/1.1 client, so the load
  generator takes little of the CPU it shares with the server) send the same ``--limit``
  stories, each once, ``{"text": story, "n": 3}``: articles/s from the first request to the
  last answer, and the share of the bulk rate. With 1 client, each request's wall time is
  the warm one-article latency (p50, p99); 10 warm-up requests go first, not counted. Every
  answer must be 200 with 3 key points or fewer; each level stops after ``--max-seconds``.
  The server's peak RSS is its ``VmHWM`` at the end.
* **the page**: headless Chromium (``eval.common.headless``) opens ``/``, a dev story is pasted,
  the button clicked; the time from the click to the key points on the page (in-page
  ``performance.now()``), median of ``--page-runs``; console errors and requests to
  another host are counted.

The load average is printed at the start and the end.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import click

from eval.results_md import publish

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / "shared" / "data" / "cnndm_dev_from_test.jsonl"
DOCS_PER_CALL = 16  # summarize eval's default --docs-per-call
NUM_POINTS = 3  # summarize eval's default -n
ALONE = 200  # stories timed one a call in the bulk process: the model's own share of a lone request
TARGETS = {"p50_ms": 60.0, "share": 0.80}


def _stories(limit: int) -> list[str]:
    with open(DATA, encoding="utf-8") as f:
        return [json.loads(line)["article"] for _, line in zip(range(limit), f)]


def bulk_worker(limit: int) -> dict:
    """``summarize eval``'s path over the first ``limit`` stories, timed after the model loads."""
    import resource

    from summarizer.article import Limits
    from summarizer.backends import get_summarizer, resolve
    from summarizer.evaluate import load_dataset
    from summarizer.evaluate.engines import Job, summarize_batch
    from summarizer.evaluate.runs import Prediction, batches

    docs = load_dataset(str(DATA)).documents[:limit]
    job = Job("extractive", {}, NUM_POINTS, Limits(), resolve("extractive"))
    model = get_summarizer(job.resolved)
    summarize_batch(model, docs[:1], job)  # warm, as the server warms itself at start-up
    t = time.perf_counter()
    ok = sum(isinstance(r, Prediction) for batch in batches(docs, DOCS_PER_CALL) for r in summarize_batch(model, batch, job))
    seconds = time.perf_counter() - t
    alone = []  # the floor of a server's latency: one story a call, in this process, no HTTP
    for d in docs[:ALONE]:
        t = time.perf_counter()
        model.summarize([d.article], num_points=NUM_POINTS)
        alone.append(time.perf_counter() - t)
    return {"articles": len(docs), "ok": ok, "seconds": seconds, "alone": alone,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def bulk(limit: int) -> dict:
    r = subprocess.run([sys.executable, "-m", "eval.bench.serve", "--bulk-worker", "--limit", str(limit)],
                       capture_output=True, text=True, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    if r.returncode != 0:
        raise click.ClickException(f"the bulk worker failed:\n{r.stderr[-3000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``python -m summarizer serve`` on 127.0.0.1, started and stopped by this script."""

    def __init__(self) -> None:
        self.port = _free_port()
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        env.pop("SUMMARIZER_API_KEY", None)
        self.proc = subprocess.Popen([sys.executable, "-m", "summarizer", "serve", "--port", str(self.port),
                                      "--log-level", "warning"], cwd=REPO, env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise click.ClickException(f"the server did not start: {self.proc.stderr.read().decode()[-2000:]}")
                time.sleep(0.1)

    def peak_rss_mb(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc.stderr.close()


async def _client(port: int, bodies: list[bytes], next_index, times: list[float], errors: list[str],
                  deadline: float) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.monotonic() < deadline:
            i = next_index()
            if i is None:
                return
            body = bodies[i]
            t = time.perf_counter()
            writer.write(b"POST /v1/summarize HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                         b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(int(h.split(b":")[1]) for h in head.split(b"\r\n") if h.lower().startswith(b"content-length"))
            answer = await reader.readexactly(length)
            times.append(time.perf_counter() - t)
            if not head.startswith(b"HTTP/1.1 200"):
                errors.append(head.split(b"\r\n")[0].decode() + " " + answer[:200].decode(errors="replace"))
            elif not 1 <= len(json.loads(answer)["key_points"]) <= NUM_POINTS:
                errors.append(f"story {i}: {len(json.loads(answer)['key_points'])} key points")
    finally:
        writer.close()


def load(port: int, bodies: list[bytes], clients: int, max_seconds: float) -> dict:
    """``clients`` at once, each story sent once: articles/s, each request's seconds, errors."""
    times: list[float] = []
    errors: list[str] = []
    counter = iter(range(len(bodies)))

    def next_index():
        return next(counter, None)

    async def run() -> float:
        deadline = time.monotonic() + max_seconds
        t = time.perf_counter()
        await asyncio.gather(*(_client(port, bodies, next_index, times, errors, deadline) for _ in range(clients)))
        return time.perf_counter() - t

    seconds = asyncio.run(run())
    return {"clients": clients, "answers": len(times), "seconds": seconds, "rate": len(times) / seconds,
            "times": times, "errors": errors}


def page_timing(port: int, story: str, runs: int) -> dict:
    from eval.common.headless import CHROMIUM, Browser

    if not CHROMIUM.exists():
        return {"skipped": f"{CHROMIUM} not found"}
    base = f"http://127.0.0.1:{port}"
    script = (
        "(async () => { document.body.dataset.state = 'ready';"
        f" document.getElementById('story').value = {json.dumps(story)};"
        " const done = new Promise((resolve) => new MutationObserver((_, o) => {"
        "   if (document.body.dataset.state !== 'busy') { o.disconnect(); resolve(); } })"
        "   .observe(document.body, {attributes: true, attributeFilter: ['data-state']}));"
        " const t = performance.now(); document.getElementById('go').click(); await done;"
        " return [performance.now() - t, document.body.dataset.state,"
        "         document.querySelectorAll('#points li').length, document.querySelectorAll('#story-view mark').length]; })()"
    )
    with Browser() as b:
        page = b.open(f"{base}/")
        page.wait_for("document.body.dataset.state === 'ready'")
        results = [page.evaluate(script) for _ in range(runs + 1)][1:]  # the first warms the page's code
        errors = page.errors()
        outside = [u for u in page.requests() if not u.startswith(base + "/") and not u.startswith("data:")]
    return {"ms": [r[0] for r in results], "states": [r[1] for r in results], "points": [r[2] for r in results],
            "marks": [r[3] for r in results], "errors": errors, "outside": outside}


def _pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q / 100 * len(s)) - 1))] if s else float("nan")


def _mark(ok: bool) -> str:
    return "yes" if ok else "**no**"


def table(levels: list[dict], bulks: list[dict], rss: float, page: dict, loads: tuple, command: str, limit: int) -> str:
    rate = statistics.mean(b["ok"] / b["seconds"] for b in bulks)
    alone = [1000 * t for b in bulks for t in b["alone"]]
    one = next((lv for lv in levels if lv["clients"] == 1), None)
    lines = [
        "## `summarize serve`: latency, throughput against `summarize eval`'s bulk rate, the page (`eval/bench/serve.py`)",
        "",
        f"Command: `{command}`; {os.cpu_count()} CPU cores (shared), load average {loads[0]:.2f} at the start and "
        f"{loads[1]:.2f} at the end. The server (`python -m summarizer serve`, the default model and settings) and "
        "the clients on 127.0.0.1, in separate processes; the first "
        f"{limit:,} dev stories, each sent once per level as `{{\"text\": story, \"n\": 3}}`.",
        "",
        f"**Bulk** (`summarize eval`'s path: one model, `summarize_batch` on {DOCS_PER_CALL} stories a call, 3 key points): "
        + ", ".join(f"{b['ok'] / b['seconds']:.2f}" for b in bulks) + f" articles/s (before and after the server; "
        f"mean {rate:.2f}), peak RSS {max(b['peak_rss_mb'] for b in bulks):.0f} MB.",
        "",
        f"**One story a call** in the bulk process (the model alone, no HTTP; the first {len(bulks[0]['alone'])}): p50 "
        f"{_pct(alone, 50):.1f} ms, p99 {_pct(alone, 99):.1f} ms.",
        "",
        "| clients | answers | errors | articles/s | share of bulk | p50 ms | p99 ms |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for lv in levels:
        ms = [1000 * t for t in lv["times"]]
        lines.append(f"| {lv['clients']} | {lv['answers']} | {len(lv['errors'])} | {lv['rate']:.2f} | "
                     f"{lv['rate'] / rate:.0%} | {_pct(ms, 50):.1f} | {_pct(ms, 99):.1f} |")
    lines += ["", f"Server peak RSS (VmHWM, the whole run): {rss:.0f} MB.", ""]
    if "ms" in page:
        ms = page["ms"]
        lines.append(f"**The page** in headless Chromium, a dev story pasted: time from the click to the key points on "
                     f"the page {statistics.median(ms):.0f} ms (median of {len(ms)}; {min(ms):.0f} to {max(ms):.0f}); "
                     f"key points shown {page['points']}, marks {page['marks']}; console errors "
                     f"{len(page['errors'])}, requests to another host {len(page['outside'])}.")
    else:
        lines.append(f"**The page**: not measured ({page['skipped']}).")
    rows = []
    if one is not None:
        p50 = _pct([1000 * t for t in one["times"]], 50)
        rows.append((f"warm latency, 1 client, p50 <= {TARGETS['p50_ms']:.0f} ms", f"{p50:.1f} ms",
                     p50 <= TARGETS["p50_ms"]))
    for lv in levels:
        if lv["clients"] >= 8:
            rows.append((f"{lv['clients']} clients >= {TARGETS['share']:.0%} of bulk", f"{lv['rate'] / rate:.0%}",
                         lv["rate"] >= TARGETS["share"] * rate))
    errors = sum(len(lv["errors"]) for lv in levels)
    rows.append(("no errors", str(errors), errors == 0))
    lines += ["", "| target | measured | met |", "| --- | --- | --- |"]
    lines += [f"| {name} | {value} | {_mark(ok)} |" for name, value, ok in rows]
    return "\n".join(lines)


@click.command()
@click.option("--limit", type=click.IntRange(min=1), default=1000, show_default=True, help="Dev stories per level.")
@click.option("--clients", default="1,8,32", show_default=True, help="Concurrent clients, comma-separated levels.")
@click.option("--max-seconds", type=click.FloatRange(min=1), default=300, show_default=True,
              help="A level stops sending after this long (a bound on the load test).")
@click.option("--page-runs", type=click.IntRange(min=1), default=5, show_default=True,
              help="Times the page is timed in Chromium.")
@click.option("--write-results", is_flag=True, help="Record the table in eval/RESULTS.md.")
@click.option("--bulk-worker", is_flag=True, hidden=True)
def main(limit: int, clients: str, max_seconds: float, page_runs: int, write_results: bool, bulk_worker: bool) -> None:
    """Warm latency and throughput of `summarize serve` against `summarize eval`'s bulk rate; the page's time."""
    if bulk_worker:
        print(json.dumps(globals()["bulk_worker"](limit)))
        return
    if not DATA.is_file():
        raise click.ClickException(f"{DATA} not found: the shared data lives in ../shared/data beside the clone")
    levels_wanted = [int(c) for c in clients.split(",") if c.strip()]
    start_load = os.getloadavg()[0]
    click.echo(f"load average {start_load:.2f}; bulk ...", err=True)
    bulks = [bulk(limit)]
    click.echo(f"bulk: {bulks[0]['ok'] / bulks[0]['seconds']:.2f} articles/s", err=True)
    stories = _stories(limit)
    bodies = [json.dumps({"text": s, "n": NUM_POINTS}).encode() for s in stories]
    server = Server()
    try:
        load(server.port, bodies[:10], 1, max_seconds)  # warm-up, not counted
        levels = []
        for n in levels_wanted:
            levels.append(load(server.port, bodies, n, max_seconds))
            lv = levels[-1]
            click.echo(f"{n} clients: {lv['rate']:.2f} articles/s, {len(lv['errors'])} errors"
                       + (f" (first: {lv['errors'][0]})" if lv["errors"] else ""), err=True)
        page = page_timing(server.port, stories[0], page_runs)
        rss = server.peak_rss_mb()
    finally:
        server.stop()
    bulks.append(bulk(limit))
    click.echo(f"bulk: {bulks[1]['ok'] / bulks[1]['seconds']:.2f} articles/s", err=True)
    command = "python -m eval.bench.serve" + ("" if limit == 1000 else f" --limit {limit}") + (
        "" if clients == "1,8,32" else f" --clients {clients}") + (
        "" if page_runs == 5 else f" --page-runs {page_runs}") + (" --write-results" if write_results else "")
    publish("bench_serve", table(levels, bulks, rss, page, (start_load, os.getloadavg()[0]), command, limit),
            write_results)


if __name__ == "__main__":
    main()
