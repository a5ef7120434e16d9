"""What the ``openai`` runtime's requests go through: URLs and keys checked, one deadline, a cap.

Every promise here holds whatever the server does:

* :func:`check_base` and :func:`check_key` refuse, in one line that never shows the secret, an
  ``--api-base`` that is not a plain http(s) URL (a bracket left open, port 99999, a NUL, a
  host no IDNA encoding takes, credentials or a query) and an ``OPENAI_API_KEY`` an HTTP header
  cannot carry (a line break, a tab, a space, a non-ASCII character), before anything is sent;
* :class:`Scrubber` takes the key out of any text a server sends back, in every form it may
  come back in (as sent, percent-encoded, JSON- or repr-escaped, in any case, its first 12
  characters), before that text is cut or its white space collapsed;
* one deadline bounds a whole request: connecting, sending, the headers and the body. It is
  checked by every read and write on the socket (:class:`DeadlineBackend`), so a server that
  sends a byte every second, or a kilobyte every 10 ms for ever, is cut when the time is up;
* an answer is read up to ``max_bytes`` after decompression (:func:`read_capped`): gzip and
  deflate are inflated here, a step at a time with bounded output, so a small gzip bomb never
  becomes a large buffer; an encoding that was not asked for is refused.

httpx is imported by :func:`make_client`, which the runtime calls when it opens.
"""

from __future__ import annotations

import json
import re
import threading
import time
import zlib
from contextlib import contextmanager
from typing import Any, Iterator
from urllib.parse import urlsplit, urlunsplit

from ....credentials import secret_forms
from ....errors import UsageError
from ....text_safety import clean_answer

MAX_ANSWER_BYTES = 4 * 1024 * 1024  # a chat answer is a few KB, a /v1/models list of hundreds of models under 1 MB
DETAIL_BYTES = 64 * 1024  # of an error answer: only its first line is shown
ACCEPT_ENCODING = "gzip, deflate"  # what read_capped inflates with bounded output (no br, no zstd)
_STEP = 64 * 1024  # bytes inflated at a time


class Failed(Exception):
    """One request's final failure, already one line and scrubbed of the key."""

    def __init__(self, message: str, *, unreachable: bool = False, status: int | None = None, brief: str = ""):
        super().__init__(message)
        self.brief = brief or message  # without the server's own words: what may be recorded
        self.unreachable = unreachable  # no connection at all: asking this server more is pointless
        self.status = status  # the HTTP status that refused it, if one did


# -- URLs --------------------------------------------------------------------------------------

def safe_url(url: str | None) -> str:
    """``url`` without user, password, query or fragment: what may be shown or recorded
    (``'a malformed URL'`` when it cannot be read).

    >>> safe_url("https://me:secret@host:8080/v1?key=abc")
    'https://host:8080/v1'
    >>> safe_url("http://[::1/x")
    'a malformed URL'
    """
    try:
        parts = urlsplit(url or "")
        host, port = parts.hostname or "", parts.port
    except ValueError:
        return "a malformed URL"
    if ":" in host:
        host = f"[{host}]"
    if port is not None:
        host = f"{host}:{port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def server_root(api_base: str) -> str:
    """Where a server's own endpoints (``/props``, ``/tokenize``) are: ``api_base`` without its ``/v1``.

    >>> server_root("http://127.0.0.1:8080/v1")
    'http://127.0.0.1:8080/'
    >>> server_root("https://host/llm/v1/")
    'https://host/llm/'
    """
    parts = urlsplit(api_base)
    path = parts.path.rstrip("/")
    path = path[: -len("/v1")] if path.endswith("/v1") else path
    return urlunsplit((parts.scheme, parts.netloc, path + "/", "", ""))


_EXAMPLE = "e.g. --api-base http://127.0.0.1:8080/v1"
_KEY_HINT = "put the key in OPENAI_API_KEY"


