"""Find an instruct LLM on disk: a transformers directory, a ``.gguf`` file, or a directory holding one.

``resolve_llm`` is the backend registry's resolver for ``--model PATH``: it picks the ``llm``
backend for a causal language model that has a chat template, and says what is missing
when a causal model has none. Encoder-decoder directories are left to the seq2seq
resolver. Nothing here imports torch, nor the ``gguf`` package: a GGUF header is read by
:mod:`.gguf_header`, once per process.

>>> resolve_llm("extractive") is None
True
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import ModelError
from .gguf_header import GGUFHeader, read_header

GGUF_MAGIC = b"GGUF"


@dataclass(frozen=True)
class LLMFiles:
    """Where a causal LM's files are."""

    path: Path  # the directory from_pretrained reads
    gguf_file: str | None = None  # the file's name in ``path`` for a GGUF model
    config: dict[str, Any] = field(default_factory=dict, hash=False)  # config.json ({} for GGUF)

    @property
    def display(self) -> str:
        return str(self.path / self.gguf_file) if self.gguf_file else str(self.path)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ModelError(f"cannot read {path}: {e}") from e
    if not isinstance(data, dict):
        raise ModelError(f"{path}: expected a JSON object")
    return data


def is_gguf(path: Path) -> bool:
    """True for a file that starts with the GGUF magic."""
    try:
        with open(path, "rb") as f:
            return f.read(4) == GGUF_MAGIC
    except OSError:
        return False


def is_causal_lm(config: dict[str, Any]) -> bool:
    """True for a decoder-only language model (``...ForCausalLM``) that is not encoder-decoder."""
    if config.get("is_encoder_decoder") is True:
        return False
    archs = config.get("architectures") or []
    if any(isinstance(a, str) and a.endswith("ForCausalLM") for a in archs):
        return True
    # the model table imports torch (seconds): consulted only for configs without architectures
    from transformers.models.auto.modeling_auto import MODEL_FOR_CAUSAL_LM_MAPPING_NAMES

    return not archs and config.get("model_type") in MODEL_FOR_CAUSAL_LM_MAPPING_NAMES


def has_chat_template(directory: Path) -> bool:
    """True when the tokenizer files in ``directory`` carry a chat template (either way transformers saves it)."""
    if (directory / "chat_template.jinja").is_file() or (directory / "chat_template.json").is_file():
        return True
    cfg = directory / "tokenizer_config.json"
    return cfg.is_file() and bool(_read_json(cfg).get("chat_template"))


def gguf_header(path: Path) -> GGUFHeader:
    """The header of the GGUF file at ``path``, read once per process: resolving the model,
    choosing its runtime, checking memory and ``summarize models`` all ask for it."""
    p = Path(path).resolve()
    try:
        st = p.stat()
    except OSError as e:
        raise ModelError(f"cannot read the GGUF file {path}: {e.strerror}") from None
    return _read_header(str(p), st.st_size, st.st_mtime_ns)


@functools.lru_cache(maxsize=8)
def _read_header(path: str, size: int, mtime_ns: int) -> GGUFHeader:
    # size and mtime in the key: a file replaced in place is read again
    return read_header(Path(path))


def _gguf_in(directory: Path) -> Path | None:
    files = sorted(p for p in directory.glob("*.gguf") if p.is_file())
    if len(files) > 1:
        names = ", ".join(p.name for p in files[:5])
        raise ModelError(f"directory {directory} holds {len(files)} .gguf files ({names}); give one: --model FILE")
    return files[0] if files else None


def find_llm(model: str) -> LLMFiles | None:
    """The causal LM that ``model`` names on disk, or None when it names none (or a seq2seq one).

    A causal LM without a chat template is refused: the ``llm`` backend talks to it in turns.
    """
    p = Path(model).expanduser()
    if p.is_file():
        if p.suffix.lower() != ".gguf" and not is_gguf(p):
            return None
        if not is_gguf(p):
            raise ModelError(f"{model} does not start with the GGUF magic; give a GGUF model file")
        files = LLMFiles(p.parent, p.name)
        meta = gguf_header(p)
    elif p.is_dir():
        if (p / "config.json").is_file():
            config = _read_json(p / "config.json")
            if not is_causal_lm(config):
                return None
            if not has_chat_template(p):
                raise ModelError(
                    f"{model} is a causal language model without a chat template; the llm backend needs an "
                    "instruct (chat) model whose tokenizer files include one"
                )
            return LLMFiles(p, None, config)
        found = _gguf_in(p)
        if found is None:
            return None
        files = LLMFiles(p, found.name)
        meta = gguf_header(found)
    else:
        return None
    if not meta.chat_template:
        raise ModelError(
            f"{files.display} has no chat template in its metadata; the llm backend needs an instruct (chat) model"
        )
    return files


def resolve_llm(model: str) -> tuple[str, dict[str, Any]] | None:
    """Registry resolver: ``("llm", {"checkpoint": model})`` for a chat model on disk."""
    return ("llm", {"checkpoint": model}) if find_llm(model) is not None else None
