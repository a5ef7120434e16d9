"""Key points of the 20 shared real web pages and of our layout pages, through the CLI, from a
local HTTP server.

    python -m eval.bench.pages                  # print the table
    python -m eval.bench.pages -n 8             # more key points a page: more chances to catch furniture
    python -m eval.bench.pages --write-results  # and record it in eval/RESULTS.md

The pages (``../shared/data/pages/``, with ``manifest.json``, and ``examples/pages/``, pages
in the layouts of issue 25 written by us, with theirs) are served from 127.0.0.1;
nothing reaches the network. ``summarize -f jsonl URL...`` runs once in a new process on
all of them (what a user gets); then each page is run again through the CLI in this
process with the model loaded, to time a page after start-up. Every key point is
checked against the page's own HTML, independently of the extractor's rules:

* ``without``: it contains a boilerplate phrase of the manifest (case-insensitive);
* caption/byline: it is in the page only inside a caption, credit, byline, author or
  dateline element of the HTML (``figcaption``, ``time``, ``rel=author``, a short element
  whose class or id names one of those): a caption that repeats a story sentence does
  not make the story's sentence a caption;
* link: link text covers 80% of it, or half of it in two or more links (a run of links);
* not page text: it is not in the page's text (white space ignored).

The page's own key points (the references ``summarize -f json`` carries) are counted
for every page, and for the layout pages checked against the number their manifest
expects.

The baseline, in the same run, is what ``summarize URL`` did before issue 11: trafilatura's
plain text (default settings, comments left out), one paragraph a line, the headline
dropped, summarized by the same model.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import click

from eval.results_md import publish

REPO = Path(__file__).resolve().parents[2]
PAGES = REPO.parent / "shared" / "data" / "pages"
LAYOUTS = REPO / "examples" / "pages"
_MARKS = re.compile(r"caption|credit|byline|author|dateline", re.IGNORECASE)


@contextmanager
def serve(files: dict[str, bytes]):
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            body = files.get(self.path.lstrip("/"))
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", "text/html")  # as saved: the page's <meta> names the charset
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


class PageCheck:
    """What a key point must not be, from the page's own HTML."""

    def __init__(self, html: bytes, without: list[str]):
        import copy

        import lxml.html

        root = lxml.html.fromstring(html)
        for bad in root.xpath("//script|//style|//noscript"):
            bad.drop_tree()
        self.text = squash(root.text_content())
        self.without = [w.lower() for w in without]
        # captions, credits, bylines, datelines: short elements (a long one is a container)
        rest = copy.deepcopy(root)
        marked = rest.xpath("//figcaption|//time|//*[@rel='author']") + [
            el for el in rest.iter() if isinstance(el.tag, str) and _MARKS.search(" ".join(
                (el.get("class") or "", el.get("id") or "", el.get("itemprop") or "")))]
        for el in marked:
            if el.getparent() is not None and len(squash(el.text_content())) <= 600:
                el.drop_tree()
        self.story = squash(rest.text_content())  # the page's text outside those elements
        # link texts of two words or more (a one-word link, "Japan", would match inside any sentence)
        self.links = [squash(t) for a in root.iter("a") if len((t := a.text_content()).split()) >= 2]

    def problems(self, point: str) -> list[str]:
        sq = squash(point)
        out = []
        if any(w in point.lower() for w in self.without):
            out.append("without")
        if sq in self.text and sq not in self.story:  # found only in a caption, byline, ...
            out.append("caption/byline")
        mask = [False] * len(sq)  # the characters inside some link's text (overlaps counted once)
        inside = 0
        for a in set(self.links):
            start = sq.find(a)
            inside += start >= 0
            while start >= 0:
                mask[start:start + len(a)] = [True] * len(a)
                start = sq.find(a, start + 1)
        covered = sum(mask) / max(1, len(sq))
        if covered >= 0.8 or (covered >= 0.5 and inside >= 2):  # a link, or a run of links
            out.append("link")
        if sq not in self.text:
            out.append("not page text")
        return out


