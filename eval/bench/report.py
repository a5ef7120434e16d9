"""Benchmark: writing and opening ``report.html`` for three runs on the 1,000 dev stories,
and the size check on 11,490 documents (the size of the CNN/DailyMail test split).

    python -m eval.bench.report                  # print the table
    python -m eval.bench.report --write-results  # and record it in eval/RESULTS.md

The three runs are real: ``summarize eval -m lead`` and ``-m extractive`` on
../shared/data/cnndm_dev_from_test.jsonl, and ``summarize score`` of See et al.'s
pointer-generator + coverage outputs for the same stories. They are made once in
eval/runs/bench_report/ (not committed) and reused; only the report is timed.

* write: ``write_html_report`` (the dataset read again, Lead-3's key points, the plots,
  the page), against the baseline of what ``compare --out`` wrote before the page existed:
  the comparison (intervals, tests) and the two PNG plots. Medians of ``--repeats``.
* open: headless Chromium (Debian's, over the DevTools pipe of eval/common/headless.py) opens
  the page from file://: first contentful paint, the explorer's list drawn, and the first
  document shown after a click (that includes decompressing every text); against the
  first paint of a one-line page in the same browser. Medians of ``--repeats``, a fresh
  tab each time.
* 11,490 documents: the full test split is not available offline, so the dev stories and
  the three runs' files are repeated with new ids (``ID~2``, ``ID~3``, ...) up to 11,490
  documents in a temporary folder (deleted after), and the same page is written and opened.
  The texts are real, so the compressed size is what real articles give.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import click

from eval.results_md import publish

EVAL = Path(__file__).resolve().parents[1]
REPO = EVAL.parent
DATA = REPO.parent / "shared" / "data"
DEV = DATA / "cnndm_dev_from_test.jsonl"
SEE = DATA / "see2017_outputs_dev1000.jsonl"
SEE_SYSTEM = "see2017_pointer_generator_coverage"
FULL = 11_490
LIMIT_MB, LIMIT_S = 40, 3.0


def make_runs(work: Path) -> list[Path]:
    """The three run folders (made once, then reused)."""
    from click.testing import CliRunner

    from summarizer.cli import cli

    runs = [work / "lead", work / "extractive", work / "see-pgc"]
    commands = [
        ["eval", "-d", str(DEV), "-m", "lead", "--out", str(runs[0])],
        ["eval", "-d", str(DEV), "-m", "extractive", "--out", str(runs[1])],
        ["score", "-p", str(SEE), "-d", str(DEV), "--where", f"system={SEE_SYSTEM}", "--out", str(runs[2])],
    ]
    for run, args in zip(runs, commands):
        if (run / "report.json").exists():
            continue
        click.echo(f"making {run} (once): summarize {' '.join(args)}", err=True)
        shutil.rmtree(run, ignore_errors=True)
        r = CliRunner().invoke(cli, args)
        if r.exit_code != 0:
            raise click.ClickException(f"summarize {' '.join(args)} failed: {r.output}")
    return runs


def repeat_runs(runs: list[Path], work: Path, n: int) -> tuple[list[Path], Path]:
    """The dataset and the runs' files repeated with new ids up to ``n`` documents."""
    stories = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]

    def new_id(doc_id: str, k: int) -> str:
        return doc_id if k == 1 else f"{doc_id}~{k}"

    def copies():
        for j in range(n):
            yield j % len(stories), j // len(stories) + 1

    work.mkdir(parents=True, exist_ok=True)
    data = work / "dataset.jsonl"
    with data.open("w", encoding="utf-8") as f:
        for i, k in copies():
            s = stories[i]
            f.write(json.dumps({"id": new_id(s["id"], k), "article": s["article"], "highlights": s["highlights"]}) + "\n")
    out = []
    for run in runs:
        dest = work / run.name
        dest.mkdir()
        for name in ("predictions.jsonl", "scores.jsonl"):
            lines = [json.loads(x) for x in (run / name).read_text(encoding="utf-8").splitlines() if x.strip()]
            by_id: dict[str, list[dict]] = {}
            for x in lines:
                by_id.setdefault(x["id"], []).append(x)
            with (dest / name).open("w", encoding="utf-8") as f:
                for i, k in copies():
                    for x in by_id.get(stories[i]["id"], []):
                        f.write(json.dumps({**x, "id": new_id(x["id"], k)}, ensure_ascii=False) + "\n")
        report = json.loads((run / "report.json").read_text(encoding="utf-8"))
        report["dataset"].update({"spec": str(data), "documents": n, "scored": n, "limit": None})
        (dest / "report.json").write_text(json.dumps(report), encoding="utf-8")
        out.append(dest)
    return out, data


