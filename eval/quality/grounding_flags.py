"""How well the grounding flags work: human highlights against corrupted copies, and See et al.'s outputs.

    python -m eval.quality.grounding_flags [--limit 1000] [--samples 12] [--seed 0] [--write-results]
    python -m eval.quality.grounding_flags --hand-sample 60 --hand-source train --hand-seed 7   # a reading's draw

1. **Highlights vs corrupted copies.** The human highlights of the dev stories are taken as
   supported (flags on them are false alarms; a few highlights do state what the story does
   not, so this slightly overstates false alarms). Each highlight that has a number (or a
   name) the flags accept gets a corrupted copy: that number (name) swapped for one taken
   from another story's highlights that this story does not contain. A corrupted copy is
   caught when a flag covers the swapped-in text. Precision = caught / every flag raised on
   originals and copies; recall = caught / copies. Seeded.
2. **The check's decision**, what ``--strict`` drops and ``summarize check`` marks: a flag,
   or the learned consistency score under its key-point threshold. The share of the
   originals it flags, and of the corrupted copies (both kinds) it flags. This needs the
   encoder's vectors (cached on disk by ``eval.train.vector_cache``).
3. **The floor under the first target**: how many human highlights genuinely state a name,
   number or date that their article does not contain in any form, from samples of the flagged
   ones read by hand (``HAND_READS``: dev and training stories), and the least share of highlights that any check catching
   95% of the corrupted copies must flag on this data.
4. **See et al. (2017) outputs** for the same stories: the share of output sentences with a
   flag, per system and kind. These outputs are lowercased, so names cannot be checked (the
   flags read names from capitals): only numbers count there. ``--samples`` flagged and
   unflagged sentences are printed (not recorded) for reading by hand.

The dev articles are lowercased (their highlights are cased), so a capital's case cannot be
compared with the article's. Text from the data is printed to the terminal, never written to
RESULTS.md.
"""

from __future__ import annotations

import json
import math
import os
import random
import re
import time
from collections import Counter
from pathlib import Path

import click
import numpy as np

from eval.results_md import publish
from eval.train.consistency import TRAIN_STORIES

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / "shared" / "data"
DEV = DATA / "cnndm_dev_from_test.jsonl"
SEE = DATA / "see2017_outputs_dev1000.jsonl"

# Hand readings of flagged human highlights. Each flagged highlight drawn was read against its article and put
# in one class:
# * adds: the highlight states a name, number or date that the article contains in no form a reader would accept
#   as the same: the writer's outside knowledge ("California" beside the article's "San Diego", "Premier League"
#   where the article names no league, a byline the body lacks, a year, a count the article never states, a sum
#   worked out from the article's figures, a first name the article leaves out);
# * mistakes: the article has it in a form a reader accepts and the check did not: as digits or words, rounded,
#   abbreviated ("Qld", "Man Utd", "U20" for "under-20"), a short or long form, a nickname of what the article names
#   ("the Gunners" for Arsenal, "Fergie" for Ferguson; the first two readings counted a team's nickname as "adds"),
#   two words the article writes as one, a common word opening a sentence read as a name ("Damning survey ...");
# * misspelt: the highlight (or the article) misspells a word the other has, and nothing else is flagged.
# A highlight with one flag of the first class counts as "adds" whatever its other flags. Each reading is drawn as
# ``--hand-sample N --hand-source S --hand-seed K`` draws it (``random.Random(K).sample`` over the flagged highlights
# in story order); the option prints today's flags, not those of the reading's commit. ``dev_flagged``: the dev
# highlights the flags raised at the reading's commit (``python -m eval.quality.grounding_flags`` there).
HAND_READS = (
    # the dev stories, at the flags of commit 9b584d3; of the 5 mistakes, 4 are general rules since
    {"source": "dev", "seed": 26, "commit": "9b584d3", "flagged": 262, "read": 50, "adds": 43, "mistakes": 5,
     "misspelt": 2, "dev_flagged": 262},
    # the training stories (HAND_TRAIN), at the flags of commit b12cc11; mistakes: "OS" for "operating system",
    # "Pennsylvania State University" for "Penn State", the surname May taken for the month, "NW London", "Transport"
    # for "transportation", and the openers "Damning", "Geologists", "Trendsetter": all but "OS", "Penn State" and
    # "Trendsetter" are general rules since
    {"source": "train", "seed": 7, "commit": "b12cc11", "flagged": 1440, "read": 60, "adds": 52, "mistakes": 8,
     "misspelt": 0, "dev_flagged": 248},
    # the training stories, at commit 67d5a4c; mistakes (all general rules since): HSC, Qld, "Leicester City" and
    # "Alloa Athletic" for the article's "leicester" and "alloa", "3 1/2" read as 1 and 2, "£20" of £19.99,
    # "Under 21" read as a name, "Co-pilot" opening a sentence, the Bees (Barnet), the Red Devils; misspelt: the
    # article's "$50miillion"
    {"source": "train", "seed": 13, "commit": "67d5a4c", "flagged": 1320, "read": 80, "adds": 69, "mistakes": 10,
     "misspelt": 1, "dev_flagged": 231},
    # the training stories, at commit 92c39e3; mistakes (all general rules since): "around 150" of 145 (rounding
    # half to even), "Man Utd", the United States for the US, the Sarries, the Blues (Manchester City), KP, Fergie,
    # the 1 of "F1" read as a number
    {"source": "train", "seed": 17, "commit": "92c39e3", "flagged": 1288, "read": 80, "adds": 72, "mistakes": 8,
     "misspelt": 0, "dev_flagged": 226},
    # the training stories, at commit 059e348; the one mistake: "The Red Devils" read with its "The" (a rule since).
    # A first name or a first word the article leaves out ("Alex" of Alex Baptiste, "Santiago" of the Santiago
    # Bernabeu) counts as "adds", as in the readings before
    {"source": "train", "seed": 19, "commit": "059e348", "flagged": 1278, "read": 80, "adds": 79, "mistakes": 1,
     "misspelt": 0, "dev_flagged": 224},
)
POOLED = 2  # the latest readings pooled for the estimate: their rules differ by the mistakes the earlier one found
# The training stories a reading draws from: the first 3,000 and the last 2,500 of the two training files (the
# 1,500 between were browsed while the rules of commit b12cc11 were written, so they are not drawn from).
HAND_TRAIN = (range(0, 3000), range(4500, 7000))
SWAP_TARGET = 0.95

