"""Read articles: text files, directories of ``.txt`` files, standard input, URLs.

Web pages (a URL, a saved ``.html``/``.htm`` file, HTML on standard input) are read by
:mod:`summarizer.inputs.html` (fetching by :mod:`summarizer.inputs.fetch`): their story
paragraphs become the body; a page that is not an article is refused unless ``any_page``.

Bytes are decoded strictly (UTF-8 by default, a byte-order mark allowed): bytes that are
not valid in the chosen encoding are refused with the offset of the first bad byte, never
replaced silently; ``encoding=`` names another codec (``cp1252``, ``latin-1``).
A file with NUL bytes is refused as binary.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterator

from .article import Article, parse_article
from .errors import InputError
from .inputs.fetch import TIMEOUT as URL_TIMEOUT

STDIN = "-"
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
_SNIFF = 8192


@dataclass(frozen=True)
class Source:
    """One input to read: a path, ``-`` for standard input, or a URL."""

    spec: str

    @property
    def is_url(self) -> bool:
        return self.spec.lower().startswith(("http://", "https://"))

    @property
    def name(self) -> str:
        return "<stdin>" if self.spec == STDIN else self.spec


def expand(specs: list[str]) -> Iterator[Source | InputError]:
    """Each spec as sources; a directory gives its ``.txt`` files, sorted. Errors are yielded."""
    for spec in specs:
        src = Source(spec)
        if spec == STDIN or src.is_url:
            yield src
            continue
        p = Path(spec)
        if p.is_dir():
            files = sorted(f for f in p.iterdir() if f.suffix.lower() == ".txt" and f.is_file())
            if not files:
                yield InputError(f"{spec}: directory has no .txt files")
            for f in files:
                yield Source(str(f))
        elif not p.exists():
            yield InputError(f"{spec}: no such file or directory")
        else:
            yield src


def decode(data: bytes, name: str, encoding: str = "utf-8") -> str:
    """Text of ``data``; refuses binary data and bytes invalid in ``encoding``."""
    if b"\x00" in data[:_SNIFF]:
        raise InputError(f"{name}: looks like a binary file (it has NUL bytes), not an article")
    codec = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
    try:
        return data.decode(codec)
    except LookupError:
        raise InputError(f"unknown encoding {encoding!r}; use a Python codec name such as utf-8 or cp1252") from None
    except UnicodeDecodeError as e:
        raise InputError(
            f"{name}: not valid {encoding} (byte 0x{data[e.start]:02x} at offset {e.start}); "
            f"convert it to UTF-8 or pass --encoding (e.g. --encoding cp1252)"
        ) from None


def _read_stream(stream: BinaryIO, name: str) -> bytes:
    try:
        return stream.read()
    except OSError as e:
        raise InputError(f"{name}: cannot read ({e.strerror or e})") from None


def read_source(
    src: Source, *, encoding: str = "utf-8", timeout: float = URL_TIMEOUT, stdin: BinaryIO | None = None,
    page_encoding: str | None = None, any_page: bool = False,
) -> Article:
    """The parsed article behind one source; raises :class:`InputError` when unusable.

    ``page_encoding`` overrides the charset a web page declares (the user named one);
    ``any_page`` summarizes a page that does not look like an article.
    """
    from .inputs.fetch import fetch, looks_like_html
    from .inputs.charset import decode_page
    from .inputs.html import page_article

    def html(data: bytes, url: str | None = None, header: str | None = None) -> Article:
        return page_article(data, src.name, url=url, header_charset=header, override=page_encoding,
                            fallback=encoding, any_page=any_page)

    if src.is_url:
        page = fetch(src.spec, timeout=timeout)
        if page.is_html:
            return html(page.body, page.url, page.charset)
        text = decode_page(page.body, src.name, header=page.charset, override=page_encoding, fallback=encoding,
                           html=False)
    elif src.spec == STDIN:
        stream = stdin if stdin is not None else sys.stdin.buffer
        data = _read_stream(stream, src.name)
        if looks_like_html(data):
            return html(data)
        text = decode(data, src.name, encoding)
    else:
        p = Path(src.spec)
        try:
            data = p.read_bytes()
        except IsADirectoryError:
            raise InputError(f"{src.spec}: is a directory") from None
        except OSError as e:
            raise InputError(f"{src.spec}: cannot read ({e.strerror or e})") from None
        if p.suffix.lower() in HTML_SUFFIXES:
            return html(data)
        text = decode(data, src.name, encoding)
    article = parse_article(text, name=src.name)
    if not article.body.strip():
        what = "has no body text after its key points" if article.layout == "cnbc" else "is empty"
        raise InputError(f"{src.name}: {what}")
    return article
