"""Turn ``-o KEY=VALUE`` options into a backend's settings, typed by its dataclass."""

from __future__ import annotations

import dataclasses
import typing
from typing import Any

from ..backends import resolve, settings_class
from ..errors import UsageError

_NONE = {"none", "null", ""}


def _convert(backend: str, field: dataclasses.Field, raw: str, hints: dict[str, Any]) -> Any:
    hint = hints.get(field.name, str)
    args = typing.get_args(hint)
    optional = type(None) in args
    base = next((a for a in args if a is not type(None)), hint) if args else hint
    if optional and raw.lower() in _NONE:
        return None
    try:
        if base is bool:
            if raw.lower() in ("1", "true", "yes", "on"):
                return True
            if raw.lower() in ("0", "false", "no", "off"):
                return False
            raise ValueError(raw)
        return base(raw)
    except (TypeError, ValueError):
        name = getattr(base, "__name__", str(base))
        raise UsageError(f"-o {field.name}={raw}: model {backend!r} expects {name}") from None


def parse_settings(model: str, options: tuple[str, ...] | list[str]) -> dict[str, Any]:
    """``{"batch_size": 32}`` from ``["batch_size=32"]``, checked against the backend."""
    if not options:
        return {}
    backend, _ = resolve(model)
    cls = settings_class(backend)
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    out: dict[str, Any] = {}
    for opt in options:
        key, sep, raw = opt.partition("=")
        key = key.strip().replace("-", "_")
        if not sep:
            raise UsageError(f"-o {opt}: expected KEY=VALUE")
        if key not in fields:
            raise UsageError(f"model {backend!r} has no setting {key!r}; its settings: {', '.join(fields)}")
        out[key] = _convert(backend, fields[key], raw.strip(), hints)
    return out
