"""Fetch a web page: one deadline for the whole fetch, a size limit, HTML or text only.

``fetch(url)`` returns the page's bytes with its media type and declared charset, or
raises :class:`InputError` with one line saying what went wrong:

* ``timeout`` bounds the WHOLE fetch (connecting, every redirect, the headers, the body),
  not each read: a server that answers a byte at a time is cut when the time is up;
* redirects (301, 302, 303, 307, 308) are followed up to ``max_redirects``;
* only HTML (``text/html``, ``application/xhtml+xml``) and plain text are read: another
  media type (a PDF, an image) is refused before its body is read;
* a page over ``max_bytes`` is refused before it is read whole: by its
  ``Content-Length`` when it declares one, else as soon as more bytes arrive;
* HTTP errors (404, 500, ...), a connection closed early, a malformed answer;
* a URL that is not one (``http://[::1/x``, port 99999, a control character, a NUL), the
  first or a redirect's, is refused before any connection; so is a URL with a user name or
  password in it (``http://user:secret@host/``): no site is logged in to (such a URL's
  credentials would not be sent), and a URL is echoed in messages and written into the
  output. Every URL in a message is shown by :func:`shown`: its user part as ``***``,
  characters that are not printable escaped, so a message stays one line and holds no secret.

The environment's proxy settings (``http_proxy``, ``https_proxy``, ``no_proxy``) are
honoured, as ``urllib`` does, except for the machine's own addresses.

``address_check`` is a hook for a caller that fetches URLs others give it (``summarize
serve``): every host, the first and each redirect's, is resolved here, each address is put
to the hook (:func:`private_address` refuses the machine's own and its private networks),
and the connection goes to an address that passed, not to a second lookup of the name.

Decoding the bytes is the reader's job (:mod:`summarizer.inputs.html` honours the
charset declared here, then the page's own ``<meta charset>``).
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
import zlib
from dataclasses import dataclass
from email.message import Message
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:  # pragma: no cover
    from urllib.parse import SplitResult

from ..errors import FetchTimeoutError, InputError, first_line

TIMEOUT = 20.0  # seconds for the whole fetch; news pages answer in far less
MAX_BYTES = 20 * 1024 * 1024  # a news page is far smaller; a bigger answer is not an article
MAX_REDIRECTS = 10  # browsers allow about 20; a news link needs two or three
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
TEXT_TYPES = frozenset({"text/plain"})
USER_AGENT = "summarizer/0.1 (+news key points)"
_CHUNK = 64 * 1024
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True)
class Page:
    """A fetched page: its final URL (after redirects), bytes, media type and charset."""

    url: str
    body: bytes
    media_type: str  # lowercased, without parameters: "text/html"; "" when the server sent none
    charset: str | None = None  # the Content-Type header's charset parameter, when given

    @property
    def is_html(self) -> bool:
        """HTML by its media type, or, without one, by its first bytes."""
        if self.media_type:
            return self.media_type in HTML_TYPES
        return looks_like_html(self.body)


def looks_like_html(data: bytes) -> bool:
    """Whether ``data`` starts like an HTML document (after a BOM and white space).

    >>> looks_like_html(b"  <!DOCTYPE html><html>"), looks_like_html(b"The council voted.")
    (True, False)
    """
    head = data[:1024].lstrip(b"\xef\xbb\xbf").lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<?xml", b"<!--", b"<meta"))


def shown(url: str) -> str:
    """``url`` as a message may show it: a user name or password replaced by ``***``, and
    characters that are not printable (controls, NUL, line separators, bidirectional
    controls) escaped, so that the line stays one line and reads as it is.

    >>> shown("https://reader:hunter2@example.com/a b\\x00")
    'https://***@example.com/a b\\\\x00'
    """
    return printable(redacted(url))


def redacted(url: str) -> str:
    """``url`` with its user name and password, if any, replaced by ``***`` (a page's own
    canonical URL is recorded so in the output).

    >>> redacted("http://user:pw@example.com:8080/news?id=1")
    'http://***@example.com:8080/news?id=1'
    """
    user = _user_part(url)
    return url.replace(f"://{user}@", "://***@", 1) if user else url


def _user_part(url: str) -> str:
    """What comes between ``://`` and the authority's last ``@`` ("" when nothing does)."""
    _, sep, rest = url.partition("://")
    end = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    at = rest.rfind("@", 0, end)
    return rest[:at] if sep and at >= 0 else ""


