"""Batches for an encoder-decoder model: longest first, padded to their longest input, bounded by memory.

Decoding is where batching pays: each step reads all the decoder's weights once however
many rows it extends. Encoding is not: it is already large matrix products, so padding a
short article to a long one's length would only add work. So the encoder runs on groups of
inputs of (nearly) the same length, its states are padded to the batch's width, and
``generate`` decodes the whole batch from them.

>>> plan_batches([5, 50, 20, 40], row_bytes=lambda width: width, memory_bytes=100)
[[1, 3], [2, 0]]
>>> encoder_groups([100, 100, 97, 60, 12, 12])
[[0, 1, 2], [3], [4, 5]]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Sequence

from ...encoder.rows import pad_rows

if TYPE_CHECKING:  # pragma: no cover
    import torch

ENCODER_MAX_PADDING = 0.05  # an encoder group pads at most 5% of its tokens
ENCODER_MAX_TOKENS = 8192  # and holds at most this many: bounds its attention activations


def plan_batches(
    lengths: Sequence[int],
    *,
    row_bytes: Callable[[int], int],
    memory_bytes: int,
    batch_size: int | None = None,
    rows_per_input: int = 1,
) -> list[list[int]]:
    """Indices of inputs grouped into batches, longest first.

    With ``batch_size``, batches hold that many inputs; otherwise as many as keep
    ``inputs * rows_per_input * row_bytes(width)`` (width: the batch's longest input) within
    ``memory_bytes``. A single input always makes a batch, whatever its size.
    """
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    out: list[list[int]] = []
    for i in order:
        if out:
            batch = out[-1]
            size = len(batch) + 1
            if batch_size is not None:
                fits = size <= batch_size
            else:
                fits = size * rows_per_input * row_bytes(lengths[batch[0]]) <= memory_bytes
            if fits:
                batch.append(i)
                continue
        out.append([i])
    return out


def encoder_groups(
    lengths: Sequence[int], max_padding: float = ENCODER_MAX_PADDING, max_tokens: int = ENCODER_MAX_TOKENS
) -> list[list[int]]:
    """Consecutive positions of ``lengths`` (longest first) grouped so padding stays small."""
    groups: list[list[int]] = []
    for i, n in enumerate(lengths):
        if groups:
            g = groups[-1]
            width = lengths[g[0]]
            tokens = sum(lengths[j] for j in g) + n
            if (len(g) + 1) * width <= (1 + max_padding) * tokens and (len(g) + 1) * width <= max_tokens:
                g.append(i)
                continue
        groups.append([i])
    return groups


def pad(
    rows: Sequence[Sequence[int]], pad_id: int, width: int | None = None, *, left: bool = False
) -> tuple["torch.Tensor", "torch.Tensor"]:
    """:func:`summarizer.encoder.rows.pad_rows` as torch tensors (``torch.long``)."""
    import torch

    ids, mask = pad_rows(rows, pad_id, width, left=left)
    return torch.from_numpy(ids), torch.from_numpy(mask)


def encode(
    encoder: Any, rows: Sequence[Sequence[int]], pad_id: int, device: Any, with_mask: bool = True
) -> Any:
    """The encoder's states of ``rows`` (longest first), group by group, padded with zeros to the longest.

    Returns a ``BaseModelOutput`` for ``generate(encoder_outputs=...)``; the attention mask
    passed to ``generate`` hides the padding from the decoder's cross-attention.
    """
    import torch
    from transformers.modeling_outputs import BaseModelOutput

    width = len(rows[0])
    states = None
    for group in encoder_groups([len(r) for r in rows]):
        ids, mask = pad([rows[k] for k in group], pad_id)
        kwargs = {"input_ids": ids.to(device)}
        if with_mask:
            kwargs["attention_mask"] = mask.to(device)
        hidden = encoder(**kwargs).last_hidden_state
        if states is None:
            states = torch.zeros((len(rows), width, hidden.shape[-1]), dtype=hidden.dtype, device=hidden.device)
        states[group[0] : group[-1] + 1, : hidden.shape[1]] = hidden
    return BaseModelOutput(last_hidden_state=states)


def is_oom(e: BaseException) -> bool:
    """True for an out-of-memory error of torch (GPU or CPU allocator) or Python."""
    import torch

    if isinstance(e, (torch.OutOfMemoryError, MemoryError)):
        return True
    msg = str(e).lower()
    return isinstance(e, RuntimeError) and ("out of memory" in msg or "can't allocate memory" in msg)


def oom_message(rows: int, width: int, device: Any, what: str = "inputs") -> str:
    """What to do after running out of memory on a batch of ``rows`` of up to ``width`` tokens."""
    return (
        f"out of memory generating a batch of {rows} {what} of up to {width} tokens on {device}; "
        f"use a smaller --batch-size (e.g. --batch-size {max(1, rows // 2)})"
    )