def baseline_article(html: bytes, url: str):
    """The article as ``summarize URL`` read it before issue 11 (trafilatura's plain text)."""
    import trafilatura

    from summarizer.article import Article

    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False)
    text = getattr(doc, "text", None) if doc is not None else None
    if not text or not text.strip():
        return None
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if doc.title and len(lines) > 1 and lines[0] == doc.title.strip():
        lines = lines[1:]
    return Article(body="\n\n".join(lines), title=doc.title, name=url, layout="web")


@click.command()
@click.option("-n", "--num-points", type=click.IntRange(min=1), default=None,
              help="Key points per page (default: the model's adaptive number).")
@click.option("--write-results", is_flag=True, help="Record the table in eval/RESULTS.md.")
def main(num_points: int | None, write_results: bool) -> None:
    """Summarize the 20 shared pages and the layout pages through the CLI and check every key point."""
    if not (PAGES / "manifest.json").is_file():
        raise click.ClickException(f"the shared pages are not at {PAGES}")
    manifest = json.loads((PAGES / "manifest.json").read_text(encoding="utf-8"))
    files = {e["file"]: (PAGES / e["file"]).read_bytes() for e in manifest}
    layouts = json.loads((LAYOUTS / "manifest.json").read_text(encoding="utf-8"))
    for e in layouts:
        e["file"] = f"layout-{e['file']}"
        files[e["file"]] = (LAYOUTS / e["file"].removeprefix("layout-")).read_bytes()
    shared_count = len(manifest)
    manifest = manifest + layouts
    checks = {e["file"]: PageCheck(files[e["file"]], e["without"]) for e in manifest}
    n_flag = ["-n", str(num_points)] if num_points else []
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    load = os.getloadavg()
    with serve(files) as base:
        urls = [f"{base}/{e['file']}" for e in manifest]
        # 1. one new process on all pages: what a user gets
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "summarizer", "-f", "jsonl", *n_flag, *urls],
                              capture_output=True, text=True, env=env, cwd=REPO, timeout=1800)
        cold_all = time.perf_counter() - t0
        out = {json.loads(line)["name"].rsplit("/", 1)[1]: json.loads(line) for line in proc.stdout.splitlines()}
        refused = {}
        for line in proc.stderr.splitlines():
            m = re.match(r"Error: \S+/([^/:]+): (.*)$", line)
            if m:
                refused[m.group(1)] = m.group(2)
        # 2. each page again through the CLI in this process, the model loaded: time after start-up
        from click.testing import CliRunner

        from summarizer.api import load as load_model
        from summarizer.cli import cli

        from summarizer.errors import InputError
        from summarizer.read import Source, read_source

        model = load_model("extractive")
        # every story sentence of the pages read, not only those chosen as key points
        sentences, sentence_problems = 0, 0
        for e, url in zip(manifest, urls):
            try:
                article = read_source(Source(url))
            except InputError:
                continue
            sentences += len(article.sentences)
            sentence_problems += sum(bool(checks[e["file"]].problems(s.text)) for s in article.sentences)
        warm: dict[str, float] = {}
        reading: dict[str, float] = {}  # of which fetching and extracting
        for e, url in zip(manifest, urls):
            t = time.perf_counter()
            CliRunner().invoke(cli, ["-f", "jsonl", *n_flag, url])
            warm[e["file"]] = time.perf_counter() - t
            t = time.perf_counter()
            try:
                read_source(Source(url))
            except InputError:
                pass
            reading[e["file"]] = time.perf_counter() - t
        # 3. the baseline: the pre-issue-11 reading, the same model
        base_points = {}
        for e, url in zip(manifest, urls):
            a = baseline_article(files[e["file"]], url)
            base_points[e["file"]] = [] if a is None else model.summarize([a], num_points=num_points)[0].texts

    layout_ok = 0
    rows, totals = [], {"points": 0, "without": 0, "caption/byline": 0, "link": 0, "not page text": 0}
    base_totals = dict.fromkeys(totals, 0)
    for e in manifest:
        f = e["file"]
        check = checks[f]
        points = [k["text"] for k in out[f]["key_points"]] if f in out else []
        probs = [p for kp in points for p in check.problems(kp)]
        bprobs = [p for kp in base_points[f] for p in check.problems(kp)]
        totals["points"] += len(points)
        base_totals["points"] += len(base_points[f])
        for k in totals:
            if k != "points":
                totals[k] += probs.count(k)
                base_totals[k] += bprobs.count(k)
        status = (f"refused: {refused[f].split('not an article: ')[-1].split('; pass --any-page')[0]}"
                  if f in refused else "summarized")
        refs = out.get(f, {}).get("references")
        own = f"{len(refs['key_points'])} ({refs['source'].removeprefix('the ')})" if refs else "0"
        if "key_points" in e:  # a layout page: what its manifest expects
            expected_ok = (len(refs["key_points"]) if refs else 0) == e["key_points"] and (
                (refs or {}).get("source") == e["key_points_from"])
            layout_ok += expected_ok
            own += "" if expected_ok else f" (expected {e['key_points']})"
        bad = ", ".join(f"{probs.count(k)} {k}" for k in totals if k != "points" and probs.count(k)) or "0"
        bbad = ", ".join(f"{bprobs.count(k)} {k}" for k in totals if k != "points" and bprobs.count(k)) or "0"
        rows.append(f"| {f} | {status} | {len(points)} | {bad} | {own} | {len(base_points[f])} | {bbad} "
                    f"| {warm[f]:.2f} | {reading[f]:.2f} |")

    summarized = [f for f in warm if f in out]
    med = statistics.median(warm[f] for f in summarized)
    lines = [
        f"## Web pages: key points of the {shared_count} shared pages and {len(layouts)} layout pages "
        "(`eval/bench/pages.py`)",
        "",
        "| page | this change | key points | problems | the page's own key points | baseline key points "
        "| baseline problems | s/page warm | of which reading |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        *rows,
        "",
        f"Key points: {totals['points']} from {len(out)} pages; containing a `without` phrase: {totals['without']}; "
        f"caption/credit/byline/dateline text: {totals['caption/byline']}; half or more link text: {totals['link']}; "
        f"not text of the page: {totals['not page text']}. Refused: {len(refused)} of {len(manifest)}. "
        f"Layout pages (`layout-*`, ours, in `examples/pages/`) whose own key points were found as their manifest "
        f"expects (number and source): {layout_ok} of {len(layouts)}. "
        f"All {sentences} story sentences of the pages read (any could be a key point): {sentence_problems} with "
        f"one of these problems.",
        f"Baseline (trafilatura's plain text, as `summarize URL` read pages before issue 11, the same model, same run): "
        f"{base_totals['points']} key points; `without`: {base_totals['without']}; caption/byline: "
        f"{base_totals['caption/byline']}; link: {base_totals['link']}; not page text: {base_totals['not page text']}.",
        f"Time: one new process on all {len(manifest)} URLs {cold_all:.1f} s (start-up and model load included); "
        f"a page after "
        f"start-up (CLI in a warm process: fetch, extract, summarize), median {med:.2f} s, max "
        f"{max(warm[f] for f in summarized):.2f} s over the {len(summarized)} summarized pages, of which reading "
        f"(fetch and extract) median {statistics.median(reading[f] for f in summarized):.2f} s. "
        f"Load average at the start {load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f} (2 cores).",
        "",
        f"Command: `python -m eval.bench.pages{' -n ' + str(num_points) if num_points else ''}"
        f"{' --write-results' if write_results else ''}`; the model: extractive (default), "
        f"{'-n ' + str(num_points) if num_points else 'adaptive number of key points'}.",
    ]
    ok = proc.returncode in (0, 1)
    publish("bench_pages", "\n".join(lines), write_results and ok)  # a failed run is shown, never recorded
    if not ok:
        raise click.ClickException(f"summarize exited with {proc.returncode}: {proc.stderr[-2000:]}")


if __name__ == "__main__":
    main()
