"""Train the summary-level selector of the extractive backend and write its weights.

    python -m eval.train.selection --out summarizer/data/selector-v1.safetensors

Reproduces the shipped selector from ../shared/data/cnndm_train_from_test.jsonl and
cnndm_train_more_from_test.jsonl (7,000 stories; seed 2024); the dev set is never read:

1. sentence scores: each training story scored by a sentence scorer that never saw it
   (``eval/train/oof.py``: 5 folds, the shipped scorer's recipe; cached), as the shipped
   scorer scores a new story;
2. candidates: per story, every subset of 1 to 5 of the scorer's best ``shortlist`` eligible
   sentences (a sentence beginning inside a quotation is not eligible), described by
   ``selection.candidate_features`` and scored by their ROUGE-1/2/Lsum F1 against the
   highlights with the harness's own ROUGE (``summarizer.evaluate.rouge.Scorer``); cached;
3. stage 1: train on all the stories but ``--holdout`` (1,000, a seeded sample), report on
   those the ROUGE of the selector's choice against the sentence-by-sentence choice
   (``-o selection=sentences``) with a paired bootstrap, per epoch and at the end;
4. stage 2: train again on all 7,000 stories, same seed and epochs, and save.

The loss ranks each story's candidates by their ROUGE (mean of the three F1), as MatchSum's:
a margin loss on every pair, the margin growing with the gap in rank. Five networks are
trained from the seeds 2024 to 2028 and their scores averaged (on the held-out stories one
seed's choice varied by 0.3 ROUGE-1 from seed to seed; the mean of five is steadier).
Training takes under a minute on one thread once the candidates are cached; the first run
builds them (a few minutes) after the out-of-fold scores (``eval/train/oof.py``, about half
an hour on two busy cores).
"""

from __future__ import annotations

import hashlib
import json
import platform
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import click
import numpy as np

from eval.train.vector_cache import CACHE_DIR, TRAIN, TRAIN_MORE, VectorCache, read_stories

SEED = 2024
SIZES = (1, 5)  # candidate sizes built for training: -n 1 to -n 5; without -n only 2-4 compete
METRICS = ("rouge1", "rouge2", "rougeLsum")


@dataclass
class Doc:
    """One training story's candidates: indices, features, ROUGE (x100, one row per candidate)."""

    id: str
    cands: list[tuple[int, ...]]
    feats: np.ndarray
    rouge: np.ndarray  # (candidates, 3)
    sentences_pick: dict  # today's choice for n in (None, 1..5): its ROUGE


def eligibility(texts, body, starts, min_words: int) -> np.ndarray:
    """What the backend lets start a key point under selection=set (see backend.eligible)."""
    from summarizer.backends.extractive.backend import eligible_sentences

    return eligible_sentences(texts, body, starts, min_words, quotes=True)


