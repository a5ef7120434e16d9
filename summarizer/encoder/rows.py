"""Token rows into arrays, and mean pooling: the one copy the encoder and the transformers backends share.

>>> ids, mask = pad_rows([[5, 6, 7], [8]], pad_id=0)
>>> ids.tolist(), mask.tolist()
([[5, 6, 7], [8, 0, 0]], [[1, 1, 1], [1, 0, 0]])
>>> pad_rows([[5, 6], [8]], pad_id=0, left=True)[0].tolist()
[[5, 6], [0, 8]]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import torch


def pad_rows(
    rows: Sequence[Sequence[int]], pad_id: int, width: int | None = None, *, left: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """``(input_ids, attention_mask)`` (int64) of ``rows`` padded to ``width`` (their longest), on
    the right, or on the ``left`` for a decoder-only model (its new tokens follow every row's last)."""
    width = width or max(len(r) for r in rows)
    ids = np.full((len(rows), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(rows), width), dtype=np.int64)
    for k, r in enumerate(rows):
        cols = slice(width - len(r), width) if left else slice(0, len(r))
        ids[k, cols] = r
        mask[k, cols] = 1
    return ids, mask


def mean_pool(hidden: "torch.Tensor", mask: Any) -> "torch.Tensor":
    """Mean of each row's token states under its attention mask, L2-normalized (the model card's recipe)."""
    import torch

    m = mask.unsqueeze(-1).to(hidden.dtype)
    vec = (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)
    return torch.nn.functional.normalize(vec, p=2, dim=1)