_PTB = {"-lrb-": "(", "-rrb-": ")", "-lsb-": "[", "-rsb-": "]", "``": '"', "''": '"'}


def detok(text: str) -> str:
    """See et al.'s PTB tokens back to plain text, as far as the flags care."""
    for k, v in _PTB.items():
        text = text.replace(k, v)
    text = re.sub(r"(\d) , (\d{3})", r"\1,\2", text)
    return re.sub(r"\s+([.,;:!?%)])", r"\1", text)


def read_jsonl(path: Path, limit: int | None = None) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return rows[:limit] if limit else rows


def check_decisions(stories: list[dict], story_of: list[int], points: list[str]) -> np.ndarray:
    """Whether the check flags each of ``points`` (each judged alone against its story ``story_of[i]``)."""
    from summarizer.article import parse_article
    from summarizer.backends.extractive.backend import ExtractiveSettings
    from summarizer.grounding import Facts, find_flags, is_furniture
    from summarizer.grounding.consistency import ArticleText, features, shipped_model, support_sims

    from eval.train.vector_cache import VectorCache

    cache = VectorCache(settings=ExtractiveSettings(quantize=None))
    cache.fill([s.text for st in stories for s in parse_article(st["article"]).sentences] + list(points), progress=True)
    model = shipped_model()
    memo: dict[int, tuple] = {}
    out = np.zeros(len(points), dtype=bool)
    for i, (k, point) in enumerate(zip(story_of, points)):
        if k not in memo:
            art = parse_article(stories[k]["article"])
            sents = [s.text for s in art.sentences]
            memo[k] = (cache.get(sents), Facts.of(art.body), ArticleText.of(art.body, sents))
        vecs, facts, text = memo[k]
        flags = find_flags(point, facts)
        sims, pair = support_sims(vecs, cache.get([point]))
        p = model.probability(features(text, sims, pair, [point], [flags]))
        out[i] = bool(flags) or (p < model.keypoint_threshold and not is_furniture(point))
    return out