def printable(text: str) -> str:
    """``text`` with what is not printable (but the space) escaped as Python writes it: ``\\x1b``, ``\\u202e``.

    >>> printable("Not Found\\x1b[2J")
    'Not Found\\\\x1b[2J'
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c == " " else ascii(c)[1:-1] for c in text)


def check_url(url: str, name: str) -> "SplitResult":
    """The parts of ``url`` (``http`` or ``https``, a host, a port that is one), or an
    :class:`InputError` that begins with ``name`` (the URL asked for, :func:`shown`; ``url``
    differs from it when a redirect led there)."""
    from urllib.parse import urlsplit

    where = f"{name}: " if shown(url) == name else f"{name}: redirected to {shown(url)}: "
    fix = "; copy the address again from the browser" if shown(url) == name else ""
    bad = next((c for c in url if not c.isprintable() and c != " "), None)
    if bad is not None:
        raise InputError(f"{where}not a valid URL: it has a control character ({ascii(bad)[1:-1]}){fix}")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (the port is parsed, and checked, when it is read)
    except ValueError as e:  # "Invalid IPv6 URL", "Port out of range 0-65535", "netloc '...' contains ..."
        why = first_line(e)
        user = _user_part(url)
        if user:  # the NFKC check quotes the whole netloc
            why = why.replace(user, "***")
        raise InputError(f"{where}not a valid URL ({printable(why)}){fix}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"{name}: cannot fetch {shown(url)!r}: only http and https URLs are read")
    if "@" in parts.netloc:
        raise InputError(f"{where}refused: the URL has a user name or password in it; no site is logged in to "
                         "(they would not be sent) and the URL is written into the output: leave them out, or save "
                         "the page and give the file")
    return parts


def _media_type(header: str | None) -> tuple[str, str | None]:
    if not header:
        return "", None
    msg = Message()
    msg["content-type"] = header
    charset = msg.get_param("charset")
    return msg.get_content_type().lower(), (str(charset).strip() or None) if charset else None


class _Deadline:
    """Shuts a connection's socket down when the time is up, so that no read blocks past it."""

    def __init__(self, url: str, timeout: float):
        self.url, self.timeout = url, timeout
        self.end = time.monotonic() + timeout
        self.fired = False
        self._timer: threading.Timer | None = None

    def left(self) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            raise self.error()
        return left

    def error(self) -> InputError:
        return FetchTimeoutError(f"{self.url}: no complete answer within {self.timeout:g} s (timed out); "
                          f"try again or raise --timeout")

    def watch(self, conn) -> None:
        def fire() -> None:
            self.fired = True
            sock = conn.sock
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)  # a blocked recv returns at once
                except OSError:
                    pass

        self._timer = threading.Timer(self.left(), fire)
        self._timer.daemon = True
        self._timer.start()

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()


AddressCheck = Callable[["ipaddress.IPv4Address | ipaddress.IPv6Address"], "str | None"]

# well-known cloud metadata services, named in the refusal (169.254.169.254 is link-local too)
_METADATA = frozenset({"169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254"})


def private_address(ip: "ipaddress.IPv4Address | ipaddress.IPv6Address") -> str | None:
    """Why ``ip`` is no address to fetch a URL from for someone else (None when it is a public one):
    this machine, its private networks, link-local and metadata addresses, anything not global.

    >>> import ipaddress
    >>> [private_address(ipaddress.ip_address(a)) for a in ("127.0.0.1", "10.0.0.1", "::ffff:192.168.1.2", "93.184.215.14")]
    ['a loopback address', 'a private address', 'a private address', None]
    """
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if str(ip) in _METADATA:
        return "a cloud metadata address"
    for what, test in (("a loopback address", ip.is_loopback), ("a link-local address", ip.is_link_local),
                       ("an unspecified address", ip.is_unspecified), ("a multicast address", ip.is_multicast),
                       ("a private address", ip.is_private), ("a reserved address", ip.is_reserved)):
        if test:
            return what
    return None if ip.is_global else "an address that is not public"


