"""Read articles: text files, directories of ``.txt`` files, standard input, URLs.

Web pages (a URL, a saved ``.html``/``.htm`` file, HTML on standard input) are read by
:mod:`summarizer.inputs.html` (fetching by :mod:`summarizer.inputs.fetch`): their story
paragraphs become the body; a page that is not an article is refused unless ``any_page``.

Local text files and standard input are decoded by :mod:`summarizer.inputs.local`:
strictly (UTF-8 by default; a UTF-8/16/32 byte-order mark decides), ``encoding=`` naming
another codec (``cp1252``, ``latin-1``); bytes that are not valid are refused with the
offset of the first, never replaced; NUL characters and decoded bytes that are not text are
refused as binary. An article over the input ceiling (:class:`~summarizer.article.Limits`)
is refused in one line, a local file or standard input before it is read whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Iterator

from .article import Article, Limits, parse_article
from .errors import InputError
from .inputs.fetch import MAX_BYTES as MAX_PAGE_BYTES
from .inputs.fetch import TIMEOUT as URL_TIMEOUT
from .inputs.fetch import shown
from .inputs.local import STDIN, check_size, check_text, decode, max_bytes, read_file, read_stdin, stat_error

if TYPE_CHECKING:  # pragma: no cover
    from .inputs.fetch import AddressCheck

__all__ = ["Source", "expand", "decode", "read_source", "text_article", "html_article"]

HTML_SUFFIXES = (".html", ".htm", ".xhtml")


@dataclass(frozen=True)
class Source:
    """One input to read: a path, ``-`` for standard input, or a URL."""

    spec: str

    @property
    def is_url(self) -> bool:
        return self.spec.lower().startswith(("http://", "https://"))

    @property
    def name(self) -> str:
        """How messages and outputs name it: a URL without its user part (:func:`~.inputs.fetch.shown`)."""
        if self.spec == STDIN:
            return "<stdin>"
        return shown(self.spec) if self.is_url else self.spec


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


def read_source(
    src: Source,
    *,
    encoding: str = "utf-8",
    timeout: float = URL_TIMEOUT,
    stdin: BinaryIO | None = None,
    page_encoding: str | None = None,
    any_page: bool = False,
    limits: Limits = Limits(),
    address_check: AddressCheck | None = None,
) -> Article:
    """The parsed article behind one source; raises :class:`InputError` when unusable
    (including an article over ``limits``).

    ``page_encoding`` overrides the charset a web page declares (the user named one);
    ``any_page`` summarizes a page that does not look like an article; ``address_check``
    vets a URL's addresses before each connection (:func:`summarizer.inputs.fetch.fetch`).
    """
    from .inputs.fetch import fetch, looks_like_html
    from .inputs.charset import decode_page

    def html(data: bytes, url: str | None = None, header: str | None = None) -> Article:
        return html_article(data, src.name, url=url, charset=header, override=page_encoding, fallback=encoding,
                            any_page=any_page, limits=limits)

    text_bytes = max_bytes(limits.max_chars)  # the most bytes max_chars characters can take
    if src.is_url:
        page = fetch(src.spec, timeout=timeout, address_check=address_check)
        if page.is_html:
            return html(page.body, page.url, page.charset)
        text = decode_page(page.body, src.name, header=page.charset, override=page_encoding, fallback=encoding,
                           html=False)
        check_text(text, src.name)  # a text/plain answer is held to what a local text file is
    elif src.spec == STDIN:
        data = read_stdin(stdin, limit=max(text_bytes, MAX_PAGE_BYTES))  # HTML or text: not known yet
        if looks_like_html(data):
            return html(data)
        check_size(data, src.name, text_bytes)
        text = decode(data, src.name, encoding)
    elif Path(src.spec).suffix.lower() in HTML_SUFFIXES:
        return html(read_file(src.spec, limit=max(text_bytes, MAX_PAGE_BYTES)))  # markup outweighs the text
    else:
        text = decode(read_file(src.spec, limit=text_bytes), src.name, encoding)
    return text_article(text, src.name, limits=limits)


def text_article(text: str, name: str, *, limits: Limits = Limits()) -> Article:
    """The article in a text (the CNBC layout, else plain), refused when it has no body or is over ``limits``.

    >>> text_article("Key Points\\n• A point.\\n", "a.txt")
    Traceback (most recent call last):
    ...
    summarizer.errors.InputError: a.txt: has no body text after its key points
    """
    limits.check_chars(len(text), name)  # before splitting it
    article = parse_article(text, name=name)
    if not article.body.strip():
        what = "has no body text after its key points" if article.layout == "cnbc" else "is empty"
        raise InputError(f"{name}: {what}")
    limits.check(article)
    return article


def html_article(data: bytes, name: str, *, url: str | None = None, charset: str | None = None,
                 override: str | None = None, fallback: str = "utf-8", any_page: bool = False,
                 limits: Limits = Limits()) -> Article:
    """The article in a web page's bytes (:mod:`summarizer.inputs.html`), refused when it is not
    one (unless ``any_page``) or is over ``limits``. ``charset``: the one the server declared;
    ``override``: one that wins over any the page declares."""
    from .inputs.html import page_article

    article = page_article(data, name, url=url, header_charset=charset, override=override, fallback=fallback,
                           any_page=any_page)
    limits.check(article)
    return article
