"""What every backend's settings dataclass is made of: fields that carry their help, and one error for a bad value.

A backend's settings are a frozen dataclass whose fields are made with :func:`setting`, so
``summarize models`` can print what each knob does; ``__post_init__`` refuses a bad value
with :func:`bad_setting`, a :class:`~summarizer.errors.SettingError` (a usage mistake, exit 2)
whichever backend it is.

>>> from dataclasses import dataclass, fields
>>> @dataclass(frozen=True)
... class Settings:
...     beams: int = setting(4, "beams searched at each step")
>>> fields(Settings)[0].metadata["help"]
'beams searched at each step'
>>> str(bad_setting("seq2seq", "beams", 0, "a positive number"))
'seq2seq setting beams=0: expected a positive number'
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ..errors import SettingError


def setting(default: Any, help: str) -> Any:
    """A settings field with its default and a one-line ``help`` (shown by ``summarize models``)."""
    return dataclasses.field(default=default, metadata={"help": help})


def help_of(field: dataclasses.Field) -> str:
    """The field's help, or '' for a field made without :func:`setting`."""
    return str(field.metadata.get("help", ""))


def bad_setting(backend: str, name: str, value: Any, expected: str) -> SettingError:
    """The error for a setting's bad value: what was given and what is expected."""
    return SettingError(f"{backend} setting {name}={value!r}: expected {expected}")
