"""What the project needs of a GGUF file's header, read without building its vocabulary.

A GGUF file starts with a header: the magic ``GGUF``, a version, the number of tensors and
of metadata keys, then each key with its typed value, then each tensor's name, shape, type
and offset. The ``gguf`` package's reader builds every field of it in Python, the
tokenizer's 151,000-string vocabulary included (tens of seconds for a small Qwen file);
this reader walks the same bytes through a memory map and decodes only the values of
:data:`WANTED` keys: arrays and other strings are stepped over by their lengths, so the
vocabulary's text is never read, and the tensor data never leaves the disk.

>>> import io, struct
>>> def s(t): return struct.pack("<Q", len(t)) + t.encode()
>>> head = b"GGUF" + struct.pack("<IQQ", 3, 1, 2)
>>> kv = s("general.architecture") + struct.pack("<I", 8) + s("llama")
>>> kv += s("llama.context_length") + struct.pack("<I", 4) + struct.pack("<I", 4096)
>>> tensor = s("w") + struct.pack("<I", 2) + struct.pack("<QQ", 8, 4) + struct.pack("<IQ", 0, 0)
>>> h = parse_header(head + kv + tensor)
>>> (h.architecture, h.context_length, h.parameters, h.chat_template)
('llama', 4096, 32, None)
"""

from __future__ import annotations

import mmap
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import ModelError

MAGIC = b"GGUF"
# The keys whose values are decoded; every other value is stepped over.
WANTED = frozenset({
    "general.architecture",
    "general.name",
    "tokenizer.chat_template",
    "tokenizer.ggml.bos_token_id",
    "tokenizer.ggml.eos_token_id",
})
WANTED_SUFFIXES = (".context_length",)  # "{architecture}.context_length"

# value type -> (struct format, size) for the fixed-size ones (GGUF's enum gguf_type)
_FIXED = {0: ("B", 1), 1: ("b", 1), 2: ("H", 2), 3: ("h", 2), 4: ("I", 4), 5: ("i", 4), 6: ("f", 4), 7: ("?", 1),
          10: ("Q", 8), 11: ("q", 8), 12: ("d", 8)}
_STRING, _ARRAY = 8, 9
MAX_KEYS = 1 << 20  # a header claiming more is not a model file (and would take minutes to walk)
MAX_TENSORS = 1 << 20
MAX_DIMS = 8


@dataclass(frozen=True)
class GGUFHeader:
    """What the project reads of a GGUF header."""

    version: int
    architecture: str | None
    chat_template: str | None  # the Jinja template, None when the file has none
    context_length: int | None  # tokens the model was trained on ("{architecture}.context_length")
    parameters: int  # weights in the tensor table
    tensors: int
    metadata: dict[str, Any] = field(default_factory=dict, hash=False)  # the WANTED values found


