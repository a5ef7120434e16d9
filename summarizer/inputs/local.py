"""Local inputs: files and standard input, bytes to text.

Every fault is one :class:`~summarizer.errors.InputError` line naming the input:

* a byte-order mark decides the encoding: UTF-8, UTF-16 (LE/BE) or UTF-32 (LE/BE), unless
  ``encoding`` names a codec outside the UTF family; ``encoding`` (UTF-8 by default) is
  honoured before any binary check, so a UTF-16 file without a mark reads with
  ``--encoding utf-16``;
* bytes invalid in the encoding are refused with the offset of the first, never replaced;
* text with a NUL character anywhere is refused as binary (never stripped: a NUL in an
  article means the file is not the text it claims to be), and so is text with a lone
  surrogate (``\\ud800``: what ``errors="surrogateescape"``, ``utf-7`` or
  ``unicode_escape`` make of bytes that are no text), which no model can read;
  :func:`check_characters` is these two checks alone, for text that comes as a string
  (the Python API, a dataset's JSON);
* text that decodes but is not text is refused as binary: more than 1% control, private-use
  or non-characters, or (in 20 or more visible characters) fewer than 25% letters;
* a file, or standard input, larger than the input ceiling allows is refused before it is
  read whole (4 bytes a character at most, plus a mark);
* closed or unreadable standard input, a symbolic link loop, a directory, no permission.

>>> decode("Caf\\u00e9 opens.".encode("utf-16"), "a.txt")
'Café opens.'
>>> decode(bytes(range(1, 256)), "x.bin", "latin-1")
Traceback (most recent call last):
...
summarizer.errors.InputError: x.bin: not text (60 of 255 characters are control or private-use characters); it looks like a binary file, not an article
"""

from __future__ import annotations

import codecs
import errno
import os
import re
import sys
import warnings
from typing import BinaryIO

from ..errors import InputError
from ..text_safety import SURROGATE

STDIN = "-"
# (mark, codec): UTF-32 first, its little-endian mark begins with UTF-16's
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# C0/C1 controls other than white space, private use, non-characters, lone surrogates
_NOT_TEXT = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ue000-\uf8ff\ufdd0-\ufdef\ufffe\uffff\ud800-\udfff]")
_SURROGATE = re.compile(f"[{SURROGATE}]")  # in a str only ever lone: a pair is one character
_MAX_NOT_TEXT = 0.01  # a stray form feed or DOS end-of-file mark is fine; 1 in 100 is not text
_MIN_LETTERS = 0.25  # of visible characters; news prose has ~80%, a table of figures still ~30%
_LETTER_CHECK_FROM = 20  # visible characters; "2024." alone is not worth refusing
_ASCII_SPACE = b" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"  # what str.isspace counts among ASCII
_ASCII_LETTERS = bytes(range(65, 91)) + bytes(range(97, 123))


def codec_name(encoding: str) -> str:
    """The codec's own name for ``encoding``; a name that is no codec, or names one that is
    not a text encoding (``base64``, ``rot13``), is an :class:`InputError`."""
    try:
        info = codecs.lookup(encoding)
        if not getattr(info, "_is_text_encoding", True):  # what bytes.decode itself checks (base64, rot13)
            raise LookupError(encoding)
        return info.name
    except (LookupError, ValueError):  # ValueError: a NUL in the name
        raise InputError(f"unknown encoding {encoding!r} (or not one for text); use a Python codec name such "
                         "as utf-8 or cp1252") from None


def decode(data: bytes, name: str, encoding: str = "utf-8") -> str:
    """The text of ``data`` (see the module doc for what is refused)."""
    codec = codec_name(encoding)
    if codec.startswith("utf"):  # a mark is unambiguous within the UTF family
        codec = next((c for bom, c in _BOMS if data.startswith(bom)), "utf-8-sig" if codec == "utf-8" else codec)
    try:
        if "escape" in codec:  # unicode_escape warns of unknown escapes ("\\q"); the text says enough
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                text = data.decode(codec)
        else:
            text = data.decode(codec)
    except UnicodeError as e:
        if not isinstance(e, UnicodeDecodeError):  # idna, punycode: no offset to give
            raise InputError(f"{name}: not valid {encoding} ({e}); convert it to UTF-8") from None
        if b"\x00" in data[:8192]:
            raise InputError(f"{name}: looks like a binary file (it has NUL bytes and is not valid {encoding}), "
                             "not an article; if it is UTF-16 or UTF-32 text, pass --encoding utf-16 (or utf-32)") from None
        raise InputError(
            f"{name}: not valid {encoding} (byte 0x{data[e.start]:02x} at offset {e.start}); "
            "convert it to UTF-8 or pass --encoding (e.g. --encoding cp1252)"
        ) from None
    check_text(text, name)
    return text


