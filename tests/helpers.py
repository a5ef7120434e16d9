"""Test helpers: paths, and generated articles of our own wording (never the shared data's text)."""

from __future__ import annotations

import random
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
DEV = DATA / "cnndm_dev_from_test.jsonl"
EXAMPLE = REPO / "examples" / "cnbc_article.txt"

_SUBJECTS = [
    "The city council", "A state senator", "The harbor authority", "Local farmers", "The school board",
    "Mr. Alvarez", "Gen. Okafor", "The U.S. Forest Service", "Two nurses", "The mayor's office",
]
_VERBS = [
    "approved", "questioned", "delayed", "announced", "rejected", "praised", "funded", "reviewed",
]
_OBJECTS = [
    "a plan to widen the coastal road", "new rules for street vendors", "the budget for the bridge repair",
    "a study of river pollution", "the sale of the old rail depot", "a pilot program for night buses",
]
_TAILS = [
    "on Jan. 5", "after a long debate", "at a cost of $1.5 million", "by a 6-3 vote", "late on Tuesday",
    "despite objections from residents", "for the third time this year", "with 43.3 percent support",
]


def make_article(n_bytes: int, seed: int = 0) -> str:
    """A plain-text article of about ``n_bytes`` (UTF-8), paragraphs of four to six sentences."""
    rng = random.Random(seed)
    paragraphs, size = [], 0
    while size < n_bytes:
        sents = [
            f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)} {rng.choice(_TAILS)}."
            for _ in range(rng.randint(4, 6))
        ]
        para = " ".join(sents)
        paragraphs.append(para)
        size += len(para) + 2
    return "\n\n".join(paragraphs)