def build_docs(stories, rows, probs, config, adaptive, min_words: int, log=print) -> list[Doc]:
    """Candidates, features and ROUGE targets of every story (cached on disk)."""
    from summarizer.article import Article
    from summarizer.backends.extractive.scorer import choose
    from summarizer.backends.extractive.selection import candidate_features, candidates, shortlist
    from summarizer.backends.extractive import quotes, selection
    from summarizer.backends.extractive.weights import CANDIDATE_FEATURES
    from summarizer.evaluate.rouge import RougeConfig, Scorer

    # the key covers what decides the candidates: the stories, their scores, the settings, and
    # the code of the features and of the quotation rules (which decide who is eligible)
    key = hashlib.sha256(json.dumps([
        [hashlib.sha256(Path(m.__file__).read_bytes()).hexdigest() for m in (quotes, selection)],
        [s.id for s in stories], [float(p.sum()) for p in probs], asdict(config), SIZES, list(CANDIDATE_FEATURES),
        asdict(adaptive), min_words, "v3",
    ]).encode()).hexdigest()[:16]
    path = CACHE_DIR / f"selection-docs-{key}.npz"
    if path.is_file():
        data = np.load(path, allow_pickle=False)
        meta = json.loads(str(data["meta"]))
        feats = np.split(data["feats"], np.cumsum(data["counts"])[:-1])
        rouge = np.split(data["rouge"], np.cumsum(data["counts"])[:-1])
        return [Doc(m["id"], [tuple(c) for c in m["cands"]], f, r, m["sentences"]) for m, f, r in zip(meta, feats, rouge)]

    scorer = Scorer(RougeConfig(metrics=METRICS))
    docs = []
    t0 = time.perf_counter()
    for n_done, (s, r, p) in enumerate(zip(stories, rows, probs)):
        art = Article(body=r["article"])
        texts = s.texts
        tokens = [scorer.tokenizer.tokenize(t) for t in texts]
        ref = scorer.tokenize(r["highlights"])
        memo: dict[tuple[int, ...], list[float]] = {}

        def rouge_of(idx: tuple[int, ...]) -> list[float]:
            if idx not in memo:
                sc = scorer.score_tokens(reference=ref, prediction=[tokens[i] for i in idx])
                memo[idx] = [100 * sc[m].fmeasure for m in METRICS]
            return memo[idx]

        ok = eligibility(texts, art.body, [x.start for x in art.sentences], min_words)
        short = shortlist(p, ok, config.shortlist)
        cands = candidates(short, *SIZES)
        feats = candidate_features(s.vectors, texts, p, ok, cands)
        target = np.array([rouge_of(c) for c in cands], dtype=np.float32).reshape(-1, 3)
        # today's choice (selection=sentences): the adaptive rule and each fixed n
        today = {str(n): rouge_of(tuple(choose(p, texts, n, s.eligible, adaptive))) for n in (None, 1, 2, 3, 4, 5)}
        today["lead3"] = rouge_of(tuple(range(min(3, len(texts)))))
        docs.append(Doc(s.id, cands, feats, target, today))
        if (n_done + 1) % 1000 == 0:
            log(f"  candidates: {n_done + 1}/{len(stories)} stories, {time.perf_counter() - t0:.0f}s")
    meta = [{"id": d.id, "cands": d.cands, "sentences": d.sentences_pick} for d in docs]
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, meta=json.dumps(meta), counts=np.array([len(d.cands) for d in docs]),
             feats=np.concatenate([d.feats for d in docs]), rouge=np.concatenate([d.rouge for d in docs]))
    tmp.rename(path)
    return docs


@dataclass(frozen=True)
class TrainSettings:
    epochs: int = 10
    lr: float = 1e-3
    weight_decay: float = 1e-4
    batch_size: int = 32  # stories per step
    margin: float = 0.01  # MatchSum's: the margin between two candidates grows by this per rank apart
    loss: str = "margin"  # "margin" (MatchSum) or "listnet" (softmax over the story's candidates)
    temperature: float = 1.0  # listnet: softmax of ROUGE points / this
    target: tuple[float, float, float] = (1.0, 1.0, 1.0)  # weights of ROUGE-1, -2, -Lsum in the ranking target
    seed: int = SEED


def allowed(doc: Doc, sizes: tuple[int, int]) -> np.ndarray:
    return np.array([sizes[0] <= len(c) <= sizes[1] for c in doc.cands], dtype=bool)


def target_of(doc: Doc, weights=(1.0, 1.0, 1.0)) -> np.ndarray:
    """What the candidates are ranked by: a weighted mean of their ROUGE-1, -2 and -Lsum F1."""
    w = np.asarray(weights, dtype=np.float32)
    return doc.rouge @ (w / w.sum())