def check_characters(text: str, name: str) -> None:
    """Refuse a string no article holds: a NUL character (binary data), a lone surrogate
    (not Unicode text: no encoder, tokenizer or JSON writer takes it). Other characters,
    right-to-left marks and bidirectional controls among them, are an article's own.

    >>> check_characters("Rates rose.\\udcff", "text")
    Traceback (most recent call last):
    ...
    summarizer.errors.InputError: text: not valid text (a lone surrogate, U+DCFF, at character 11: half a UTF-16 pair, as errors='surrogateescape' or a JSON \\ud800 escape leaves); decode the text strictly, or fix that character
    """
    nul = text.find("\x00")
    if nul >= 0:
        utf16 = "; if it is UTF-16 or UTF-32 text, pass --encoding utf-16 (or utf-32)" if "\x00" in text[:3] else ""
        raise InputError(f"{name}: looks like a binary file (a NUL character at offset {nul}), not an article{utf16}")
    lone = None if text.isascii() else _SURROGATE.search(text)  # isascii: a flag of the string, no scan
    if lone:
        raise InputError(f"{name}: not valid text (a lone surrogate, U+{ord(lone.group()):04X}, at character "
                         f"{lone.start():,}: half a UTF-16 pair, as errors='surrogateescape' or a JSON \\ud800 escape "
                         "leaves); decode the text strictly, or fix that character")


def check_text(text: str, name: str) -> None:
    """Refuse decoded text that is not text (NUL, lone surrogates, controls, too few letters)."""
    check_characters(text, name)
    odd = len(_NOT_TEXT.findall(text))
    if odd > _MAX_NOT_TEXT * len(text):
        raise InputError(f"{name}: not text ({odd} of {len(text)} characters are control or private-use "
                         "characters); it looks like a binary file, not an article")
    if text.isascii():  # most articles: counted at C speed on the bytes
        data = text.encode("ascii")
        visible = len(data.translate(None, _ASCII_SPACE))
        letters = len(data) - len(data.translate(None, _ASCII_LETTERS))
    else:
        visible = len(text) - sum(map(str.isspace, text))
        letters = sum(map(str.isalpha, text))
    if visible >= _LETTER_CHECK_FROM:
        if letters < _MIN_LETTERS * visible:
            raise InputError(f"{name}: not text (only {letters} of {visible} visible characters are letters); "
                             "it looks like a binary file or a table, not an article")


def max_bytes(max_chars: int) -> int:
    """The most bytes ``max_chars`` characters can take (UTF-32) with a byte-order mark."""
    return 4 * max_chars + 4


def _too_big(name: str, size: int, limit: int) -> InputError:
    return InputError(f"{name}: {size:,} bytes or more, over the input ceiling ({limit:,} bytes); split the text, "
                      "or raise the ceiling with --max-chars (memory grows with it)")


def check_size(data: bytes, name: str, limit: int) -> None:
    """Refuse ``data`` longer than ``limit`` bytes (read with a larger limit, as a web page may be)."""
    if len(data) > limit:
        raise _too_big(name, len(data), limit)


def read_stdin(stream: BinaryIO | None = None, *, limit: int | None = None) -> bytes:
    """The bytes of standard input (or ``stream``), at most ``limit``."""
    name = "<stdin>"
    if stream is None:
        if sys.stdin is None or getattr(sys.stdin, "buffer", None) is None:
            raise InputError(f"{name}: standard input is closed; pipe an article in, or give a file")
        stream = sys.stdin.buffer
    try:
        data = stream.read(limit + 1) if limit is not None else stream.read()
    except (OSError, ValueError) as e:  # ValueError: a closed file object
        what = e.strerror if isinstance(e, OSError) and e.strerror else str(e) or type(e).__name__
        raise InputError(f"{name}: cannot read standard input ({what})") from None
    if limit is not None and len(data) > limit:
        raise _too_big(name, len(data), limit)
    return data


def read_file(spec: str, *, limit: int | None = None) -> bytes:
    """The bytes of the file ``spec``, at most ``limit``."""
    try:
        with open(spec, "rb") as f:
            if limit is not None and os.fstat(f.fileno()).st_size > limit:
                raise _too_big(spec, os.fstat(f.fileno()).st_size, limit)
            data = f.read(limit + 1) if limit is not None else f.read()  # a pipe or a device has no size
    except OSError as e:
        raise InputError(f"{spec}: {describe_os_error(e)}") from None
    if limit is not None and len(data) > limit:
        raise _too_big(spec, len(data), limit)
    return data


def describe_os_error(e: OSError) -> str:
    """What an ``OSError`` on a path means, in words."""
    if e.errno == errno.ELOOP:
        return "a symbolic link loop (the link points back to itself); fix or remove the link"
    if e.errno == errno.ENOENT:
        return "no such file or directory"
    if e.errno == errno.EISDIR:
        return "is a directory"
    if e.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    return f"cannot read ({e.strerror or e})"


def stat_error(spec: str) -> str | None:
    """Why ``spec`` cannot be used as a path (a link loop, missing), or None when it can."""
    try:
        os.stat(spec)
    except OSError as e:
        return describe_os_error(e)
    except ValueError:  # an embedded NUL in the name
        return "not a valid file name"
    return None
