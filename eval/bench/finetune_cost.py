"""What one epoch of fine-tuning the sentence encoder end to end would cost on this machine.

    python -m eval.bench.finetune_cost --stories 20

A short timed run, extrapolated: all-MiniLM-L6-v2 (torch, fp32, training mode) and the
shipped sentence scorer, one training story a step (all its sentences, at most 128 word
pieces each), forward, backward and an AdamW step, on the training stories that follow the
first 20 (labels: the first three sentences, a stand-in: the cost does not depend on them).
The first two steps (allocation) are left out of the mean. Nothing is saved.
"""

from __future__ import annotations

import json
import os
import time

import click
import numpy as np


@click.command()
@click.option("--stories", default=20, show_default=True, help="Training stories timed (one step each).")
@click.option("--threads", default=2, show_default=True, help="torch threads.")
@click.option("--epoch-stories", default=7000, show_default=True, help="Stories in one epoch, for the extrapolation.")
def main(stories: int, threads: int, epoch_stories: int) -> None:
    """Time end-to-end fine-tuning steps (encoder + scorer) and extrapolate to an epoch."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    from eval.train.vector_cache import TRAIN, read_stories
    from summarizer.article import Article
    from summarizer.backends.extractive.net import load_weights
    from summarizer.backends.extractive.scorer import features
    from summarizer.encoder.model import encoder_path

    torch.manual_seed(0)
    torch.set_num_threads(threads)
    tok = AutoTokenizer.from_pretrained(encoder_path(), local_files_only=True)
    enc = AutoModel.from_pretrained(encoder_path(), local_files_only=True).train()
    scorer, _ = load_weights()
    scorer.train()
    opt = torch.optim.AdamW(list(enc.parameters()) + list(scorer.parameters()), lr=2e-5)
    load_before = os.getloadavg()[0]
    times, sentences = [], 0
    for row in read_stories(TRAIN, 20 + stories)[20:]:
        sents = [s.text for s in Article(body=row["article"]).sentences]
        t0 = time.perf_counter()
        batch = tok(sents, truncation=True, max_length=128, padding=True, return_tensors="pt")
        hidden = enc(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).float()
        vectors = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1)
        feats = torch.from_numpy(features(vectors.detach().numpy(), sents))
        logits = scorer(vectors[None], feats[None], torch.zeros(1, len(sents), dtype=torch.bool))
        target = torch.zeros_like(logits)
        target[0, :3] = 1
        loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, target)
        opt.zero_grad()
        loss.backward()
        opt.step()
        times.append(time.perf_counter() - t0)
        sentences += len(sents)
    per_story = float(np.mean(times[2:]))
    print(json.dumps({
        "threads": threads, "stories_timed": len(times) - 2, "sentences": sentences,
        "seconds_per_story": round(per_story, 2), "epoch_stories": epoch_stories,
        "epoch_hours": round(per_story * epoch_stories / 3600, 1),
        "load_average_before_after": [round(load_before, 1), round(os.getloadavg()[0], 1)],
    }))


if __name__ == "__main__":
    main()