def check_base(url: Any) -> None:
    """Refuse, in one :class:`UsageError` that shows no credential, an ``--api-base`` requests
    cannot go to. The URL is shown only as :func:`safe_url` gives it, escaped.

    >>> check_base("http://127.0.0.1:8080/v1")
    >>> check_base("http://127.0.0.1:99999/v1")
    Traceback (most recent call last):
    ...
    summarizer.errors.UsageError: --api-base: port 99999 is out of range (0-65535); e.g. --api-base http://127.0.0.1:8080/v1
    """
    if not isinstance(url, str):
        raise UsageError(f"--api-base: give the server's URL as text, not {type(url).__name__}; {_EXAMPLE}")
    bad = next((c for c in url if ord(c) < 0x21 or ord(c) == 0x7F), None)
    if bad is not None:
        what = {"\x00": "a NUL", "\n": "a line break", "\r": "a line break", "\t": "a tab", " ": "a space"}.get(
            bad, "a control character")
        raise UsageError(f"--api-base: the URL holds {what} (character {url.index(bad) + 1}); {_EXAMPLE}")
    try:
        parts = urlsplit(url)
    except ValueError as e:  # "Invalid IPv6 URL": a bracket left open
        raise UsageError(f"--api-base: not a URL ({e}); {_EXAMPLE}") from None
    shown = repr(safe_url(url))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(f"--api-base {shown}: give the server's http(s) URL, {_EXAMPLE}")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise UsageError(f"--api-base {shown}: leave credentials out of the URL (it is recorded with the run); "
                         f"{_KEY_HINT}")
    if parts.query or parts.fragment or url.endswith(("?", "#")):
        raise UsageError(f"--api-base {shown}: leave the query string out of the URL (it is recorded with the run, "
                         f"and requests go to paths under the URL); {_KEY_HINT}")
    try:
        port = parts.port
    except ValueError:
        raw = parts.netloc.rsplit(":", 1)[-1]
        detail = f"port {raw} is out of range (0-65535)" if raw.isdigit() else "the port is not a number"
        raise UsageError(f"--api-base: {detail}; {_EXAMPLE}") from None
    if port == 0:
        raise UsageError(f"--api-base {shown}: port 0 is no server's port; {_EXAMPLE}")
    host = parts.hostname or ""
    if not host:
        raise UsageError(f"--api-base {shown}: the URL names no host; {_EXAMPLE}")
    if not host.isascii():
        try:
            try:  # IDNA 2008, as httpx encodes a host (the idna package comes with httpx)
                import idna
            except ImportError:  # IDNA 2003, Python's own codec
                host.encode("idna")
            else:
                idna.encode(host.lower())
        except (UnicodeError, ValueError):  # idna's errors are ValueErrors
            raise UsageError(f"--api-base {shown}: the host is not a name IDNA can encode; give its ASCII "
                             f"(xn--) form or its address") from None


_CHAR_NAMES = {"\n": "a line break", "\r": "a line break", "\t": "a tab", " ": "a space", "\x00": "a NUL"}


def check_key(key: str, variable: str = "OPENAI_API_KEY") -> None:
    """Refuse, in one :class:`UsageError` that never shows the key, a key an HTTP header cannot
    carry: anything but visible ASCII (a line break or a tab, left by ``$(cat keyfile)`` or a
    paste, a space, a non-ASCII character).

    >>> check_key("sk-abc123")
    >>> check_key("sk-abc123\\n")
    Traceback (most recent call last):
    ...
    summarizer.errors.UsageError: OPENAI_API_KEY holds a line break (character 10 of 10), which an HTTP header cannot carry: set it to the key alone
    """
    for i, c in enumerate(key):
        if not 0x21 <= ord(c) <= 0x7E:
            what = _CHAR_NAMES.get(c) or ("a non-ASCII character" if ord(c) > 0x7F else "a control character")
            raise UsageError(f"{variable} holds {what} (character {i + 1} of {len(key)}), which an HTTP header "
                             "cannot carry: set it to the key alone")


class Scrubber:
    """Takes a key out of text, in the forms a server or a library may echo it in.

    >>> Scrubber("sk-live-0123456789abcdef")("header 'Bearer SK-LIVE-0123456789ABCDEF' refused")
    "header 'Bearer ***' refused"
    """

    PREFIX = 12  # a server that cuts what it echoes still shows the key's start

    def __init__(self, key: str | None):
        self.key = key
        forms: set[str] = set()
        if key:  # the forms the run's records are checked for, and the key whole however short
            for form in secret_forms(key) | {key, key.strip(), repr(key)[1:-1]}:
                if form:
                    forms.add(form)
                    if len(form) > self.PREFIX and len(key) >= self.PREFIX:
                        forms.add(form[: self.PREFIX])
        # the longest first, so a whole key is replaced before its start is
        alternatives = sorted(forms, key=len, reverse=True)
        # and what follows a match in the key's own characters: the rest of a key whose start matched
        rest = "[" + "".join(sorted({re.escape(c) for form in forms for c in form})) + "]*"
        self._pattern = re.compile("(?:" + "|".join(map(re.escape, alternatives)) + ")" + rest,
                                   re.IGNORECASE) if forms else None

    def __call__(self, text: str) -> str:
        return self._pattern.sub("***", text) if self._pattern is not None else text


