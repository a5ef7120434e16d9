"""What stands in front of every request, before its body is read.

* **Host**: a server on loopback answers only requests addressed to a loopback name
  (``127.0.0.1``, ``localhost``, ``[::1]``), so a web page elsewhere cannot reach it
  through a DNS name that it points at 127.0.0.1 (DNS rebinding).
* **API key**: when the server has one (``SUMMARIZER_API_KEY``; required off loopback),
  every ``/v1/`` request must carry ``Authorization: Bearer KEY``; the comparison takes the
  same time however much of the key matches, and the key is never logged.
* **Body limit**: a body over ``max_body`` bytes is answered 413: at once when its
  ``Content-Length`` says so, else as soon as the bytes read pass the limit (a chunked body).
* **Whole-request timeout**: ``timeout`` seconds from the request's headers to its answer,
  reading a slow body included; past it the request is cancelled (its place in the queue
  freed) and answered 503 with ``Retry-After``.
* **Headers**: a Content-Security-Policy that lets the page load only its own script and
  style and talk only to this server, and no sniffing, referrer or framing.
"""

from __future__ import annotations

import asyncio
import hmac
from typing import Callable

from .config import ServeConfig, is_loopback
from .errors import BodyTooLarge, HTTPError, Overloaded, Unauthorized, answer

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]
PROTECTED = "/v1/"


def _host_name(host: bytes) -> str:
    """``127.0.0.1`` from ``127.0.0.1:8000``, ``::1`` from ``[::1]:8000``."""
    text = host.decode("latin-1").strip()
    if text.startswith("["):
        return text[1:].split("]", 1)[0]
    return text.rsplit(":", 1)[0] if text.count(":") == 1 else text


class Guard:
    """ASGI middleware: the checks above, then the app."""

    def __init__(self, app, config: ServeConfig, retry_after: Callable[[], int] = lambda: 1):
        self.app, self.config, self.retry_after = app, config, retry_after
        self._key = config.api_key.encode("utf-8") if config.api_key is not None else None

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        started = False

        async def send_with_headers(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message = {**message, "headers": [*message.get("headers", []), *HEADERS]}
            await send(message)

        try:
            self._check(scope)
        except HTTPError as e:
            return await answer(e)(scope, receive, send_with_headers)
        limit = self.config.max_body
        received = 0
        refused = False  # a 413 went out mid-body: what the app sends after it is dropped

        async def limited_receive():
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    if not refused:
                        refused = True
                        await answer(BodyTooLarge(_too_large(limit)))(scope, receive, send_with_headers)
                    return {"type": "http.disconnect"}  # the app stops reading; the server drains the rest
            return message

        async def app_send(message):
            if not refused:
                await send_with_headers(message)

        try:
            await asyncio.wait_for(self.app(scope, limited_receive, app_send), self.config.timeout)
        except asyncio.TimeoutError:
            if not started:
                timeout = self.config.timeout
                await answer(Overloaded(f"the request took longer than {timeout:g} s (the server is busy, or the "
                                        f"article is very long); try again, or start the server with a longer "
                                        f"--timeout", {"Retry-After": str(self.retry_after())}))(
                    scope, receive, send_with_headers)

    def _check(self, scope) -> None:
        headers = dict(scope.get("headers") or [])
        if self.config.loopback:
            name = _host_name(headers.get(b"host", b"127.0.0.1"))
            if not is_loopback(name):
                raise HTTPError(f"this server answers requests for 127.0.0.1 or localhost only, not {name!r}")
        if self._key is not None and scope["path"].startswith(PROTECTED):
            given = headers.get(b"authorization", b"")
            scheme, _, token = given.partition(b" ")
            if scheme.lower() != b"bearer" or not hmac.compare_digest(token.strip(), self._key):
                raise Unauthorized("a valid API key is required: send 'Authorization: Bearer KEY' "
                                   "(the server's SUMMARIZER_API_KEY)", {"WWW-Authenticate": "Bearer"})
        length = headers.get(b"content-length")
        if length is not None and length.strip().isdigit() and int(length) > self.config.max_body:
            raise BodyTooLarge(_too_large(self.config.max_body))


def _too_large(limit: int) -> str:
    return (f"the request body is larger than {limit:,} bytes; send a shorter story, or start the server "
            f"with a larger --max-body")
