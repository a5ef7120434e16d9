"""Find a Hugging Face checkpoint's config: a local directory, the local cache, or the Hub.

``resolve_checkpoint`` is the backend registry's resolver for ``--model PATH_OR_HUB_ID``:
it reads the checkpoint's ``config.json`` and picks the ``seq2seq`` backend for
encoder-decoder models. A folder whose configs ask for code of its own is refused here,
before transformers sees it (``safety.refuse_remote_code``). Nothing here imports torch; transformers only for its model table.
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from ...errors import ModelError
from .safety import check_config, refuse_remote_code

HUB_PROBE_TIMEOUT = 3.0  # seconds; huggingface_hub would otherwise retry for ~25 s before failing


@dataclass(frozen=True)
class Checkpoint:
    """Where a checkpoint's files are, and its config."""

    model: str  # what the user gave: a path or a hub id
    config: dict[str, Any]
    local: bool  # a directory on disk, or every file needed is in the local cache

    @property
    def model_type(self) -> str:
        return str(self.config.get("model_type", ""))


def _looks_like_path(model: str) -> bool:
    return model.startswith((".", "/", "~")) or model.count("/") > 1 or os.sep != "/" and os.sep in model


def _looks_like_hub_id(model: str) -> bool:
    try:
        from huggingface_hub.utils import validate_repo_id

        validate_repo_id(model)
    except Exception:  # HFValidationError; a name that cannot be a repo id
        return False
    return True


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes", "on")


def hub_unreachable_reason() -> str | None:
    """Why the Hub cannot be reached now (offline mode, no connection), or None when it can."""
    if _offline():
        return "HF_HUB_OFFLINE is set"
    from huggingface_hub import constants

    url = urlparse(constants.ENDPOINT)
    host, port = url.hostname or "huggingface.co", url.port or (443 if url.scheme == "https" else 80)
    try:
        socket.create_connection((host, port), timeout=HUB_PROBE_TIMEOUT).close()
    except OSError as e:
        return f"cannot connect to {host}: {e.strerror or e}"
    return None


def _not_available(model: str, reason: str) -> ModelError:
    return ModelError(
        f"model {model!r} is not a local directory and not in the local Hugging Face cache, and the "
        f"Hub cannot be reached ({reason}); download it where the Hub is reachable "
        f"(hf download {model} --local-dir DIR) and give that directory: --model DIR"
    )


def _read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ModelError(f"cannot read the checkpoint config {path}: {e}") from e


def find_checkpoint(model: str, *, plain_names: bool = False) -> Checkpoint | None:
    """The checkpoint ``model`` names, or None when it names none (so it is an unknown name).

    A plain name without a ``/`` is looked up in the local cache only when ``plain_names``
    is true or it is cached, so a typo of a registered name is not sent to the Hub.
    """
    p = Path(model).expanduser()
    if p.is_dir():
        if not (p / "config.json").is_file():
            raise ModelError(
                f"directory {model} has no config.json; give a Hugging Face checkpoint directory "
                "(config.json, weights and tokenizer files, as save_pretrained writes them)"
            )
        refuse_remote_code(p)  # before anything reads it for transformers
        return Checkpoint(model, _read_json(p / "config.json"), local=True)
    if _looks_like_path(model) or p.exists():
        raise ModelError(f"{model}: not a checkpoint directory; give a directory with a config.json")
    if not _looks_like_hub_id(model):
        return None

    from huggingface_hub import try_to_load_from_cache

    cached = try_to_load_from_cache(model, "config.json")
    if isinstance(cached, str):
        refuse_remote_code(Path(cached).parent)  # the cached snapshot's folder
        return Checkpoint(model, _read_json(Path(cached)), local=True)
    if "/" not in model and not plain_names:
        return None
    reason = hub_unreachable_reason()
    if reason is not None:
        raise _not_available(model, reason)
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError, RepositoryNotFoundError

    try:
        path = hf_hub_download(model, "config.json")
    except RepositoryNotFoundError:
        if "/" not in model:
            return None
        raise ModelError(f"model {model!r} is not on the Hugging Face Hub (or is private); check the id") from None
    except LocalEntryNotFoundError as e:
        raise _not_available(model, str(e).splitlines()[0]) from None
    except HfHubHTTPError as e:
        raise ModelError(f"cannot fetch the config of {model!r} from the Hub: {str(e).splitlines()[0]}") from None
    config = _read_json(Path(path))
    check_config(config, Path(path))
    return Checkpoint(model, config, local=False)


def is_seq2seq(config: dict[str, Any]) -> bool:
    """True for an encoder-decoder model that ``AutoModelForSeq2SeqLM`` can load."""
    if config.get("is_encoder_decoder") is True:  # what save_pretrained writes for BART, PEGASUS, T5
        return True
    # the model table imports torch (seconds): consulted only for configs without the flag
    from transformers.models.auto.modeling_auto import MODEL_FOR_SEQ_TO_SEQ_CAUSAL_LM_MAPPING_NAMES

    return config.get("model_type") in MODEL_FOR_SEQ_TO_SEQ_CAUSAL_LM_MAPPING_NAMES


def not_seq2seq_error(ckpt: Checkpoint) -> ModelError:
    arch = ", ".join(ckpt.config.get("architectures") or []) or "no architectures listed"
    return ModelError(
        f"checkpoint {ckpt.model} is a {ckpt.model_type or 'unknown'} model ({arch}), not a "
        "sequence-to-sequence one; give an encoder-decoder summarizer such as facebook/bart-large-cnn"
    )


def resolve_checkpoint(model: str) -> tuple[str, dict[str, Any]] | None:
    """Registry resolver: ``("seq2seq", {"checkpoint": model})`` for an encoder-decoder checkpoint."""
    ckpt = find_checkpoint(model)
    if ckpt is None:
        return None
    if not is_seq2seq(ckpt.config):
        raise not_seq2seq_error(ckpt)
    return "seq2seq", {"checkpoint": model}
