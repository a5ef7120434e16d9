"""Tune the unlearned extractive scorer's weights on the shared TRAINING stories.

    python -m eval.train.tune_extractive --limit 500

Encodes the sentences once, then grid-searches the weights of
``summarizer.backends.extractive.backend.select`` and prints the best settings by mean
ROUGE-1 + ROUGE-2 + ROUGE-Lsum F1 (rouge-score, stemming), beside Lead-3 on the same
stories. The dev set is never used here: it is where results are reported.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import replace
from pathlib import Path

import click
import numpy as np
from rouge_score import rouge_scorer

from summarizer.article import Article
from summarizer.encoder.model import SentenceEncoder
from summarizer.backends.extractive.backend import ExtractiveSettings, select

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / "shared" / "data" / "cnndm_train_from_test.jsonl"


@click.command()
@click.option("--data", type=click.Path(exists=True, dir_okay=False), default=str(DATA), help="Training JSONL.")
@click.option("--limit", default=500, show_default=True, help="Stories to tune on.")
def main(data: str, limit: int) -> None:
    """Grid-search the extractive weights on training stories."""
    rows = [json.loads(line) for _, line in zip(range(limit), open(data, encoding="utf-8"))]
    arts = [Article(body=r["article"]) for r in rows]
    refs = ["\n".join(r["highlights"]) for r in rows]
    base = ExtractiveSettings()
    enc = SentenceEncoder(batch_size=base.batch_size, max_tokens=base.max_tokens, quantize=base.quantize)
    vecs = [enc.encode([s.text for s in a.sentences]) for a in arts]
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeLsum"], use_stemmer=True)

    def score(picks: list[list[int]]) -> tuple[float, float, float]:
        tot = np.zeros(3)
        for a, ref, idx in zip(arts, refs, picks):
            pred = "\n".join(a.sentences[i].text for i in idx)
            s = scorer.score(ref, pred)
            tot += [s["rouge1"].fmeasure, s["rouge2"].fmeasure, s["rougeLsum"].fmeasure]
        return tuple(100 * tot / len(arts))

    lead = score([list(range(min(3, len(a.sentences)))) for a in arts])
    click.echo(f"lead-3       R1 {lead[0]:.2f} R2 {lead[1]:.2f} RLsum {lead[2]:.2f}")
    results = []
    grid = itertools.product([0.5, 1.0, 2.0], [0.5, 1.0, 2.0, 4.0], [0.5, 1.0, 2.0], [0.0, 0.5, 1.0])
    for cw, pw, dec, red in grid:
        s = replace(base, centrality_weight=cw, position_weight=pw, position_decay=dec, redundancy_penalty=red)
        picks = []
        for a, v in zip(arts, vecs):
            elig = np.array([len(x.text.split()) >= s.min_words for x in a.sentences], dtype=bool)
            picks.append(select(v, 3, s, elig)[0])
        r = score(picks)
        results.append((sum(r), r, (cw, pw, dec, red)))
    results.sort(reverse=True)
    for total, r, p in results[:10]:
        click.echo(f"cw={p[0]} pw={p[1]} decay={p[2]} red={p[3]}  R1 {r[0]:.2f} R2 {r[1]:.2f} RLsum {r[2]:.2f}")


if __name__ == "__main__":
    main()
