"""Web page charsets: decode a page's bytes in the charset it declares.

What the document declares decides, as in a browser: a byte-order mark, the HTTP
header's charset, then ``<meta charset>``; without any, the reader's fallback (UTF-8).
A page whose bytes are not valid in the declared charset, or that declares a single-byte
charset while its bytes are UTF-8, is refused with the fix (``--encoding``, which
overrides the declaration). A charset that names a codec which is no text encoding
(``rot13``, ``base64``, ``uu``, ``hex``, ``zlib``) is refused as an unknown one is.
Local text files are decoded by ``summarizer.read``.
"""

from __future__ import annotations

import codecs
import re

from ..errors import InputError, first_line
from .local import check_characters

# WHATWG maps these labels to windows-1252, as browsers do
_LABELS = {"iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "us-ascii": "cp1252",
           "ascii": "cp1252", "iso8859-1": "cp1252", "l1": "cp1252", "windows-1252": "cp1252", "x-user-defined": "cp1252"}
_SINGLE_BYTE = re.compile(r"^(?:cp125\d|iso-?8859-\d+|latin-?\d|koi8-[ru]|mac-?roman)$", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_:.+-]{1,40})""", re.IGNORECASE)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def _codec(label: str) -> str:
    low = label.strip().lower()
    return _LABELS.get(low, low)


def declared_charset(data: bytes, header: str | None = None) -> tuple[str | None, str]:
    """The charset a document declares and where: a BOM, the HTTP header, a ``<meta>``.

    >>> declared_charset(b'<html><head><meta charset="iso-8859-2">')
    ('iso-8859-2', '<meta>')
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name, "byte-order mark"
    if header:
        return header, "Content-Type header"
    m = _META_CHARSET.search(data[:4096])
    if m:
        return m.group(1).decode("ascii"), "<meta>"
    return None, ""


def decode_page(data: bytes, name: str, *, header: str | None = None, override: str | None = None,
                fallback: str = "utf-8", html: bool = True) -> str:
    """The text of a page's bytes in the charset it declares (see the module doc).

    ``override`` (the user's ``--encoding``) wins over any declaration; ``fallback``
    applies when there is none. Raises :class:`InputError` for binary data, an unknown
    charset, or bytes the declared charset cannot read.
    """
    if override:
        label, where = override, "--encoding"
    else:
        label, where = declared_charset(data, header) if html else (header, "Content-Type header")
        if label is None:
            label, where = fallback, ""
    codec = _codec(label)
    try:
        info = codecs.lookup(codec)
    except (LookupError, ValueError):  # ValueError: a NUL in the label
        info = None
    # base64, rot13, uu, hex, zlib are Python codecs but no charset: bytes.decode refuses them
    if info is None or not getattr(info, "_is_text_encoding", True):
        what = "an unknown charset" if info is None else "a charset that is no text encoding"
        raise InputError(f"{name}: the page declares {what} {label!r}; pass --encoding with the "
                         f"right one (e.g. --encoding utf-8)")
    if "16" not in info.name and "32" not in info.name and b"\x00" in data[:8192]:
        raise InputError(f"{name}: looks like a binary file (it has NUL bytes), not a web page or text")
    said = f"declares charset {label} ({where})" if where and where != "--encoding" else f"is read as {label}"
    if not override and _SINGLE_BYTE.match(info.name) and _is_utf8(data):
        raise InputError(f"{name}: the page {said} but its bytes are UTF-8 (é would read as Ã©); "
                         f"pass --encoding utf-8")
    if info.name == "utf-8":
        codec = "utf-8-sig"
    example = "cp1252" if info.name == "utf-8" else "utf-8"
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as e:
        raise InputError(f"{name}: the page {said} but byte 0x{data[e.start]:02x} at offset {e.start} is not "
                         f"valid {label}; pass --encoding with the right charset (e.g. --encoding {example})") from None
    except UnicodeError as e:  # idna, undefined: a codec with no offset to give
        raise InputError(f"{name}: the page {said} but its bytes are not valid {label} ({first_line(e)}); "
                         f"pass --encoding with the right charset (e.g. --encoding {example})") from None
    check_characters(text, name)  # utf-7 and unicode_escape decode bytes into lone surrogates
    return text


def _is_utf8(data: bytes) -> bool:
    # non-ASCII bytes that happen to form valid UTF-8: almost never chance in a single-byte text
    if data.isascii():
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
