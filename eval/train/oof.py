"""Out-of-fold sentence scores of the training stories, for training what reads them.

    python -m eval.train.oof                 # all folds, cached under $SCORER_CACHE
    python -m eval.train.oof --folds-only 0,1  # some folds (two processes can share the work)

The shipped sentence scorer was trained on all 7,000 training stories, so its scores on
them are better than on a story it has never seen. The summary-level selector
(``python -m eval.train.selection``) learns how far to trust those scores, so it must see
them as they are on new stories: each story is scored by a scorer trained, with the shipped
recipe (same network, settings and seed), on the other folds only (cross-fitting). Each
fold's scores are cached as soon as they are done, keyed by the stories, the recipe and the
fold, so an interrupted run loses at most one fold.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from dataclasses import asdict

import click
import numpy as np

from eval.train.vector_cache import CACHE_DIR

FOLDS = 5
SEED = 2024


def fold_of(ids: list[str], folds: int = FOLDS, seed: int = SEED) -> np.ndarray:
    """Each story's fold: a seeded shuffle cut into ``folds`` near-equal parts."""
    order = np.random.default_rng(seed).permutation(len(ids))
    fold = np.empty(len(ids), dtype=int)
    fold[order] = np.arange(len(ids)) % folds
    return fold


def _key(stories, config, ts, folds: int) -> str:
    blob = json.dumps([[s.id, len(s.texts)] for s in stories] + [asdict(config), asdict(ts), folds])
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def out_of_fold(stories, config, ts, folds: int = FOLDS, only: set[int] | None = None, log=print):
    """Scores of every story by a scorer not trained on it (a list of arrays, one per story),
    or None while folds are missing (``only`` computes some of them)."""
    import torch

    from eval.train.scorer import predict, train

    key = _key(stories, config, ts, folds)
    fold = fold_of([s.id for s in stories], folds, ts.seed)
    out: list[np.ndarray | None] = [None] * len(stories)
    for k in range(folds):
        path = CACHE_DIR / f"oof-{key}-fold{k}of{folds}.npz"
        held = [i for i in range(len(stories)) if fold[i] == k]
        if not path.is_file():
            if only is not None and k not in only:
                continue
            t0 = time.perf_counter()
            torch.manual_seed(ts.seed)
            model, _ = train([stories[i] for i in range(len(stories)) if fold[i] != k], config, ts, log=log)
            probs = predict(model, [stories[i] for i in held])
            tmp = path.with_suffix(".tmp.npz")
            np.savez(tmp, probs=np.concatenate(probs), lengths=np.array([len(p) for p in probs]))
            tmp.rename(path)
            log(f"fold {k}: {len(held)} stories scored in {time.perf_counter() - t0:.0f}s -> {path.name}")
        data = np.load(path)
        parts = np.split(data["probs"], np.cumsum(data["lengths"])[:-1])
        for i, p in zip(held, parts):
            out[i] = p
    return None if any(p is None for p in out) else out


@click.command()
@click.option("--folds-only", default=None, help="Comma-separated folds to compute (default: all).")
@click.option("--threads", default=1, show_default=True, help="torch threads.")
def main(folds_only: str | None, threads: int) -> None:
    """Compute (and cache) out-of-fold sentence scores of the 7,000 training stories."""
    import torch

    from eval.train.scorer import TrainSettings, prepare
    from eval.train.vector_cache import TRAIN, TRAIN_MORE, VectorCache
    from summarizer.backends.extractive.weights import ScorerConfig, read_weights

    torch.set_num_threads(threads)
    _, meta = read_weights()
    config = ScorerConfig(**meta["config"])
    ts = TrainSettings(**meta["train"])
    cache = VectorCache()
    stories = [s for path in (TRAIN, TRAIN_MORE) for s in prepare(path, cache=cache, min_words=meta["min_words"])]
    only = {int(x) for x in folds_only.split(",")} if folds_only else None
    done = out_of_fold(stories, config, ts, only=only, log=lambda m: click.echo(m, err=True))
    print("all folds done" if done is not None else "some folds still missing", file=sys.stderr)


if __name__ == "__main__":
    main()
