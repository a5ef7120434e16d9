"""How much of each article `summarize read` keeps: the article-extraction benchmark's metric
on its 90 shared pages, beside trafilatura's own calls, in one run.

    python -m eval.quality.extraction                  # print the tables
    python -m eval.quality.extraction --write-results  # and record them in eval/RESULTS.md

The pages are ``../shared/data/extraction/pages/<id>.html`` with the article text people
marked in ``ground-truth.json`` (read its README). The metric is
:mod:`eval.quality.extraction_metric` (written from the README's definition): 4-token
shingles, per-page shares, precision over pages with a prediction, recall over all, F1 of
the two means, accuracy the share of pages whose tokens match exactly; the ± is the
standard deviation of F1 over 1,000 seeded resamples of the pages.

Rows:

* ``summarize read``: one new process, ``summarize read -f jsonl`` on all 90 saved pages (what
  a user gets; a page refused as not an article counts as an empty prediction), scored on
  the ``text`` field, the text the model summarizes;
* ``summarize read --any-page``: the same, no page refused;
* trafilatura 2.x as the benchmark calls it, ``extract(html, include_comments=False)``, and with
  ``favor_precision=True`` (the mode the project builds on) and ``favor_recall=True``.

Then what each of the reader's rules leaves out, summed over the pages: the recall it would
add and the precision it would cost if that text were kept (measured in this process with
``summarizer.inputs.html.extract``), so that a rule that costs recall shows which pages pay.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import click

from eval.quality.extraction_metric import PageMatch, bootstrap_std, corpus, page_match
from eval.results_md import publish

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / "shared" / "data" / "extraction"


def read_all(files: list[Path], *extra: str) -> tuple[dict[str, str], dict[str, str], float]:
    """``summarize read -f jsonl`` on every file in one new process: text by page id, refusals, seconds."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "summarizer", "read", "-f", "jsonl", *extra, *map(str, files)],
                          capture_output=True, text=True, env=env, cwd=REPO, timeout=3600)
    seconds = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        raise click.ClickException(f"summarize read exited with {proc.returncode}: {proc.stderr[-2000:]}")
    texts = {Path(row["name"]).stem: row["text"] for row in map(json.loads, proc.stdout.splitlines())}
    refused = {}
    for line in proc.stderr.splitlines():
        if line.startswith("Error: "):
            name, _, why = line[7:].partition(": ")
            refused[Path(name).stem] = why
    return texts, refused, seconds


def shared_pages() -> dict[str, str]:
    from summarizer.inputs.charset import decode_page

    folder = REPO.parent / "shared" / "data" / "pages"
    entries = json.loads((folder / "manifest.json").read_text("utf-8")) if (folder / "manifest.json").is_file() else []
    return {e["file"]: decode_page((folder / e["file"]).read_bytes(), e["file"]) for e in entries}


def trafilatura_texts(htmls: dict[str, str], **options) -> tuple[dict[str, str], float]:
    import trafilatura

    t0 = time.perf_counter()
    out = {k: trafilatura.extract(html, include_comments=False, **options) or "" for k, html in htmls.items()}
    return out, time.perf_counter() - t0


def row(name: str, matches: list[PageMatch], seconds: float | None, note: str = "") -> str:
    c, sd = corpus(matches), bootstrap_std(matches)
    per_page = f"{1000 * seconds / len(matches):.0f}" if seconds is not None else "–"
    return (f"| {name} | **{c.f1:.3f}** ± {sd.f1:.3f} | {c.precision:.3f} | {c.recall:.3f} | {c.accuracy:.3f} | "
            f"{sum(m.predicted for m in matches)} | {per_page} | {note} |")


def rule_costs(ids: list[str], truth: dict[str, str], htmls: dict[str, str]) -> list[str]:
    """What each reason for leaving text out costs: recall if kept, precision kept by leaving it out."""
    from summarizer.inputs.html import extract

    read = {k: extract(htmls[k]) for k in ids}
    base = [page_match(true=truth[k], pred="\n".join(p.text for p in read[k].parts) if read[k] else "") for k in ids]
    b = corpus(base)
    reasons = sorted({r for ex in read.values() if ex for r in ex.dropped})
    lines = ["| left out as | blocks | recall if kept | precision if kept | pages where keeping it adds recall |",
             "| --- | --- | --- | --- | --- |"]
    for reason in reasons:
        kept = []
        pages = 0
        for k, m0 in zip(ids, base):
            ex = read[k]
            extra = ex.dropped.get(reason, []) if ex else []
            m = page_match(true=truth[k], pred="\n".join([p.text for p in ex.parts] + extra)) if ex else m0
            pages += m.recall > m0.recall + 1e-9
            kept.append(m)
        c = corpus(kept)
        n = sum(len(ex.dropped.get(reason, [])) for ex in read.values() if ex)
        lines.append(f"| {reason} | {n} | {c.recall - b.recall:+.4f} | {c.precision - b.precision:+.4f} | {pages} |")
    return lines