def time_write(runs: list[Path], out: Path, repeats: int) -> dict[str, float]:
    from summarizer.evaluate.compare import compare_runs, figures
    from summarizer.evaluate.html_report import write_html_report

    base, page = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        comparison = compare_runs(runs)
        images = figures(comparison)
        t1 = time.perf_counter()
        write_html_report(comparison, out, images=images)
        t2 = time.perf_counter()
        base.append(t1 - t0)
        page.append(t2 - t1)
    return {"baseline_s": statistics.median(base), "page_s": statistics.median(page),
            "mb": (out / "report.html").stat().st_size / 1e6}


def time_open(browser, page_path: Path, blank: Path, repeats: int) -> dict[str, float]:
    fcp = "performance.getEntriesByName('first-contentful-paint')[0]?.startTime"
    opened, listed, shown, floor = [], [], [], []
    for _ in range(repeats):
        p = browser.open(blank.as_uri())
        floor.append(p.wait_for(fcp) / 1000)
        p.close()
        p = browser.open(page_path.as_uri())
        opened.append(p.wait_for(fcp) / 1000)
        listed.append(p.wait_for("document.querySelector('#docs tbody tr') && performance.now()") / 1000)
        t = time.monotonic()
        p.click("#docs tbody tr")
        p.wait_for("!!document.querySelector('#doc .article, #doc .card')", timeout=60)
        shown.append(time.monotonic() - t)
        errors = p.errors()
        if errors:
            raise click.ClickException(f"{page_path}: console errors: {errors[:3]}")
        others = [u for u in p.requests() if not u.startswith("data:") and u != page_path.as_uri()]
        if others:
            raise click.ClickException(f"{page_path}: requests made: {others[:3]}")
        p.close()
    return {"fcp_s": statistics.median(opened), "list_s": statistics.median(listed),
            "doc_s": statistics.median(shown), "floor_s": statistics.median(floor)}


@click.command()
@click.option("--repeats", default=3, show_default=True, help="Times each measurement is repeated (medians).")
@click.option("--write-results", is_flag=True, help="Record the table in eval/RESULTS.md.")
def main(repeats: int, write_results: bool) -> None:
    """Time writing and opening report.html; check the size on 11,490 documents."""
    if not DEV.is_file() or not SEE.is_file():
        raise click.ClickException(f"the shared data is not in {DATA}")
    from eval.common.headless import CHROMIUM, Browser

    if not CHROMIUM.exists():
        raise click.ClickException(f"{CHROMIUM} not found: apt-get install chromium chromium-driver")
    runs = make_runs(EVAL / "runs" / "bench_report")
    load_before = os.getloadavg()
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        tmp = Path(tmp)
        blank = tmp / "blank.html"
        blank.write_text("<!DOCTYPE html><title>blank</title><p>blank</p>\n", encoding="utf-8")
        big, _ = repeat_runs(runs, tmp / "full", FULL)
        with Browser() as browser:
            for label, folder, out in (("1,000 dev stories", runs, tmp / "dev"), (f"{FULL:,} (dev repeated)", big, tmp / "big")):
                w = time_write(folder, out, repeats)
                o = time_open(browser, out / "report.html", blank, repeats)
                rows.append((label, w, o))
    load_after = os.getloadavg()

    lines = [
        f"Three runs (lead, extractive, {SEE_SYSTEM} via `score`) and the first run's Lead-3 row; "
        f"medians of {repeats}; {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"load average {load_before[0]:.1f} before, {load_after[0]:.1f} after.",
        "",
        "| documents | baseline: table + PNG plots s | report.html written s | page MB | "
        "blank page first paint s | report first paint s | list drawn s | first document shown s |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for label, w, o in rows:
        lines.append(f"| {label} | {w['baseline_s']:.2f} | {w['page_s']:.2f} | {w['mb']:.1f} | {o['floor_s']:.2f} | "
                     f"{o['fcp_s']:.2f} | {o['list_s']:.2f} | {o['doc_s']:.2f} |")
    big = rows[-1]
    ok = big[1]["mb"] < LIMIT_MB and big[2]["list_s"] < LIMIT_S
    lines += [
        "",
        f"{FULL:,} documents: {big[1]['mb']:.1f} MB (limit {LIMIT_MB}), list drawn after {big[2]['list_s']:.2f} s "
        f"(limit {LIMIT_S:g}): {'within both' if ok else 'OVER A LIMIT'}. The full test split is not available "
        "offline: the 1,000 dev stories and the runs' predictions and scores are repeated with new ids.",
        "'report.html written' includes reading the dataset again, Lead-3's key points and drawing the plots; "
        "'first document shown' is from the click and includes decompressing all texts once.",
        "",
        "Command: `python -m eval.bench.report" + (f" --repeats {repeats}" if repeats != 3 else "") + " --write-results`",
    ]
    # a page over a limit is shown, never recorded
    publish("bench_report", "## report.html: writing, size and opening in Chromium\n\n" + "\n".join(lines),
            write_results and ok)
    if not ok:
        raise click.ClickException("the 11,490-document page is over a limit")


if __name__ == "__main__":
    main()
