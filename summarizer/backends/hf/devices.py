"""Where a torch model runs and in what precision: ``--device`` and ``--dtype`` for every neural backend.

torch is imported inside the functions, so importing this module is free.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...errors import UsageError

if TYPE_CHECKING:  # pragma: no cover
    import torch

DEVICES = ("auto", "cpu", "cuda", "mps")
DTYPES = ("auto", "fp32", "bf16", "fp16")


def pick_device(choice: str) -> "torch.device":
    """``auto``: cuda, else mps, else cpu; a named device that torch cannot see is a usage error."""
    import torch

    has_mps = getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available()
    if choice == "auto":
        choice = "cuda" if torch.cuda.is_available() else "mps" if has_mps else "cpu"
    elif choice == "cuda" and not torch.cuda.is_available():
        raise UsageError(f"--device cuda: torch {torch.__version__} sees no CUDA device; use --device cpu or auto")
    elif choice == "mps" and not has_mps:
        raise UsageError("--device mps: torch sees no Apple GPU (MPS); use --device cpu or auto")
    return torch.device(choice)


def pick_dtype(choice: str, device: "torch.device") -> "torch.dtype":
    """``auto``: bf16 on a GPU that has it, else fp32; fp16 is refused on CPU."""
    import torch

    if choice == "auto":
        choice = "bf16" if device.type == "cuda" and torch.cuda.is_bf16_supported() else "fp32"
    if choice == "fp16" and device.type == "cpu":
        raise UsageError("--dtype fp16 is for GPUs; on CPU use fp32 or bf16")
    return {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}[choice]
