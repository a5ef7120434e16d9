"""Generation presets for known summarization checkpoints, with the settings their papers used.

A preset is chosen by the checkpoint's name (a hub id or a directory name) and its
``model_type``; every value can be overridden by the backend's settings (``-o num_beams=2``).
Checkpoints without a preset keep their own generation config.

Lengths are given as *new* tokens. Hugging Face configs count the decoder start token in
``min_length``/``max_length``, so bart-large-cnn's "56 to 142 tokens" is
``min_new_tokens=55, max_new_tokens=141`` here: the same outputs.

>>> find_preset("facebook/bart-large-cnn", "bart").name
'bart-large-cnn'
>>> find_preset("/models/my-t5", "t5").prefix
'summarize: '
>>> find_preset("facebook/bart-base", "bart") is None
True
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Callable

from ...errors import UsageError

# The fields of Seq2SeqSettings that a preset may set (None: leave the checkpoint's value).
GENERATION_FIELDS = (
    "num_beams",
    "length_penalty",
    "min_new_tokens",
    "max_new_tokens",
    "no_repeat_ngram_size",
    "early_stopping",
)


@dataclass(frozen=True)
class Preset:
    name: str
    source: str  # where the values come from
    num_beams: int | None = None
    length_penalty: float | None = None
    min_new_tokens: int | None = None
    max_new_tokens: int | None = None
    no_repeat_ngram_size: int | None = None
    early_stopping: bool | None = None
    prefix: str | None = None  # put before every input (T5 reads the task from it)
    newline_token: str | None = None  # a token the model writes between sentences

    def values(self) -> dict[str, Any]:
        """The fields this preset sets, without its name and source."""
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name not in ("name", "source") and getattr(self, f.name) is not None
        }


# Lewis et al. (2020), BART: beam 4, length penalty 2.0, min/max length 55/140, no repeated
# trigrams; the Hugging Face checkpoint (facebook/bart-large-cnn) stores them as 56/142 with the
# start token. sshleifer's distilbart-cnn checkpoints were distilled with the same settings.
BART_CNN = Preset(
    "bart-large-cnn",
    "Lewis et al. 2020 / facebook/bart-large-cnn config",
    num_beams=4,
    length_penalty=2.0,
    min_new_tokens=55,
    max_new_tokens=141,
    no_repeat_ngram_size=3,
    early_stopping=True,
)
# Zhang et al. (2020), PEGASUS, appendix C: beam 8, length penalty 0.8, at most 128 target
# tokens for CNN/DailyMail (the checkpoint's config adds min_length 32). Sentences are
# separated by the "<n>" token the model was trained to write.
PEGASUS_CNN = Preset(
    "pegasus-cnn_dailymail",
    "Zhang et al. 2020 / google/pegasus-cnn_dailymail config",
    num_beams=8,
    length_penalty=0.8,
    min_new_tokens=31,
    max_new_tokens=127,
    newline_token="<n>",
)
# Any other PEGASUS checkpoint: its own generation config, but the same "<n>" convention.
PEGASUS = Preset("pegasus", "PEGASUS tokenizer convention", newline_token="<n>")
# Raffel et al. (2020), T5: the task is named in a "summarize: " prefix; beam 4. The length
# settings are the checkpoints' own task_specific_params (min/max length 30/200, length
# penalty 2.0, no repeated trigrams): the paper's GNMT-style length penalty has no exact
# equivalent in transformers.
T5 = Preset(
    "t5",
    "Raffel et al. 2020 / google-t5 task_specific_params.summarization",
    num_beams=4,
    length_penalty=2.0,
    min_new_tokens=29,
    max_new_tokens=199,
    no_repeat_ngram_size=3,
    early_stopping=True,
    prefix="summarize: ",
)

# Tried in order: the first that matches (name lowercased, model_type) wins.
PRESETS: list[tuple[Preset, Callable[[str, str], bool]]] = [
    (BART_CNN, lambda name, mt: "bart-large-cnn" in name or "distilbart-cnn" in name),
    (PEGASUS_CNN, lambda name, mt: "pegasus-cnn_dailymail" in name or "pegasus_cnn_dailymail" in name),
    (PEGASUS, lambda name, mt: mt == "pegasus"),
    (T5, lambda name, mt: mt == "t5"),
]


def preset_names() -> list[str]:
    return [p.name for p, _ in PRESETS]


def find_preset(name: str, model_type: str) -> Preset | None:
    """The preset for a checkpoint called ``name`` (a hub id or a path), or None."""
    name = name.lower()
    return next((p for p, match in PRESETS if match(name, model_type)), None)


def get_preset(choice: str, name: str, model_type: str, task_params: dict[str, Any] | None = None) -> Preset | None:
    """The preset that ``choice`` asks for: ``auto`` (by name), ``none``, or a preset's name.

    With ``auto`` and no named preset, a checkpoint's ``task_specific_params["summarization"]``
    (what the removed summarization pipeline applied) becomes the preset.
    """
    if choice == "none":
        return None
    if choice == "auto":
        found = find_preset(name, model_type)
        if found is None and task_params:
            found = from_task_params(task_params)
        return found
    for p, _ in PRESETS:
        if p.name == choice:
            return p
    raise UsageError(f"unknown preset {choice!r}; use auto, none or one of: {', '.join(preset_names())}")


def from_task_params(params: dict[str, Any]) -> Preset:
    """A preset from a config's ``task_specific_params["summarization"]`` (lengths count the start token)."""

    def new_tokens(key: str) -> int | None:
        v = params.get(key)
        return max(0, int(v) - 1) if v is not None else None

    return Preset(
        "checkpoint",
        "the checkpoint's task_specific_params.summarization",
        num_beams=params.get("num_beams"),
        length_penalty=params.get("length_penalty"),
        min_new_tokens=new_tokens("min_length"),
        max_new_tokens=new_tokens("max_length"),
        no_repeat_ngram_size=params.get("no_repeat_ngram_size"),
        early_stopping=params.get("early_stopping"),
        prefix=params.get("prefix") or None,
    )