def corrupt(stories: list[dict], kind: str, rng: random.Random, facts: list, quantities, name_phrases, find_flags):
    """(original, corrupted, inserted) for each highlight with something of ``kind`` to swap."""
    from summarizer.grounding import value_key as _key

    pools: list[list[tuple[str, object]]] = []
    for s in stories:
        items = []
        for h in s["highlights"]:
            if kind == "number":
                items += [(q.text, q.value) for q in quantities(h) if not isinstance(q.value, str)]
            else:
                items += [(p, tuple(w)) for p, w in name_phrases(h)]
        pools.append(items)
    out = []
    for i, s in enumerate(stories):
        f = facts[i]
        for h in s["highlights"]:
            flagged = {fl.text for fl in find_flags(h, f)}
            if kind == "number":
                cands = [q.text for q in quantities(h) if not isinstance(q.value, str) and q.text not in flagged]
            else:
                cands = [p for p, _ in name_phrases(h) if p not in flagged]
            if not cands:
                continue
            target = rng.choice(cands)
            for _ in range(50):  # a replacement from another story that this one lacks
                j = rng.randrange(len(stories))
                if j == i or not pools[j]:
                    continue
                text, value = rng.choice(pools[j])
                lacks = (_key(value) not in f.values) if kind == "number" else any(w not in f.words for w in value)
                if lacks and text.lower() != target.lower():
                    out.append((h, h.replace(target, text, 1), text))
                    break
    return out


def _share(k: int, n: int) -> str:
    return f"{k / n:.3f}" if n else "–"


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The 95% Wilson interval of a proportion ``k`` of ``n``."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def floor_lines(highlights: int, flagged: int) -> list[str]:
    """The hand readings of ``HAND_READS`` and the least flag rate each implies on the ``highlights`` dev highlights,
    for a check that catches ``SWAP_TARGET`` of the corrupted copies; ``flagged``: today's flagged highlights."""

    def row(cells: list[str], reads: tuple[dict, ...], dev_flagged: int, dev_label: str) -> tuple[str, list[float]]:
        """A table row for ``reads`` pooled, applied to ``dev_flagged``, and its least flag rate (estimate, interval)."""
        adds, read = sum(h["adds"] for h in reads), sum(h["read"] for h in reads)
        share = [adds / read, *wilson(adds, read)]
        est = [dev_flagged * v for v in share]
        floor = [SWAP_TARGET * e / highlights for e in est]
        return ("| " + " | ".join(cells) + f" | {adds} | {sum(h['mistakes'] for h in reads)} | "
                f"{sum(h['misspelt'] for h in reads)} | {share[0]:.2f} [{share[1]:.2f}, {share[2]:.2f}] | {dev_label} | "
                f"{est[0]:.0f} ({est[0] / highlights:.3f}) | **{floor[0]:.3f}** [{floor[1]:.3f}, {floor[2]:.3f}] |",
                floor)

    rows = [row([f"{h['source']} stories, flags of commit {h['commit']}", str(h["flagged"]), f"{h['read']} (seed "
                 f"{h['seed']})"], (h,), h["dev_flagged"], str(h["dev_flagged"]))[0] for h in HAND_READS]
    last = HAND_READS[-POOLED:]
    line, pooled = row([f"**the last {POOLED} pooled, on today's flags**", "", str(sum(h["read"] for h in last))], last,
                       flagged, f"{flagged} (today)")
    rows.append(line)
    return [
        "How many flagged highlights genuinely add a name, number or date, read by hand (each against its article; "
        "the classes are defined in the comment above `HAND_READS` in this file): *adds* states one that the article "
        "contains in no form a reader accepts (the writer's outside knowledge: a place, a byline, a year, a count or "
        "sum the article never states); *mistakes*: the article has it in a form a reader accepts (most of each "
        "reading's mistakes were made general rules after it); *misspelt*: one text misspells a word the other has. Each "
        "reading's share of additions (95% Wilson interval) applied to the dev highlights the flags raised at its "
        "commit gives the dev highlights that add something, and the least share of highlights that a check "
        "catching 95% of the copies must flag:",
        "",
        "| reading | flagged then | read | adds | mistakes | misspelt | share of additions | dev flagged then | "
        "dev highlights adding something (share) | least flag rate [95% interval] |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        *rows,
        "",
        f"Today the flags raise {flagged} of the {highlights} dev highlights ({flagged / highlights:.3f}). The least "
        "flag rate: a corrupted copy and a highlight that genuinely adds something are the same thing to a check "
        "that reads only the article and the key point (a name, number or date the article lacks in every form), so "
        "a check that catches 95% of the copies flags about 95% of those highlights too. It counts none of the "
        "highlights with an addition the flags do not see, and none of a check's own mistakes; and a check whose "
        "catch of the copies is below 100% (the flags': the share above) must keep more than 95% of the additions "
        "to keep 95% of the copies. The estimate is the last readings pooled (the rules nearest today's, a share "
        "that today's flags, with fewer mistakes, if anything exceed): " + (
            f"at {pooled[0]:.1%} it is above the 5% target, which lies at or under the low end of its interval "
            f"({pooled[1]:.1%}): the two targets of issue 26 (at most 5% of highlights flagged, at least 95% of copies "
            "caught) can be met together by a check of the article alone only if the genuine additions are as few "
            "as that end says, and only by a check that makes no mistakes at all."
            if pooled[0] > 0.05 else
            f"at {pooled[0]:.1%} it is under the 5% target: the two targets can be met together, by a check that "
            "makes almost no mistakes."),
    ]