def mode_ratios(htmls: dict[str, str]) -> str:
    """How much of the balanced reading's story the precise one keeps (distinct words), page by page:
    the measure that decides when precision mode lost the story (``FULLER_SHARE``)."""
    from summarizer.inputs.blocks import extraction
    from summarizer.inputs.html import FULLER_SHARE, _reading

    ratios = []
    for k, html in htmls.items():
        precise = _reading(extraction(html, None, precision=True), None, "precision")
        balanced = _reading(extraction(html, None, precision=False), None, "balanced")
        if balanced is not None and balanced[0].vocabulary:
            ratios.append((precise[0].vocabulary / balanced[0].vocabulary if precise else 0.0, k))
    ratios.sort()
    low = ", ".join(f"`{k[:12]}` {r:.2f}" for r, k in ratios[:6])
    below = sum(r < FULLER_SHARE for r, _ in ratios)
    return (f"{len(ratios)} pages; below {FULLER_SHARE} (the balanced reading taken, when it has 60 words or "
            f"more): {below}; the lowest: {low}")


@click.command()
@click.option("--write-results", is_flag=True, help="Record the tables in eval/RESULTS.md.")
def main(write_results: bool) -> None:
    """Score `summarize read` and trafilatura on the shared extraction benchmark pages."""
    if not (DATA / "ground-truth.json").is_file():
        raise click.ClickException(f"the extraction benchmark is not at {DATA}")
    import trafilatura

    from summarizer.inputs.charset import decode_page

    truth = {k: v.get("articleBody", "") for k, v in json.loads((DATA / "ground-truth.json").read_text("utf-8")).items()}
    ids = sorted(truth)
    files = [DATA / "pages" / f"{k}.html" for k in ids]
    htmls = {k: decode_page(f.read_bytes(), f.name) for k, f in zip(ids, files)}  # as the reader decodes them
    load = os.getloadavg()

    ours, refused, t_ours = read_all(files)
    any_page, refused_any, t_any = read_all(files, "--any-page")
    runs = [("`summarize read`", ours, t_ours, f"{len(refused)} refused as not articles"),
            ("`summarize read --any-page`", any_page, t_any, f"{len(refused_any)} without text")]
    for name, options in (("trafilatura `extract(html, include_comments=False)`", {}),
                          ("trafilatura, `favor_precision=True`", {"favor_precision": True}),
                          ("trafilatura, `favor_recall=True`", {"favor_recall": True})):
        texts, seconds = trafilatura_texts(htmls, **options)
        runs.append((name, texts, seconds, "in this process"))
    table = []
    for name, texts, seconds, note in runs:
        matches = [page_match(true=truth[k], pred=texts.get(k, "")) for k in ids]
        table.append(row(name, matches, seconds, note))

    lines = [
        "## Extraction: the article-extraction benchmark's 90 shared pages (`eval/quality/extraction.py`)",
        "",
        "| reader | F1 ± sd | precision | recall | accuracy | pages with text | ms/page | |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
        *table,
        "",
        "Pages refused by `summarize read` (scored as empty): " + (
            "; ".join(f"`{k[:8]}` {why.split('not an article: ')[-1].split('; pass --any-page')[0]}"
                      for k, why in sorted(refused.items()))
            or "none") + ".",
        "",
        "Share of the balanced reading's distinct story words that the precise reading keeps: on these pages "
        + mode_ratios(htmls) + "; on the 20 shared pages of `../shared/data/pages` " + mode_ratios(shared_pages())
        + ".",
        "",
        "What the reader leaves out, and what keeping it would do to the figures of `summarize read --any-page`'s",
        "extraction (in this process, no page refused):",
        "",
        *rule_costs(ids, truth, htmls),
        "",
        f"The metric is the benchmark's (4-token shingles, per-page shares, F1 of mean precision and mean recall), "
        f"written from its README in `eval/quality/extraction_metric.py`; ± is the standard deviation of F1 over 1,000 "
        f"seeded resamples of the pages. `summarize read` runs in a new process on all pages (start-up included in "
        f"ms/page); trafilatura {trafilatura.__version__} in this process. Load average at the start "
        f"{load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f}.",
        "",
        f"Command: `python -m eval.quality.extraction{' --write-results' if write_results else ''}`.",
    ]
    publish("extraction", "\n".join(lines), write_results)


if __name__ == "__main__":
    main()