class _Reader:
    """A cursor over the header's bytes; every read is bounds-checked, so a truncated or
    hostile file fails with a one-line error, never an IndexError or a huge allocation."""

    def __init__(self, data: Any, order: str):
        self.data, self.pos, self.order = data, 0, order
        self.decoded = 0  # strings decoded (a test checks the vocabulary is not among them)

    def take(self, n: int) -> int:
        start = self.pos
        if n < 0 or start + n > len(self.data):
            raise ValueError(f"the header runs past the end of the file (at byte {start})")
        self.pos = start + n
        return start

    def unpack(self, fmt: str, size: int) -> Any:
        return struct.unpack_from(self.order + fmt, self.data, self.take(size))[0]

    def string(self) -> str:
        n = self.unpack("Q", 8)
        start = self.take(n)
        self.decoded += 1
        return bytes(self.data[start : start + n]).decode("utf-8", errors="replace")

    def skip_string(self) -> None:
        self.take(self.unpack("Q", 8))

    def value(self, kind: int) -> Any:
        if kind in _FIXED:
            return self.unpack(*_FIXED[kind])
        if kind == _STRING:
            return self.string()
        if kind == _ARRAY:  # not wanted by any key read here; stepped over instead
            self.skip(kind)
            return None
        raise ValueError(f"unknown value type {kind}")

    def skip(self, kind: int) -> None:
        if kind in _FIXED:
            self.take(_FIXED[kind][1])
        elif kind == _STRING:
            self.skip_string()
        elif kind == _ARRAY:
            inner, count = self.unpack("I", 4), self.unpack("Q", 8)
            if inner in _FIXED:
                self.take(_FIXED[inner][1] * count)
            elif inner == _STRING:
                # a vocabulary: step over each string by its length, never decoding one
                data, order, pos, end = self.data, self.order + "Q", self.pos, len(self.data)
                for _ in range(count):
                    if pos + 8 > end:
                        raise ValueError(f"the header runs past the end of the file (at byte {pos})")
                    pos += 8 + struct.unpack_from(order, data, pos)[0]
                if pos > end:
                    raise ValueError(f"the header runs past the end of the file (at byte {pos})")
                self.pos = pos
            else:
                for _ in range(count):
                    self.skip(inner)
        else:
            raise ValueError(f"unknown value type {kind}")


def parse_header(data: Any) -> GGUFHeader:
    """The header of a GGUF file's bytes (``bytes`` or a memory map); a ``ValueError`` names
    what is wrong with a file that is not one."""
    if bytes(data[:4]) != MAGIC:
        raise ValueError("it does not start with the GGUF magic")
    order = "<"
    r = _Reader(data, order)
    r.take(4)
    version = r.unpack("I", 4)
    if version & 0xFFFF == 0 and version > 0xFFFF:  # a big-endian file (its version reads byte-swapped)
        r.order = order = ">"
        r.pos = 4
        version = r.unpack("I", 4)
    if version not in (2, 3):
        raise ValueError(f"GGUF version {version} (this reader knows versions 2 and 3)")
    tensors, keys = r.unpack("Q", 8), r.unpack("Q", 8)
    if keys > MAX_KEYS or tensors > MAX_TENSORS:
        raise ValueError(f"the header claims {keys} metadata keys and {tensors} tensors")
    meta: dict[str, Any] = {}
    for _ in range(keys):
        key = r.string()
        kind = r.unpack("I", 4)
        if key in WANTED or key.endswith(WANTED_SUFFIXES):
            meta[key] = r.value(kind)
        else:
            r.skip(kind)
    parameters = 0
    for _ in range(tensors):
        r.skip_string()  # the tensor's name
        dims = r.unpack("I", 4)
        if dims > MAX_DIMS:
            raise ValueError(f"a tensor of {dims} dimensions")
        count = 1
        for _ in range(dims):
            count *= r.unpack("Q", 8)
        r.take(4 + 8)  # its type and offset
        parameters += count
    arch = meta.get("general.architecture")
    arch = arch if isinstance(arch, str) else None
    template = meta.get("tokenizer.chat_template")
    context = meta.get(f"{arch}.context_length") if arch else None
    return GGUFHeader(
        version=version,
        architecture=arch,
        chat_template=template if isinstance(template, str) and template.strip() else None,
        context_length=context if isinstance(context, int) and context > 0 else None,
        parameters=parameters,
        tensors=tensors,
        metadata=meta,
    )


def read_header(path: Path) -> GGUFHeader:
    """The header of the GGUF file at ``path``, through a memory map (the file is not read whole)."""
    try:
        with open(path, "rb") as f:
            if f.seek(0, 2) == 0:
                raise ModelError(f"cannot read the GGUF file {path}: it is empty")
            with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
                return parse_header(data)
    except OSError as e:
        raise ModelError(f"cannot read the GGUF file {path}: {e.strerror or e}") from None
    except ValueError as e:
        raise ModelError(f"cannot read the GGUF file {path}: {e}") from None