def excerpt(text: str, limit: int = 160) -> str:
    """One line of at most ``limit`` characters, without characters a terminal would act on."""
    one = " ".join(clean_answer(text)[0].split())
    return one if len(one) <= limit else one[: limit - 1] + "…"


# -- one deadline for a whole request -------------------------------------------------------

_local = threading.local()  # the deadline of the request this thread is making


@contextmanager
def deadline(end: float) -> Iterator[None]:
    """Every socket operation of this thread's requests inside the block ends by ``end``
    (``time.monotonic()``), whatever timeout httpx gives it."""
    before = getattr(_local, "end", None)
    _local.end = end
    try:
        yield
    finally:
        _local.end = before


def _bounded(timeout: float | None, error: type[Exception]) -> float | None:
    end = getattr(_local, "end", None)
    if end is None:
        return timeout
    left = end - time.monotonic()
    if left <= 0:
        raise error("the request's deadline has passed")
    return left if timeout is None else min(timeout, left)


def make_client(httpx: Any, *, base_url: str, headers: dict[str, str], timeout: float, connections: int) -> Any:
    """An ``httpx.Client`` whose sockets honour :func:`deadline`, that follows no redirect (one
    would carry the key or an article to another host), asks only for encodings
    :func:`read_capped` can bound, and honours the environment's proxy for ``base_url``."""
    import httpcore

    class Stream(httpcore.NetworkStream):
        def __init__(self, inner: Any):
            self.inner = inner

        def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
            return self.inner.read(max_bytes, _bounded(timeout, httpcore.ReadTimeout))

        def write(self, buffer: bytes, timeout: float | None = None) -> None:
            self.inner.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

        def close(self) -> None:
            self.inner.close()

        def start_tls(self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None) -> Any:
            return Stream(self.inner.start_tls(ssl_context, server_hostname, _bounded(timeout, httpcore.ConnectTimeout)))

        def get_extra_info(self, info: str) -> Any:
            return self.inner.get_extra_info(info)

    class Backend(httpcore.NetworkBackend):
        def __init__(self) -> None:
            self.inner = httpcore.SyncBackend()

        def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                        socket_options: Any = None) -> Any:
            return Stream(self.inner.connect_tcp(host, port, _bounded(timeout, httpcore.ConnectTimeout),
                                                 local_address, socket_options))

        def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options: Any = None) -> Any:
            return Stream(self.inner.connect_unix_socket(path, _bounded(timeout, httpcore.ConnectTimeout),
                                                         socket_options))

        def sleep(self, seconds: float) -> None:
            self.inner.sleep(seconds)

    class Transport(httpx.HTTPTransport):
        """httpx's transport over a connection pool whose sockets are :class:`Backend`'s.
        (httpx builds its pool without a way to pass a network backend; its methods use
        ``self._pool``, which this sets.)"""

        def __init__(self, proxy: str | None) -> None:
            ssl_context = httpx.create_ssl_context()
            common = dict(ssl_context=ssl_context, max_connections=connections,
                          max_keepalive_connections=connections, network_backend=Backend())
            if proxy is None:
                self._pool = httpcore.ConnectionPool(**common)
            else:
                p = httpx.Proxy(url=proxy)
                if p.url.scheme not in ("http", "https"):
                    raise UsageError(f"the proxy for {safe_url(base_url)!r} is {p.url.scheme}://, which this "
                                     "runtime does not speak; unset it for this host (no_proxy)")
                self._pool = httpcore.HTTPProxy(
                    proxy_url=httpcore.URL(scheme=p.url.raw_scheme, host=p.url.raw_host, port=p.url.port,
                                           target=p.url.raw_path),
                    proxy_auth=p.raw_auth, proxy_headers=p.headers.raw, **common)

    try:
        return httpx.Client(base_url=base_url, headers={**headers, "Accept-Encoding": ACCEPT_ENCODING},
                            timeout=timeout, transport=Transport(_proxy_for(base_url)), follow_redirects=False,
                            trust_env=False)
    except (httpx.InvalidURL, ValueError, UnicodeError) as e:  # what check_base could not foresee
        raise UsageError(f"--api-base {safe_url(base_url)!r}: {type(e).__name__}: not a URL requests can go to; "
                         f"{_EXAMPLE}") from None