def train(docs: list[Doc], config, ts: TrainSettings, held: list[Doc] | None = None, log=print):
    """A fresh selector trained to rank each story's candidates by ROUGE."""
    import torch

    from summarizer.backends.extractive.net import CandidateNet

    torch.manual_seed(ts.seed)
    rng = np.random.default_rng(ts.seed)
    allf = np.concatenate([d.feats for d in docs])
    mean, std = allf.mean(0), allf.std(0)
    std[std < 1e-6] = 1.0
    model = CandidateNet(config, mean, std)
    opt = torch.optim.AdamW(model.parameters(), lr=ts.lr, weight_decay=ts.weight_decay)
    steps = ts.epochs * -(-len(docs) // ts.batch_size)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: max(0.0, 1 - s / steps))
    history = []
    for epoch in range(1, ts.epochs + 1):
        model.train()
        start, total = time.perf_counter(), 0.0
        order = rng.permutation(len(docs))
        for b in range(0, len(order), ts.batch_size):
            batch = [docs[i] for i in order[b : b + ts.batch_size] if len(docs[i].cands) > 1]
            if not batch:
                continue
            width = max(len(d.cands) for d in batch)
            x = torch.zeros(len(batch), width, config.num_features)
            y = torch.full((len(batch), width), -1e9)
            mask = torch.zeros(len(batch), width, dtype=torch.bool)
            for row, d in enumerate(batch):
                x[row, : len(d.cands)] = torch.from_numpy(d.feats)
                y[row, : len(d.cands)] = torch.from_numpy(target_of(d, ts.target))
                mask[row, : len(d.cands)] = True
            scores = model(x)
            loss = ranking_loss(scores, y, mask, ts)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item()
        rec = {"epoch": epoch, "loss": round(total / max(1, -(-len(docs) // ts.batch_size)), 5),
               "seconds": round(time.perf_counter() - start, 1)}
        if held:
            rec["held"] = {k: [round(float(x), 2) for x in v] for k, v in evaluate(model, held).items() if k in ("set auto", "set 3")}
        history.append(rec)
        log(json.dumps(rec))
    model.eval()
    return model, history


def train_ensemble(docs: list[Doc], config, ts: TrainSettings, held: list[Doc] | None = None, log=print):
    """``config.members`` networks trained from the seeds ``ts.seed``, ``ts.seed + 1``, ...; their mean."""
    from dataclasses import replace

    from summarizer.backends.extractive.net import CandidateEnsemble

    members = []
    for j in range(config.members):
        log(f"member {j + 1}/{config.members} (seed {ts.seed + j})")
        members.append(train(docs, config, replace(ts, seed=ts.seed + j), held, log)[0])
    return CandidateEnsemble(members).eval()


def ranking_loss(scores, y, mask, ts: TrainSettings):
    """MatchSum's pairwise margin loss (or ListNet's) over each story's candidates."""
    import torch

    if ts.loss == "listnet":
        target = torch.softmax(y / ts.temperature, dim=1)
        logp = torch.log_softmax(scores.masked_fill(~mask, -1e9), dim=1)
        return -(target * logp).masked_fill(~mask, 0).sum(1).mean()
    # rank of each candidate by ROUGE within its story (0: the best)
    rank = torch.argsort(torch.argsort(-y, dim=1), dim=1).float()
    better = (y[:, :, None] > y[:, None, :]) & mask[:, :, None] & mask[:, None, :]
    gap = (rank[:, None, :] - rank[:, :, None]).clamp(min=0)
    hinge = torch.relu(scores[:, None, :] - scores[:, :, None] + ts.margin * gap)
    return (hinge * better).sum() / better.sum().clamp(min=1)


def predict(model, docs: list[Doc]) -> list[np.ndarray]:
    import torch

    with torch.inference_mode():
        return [model(torch.from_numpy(d.feats)).numpy() if len(d.cands) else np.zeros(0) for d in docs]


def pick(doc: Doc, scores: np.ndarray, sizes: tuple[int, int]) -> np.ndarray:
    """ROUGE (3,) of the best-scored candidate of the allowed sizes (the backend's rule)."""
    ok = allowed(doc, sizes)
    if not ok.any():  # too few sentences: the backend takes all there are
        biggest = max((len(c) for c in doc.cands), default=0)
        ok = np.array([len(c) == biggest for c in doc.cands], dtype=bool)
        if not ok.any():
            return np.zeros(3)
    idx = np.flatnonzero(ok)
    return doc.rouge[idx[int(np.argmax(scores[idx]))]]


def evaluate(model, docs: list[Doc], scores: list[np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """Mean ROUGE on ``docs`` of the selector ("set ...") and of today's choice ("sentences ..."),
    without -n and with each n; ``"oracle ..."``: the best candidate."""
    scores = scores if scores is not None else predict(model, docs)
    out = {"lead-3": np.mean([d.sentences_pick["lead3"] for d in docs], axis=0)}
    for n in (None, 1, 2, 3, 4, 5):
        sizes = (2, 4) if n is None else (n, n)
        name = "auto" if n is None else str(n)
        out[f"set {name}"] = np.mean([pick(d, s, sizes) for d, s in zip(docs, scores)], axis=0)
        out[f"sentences {name}"] = np.mean([d.sentences_pick[str(n)] for d in docs], axis=0)
        out[f"oracle {name}"] = np.mean([pick(d, target_of(d), sizes) for d in docs], axis=0)
    return out


def paired(model, docs: list[Doc], n: int | None, samples: int = 2000, seed: int = 0) -> str:
    """Selector minus today's choice on ``docs``: mean and bootstrap 95% interval per metric."""
    scores = predict(model, docs)
    sizes = (2, 4) if n is None else (n, n)
    diff = np.array([pick(d, s, sizes) - np.array(d.sentences_pick[str(n)]) for d, s in zip(docs, scores)])
    rng = np.random.default_rng(seed)
    boot = np.array([diff[rng.integers(0, len(diff), len(diff))].mean(0) for _ in range(samples)])
    lo, hi = np.percentile(boot, [2.5, 97.5], axis=0)
    return " / ".join(f"{m:+.2f} [{a:+.2f}, {b:+.2f}]" for m, a, b in zip(diff.mean(0), lo, hi))


def fmt(r) -> str:
    return "/".join(f"{x:.2f}" for x in r)


@click.command()
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the weights (default: the shipped file; a .sha256 file is written beside others).")
@click.option("--holdout", default=1000, show_default=True, help="Stories held out in stage 1 (a seeded sample).")
@click.option("--epochs", default=TrainSettings.epochs, show_default=True, help="Training epochs.")
@click.option("--lr", default=TrainSettings.lr, show_default=True, help="AdamW learning rate.")
@click.option("--loss", type=click.Choice(["margin", "listnet"]), default=TrainSettings.loss, show_default=True,
              help="Ranking loss: MatchSum's pairwise margin, or ListNet's softmax.")
@click.option("--margin", default=TrainSettings.margin, show_default=True, help="margin loss: per rank apart.")
@click.option("--temperature", default=TrainSettings.temperature, show_default=True, help="listnet: ROUGE points per unit.")
@click.option("--hidden", default=64, show_default=True, help="Width of the two hidden layers.")
@click.option("--shortlist", default=6, show_default=True, help="The scorer's best sentences candidates are made of.")
@click.option("--members", default=5, show_default=True, help="Networks from consecutive seeds, their scores averaged.")
@click.option("--seed", default=SEED, show_default=True, help="Seed of torch and numpy (recorded in the weights).")
@click.option("--threads", default=1, show_default=True, help="torch threads.")
@click.option("--stage1-only", is_flag=True, help="Report held-out ROUGE and stop (hyperparameter search).")
def main(out: Path | None, holdout: int, epochs: int, lr: float, loss: str, margin: float, temperature: float,
         hidden: int, shortlist: int, members: int, seed: int, threads: int, stage1_only: bool) -> None:
    """Train the summary-level selector on the shared training stories."""
    import torch

    from eval.train.oof import FOLDS, out_of_fold
    from eval.train.scorer import TrainSettings as ScorerTrainSettings
    from eval.train.scorer import prepare
    from summarizer.backends.extractive.net import save_selector
    from summarizer.backends.extractive.scorer import Adaptive
    from summarizer.backends.extractive.weights import (CANDIDATE_FEATURES, SELECTOR, WEIGHTS_SHA256, ScorerConfig,
                                                        SelectorConfig, read_weights)

    torch.set_num_threads(threads)
    out = out or SELECTOR
    t0 = time.perf_counter()
    _, smeta = read_weights()
    data = (TRAIN, TRAIN_MORE)
    cache = VectorCache()
    files = [prepare(p, cache=cache, min_words=smeta["min_words"]) for p in data]
    stories = [s for f in files for s in f]
    rows = [r for p in data for r in read_stories(p)]
    probs = out_of_fold(stories, ScorerConfig(**smeta["config"]), ScorerTrainSettings(**smeta["train"]),
                        log=lambda m: click.echo(m, err=True))
    config = SelectorConfig(hidden=hidden, shortlist=shortlist, members=members)
    docs = build_docs(stories, rows, probs, config, Adaptive(**smeta["adaptive"]), smeta["min_words"],
                      log=lambda m: click.echo(m, err=True))
    click.echo(f"{len(docs)} stories, {sum(len(d.cands) for d in docs)} candidates, "
               f"prepared in {time.perf_counter() - t0:.0f}s", err=True)
    ts = TrainSettings(epochs=epochs, lr=lr, loss=loss, margin=margin, temperature=temperature, seed=seed)
    held_idx = set(np.random.default_rng(seed).permutation(len(docs))[:holdout].tolist())
    held = [d for i, d in enumerate(docs) if i in held_idx]
    fit = [d for i, d in enumerate(docs) if i not in held_idx]

    t1 = time.perf_counter()
    model = train_ensemble(fit, config, ts, held, log=lambda m: click.echo(m, err=True))
    res = evaluate(model, held)
    click.echo(f"held-out ({len(held)}) lead-3: {fmt(res['lead-3'])}")
    for name in ("auto", "1", "2", "3", "4", "5"):
        click.echo(f"held-out ({len(held)}) n={name}: set {fmt(res[f'set {name}'])} | sentences "
                   f"{fmt(res[f'sentences {name}'])} | oracle {fmt(res[f'oracle {name}'])}")
    paired_auto, paired_3 = paired(model, held, None), paired(model, held, 3)
    click.echo(f"set - sentences, no -n: {paired_auto}; -n 3: {paired_3}  [stage 1: {time.perf_counter() - t1:.0f}s]")
    if stage1_only:
        return

    t2 = time.perf_counter()
    model = train_ensemble(docs, config, ts, log=lambda m: click.echo(m, err=True))
    meta = {
        "version": 1,
        "seed": seed,
        "train": asdict(ts),
        "data": [{"file": p.name, "sha256": hashlib.sha256(p.read_bytes()).hexdigest(), "stories": len(f)}
                 for p, f in zip(data, files)],
        "sentence_scores": f"out of fold ({FOLDS} folds, the recipe of scorer weights {WEIGHTS_SHA256[:12]})",
        "candidate_sizes_trained": list(SIZES),
        "target": "mean of ROUGE-1, ROUGE-2, ROUGE-Lsum F1 against the highlights (the harness's rules)",
        "holdout": {"stories": holdout, **{k: list(map(float, np.round(v, 2))) for k, v in res.items()},
                    "set_minus_sentences_auto": paired_auto, "set_minus_sentences_3": paired_3},
        "features": list(CANDIDATE_FEATURES),
        "torch": torch.__version__,
        "python": platform.python_version(),
    }
    digest = save_selector(model, meta, out)
    click.echo(f"stage 2 (all {len(docs)} stories): {time.perf_counter() - t2:.0f}s; total {time.perf_counter() - t0:.0f}s")
    click.echo(f"wrote {out} ({out.stat().st_size / 1e3:.0f} kB), sha256 {digest}")
    if out.resolve() == SELECTOR.resolve():
        click.echo("set SELECTOR_SHA256 in summarizer/backends/extractive/weights.py to the sha256 above")


if __name__ == "__main__":
    sys.exit(main())