def _vetted(url: str, host: str, port: int, check: AddressCheck) -> list[str]:
    """The addresses ``host`` resolves to, each passed by ``check``; refused when one is not
    (a name that resolves to a private address is as private as the address)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as e:
        raise InputError(f"{url}: cannot fetch (cannot resolve {host!r}: {getattr(e, 'strerror', None) or e})") from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    for address in addresses:
        why = check(ipaddress.ip_address(address.split("%", 1)[0]))
        if why:
            shown = host if host == address else f"{host} ({address})"
            raise InputError(f"{url}: refused: {shown} is {why}; this server fetches public addresses only")
    return addresses


def _pin(conn, addresses: list[str]) -> None:
    """Connect ``conn`` to the vetted ``addresses`` (in order) rather than looking the name up again."""
    def create(address, timeout=socket._GLOBAL_DEFAULT_TIMEOUT, source_address=None):
        error: OSError | None = None
        for ip in addresses:
            try:
                return socket.create_connection((ip, address[1]), timeout, source_address)
            except OSError as e:
                error = e
        raise error or OSError("no address to connect to")

    conn._create_connection = create  # what http.client's connect() calls; TLS still checks the name


def _proxy(scheme: str, host: str):
    """The proxy for ``scheme`` from the environment (``https_proxy``, ``no_proxy``, ...), if any.
    The machine's own addresses never go through one."""
    import ipaddress
    import urllib.request
    from urllib.parse import urlsplit

    proxy = urllib.request.getproxies().get(scheme)
    if not proxy or host == "localhost" or urllib.request.proxy_bypass(host):
        return None
    try:
        if ipaddress.ip_address(host).is_loopback:
            return None
    except ValueError:
        pass  # a name, not an address
    return urlsplit(proxy if "://" in proxy else f"http://{proxy}")


def _connection(url: str, timeout: float, addresses: list[str] | None = None):
    """A connection for ``url`` (through the environment's proxy, if any) and the request target;
    ``addresses``: the host's vetted addresses, connected to directly when there is no proxy."""
    import http.client
    import ssl
    from urllib.parse import quote, urlsplit

    parts = urlsplit(url)
    # percent-encode what a browser would (spaces, non-ASCII); escapes already there stay
    target = quote((parts.path or "/") + (f"?{parts.query}" if parts.query else ""), safe="!#$%&'()*+,/:;=?@[]~")
    proxy = _proxy(parts.scheme, parts.hostname)
    if proxy is None:
        conn = (http.client.HTTPSConnection(parts.hostname, parts.port, timeout=timeout,
                                            context=ssl.create_default_context())
                if parts.scheme == "https" else http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout))
        if addresses is not None:
            _pin(conn, addresses)
        return conn, target
    if parts.scheme == "https":
        conn = http.client.HTTPSConnection(proxy.hostname, proxy.port or 8080, timeout=timeout,
                                           context=ssl.create_default_context())
        conn.set_tunnel(parts.hostname, parts.port or 443)
        return conn, target
    # a plain-HTTP proxy takes the whole URL as the target
    return http.client.HTTPConnection(proxy.hostname, proxy.port or 8080, timeout=timeout), \
        f"http://{parts.netloc.rsplit('@', 1)[-1]}{target}"