def _proxy_for(url: str) -> str | None:
    """The environment's proxy for ``url`` (``http_proxy``, ``https_proxy``, ``all_proxy``,
    less ``no_proxy``), as httpx would take it; None for none."""
    from urllib.request import getproxies, proxy_bypass_environment

    proxies = getproxies()
    parts = urlsplit(url)
    proxy = proxies.get(parts.scheme) or proxies.get("all")
    if not proxy or proxy_bypass_environment(parts.hostname or "", proxies):
        return None
    return proxy if "://" in proxy else f"http://{proxy}"


# -- reading an answer ------------------------------------------------------------------------

class TooLarge(Exception):
    """An answer over its cap (after decompression)."""


def read_capped(response: Any, max_bytes: int) -> bytes:
    """The body of a streamed ``response``, inflated, or :class:`TooLarge` as soon as it passes
    ``max_bytes``; a ``Content-Length`` over the cap of an uncompressed answer is refused unread.
    An encoding that was not asked for, or a body that does not inflate, raises ``ValueError``."""
    codings = [c.strip().lower() for c in response.headers.get("content-encoding", "").split(",") if c.strip()]
    codings = [c for c in codings if c != "identity"]
    for c in codings:
        if c not in ("gzip", "x-gzip", "deflate"):
            raise ValueError(f"content-encoding {c!r}, which was not asked for (it asked for {ACCEPT_ENCODING})")
    if not codings:
        length = response.headers.get("content-length", "")
        if length.isdigit() and int(length) > max_bytes:
            raise TooLarge
    pieces: Iterator[bytes] = response.iter_raw(_STEP)
    for c in reversed(codings):  # the last one applied is undone first; each a generator, so nothing piles up
        pieces = _inflate(pieces, c)
    out = bytearray()
    for piece in pieces:
        out += piece
        if len(out) > max_bytes:
            raise TooLarge
    return bytes(out)


def _inflate(chunks: Iterator[bytes], coding: str) -> Iterator[bytes]:
    """``chunks`` inflated, at most ``_STEP`` bytes at a time (zlib's ``max_length``): a gzip
    bomb's 97 KB never become more than one step of output before the caller counts it."""
    gzip = coding in ("gzip", "x-gzip")
    d = zlib.decompressobj(16 + zlib.MAX_WBITS) if gzip else None
    try:
        for data in chunks:
            if d is None:  # deflate: zlib-wrapped as the RFC says, or raw as some servers send it
                if not data:
                    continue
                d = zlib.decompressobj(zlib.MAX_WBITS if (data[0] & 0x0F) == 8 else -zlib.MAX_WBITS)
            while data:
                out = d.decompress(data, _STEP)
                if d.eof:
                    rest = d.unused_data
                    if gzip and rest.strip(b"\0"):  # another gzip member follows
                        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
                        data = rest
                    else:
                        data = b""  # what follows the end of the stream is not part of the answer
                else:
                    data = d.unconsumed_tail
                if out:
                    yield out
        if d is not None and not d.eof:
            tail = d.flush()  # a match zlib had not finished copying: at most a few hundred bytes
            if tail:
                yield tail
    except zlib.error as e:
        raise ValueError(f"a {coding} body that does not inflate ({e})") from None


def json_body(body: Any) -> bytes:
    """A request's JSON, UTF-8; text holding a lone surrogate (which UTF-8 cannot carry) goes
    escaped as JSON allows, so it never fails here."""
    try:
        return json.dumps(body, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(body).encode("ascii")


def retry_after(value: str | None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (its HTTP-date form is ignored).

    >>> retry_after("2"), retry_after("soon"), retry_after("nan")
    (2.0, None, None)
    """
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None
    return seconds if seconds is not None and seconds >= 0 and seconds == seconds else None