def print_hand_sample(stories: list[dict], facts: list, n: int, seed: int, source: str) -> None:
    """Print ``n`` flagged highlights, with each flag's reason, for reading by hand (never recorded)."""
    from summarizer.article import parse_article
    from summarizer.grounding import Facts, find_flags

    if source == "train":
        rows = [r for path in TRAIN_STORIES for r in read_jsonl(path)]
        stories = [rows[i] for part in HAND_TRAIN for i in part if i < len(rows)]
        facts = [Facts.of(parse_article(s["article"]).body) for s in stories]
    flagged = [(h, find_flags(h, facts[k])) for k, s in enumerate(stories) for h in s["highlights"]]
    flagged = [(h, fl) for h, fl in flagged if fl]
    total = sum(len(s["highlights"]) for s in stories)
    click.echo(f"\n-- {n} of the {len(flagged)} flagged highlights of {total} ({source} stories; read by hand; "
               "not recorded) --")
    for i, (h, fl) in enumerate(random.Random(seed).sample(flagged, min(n, len(flagged)))):
        click.echo(f"[{i}] {h}")
        for f in fl:
            click.echo(f"    {f.why}")


@click.command()
@click.option("--limit", default=1000, show_default=True, help="Dev stories.")
@click.option("--samples", default=12, show_default=True, help="See et al. sentences printed for reading by hand.")
@click.option("--seed", default=0, show_default=True)
@click.option("--hand-sample", default=0, show_default=True, help="Flagged highlights printed for reading by hand.")
@click.option("--hand-seed", default=26, show_default=True)
@click.option("--hand-source", type=click.Choice(["dev", "train"]), default="dev", show_default=True,
              help="Draw the hand sample from the dev stories or from the training stories of HAND_TRAIN.")
