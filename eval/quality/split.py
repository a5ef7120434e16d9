"""Measure the sentence splitter on the shared dev stories: speed and accuracy.

    python -m eval.quality.split [--runs 5] [--write-results]

Speed: the median wall time of ``--runs`` passes of ``split_sentences`` over the 1,000 dev
articles (target: under 2 s).

Accuracy: a story's human highlights are real sentences, so joining them with a space and
splitting the paragraph should give them back. Reported for the cased highlights and for
their lowercased copies (the articles themselves are lowercased). Two kinds of miss cannot
be the splitter's fault and are counted apart: a highlight that does not end with
sentence punctuation (``... 'terrible'`` then the next highlight: no boundary is marked),
and a highlight that is itself several sentences (its extra splits are correct).
The commonest failures are listed by the word before the boundary.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import click

from eval.results_md import publish
from summarizer import split
from summarizer.split import split_sentences

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / "shared" / "data" / "cnndm_dev_from_test.jsonl"
# a highlight whose last character marks a sentence end (closing quotes or brackets allowed)
_MARKED_END = re.compile(r"(?:[.!?]|…)[\"'”’)\]]*$")
# the splitter's own abbreviation lists, to name a failure's pattern
_ABBREVIATIONS = split._NEVER_END | split._BEFORE_NUMBER | split._AMBIGUOUS


@dataclass
class Accuracy:
    """Counts for one casing of the highlights."""

    stories: int = 0
    stories_exact: int = 0
    highlights: int = 0
    highlights_exact: int = 0
    boundaries_marked: int = 0  # boundaries between highlights that end with . ! ? (+ quotes)
    boundaries_found: int = 0  # of those, how many the splitter put a boundary on
    boundaries_unmarked: int = 0  # no punctuation: no splitter can find them
    extra_splits: int = 0  # boundaries inside a highlight (some highlights are two sentences)
    missed: Counter = field(default_factory=Counter)  # word before a missed marked boundary
    extra: Counter = field(default_factory=Counter)  # word before an extra split
    patterns: Counter = field(default_factory=Counter)  # (kind, pattern) of each failure
    examples: dict = field(default_factory=dict)

    def rate(self, num: int, den: int) -> float:
        return num / den if den else 0.0


def load_stories(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def measure_speed(articles: list[str], runs: int) -> tuple[list[float], int]:
    """Wall times of ``runs`` passes over ``articles``, and the sentence count of one pass."""
    times, count = [], 0
    for _ in range(runs):
        t = time.perf_counter()
        count = sum(len(split_sentences(a)) for a in articles)
        times.append(time.perf_counter() - t)
    return times, count


def measure_accuracy(highlight_lists: list[list[str]], lower: bool) -> Accuracy:
    """How well splitting the joined highlights gives back each story's highlights."""
    acc = Accuracy()
    for hs in highlight_lists:
        hs = [h.strip() for h in hs if h.strip()]
        if lower:
            hs = [h.lower() for h in hs]
        if not hs:
            continue
        text = " ".join(hs)
        got = split_sentences(text)
        acc.stories += 1
        acc.stories_exact += [s.text for s in got] == hs
        left = Counter(s.text for s in got)
        for h in hs:
            acc.highlights += 1
            if left[h] > 0:
                acc.highlights_exact += 1
                left[h] -= 1
        # boundaries as character offsets: the end of each highlight but the last
        bounds, marked, pos = set(), set(), 0
        for h in hs[:-1]:
            pos += len(h)
            bounds.add(pos)
            if _MARKED_END.search(h):
                marked.add(pos)
            pos += 1
        found = {s.end for s in got[:-1]}
        acc.boundaries_marked += len(marked)
        acc.boundaries_found += len(marked & found)
        acc.boundaries_unmarked += len(bounds - marked)
        for b in marked - found:
            _note(acc, acc.missed, "missed", text, b)
        for b in found - bounds:
            acc.extra_splits += 1
            _note(acc, acc.extra, "extra", text, b)
    return acc


def pattern(word: str) -> str:
    """A coarse class of the word before a boundary, to group failures."""
    core = word.strip("\"'“”‘’()[]")
    if core.endswith(("...", "…")):
        return "ellipsis"
    if core.endswith(("?", "!")):
        return "? or !"
    if re.fullmatch(r"(?:\w\.){2,}|\w\.", core) or core[:-1] in _ABBREVIATIONS:
        return "abbreviation or initial"
    if word[-1:] in "\"'”’)]":
        return "closing quote or bracket"
    return "ordinary word"


