"""Read articles: text files, directories of ``.txt`` files, standard input, URLs.

Local files and standard input are decoded by :mod:`summarizer.inputs.local`: strictly
(UTF-8 by default; a UTF-8/16/32 byte-order mark decides), ``encoding=`` naming another
codec (``cp1252``, ``latin-1``); bytes that are not valid are refused with the offset of
the first, never replaced; NUL characters and decoded bytes that are not text are refused
as binary. An article over the input ceiling (:class:`~summarizer.article.Limits`) is
refused in one line, a file before it is read whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterator

from .article import Article, Limits, parse_article
from .errors import InputError
from .inputs.local import decode, max_bytes, read_file, read_stdin, stat_error

__all__ = ["Source", "expand", "decode", "fetch_url", "read_source"]

STDIN = "-"
URL_TIMEOUT = 20.0  # seconds for the whole fetch; news pages answer in far less
MAX_URL_BYTES = 20 * 1024 * 1024  # a news page is far smaller; a bigger answer is not an article


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
        why = stat_error(spec)
        if why is not None:
            yield InputError(f"{spec}: {why}")
        elif p.is_dir():
            try:
                names = sorted(f for f in p.iterdir() if f.suffix.lower() == ".txt")
            except OSError as e:
                yield InputError(f"{spec}: cannot list the directory ({e.strerror or e})")
                continue
            files = [f for f in names if f.is_file()]
            if not files and not names:
                yield InputError(f"{spec}: directory has no .txt files")
            for f in names:
                if f.is_file():
                    yield Source(str(f))
                elif f.is_symlink():  # a dangling link or a loop: said, not skipped
                    yield InputError(f"{f}: {stat_error(str(f)) or 'not a file'}")
        else:
            yield src


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
    src: Source,
    *,
    encoding: str = "utf-8",
    timeout: float = URL_TIMEOUT,
    stdin: BinaryIO | None = None,
    limits: Limits = Limits(),
) -> Article:
    """The parsed article behind one source; raises :class:`InputError` when unusable
    (including an article over ``limits``)."""
    title = None
    if src.is_url:
        text, title = fetch_url(src.spec, timeout=timeout)
    elif src.spec == STDIN:
        text = decode(read_stdin(stdin, limit=max_bytes(limits.max_chars)), src.name, encoding)
    else:
        text = decode(read_file(src.spec, limit=max_bytes(limits.max_chars)), src.name, encoding)
    limits.check_chars(len(text), src.name)
    article = parse_article(text, name=src.name)
    if title and article.title is None:
        article = Article(body=article.body, title=title, name=src.name, layout="web")
    if not article.body.strip():
        what = "has no body text after its key points" if article.layout == "cnbc" else "is empty"
        raise InputError(f"{src.name}: {what}")
    limits.check(article)
    return article
