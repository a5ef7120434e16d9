"""Train the extractive backend's learned sentence scorer and write its weights.

    python -m eval.train.scorer --out summarizer/data/scorer-v1.safetensors

Reproduces the shipped weights from ../shared/data/cnndm_train_from_test.jsonl and
cnndm_train_more_from_test.jsonl (7,000 stories; seed 2024):

1. labels: the greedy ROUGE oracle (summarizer.evaluate.oracle.oracle) on every story;
2. stage 1: train on all the stories but the last --holdout (300) of the first file, which
   report ROUGE per epoch and tune how many key points to keep when none is asked for;
3. stage 2: train again on all the stories, same seed and epochs, and save.

The dev set is never read here. Sentence vectors are the default runtime's (ONNX Runtime,
int8) and come from eval/train/vector_cache.py's cache (built on first use: encoding is the slow
part); training itself takes minutes on a CPU.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import platform
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import click
import numpy as np
import torch
from rouge_score import rouge_scorer

from eval.train.vector_cache import CACHE_DIR, TRAIN, TRAIN_MORE, VectorCache, read_stories
from summarizer.article import Article
from summarizer.backends.extractive.backend import ExtractiveSettings
from summarizer.backends.extractive.scorer import Adaptive, choose, features
from summarizer.backends.extractive.weights import FEATURES, WEIGHTS, ScorerConfig
from summarizer.evaluate.oracle import oracle
from summarizer.backends.extractive.net import ScorerNet, batch, save_weights

SEED = 2024


@dataclass
class Story:
    """One story, ready for the scorer: sentences, vectors, features, oracle labels, reference."""

    id: str
    texts: list[str]
    vectors: np.ndarray
    feats: np.ndarray
    eligible: np.ndarray
    labels: list[int]
    reference: str


def prepare(path: Path, limit: int | None = None, cache: VectorCache | None = None, min_words: int = 4) -> list[Story]:
    """Split, embed (through the cache) and label the stories of ``path``."""
    rows = read_stories(path, limit)
    cache = cache or VectorCache()
    sents = [[s.text for s in Article(body=r["article"]).sentences] for r in rows]
    cache.fill([t for ts in sents for t in ts], progress=True)
    # oracle labels are cached too: keyed by the sentences, so a new splitter recomputes them
    key = hashlib.sha256(json.dumps([[r["id"], ts, r["highlights"]] for r, ts in zip(rows, sents)]).encode()).hexdigest()
    label_file = CACHE_DIR / f"oracle-{key[:16]}.json"
    eligible = [np.array([len(t.split()) >= min_words for t in ts], dtype=bool) for ts in sents]
    if label_file.is_file():
        labels = json.loads(label_file.read_text())
    else:
        from rouge_score.tokenizers import DefaultTokenizer

        tok = DefaultTokenizer(use_stemmer=True).tokenize
        labels = [oracle(ts, r["highlights"], 3, e, tokenize=tok) for r, ts, e in zip(rows, sents, eligible)]
        label_file.write_text(json.dumps(labels))
    stories = []
    for r, ts, e, lab in zip(rows, sents, eligible, labels):
        v = cache.get(ts)
        stories.append(Story(r["id"], ts, v, features(v, ts, min_words), e, lab, "\n".join(r["highlights"])))
    return stories


_ROUGE = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeLsum"], use_stemmer=True)


def rouge(stories: list[Story], picks: list[list[int]]) -> np.ndarray:
    """Per-story ROUGE-1/2/Lsum F1 x 100, shape ``(stories, 3)`` (sentences joined by newlines)."""
    out = np.zeros((len(stories), 3))
    for row, (s, idx) in enumerate(zip(stories, picks)):
        sc = _ROUGE.score(s.reference, "\n".join(s.texts[i] for i in idx))  # (target, prediction)
        out[row] = [100 * sc[k].fmeasure for k in ("rouge1", "rouge2", "rougeLsum")]
    return out


def predict(model: ScorerNet, stories: list[Story], batch_size: int = 64) -> list[np.ndarray]:
    model.eval()
    out = []
    with torch.inference_mode():
        for b in range(0, len(stories), batch_size):
            chunk = stories[b : b + batch_size]
            probs = torch.sigmoid(model(*batch([(s.vectors, s.feats) for s in chunk]))).numpy()
            out += [probs[i, : len(s.texts)].copy() for i, s in enumerate(chunk)]
    return out


def picks(stories: list[Story], scores: list[np.ndarray], n: int | None, adaptive: Adaptive = Adaptive()) -> list[list[int]]:
    return [choose(sc, s.texts, n, s.eligible, adaptive) for s, sc in zip(stories, scores)]


@dataclass(frozen=True)
class TrainSettings:
    epochs: int = 5  # held-out ROUGE peaks at 4-6 epochs, then the network overfits
    lr: float = 1e-3
    weight_decay: float = 0.01
    batch_size: int = 32  # articles per step
    warmup: int = 100  # steps of linear warm-up, then linear decay to 0
    seed: int = SEED


def train(
    stories: list[Story],
    config: ScorerConfig,
    ts: TrainSettings,
    held: list[Story] | None = None,
    log=print,
) -> tuple[ScorerNet, list[dict]]:
    """Train a fresh network on ``stories`` (BCE on the oracle labels); ROUGE on ``held`` per epoch."""
    torch.manual_seed(ts.seed)
    rng = np.random.default_rng(ts.seed)
    model = ScorerNet(config)
    opt = torch.optim.AdamW(model.parameters(), lr=ts.lr, weight_decay=ts.weight_decay)
    steps = ts.epochs * -(-len(stories) // ts.batch_size)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / ts.warmup, max(0.0, (steps - s) / max(1, steps - ts.warmup)))
    )
    targets = []
    for s in stories:
        y = np.zeros(len(s.texts), np.float32)
        y[s.labels] = 1
        targets.append(y)
    history = []
    for epoch in range(1, ts.epochs + 1):
        model.train()
        start, total, count = time.perf_counter(), 0.0, 0
        order = rng.permutation(len(stories))
        for b in range(0, len(order), ts.batch_size):
            idx = order[b : b + ts.batch_size]
            vec, feat, pad = batch([(stories[i].vectors, stories[i].feats) for i in idx])
            y = torch.zeros(pad.shape)
            for row, i in enumerate(idx):
                y[row, : len(targets[i])] = torch.from_numpy(targets[i])
            logits = model(vec, feat, pad)
            loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, y, reduction="none")
            loss = loss.masked_fill(pad, 0).sum() / (~pad).sum()
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            total, count = total + loss.item(), count + 1
        rec = {"epoch": epoch, "loss": round(total / count, 4), "seconds": round(time.perf_counter() - start, 1)}
        if held:
            scores = predict(model, held)
            rec["held_n3"] = [round(x, 2) for x in rouge(held, picks(held, scores, 3)).mean(0)]
        history.append(rec)
        log(json.dumps(rec))
    model.eval()
    return model, history


def tune_adaptive(held: list[Story], scores: list[np.ndarray]) -> tuple[Adaptive, np.ndarray]:
    """The adaptive count rule with the best mean ROUGE-1 + 2 + Lsum on held-out stories."""
    memo: dict[tuple[int, tuple[int, ...]], np.ndarray] = {}  # rules often pick the same sentences

    def story_rouge(i: int, idx: list[int]) -> np.ndarray:
        key = (i, tuple(idx))
        if key not in memo:
            memo[key] = rouge([held[i]], [idx])[0]
        return memo[key]

    # only rules that adapt, from 2 to 4 or 5 key points (most human highlights have 3 or 4);
    # a fixed 3 scores a little higher on ROUGE F1, but the number should follow the story
    grid = itertools.product([0.05, 0.1, 0.15, 0.2, 0.3], [2], [4, 5], [None, 40, 50, 60, 70, 80])
    results = []
    for t, lo, hi, budget in grid:
        a = Adaptive(threshold=t, min_points=lo, max_points=hi, word_budget=budget)
        r = np.mean([story_rouge(i, idx) for i, idx in enumerate(picks(held, scores, None, a))], axis=0)
        results.append((r.sum(), a, r))
    results.sort(key=lambda x: -x[0])
    for total, a, r in results[:5]:
        print(f"  adaptive {fmt(r)} {asdict(a)}", file=sys.stderr)
    return results[0][1], results[0][2]


@click.command()
@click.option("--data", type=click.Path(exists=True, dir_okay=False, path_type=Path), multiple=True,
              default=[TRAIN, TRAIN_MORE], show_default=True,
              help="Training stories (JSONL with article and highlights); repeatable.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=WEIGHTS, show_default=True,
              help="Where to write the weights (a .sha256 file is written beside them).")
@click.option("--holdout", default=300, show_default=True, help="Last stories of the first --data held out in stage 1.")
@click.option("--epochs", default=TrainSettings.epochs, show_default=True, help="Training epochs.")
@click.option("--lr", default=TrainSettings.lr, show_default=True, help="AdamW learning rate.")
@click.option("--d-model", default=ScorerConfig.d_model, show_default=True, help="Width of the context transformer.")
@click.option("--layers", default=ScorerConfig.layers, show_default=True, help="Context transformer layers (0: none).")
@click.option("--dropout", default=ScorerConfig.dropout, show_default=True, help="Dropout in the transformer.")
@click.option("--seed", default=SEED, show_default=True, help="Seed of torch and numpy (recorded in the weights).")
@click.option("--threads", default=1, show_default=True, help="torch threads (1: same numbers on any machine).")
@click.option("--stage1-only", is_flag=True, help="Report held-out ROUGE and stop (hyperparameter search).")
def main(data: tuple[Path, ...], out: Path, holdout: int, epochs: int, lr: float, d_model: int, layers: int,
         dropout: float, seed: int, threads: int, stage1_only: bool) -> None:
    """Train the learned sentence scorer on the shared training stories."""
    torch.set_num_threads(threads)
    t0 = time.perf_counter()
    settings = ExtractiveSettings()
    cache = VectorCache(settings=settings)
    files = [prepare(path, cache=cache, min_words=settings.min_words) for path in data]
    stories = [s for f in files for s in f]
    click.echo(f"{len(stories)} stories prepared in {time.perf_counter() - t0:.0f}s", err=True)
    config = ScorerConfig(d_model=d_model, layers=layers, dropout=dropout, ff=2 * d_model)
    ts = TrainSettings(epochs=epochs, lr=lr, seed=seed)
    # the held-out stories are the last of the first file, whatever else is added
    held = files[0][len(files[0]) - holdout :]
    fit = files[0][: len(files[0]) - holdout] + [s for f in files[1:] for s in f]

    t1 = time.perf_counter()
    model, history = train(fit, config, ts, held, log=lambda m: click.echo(m, err=True))
    scores = predict(model, held)
    lead = rouge(held, [list(range(min(3, len(s.texts)))) for s in held]).mean(0)
    fixed = rouge(held, picks(held, scores, 3)).mean(0)
    adaptive, adapt_r = tune_adaptive(held, scores)
    click.echo(f"held-out ({len(held)}): lead-3 {fmt(lead)} | learned n=3 {fmt(fixed)} | "
               f"adaptive {fmt(adapt_r)} {asdict(adaptive)}  [stage 1: {time.perf_counter() - t1:.0f}s]")
    if stage1_only:
        return

    t2 = time.perf_counter()
    model, _ = train(stories, config, ts, log=lambda m: click.echo(m, err=True))
    meta = {
        "version": 1,
        "seed": seed,
        "train": asdict(ts),
        "data": [{"file": p.name, "sha256": hashlib.sha256(p.read_bytes()).hexdigest(), "stories": len(f)}
                 for p, f in zip(data, files)],
        "labels": "greedy ROUGE-1+2 F1 oracle, up to 3 sentences of >= min_words words",
        "holdout": {"stories": holdout, "lead3": list(map(float, lead.round(2))),
                    "learned_n3": list(map(float, fixed.round(2))), "adaptive": list(map(float, adapt_r.round(2)))},
        "adaptive": asdict(adaptive),
        "min_words": settings.min_words,
        "features": list(FEATURES),
        "encoder": {"name": "all-MiniLM-L6-v2", "runtime": settings.runtime, "quantize": settings.quantize,
                    "max_tokens": settings.max_tokens},
        "torch": torch.__version__,
        "python": platform.python_version(),
    }
    digest = save_weights(model, meta, out)
    click.echo(f"stage 2 (all {len(stories)} stories): {time.perf_counter() - t2:.0f}s; total {time.perf_counter() - t0:.0f}s")
    click.echo(f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB), sha256 {digest}")
    if out.resolve() == WEIGHTS.resolve():
        click.echo("set WEIGHTS_SHA256 in summarizer/backends/extractive/weights.py to the sha256 above")


def fmt(r: np.ndarray) -> str:
    return "/".join(f"{x:.2f}" for x in r)


if __name__ == "__main__":
    main()