@click.option("--write-results", is_flag=True, help="Write the tables into eval/RESULTS.md.")
def main(limit: int, samples: int, seed: int, hand_sample: int, hand_seed: int, hand_source: str,
         write_results: bool) -> None:
    """Precision and recall of the grounding flags, and their rate on See et al.'s outputs."""
    if not DEV.is_file():
        click.echo(f"skipped: the dev data is not at {DEV}")
        return
    from summarizer.article import parse_article
    from summarizer.grounding import Facts, find_flags, name_phrases, quantities

    t0 = time.perf_counter()
    stories = read_jsonl(DEV, limit)
    facts = [Facts.of(parse_article(s["article"]).body) for s in stories]
    rng = random.Random(seed)
    lines = [
        "## Grounding flags (`eval/quality/grounding_flags.py`)",
        "",
        f"Command: `python -m eval.quality.grounding_flags{'' if limit == 1000 else f' --limit {limit}'}"
        f"{' --write-results' if write_results else ''}`, seed {seed}: {len(stories)} dev stories (lowercased "
        "articles, cased highlights; rules of issue 26). Load average "
        f"{os.getloadavg()[0]:.1f}.",
        "",
        "| swapped in | originals | flags on originals | corrupted copies | caught | recall | precision |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    originals = [h for s in stories for h in s["highlights"]]
    all_triples = []
    for kind in ("number", "name"):
        triples = corrupt(stories, kind, rng, facts, quantities, name_phrases, find_flags)
        all_triples += triples
        index = {id(s): k for k, s in enumerate(stories)}
        # flags on every original highlight of this kind's stories (false alarms)
        false_orig = sum(len([f for f in find_flags(h, facts[index[id(s)]]) if f.kind == kind or
                              kind == "number" and f.kind != "name"])
                         for s in stories for h in s["highlights"])
        caught = other = 0
        by_story = {}
        for k, s in enumerate(stories):
            for h in s["highlights"]:
                by_story.setdefault(h, k)
        for orig, bad, inserted in triples:
            fl = find_flags(bad, facts[by_story[orig]])
            relevant = [f for f in fl if (f.kind == "name") == (kind == "name")]
            hit = any(inserted in f.text or f.text in inserted for f in relevant)
            caught += hit
            other += len(relevant) - hit
        raised = caught + other + false_orig
        recall = caught / len(triples) if triples else float("nan")
        precision = caught / raised if raised else float("nan")
        label = "a number (amounts, percentages, years too)" if kind == "number" else "a name"
        lines.append(f"| {label} | {len(originals)} | {false_orig} | {len(triples)} | {caught} | "
                     f"{recall:.3f} | {precision:.3f} |")
    lines += [
        "",
        "Flags on originals count every flag of that kind on all human highlights (for numbers: numbers, "
        "amounts, percentages and dates). Precision = caught / (caught + flags on originals + other flags on "
        "the copies): one corrupted copy per highlight that has something to swap, so it reads as precision on "
        "a set where about half the highlights with such an item are corrupted.",
    ]
    by_story = {}
    for k, s in enumerate(stories):
        for h in s["highlights"]:
            by_story.setdefault(h, k)
    flagged_h = sum(bool(find_flags(h, facts[k])) for k, s in enumerate(stories) for h in s["highlights"])
    orig_story = [k for k, s in enumerate(stories) for _ in s["highlights"]]
    dec_orig = check_decisions(stories, orig_story, originals)
    dec_bad = check_decisions(stories, [by_story[o] for o, _, _ in all_triples], [b for _, b, _ in all_triples])
    caught_flags = sum(bool(find_flags(b, facts[by_story[o]])) for o, b, _ in all_triples)
    lines += [
        "",
        "Human highlights flagged, and corrupted copies caught (either kind swapped in), by the flags alone and by "
        "the check's decision (a flag, or the consistency score under its key-point threshold: what `--strict` "
        "drops and `summarize check` marks):",
        "",
        "| decision | highlights | flagged | share (target at most 0.05) | corrupted copies | caught | share (target at least 0.95) |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        f"| flags | {len(originals)} | {flagged_h} | {_share(flagged_h, len(originals))} | {len(all_triples)} | "
        f"{caught_flags} | {_share(caught_flags, len(all_triples))} |",
        f"| check | {len(originals)} | {int(dec_orig.sum())} | {_share(int(dec_orig.sum()), len(originals))} | "
        f"{len(all_triples)} | {int(dec_bad.sum())} | {_share(int(dec_bad.sum()), len(all_triples))} |",
    ]
    if originals:
        lines += ["", *floor_lines(len(originals), flagged_h)]
    if hand_sample:
        print_hand_sample(stories, facts, hand_sample, hand_seed, hand_source)
    if SEE.is_file():
        ids = {s["id"]: k for k, s in enumerate(stories)}
        rows = [r for r in read_jsonl(SEE) if r["id"] in ids]
        per: dict[str, Counter] = {}
        flagged_samples, clean_samples = [], []
        for r in rows:
            c = per.setdefault(r["system"], Counter())
            for sent in r["summary"].split("\n"):
                sent = detok(sent.strip())
                if not sent:
                    continue
                fl = find_flags(sent, facts[ids[r["id"]]])
                c["sentences"] += 1
                c["flagged"] += bool(fl)
                for f in fl:
                    c[f.kind] += 1
                    c["unk"] += f.kind == "name" and set(f.text.split()) == {"UNK"}
                # UNK (the baseline's unknown-word token) is all its name flags: sample the others
                real = [f.text for f in fl if set(f.text.split()) != {"UNK"}]
                if real:
                    flagged_samples.append((r["system"], sent, real))
                elif not fl:
                    clean_samples.append((r["system"], sent, []))
        lines += [
            "",
            "See et al. (2017) outputs for the same stories (lowercased: names cannot be flagged, numbers can; "
            "the baseline's name flags are its `UNK` tokens, which the article indeed lacks):",
            "",
            "| system | sentences | flagged | rate | number | amount | percentage | date | name (all `UNK`) |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for system, c in sorted(per.items()):
            lines.append(f"| {system} | {c['sentences']} | {c['flagged']} | {c['flagged'] / c['sentences']:.3f} | "
                         f"{c['number']} | {c['amount']} | {c['percentage']} | {c['date']} | {c['name']} ({c['unk']}) |")
        srng = random.Random(seed)
        click.echo("\n-- flagged sample (read by hand; not recorded) --")
        for system, sent, fl in srng.sample(flagged_samples, min(samples, len(flagged_samples))):
            click.echo(f"[{system}] {sent}\n    flags: {fl}")
        click.echo("\n-- unflagged sample --")
        for system, sent, _ in srng.sample(clean_samples, min(samples, len(clean_samples))):
            click.echo(f"[{system}] {sent}")
    lines += ["", f"Ran in {time.perf_counter() - t0:.0f} s (encoder vectors cached on disk)."]
    publish("grounding_flags", "\n".join(lines), write_results)


if __name__ == "__main__":
    main()
