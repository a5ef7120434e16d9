"""The learned networks in torch: the sentence scorer that training uses, its weights on disk,
and ``runtime="torch"`` scoring; the summary-level selector's network, for training. The
default path runs both in numpy (:class:`~summarizer.backends.extractive.scorer.NumpyNet`,
:class:`~summarizer.backends.extractive.selection.SelectorNet`) and never imports this module.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path
from typing import Sequence

import numpy as np
import torch
from torch import nn

from ...errors import ModelError
from .weights import SELECTOR, WEIGHTS, ScorerConfig, SelectorConfig, fix_hint, read_weights


class ScorerNet(nn.Module):
    """Sentence vectors + features -> a key-point logit per sentence, with article context."""

    def __init__(self, config: ScorerConfig):
        super().__init__()
        c = config
        self.config = c
        self.embed = nn.Linear(c.dim, c.d_model)
        self.feat = nn.Linear(c.num_features, c.d_model)
        layer = nn.TransformerEncoderLayer(
            c.d_model, c.heads, c.ff, c.dropout, batch_first=True, norm_first=True
        )
        self.context = nn.TransformerEncoder(layer, c.layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(c.d_model)
        self.out = nn.Linear(c.d_model, 1)

    def forward(self, vectors: torch.Tensor, feats: torch.Tensor, pad: torch.Tensor) -> torch.Tensor:
        """Logits ``(batch, sentences)``; ``pad`` is True where a row has no sentence."""
        x = self.embed(vectors) + self.feat(feats)
        x = self.context(x, src_key_padding_mask=pad)
        return self.out(self.norm(x)).squeeze(-1)


def batch(items: Sequence[tuple[np.ndarray, np.ndarray]]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Pad ``(vectors, features)`` of several articles into tensors and a padding mask."""
    width = max(1, max(len(v) for v, _ in items))
    dim, nf = items[0][0].shape[1], items[0][1].shape[1]
    vec = torch.zeros(len(items), width, dim)
    feat = torch.zeros(len(items), width, nf)
    pad = torch.ones(len(items), width, dtype=torch.bool)
    for row, (v, f) in enumerate(items):
        vec[row, : len(v)] = torch.from_numpy(v)
        feat[row, : len(f)] = torch.from_numpy(f)
        pad[row, : len(v)] = False
    return vec, feat, pad


def save_weights(model: ScorerNet, meta: dict, path: Path) -> str:
    """Write ``model`` and ``meta`` (JSON-able) as safetensors; return the file's sha256.

    Beside a file other than the shipped one goes ``<file>.sha256``, which a load checks;
    the shipped file's checksum is ``WEIGHTS_SHA256``, in the code.
    """
    from safetensors.torch import save

    state = {k: v.detach().contiguous() for k, v in sorted(model.state_dict().items())}
    data = save(state, metadata={"scorer": json.dumps({**meta, "config": asdict(model.config)}, sort_keys=True)})
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    if Path(path).resolve() != WEIGHTS.resolve():
        Path(str(path) + ".sha256").write_text(digest + "\n")
    return digest


def _module(data: bytes, config: ScorerConfig, fix: str, path: Path | str) -> ScorerNet:
    from safetensors.torch import load

    try:
        model = ScorerNet(config)
        model.load_state_dict(load(data))
    except (KeyError, ValueError, TypeError, RuntimeError) as e:
        raise ModelError(f"scorer weights {path} cannot be loaded ({type(e).__name__}: {e}); {fix}") from None
    return model.eval()


def load_weights(path: Path | None = None) -> tuple[ScorerNet, dict]:
    """The scorer network (in eval mode) and its metadata, after a sha256 check."""
    path = Path(path) if path else WEIGHTS
    data, meta = read_weights(path)
    return _module(data, ScorerConfig(**meta["config"]), fix_hint(path), path), meta


class TorchNet:
    """The torch module behind the same ``run(windows)`` as :class:`~summarizer.backends.extractive.scorer.NumpyNet`."""

    # windows per forward pass, and padded sentences at most (bounds the attention's memory)
    batch_size = 64
    batch_sentences = 8192

    def __init__(self, data: bytes, config: ScorerConfig, path: Path):
        self.model = _module(data, config, fix_hint(path), path)

    def run(self, items: Sequence[tuple[np.ndarray, np.ndarray]]) -> list[np.ndarray]:
        out: list[np.ndarray] = []
        chunk: list[tuple[np.ndarray, np.ndarray]] = []

        def flush() -> None:
            if chunk:
                with torch.inference_mode():
                    probs = torch.sigmoid(self.model(*batch(chunk))).numpy()
                out.extend(probs[row, : len(v)].copy() for row, (v, _) in enumerate(chunk))
                chunk.clear()

        for v, f in items:
            width = max([len(v), *(len(c) for c, _ in chunk)])
            if chunk and (len(chunk) >= self.batch_size or (len(chunk) + 1) * width > self.batch_sentences):
                flush()
            chunk.append((v, f))
        flush()
        return out


class CandidateNet(nn.Module):
    """The summary-level selector's network (candidate features -> a score), for training;
    :class:`~summarizer.backends.extractive.selection.SelectorNet` runs it in numpy."""

    def __init__(self, config: SelectorConfig, mean: np.ndarray | None = None, std: np.ndarray | None = None):
        super().__init__()
        self.config = config
        nf, h = config.num_features, config.hidden
        # standardization of the features, fixed from the training candidates (saved with the weights)
        self.register_buffer("mean", torch.zeros(nf) if mean is None else torch.as_tensor(mean, dtype=torch.float32))
        self.register_buffer("std", torch.ones(nf) if std is None else torch.as_tensor(std, dtype=torch.float32))
        self.l1 = nn.Linear(nf, h)
        self.l2 = nn.Linear(h, h)
        self.out = nn.Linear(h, 1)

    def forward(self, feats: torch.Tensor) -> torch.Tensor:
        """Scores of ``(..., num_features)`` candidates, shape ``(...)``."""
        x = (feats - self.mean) / self.std
        x = torch.relu(self.l1(x))
        x = torch.relu(self.l2(x))
        return self.out(x).squeeze(-1)


class CandidateEnsemble(nn.Module):
    """Several selector networks trained from different seeds; a candidate's score is the mean
    of theirs (steadier than any one seed's choice)."""

    def __init__(self, members: Sequence[CandidateNet]):
        super().__init__()
        self.config = members[0].config
        self.members = nn.ModuleList(members)

    def forward(self, feats: torch.Tensor) -> torch.Tensor:
        return torch.stack([m(feats) for m in self.members]).mean(0)


def save_selector(model: CandidateEnsemble, meta: dict, path: Path) -> str:
    """Write the selector and ``meta`` as safetensors; return the file's sha256 (and write
    ``<file>.sha256`` beside a file other than the shipped one)."""
    from safetensors.torch import save

    state = {k: v.detach().contiguous() for k, v in sorted(model.state_dict().items())}
    config = {**asdict(model.config), "members": len(model.members)}
    data = save(state, metadata={"selector": json.dumps({**meta, "config": config}, sort_keys=True)})
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    if Path(path).resolve() != SELECTOR.resolve():
        Path(str(path) + ".sha256").write_text(digest + "\n")
    return digest
