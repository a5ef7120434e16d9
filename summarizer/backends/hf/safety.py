"""A model folder is data: never run code from it, never unpickle arbitrary objects from it.

Hugging Face checkpoints may ask for their own Python code: an ``auto_map`` in
``config.json``, ``tokenizer_config.json`` or ``generation_config.json`` names classes in a
``.py`` file shipped beside them, and transformers then asks "Do you wish to run the custom
code? [y/N]" on standard input (a ``y`` waiting in a pipe runs it). This project never runs a
checkpoint's code: :func:`refuse_remote_code` is called on every checkpoint folder before
transformers sees it (every backend that loads one, and the LLM loaders, call it), and every
``from_pretrained`` passes ``trust_remote_code=False`` as well. Weights load only from
safetensors or through ``torch.load(weights_only=True)`` (what transformers does with
torch >= 2.6); :func:`weights_error` turns a refused pickle into one line.

>>> import tempfile, pathlib, json
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "config.json").write_text(json.dumps({"model_type": "bart"}))
>>> refuse_remote_code(d)  # a plain checkpoint: nothing to refuse
>>> _ = (d / "config.json").write_text(json.dumps({"auto_map": {"AutoModel": "evil.Model"}}))
>>> refuse_remote_code(d)
Traceback (most recent call last):
...
summarizer.errors.ModelError: ...config.json: field 'auto_map' asks to run code shipped with the checkpoint (evil.Model); this project never runs a checkpoint's code: use a checkpoint without custom code
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

from ...errors import ModelError, first_line

# The files through which a checkpoint can ask transformers to import code of its own.
CONFIG_FILES = (
    "config.json",
    "tokenizer_config.json",
    "generation_config.json",
    "preprocessor_config.json",
    "processor_config.json",
)
# Fields whose only purpose is to name code to import.
CODE_FIELDS = ("auto_map", "custom_pipelines")
_MAX_CONFIG_BYTES = 16 * 2**20  # a config is a few KB; a bigger "config" is not one


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every string inside ``value`` with its field path (``a.b[0]``)."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, f"{path}.{k}" if path else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _strings(v, f"{path}[{i}]")


def _names_module(text: str, folder: Path) -> str | None:
    """The ``.py`` file of ``folder`` that ``text`` names ("evil.py", "evil.Model",
    "repo--evil.Model"), or None."""
    text = text.strip()
    if "\n" in text or len(text) > 500:
        return None
    if text.endswith(".py"):
        return text
    module = text.rpartition("--")[2].rpartition(".")[0]
    if module and (folder / f"{module.replace('.', '/')}.py").is_file():
        return f"{module}.py"
    return None


def _refusal(file: Path, field: str, what: str) -> ModelError:
    return ModelError(
        f"{file}: field {field!r} asks to run code shipped with the checkpoint ({what}); this project "
        "never runs a checkpoint's code: use a checkpoint without custom code"
    )


def check_config(config: dict[str, Any], file: Path) -> None:
    """Refuse one config (already read) that asks for custom code; ``file`` names it."""
    folder = Path(file).parent
    for name in CODE_FIELDS:
        if config.get(name):
            value = config[name]
            shown = ", ".join(v for _, v in _strings(value, ""))[:120] or json.dumps(value)[:120]
            raise _refusal(file, name, shown)
    for field, text in _strings(config, ""):
        module = _names_module(text, folder)
        if module is not None:
            raise _refusal(file, field, module)


def refuse_remote_code(path: str | Path) -> None:
    """Raise :class:`~summarizer.errors.ModelError` when the checkpoint folder ``path`` asks
    for code of its own (see the module doc); return quietly otherwise. A missing config file
    is not an error here (the loader says what is missing); an unreadable one is."""
    folder = Path(path)
    for name in CONFIG_FILES:
        file = folder / name
        if not file.is_file():
            continue
        try:
            if file.stat().st_size > _MAX_CONFIG_BYTES:
                raise ModelError(f"{file}: {file.stat().st_size:,} bytes is not a checkpoint config")
            config = json.loads(file.read_bytes().decode("utf-8-sig"))
        except (OSError, UnicodeDecodeError, ValueError) as e:
            raise ModelError(f"cannot read the checkpoint config {file}: {first_line(e)}") from None
        if isinstance(config, dict):
            check_config(config, file)


# what torch / transformers say when weights_only=True refuses a pickle
_PICKLE_MARKERS = ("weights only load failed", "weights_only", "unpickl", "pickle")


def weights_error(name: str, e: BaseException) -> ModelError | None:
    """One line for weights that were refused because they are a pickle with more than
    tensors in it (None when ``e`` is something else)."""
    import pickle

    text = f"{type(e).__name__}: {e}".lower()
    chain = e
    while chain is not None and not isinstance(chain, pickle.UnpicklingError):
        chain = chain.__cause__ or chain.__context__
    if chain is None and not any(m in text for m in _PICKLE_MARKERS):
        return None
    return ModelError(
        f"{name}: the weights are a pickle holding more than tensors, refused (weights load only from "
        "safetensors or as plain tensors); convert the checkpoint to safetensors from a trusted source"
    )


