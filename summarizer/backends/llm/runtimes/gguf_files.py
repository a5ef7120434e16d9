"""GGUF files: find one, say which runtime will run it and why, and check what dequantizing costs.

A GGUF file runs on llama.cpp (``llama-cpp-python``, the ``[llm]`` extra) when that is
installed: it computes on the quantized weights, so a model needs about its file's size.
Otherwise transformers reads it, but only by dequantizing every weight to fp32 first:
:func:`dequantize_check` estimates that memory from the file's tensor table and refuses,
in one line with the fix, when the machine has less available. Nothing here imports
llama_cpp, torch or transformers.

>>> estimate_bytes(494_032_768)  # Qwen2.5-0.5B's parameters in fp32, loaded by transformers
3952262144
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
from dataclasses import dataclass
from pathlib import Path

from ....errors import ModelError
from ..models import find_llm, gguf_header

LLM_INSTALL = (
    "pip install 'summarizer[llm]' (it compiles llama.cpp; see docs/llm.md, \"GGUF through llama.cpp\", "
    "for the CMAKE_ARGS this machine's CPU needs)"
)
# Peak memory of transformers' GGUF load over the fp32 weights: the dequantized tensors and the
# model they are copied into live together (measured: 4.0 GB peak RSS for Qwen2.5-0.5B's 1.98 GB
# of fp32 weights, eval/bench/llm_runtimes.py).
LOAD_FACTOR = 2.0


def llama_cpp_version() -> str | None:
    """The installed llama-cpp-python's version, None when it is not installed (nothing is imported)."""
    if importlib.util.find_spec("llama_cpp") is None:
        return None
    try:
        return importlib.metadata.version("llama_cpp_python")
    except importlib.metadata.PackageNotFoundError:
        return "unknown version"


@dataclass(frozen=True)
class Choice:
    """The runtime chosen for a model, and why, in words for ``summarize models``."""

    runtime: str
    reason: str
    fallback: bool = False  # a GGUF on transformers only because llama.cpp is missing: said on stderr


def choose_runtime(model: str, requested: str = "auto") -> Choice:
    """Which runtime runs ``model`` (a GGUF, a transformers directory or ``openai:NAME``) and why.

    ``auto`` picks llama.cpp for a GGUF when llama-cpp-python is installed, else transformers.
    """
    if model.startswith("openai:"):
        if requested not in ("auto", "openai"):
            raise ModelError(f"--model {model} runs on an OpenAI-compatible server; -o runtime={requested} cannot run it")
        return Choice("openai", "an OpenAI-compatible server (--api-base), through httpx")
    files = find_llm(model) if model else None
    gguf = files is not None and files.gguf_file is not None
    if requested == "openai":
        raise ModelError(f"-o runtime=openai needs --model openai:NAME and --api-base URL, not {model}")
    if requested == "llama.cpp":
        if not gguf:
            raise ModelError(f"llama.cpp runs GGUF files; {model} is not one (use -o runtime=transformers)")
        if llama_cpp_version() is None:
            raise ModelError(f"-o runtime=llama.cpp needs llama-cpp-python: {LLM_INSTALL}")
        return Choice("llama.cpp", "asked for with -o runtime=llama.cpp")
    if requested != "auto":  # transformers, or another registered runtime
        return Choice(requested, f"asked for with -o runtime={requested}")
    if not gguf:
        return Choice("transformers", "a transformers checkpoint directory")
    version = llama_cpp_version()
    if version is not None:
        return Choice("llama.cpp", f"a GGUF file, and llama-cpp-python {version} is installed")
    return Choice(
        "transformers",
        "a GGUF file, and llama-cpp-python is not installed: transformers dequantizes every weight to fp32 "
        f"first (install llama.cpp instead: {LLM_INSTALL})",
        fallback=True,
    )


def parameter_count(path: Path) -> int:
    """Weights in a GGUF file, from its tensor table (the header read once per process)."""
    return gguf_header(path).parameters


def estimate_bytes(parameters: int, itemsize: int = 4) -> int:
    """Peak memory of transformers' dequantizing load of ``parameters`` weights of ``itemsize`` bytes."""
    return int(parameters * itemsize * LOAD_FACTOR)


def available_bytes() -> int | None:
    """Memory available to a new allocation now (Linux ``MemAvailable``; psutil elsewhere), None if unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        import psutil
    except ImportError:
        return None
    return int(psutil.virtual_memory().available)


def dequantize_check(model: str, itemsize: int = 4) -> int | None:
    """For a GGUF ``model``, the estimated peak bytes of dequantizing it (None for anything else);
    a :class:`ModelError` with the fix when that is more than the memory available."""
    files = find_llm(model)
    if files is None or files.gguf_file is None:
        return None
    path = files.path / files.gguf_file
    need = estimate_bytes(parameter_count(path), itemsize)
    have = available_bytes()
    if have is not None and need > have:
        raise ModelError(
            f"{path.name}: transformers would dequantize it to about {need / 1e9:.1f} GB "
            f"({LOAD_FACTOR:g}x its {need / LOAD_FACTOR / 1e9:.1f} GB of fp32 weights) and {have / 1e9:.1f} GB is "
            f"available; run it through llama.cpp, which needs about the file's {path.stat().st_size / 1e9:.1f} GB: "
            f"{LLM_INSTALL}"
        )
    return need