def _note(acc: Accuracy, counter: Counter, kind: str, text: str, b: int) -> None:
    word = text[:b].split()[-1].lower()
    counter[word] += 1
    acc.patterns[(kind, pattern(word))] += 1
    acc.examples.setdefault((kind, word), text[max(0, b - 50) : b + 35].replace("\n", " "))


def report(path: Path, runs: int, top: int) -> tuple[str, str]:
    """The RESULTS.md section, and the failures listed by pattern (printed, not recorded)."""
    rows = load_stories(path)
    articles = [r["article"] for r in rows]
    load = os.getloadavg()[0]  # other work on the machine slows the timing; say how much there was
    times, n_sent = measure_speed(articles, runs)
    med = statistics.median(times)
    mb = sum(len(a.encode("utf-8")) for a in articles) / 2**20
    hl = [r["highlights"] for r in rows]
    accs = {"cased": measure_accuracy(hl, lower=False), "lowercased": measure_accuracy(hl, lower=True)}

    cmd = "python -m eval.quality.split " + " ".join(sys.argv[1:])
    lines = [
        "## Sentence splitter (`summarizer/split.py`)",
        "",
        f"Command: `{cmd.strip()}` on `{path.name}` ({len(rows)} stories, {mb:.1f} MB of article text).",
        "",
        f"**Speed**: {len(articles)} articles ({n_sent} sentences) split in {med:.2f} s "
        f"(median of {runs} runs; min {min(times):.2f} s, max {max(times):.2f} s; target < 2 s), one process "
        f"on a machine with {os.cpu_count()} CPU cores and a load average of {load:.1f} when it started.",
        "",
        "**Accuracy** on the human highlights, joined with a space per story and split again:",
        "",
        "| highlights | stories exact | highlights exact | marked boundaries found | unmarked boundaries | extra splits |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, a in accs.items():
        lines.append(
            f"| {name} | {a.stories_exact}/{a.stories} ({100 * a.rate(a.stories_exact, a.stories):.1f}%) "
            f"| {a.highlights_exact}/{a.highlights} ({100 * a.rate(a.highlights_exact, a.highlights):.1f}%) "
            f"| {a.boundaries_found}/{a.boundaries_marked} ({100 * a.rate(a.boundaries_found, a.boundaries_marked):.2f}%) "
            f"| {a.boundaries_unmarked} | {a.extra_splits} |"
        )
    lines += [
        "",
        "An *unmarked* boundary follows a highlight with no sentence punctuation at its end "
        "(e.g. one ending in a quoted phrase); no splitter can find it, so those stories cannot "
        "come back exactly. *Extra splits* fall inside a highlight: most are highlights that are "
        "two or three sentences, which is correct splitting, not an error.",
    ]
    section = "\n".join(lines)

    out = []
    for name, a in accs.items():
        out.append(f"Failures by pattern, {name}:")
        for (kind, pat), c in a.patterns.most_common():
            out.append(f"  {kind:6} {c:3}  {pat}")
        out.append(f"Commonest failures, {name} (word before the boundary: count, an example):")
        for kind, counter in (("missed", a.missed), ("extra", a.extra)):
            for word, c in counter.most_common(top):
                out.append(f"  {kind:6} {c:3}  {word!r:18} ...{a.examples[(kind, word)]}...")
        out.append("")
    return section, "\n".join(out)


@click.command()
@click.option("--data", type=click.Path(dir_okay=False, path_type=Path), default=DATA, show_default=True,
              help="Dev stories (JSONL with article and highlights).")
@click.option("--runs", type=click.IntRange(min=1), default=5, show_default=True,
              help="Timed passes over the articles; the median is reported.")
@click.option("--top", type=click.IntRange(min=0), default=12, show_default=True,
              help="Failure patterns to list per kind.")
@click.option("--write-results", is_flag=True, help="Write the section to eval/RESULTS.md.")
def main(data: Path, runs: int, top: int, write_results: bool) -> None:
    """Speed and accuracy of the sentence splitter on the shared dev stories."""
    if not data.is_file():
        raise click.ClickException(f"{data}: not found; the shared data lives in ../shared/data beside the clone")
    section, failures = report(data, runs, top)
    publish("split_quality", section, write_results)
    click.echo("\n" + failures)


if __name__ == "__main__":
    main()
