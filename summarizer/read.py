"""Read articles: text files, directories of ``.txt`` files, standard input, URLs.

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

STDIN = "-"
URL_TIMEOUT = 20.0  # seconds for the whole fetch; news pages answer in far less
MAX_URL_BYTES = 20 * 1024 * 1024  # a news page is far smaller; a bigger answer is not an article
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


def fetch_url(url: str, timeout: float = URL_TIMEOUT) -> tuple[str, str | None]:
    """The article text and title of the page at ``url`` (trafilatura extracts them)."""
    import http.client
    import socket
    import urllib.error
    import urllib.request

    req = urllib.request.Request(url, headers={"User-Agent": "summarizer/0.1 (+news key points)"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            html = resp.read(MAX_URL_BYTES + 1)
            truncated = bool(resp.length) and len(html) <= MAX_URL_BYTES  # closed before Content-Length
    except urllib.error.HTTPError as e:
        raise InputError(f"{url}: the server answered HTTP {e.code} {e.reason}") from None
    except (TimeoutError, socket.timeout):
        raise InputError(f"{url}: no answer within {timeout:g} s (timed out)") from None
    except urllib.error.URLError as e:
        reason = e.reason
        if isinstance(reason, (TimeoutError, socket.timeout)):
            raise InputError(f"{url}: no answer within {timeout:g} s (timed out)") from None
        raise InputError(f"{url}: cannot fetch ({reason})") from None
    except (OSError, ValueError, http.client.HTTPException) as e:  # HTTPException: a malformed answer
        raise InputError(f"{url}: cannot fetch ({type(e).__name__}: {e})") from None
    if truncated:
        raise InputError(f"{url}: the server closed the connection before sending the whole page")
    if len(html) > MAX_URL_BYTES:
        raise InputError(f"{url}: the page is larger than {MAX_URL_BYTES // 2**20} MB; save the article text to a file")
    import trafilatura

    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False)
    text = getattr(doc, "text", None) if doc is not None else None
    if not text or not text.strip():
        raise InputError(f"{url}: no article text found on the page")
    title = getattr(doc, "title", None)
    # trafilatura puts one paragraph or heading a line, the headline first: make each line a
    # paragraph (else a heading without a full stop runs into the next sentence) and drop the
    # headline, which is the title, not a body sentence
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if title and len(lines) > 1 and lines[0] == title.strip():
        lines = lines[1:]
    return "\n\n".join(lines), title


def read_source(
    src: Source, *, encoding: str = "utf-8", timeout: float = URL_TIMEOUT, stdin: BinaryIO | None = None
) -> Article:
    """The parsed article behind one source; raises :class:`InputError` when unusable."""
    title = None
    if src.is_url:
        text, title = fetch_url(src.spec, timeout=timeout)
    elif src.spec == STDIN:
        stream = stdin if stdin is not None else sys.stdin.buffer
        text = decode(_read_stream(stream, src.name), src.name, encoding)
    else:
        p = Path(src.spec)
        try:
            data = p.read_bytes()
        except IsADirectoryError:
            raise InputError(f"{src.spec}: is a directory") from None
        except OSError as e:
            raise InputError(f"{src.spec}: cannot read ({e.strerror or e})") from None
        text = decode(data, src.name, encoding)
    article = parse_article(text, name=src.name)
    if title and article.title is None:
        article = Article(body=article.body, title=title, name=src.name, layout="web")
    if not article.body.strip():
        what = "has no body text after its key points" if article.layout == "cnbc" else "is empty"
        raise InputError(f"{src.name}: {what}")
    return article