def _read_body(resp, url: str, max_bytes: int, deadline: _Deadline) -> bytes:
    encoding = (resp.getheader("Content-Encoding") or "identity").strip().lower()
    if encoding not in ("identity", "gzip", "x-gzip", "deflate"):
        raise InputError(f"{url}: the page is compressed with {encoding!r}, which is not supported")
    # gzip and deflate are inflated as they arrive, bounded like the raw bytes (a small
    # compressed answer must not inflate into gigabytes)
    inflate = None if encoding == "identity" else zlib.decompressobj(47 if "gzip" in encoding else 15)
    parts, size = [], 0
    while True:
        deadline.left()
        chunk = resp.read1(_CHUNK)
        if deadline.fired:
            raise deadline.error()
        if not chunk:
            break
        if inflate is not None:
            try:
                chunk = inflate.decompress(chunk, max_bytes + 1 - size)
            except zlib.error:
                raise InputError(f"{url}: the page's {encoding} data is corrupt") from None
        size += len(chunk)
        if size > max_bytes:
            raise InputError(f"{url}: the page is larger than {max_bytes:,} bytes; save the article text to a file")
        parts.append(chunk)
    if resp.length:  # bytes the Content-Length promised that never came
        raise InputError(f"{url}: the server closed the connection before sending the whole page")
    return b"".join(parts)


def fetch(url: str, *, timeout: float = TIMEOUT, max_bytes: int = MAX_BYTES,
          max_redirects: int = MAX_REDIRECTS, address_check: AddressCheck | None = None) -> Page:
    """The page at ``url`` (``http`` or ``https``); raises :class:`InputError` (see the module doc).
    ``address_check``: refuse a host (the first or a redirect's) with an address it names a
    reason for, before connecting (e.g. :func:`private_address`)."""
    import http.client
    from urllib.parse import urljoin

    current, url = url, shown(url)  # from here on ``url`` is what messages show
    deadline = _Deadline(url, timeout)
    for _ in range(max_redirects + 1):
        parts = check_url(current, url)
        try:
            addresses = None
            if address_check is not None:
                addresses = _vetted(url, parts.hostname, parts.port or (443 if parts.scheme == "https" else 80),
                                    address_check)
            conn, target = _connection(current, deadline.left(), addresses)
        except (ValueError, http.client.HTTPException) as e:  # InvalidURL: a host http.client refuses
            raise InputError(f"{url}: cannot fetch ({type(e).__name__}: {printable(first_line(e))})") from None
        deadline.watch(conn)
        try:
            conn.request("GET", target, headers={
                "User-Agent": USER_AGENT,
                "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.1",
                "Accept-Encoding": "gzip, deflate",
            })
            resp = conn.getresponse()
            if deadline.fired:
                raise deadline.error()
            if resp.status in _REDIRECTS:
                location = resp.getheader("Location")
                if not location:
                    raise InputError(f"{url}: the server answered HTTP {resp.status} without saying where to go")
                try:
                    current = urljoin(current, location.strip())  # checked at the top of the loop
                except ValueError:  # not a URL at all: the check at the top of the loop says why
                    current = location.strip()
                continue
            reason = printable(resp.reason or "")  # the server's words: no escape sequence reaches a terminal
            if resp.status >= 400:
                raise InputError(f"{url}: the server answered HTTP {resp.status} {reason}".rstrip())
            if resp.status != 200:
                raise InputError(f"{url}: the server answered HTTP {resp.status} {reason}, not the page".rstrip())
            media_type, charset = _media_type(resp.getheader("Content-Type"))
            if media_type and media_type not in HTML_TYPES | TEXT_TYPES:
                raise InputError(f"{url}: the server sent {printable(media_type)}, not an HTML page or text; "
                                 f"only web pages and text are summarized")
            declared = resp.getheader("Content-Length")
            if declared and declared.strip().isdigit() and int(declared) > max_bytes:
                raise InputError(f"{url}: the page is {int(declared):,} bytes, larger than {max_bytes:,}; "
                                 f"save the article text to a file")
            body = _read_body(resp, url, max_bytes, deadline)
            return Page(current, body, media_type, charset)
        except (TimeoutError, socket.timeout):
            raise deadline.error() from None
        except (OSError, ValueError, http.client.HTTPException) as e:  # ValueError: a URL http.client refuses
            if deadline.fired:
                raise deadline.error() from None
            what = getattr(e, "strerror", None) or first_line(e)
            raise InputError(f"{url}: cannot fetch ({type(e).__name__}: {printable(what)})") from None
        finally:
            deadline.cancel()
            conn.close()
    raise InputError(f"{url}: redirected more than {max_redirects} times (a redirect loop?); open it in a browser "
                     f"and pass the final address")
