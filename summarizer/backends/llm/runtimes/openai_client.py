"""The ``openai`` runtime's requests: one client for the API base (with the key) and one for
the server's root (without it), each request tried again where that can help, bounded whole by
a deadline and its answer by ``max_answer_bytes`` (``http_transport``), and every failure one
line scrubbed of the key (:class:`Failed`).

httpx is passed in by the runtime, which imports it when it opens.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from typing import Any

from ....errors import first_line
from .http_transport import (DETAIL_BYTES, Failed, Scrubber, TooLarge, deadline, excerpt, json_body, make_client,
                             read_capped, retry_after, safe_url, server_root)

BACKOFF = 0.5  # seconds before the first retry, doubled for each later one
BACKOFF_CAP = 8.0  # no wait between retries is longer, whatever a server's Retry-After asks
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


class ApiClient:
    """Requests to an OpenAI-compatible server, as ``options`` (the runtime's ``ApiOptions``:
    api_base, concurrency, request_timeout, run_timeout, retries, max_answer_bytes) say."""

    def __init__(self, httpx: Any, options: Any, key: str | None):
        self.httpx = httpx
        self.options = options
        self.scrub = Scrubber(key)
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self.client = make_client(httpx, base_url=options.api_base.rstrip("/") + "/", headers=headers,
                                  timeout=options.request_timeout, connections=options.concurrency)
        # the server's own endpoints, outside api_base: asked without the key, which goes to api_base only
        self.root = server_root(options.api_base)
        self.bare = make_client(httpx, base_url=self.root, headers={}, timeout=options.request_timeout,
                                connections=options.concurrency)
        self._deadline: float | None = None  # the run's, from its first request
        self._lock = threading.Lock()
        self.requests: Counter[str] = Counter()  # requests sent, by endpoint: what counting costs a server

    def start_clock(self) -> None:
        """The run's deadline counts from its first request to count or to answer."""
        with self._lock:
            if self._deadline is None and self.options.run_timeout is not None:
                self._deadline = time.monotonic() + self.options.run_timeout

    def close(self) -> None:
        self.client.close()
        self.bare.close()

    def url(self, path: str, keyed: bool) -> str:
        """Where ``path`` is, as it may be shown: under api_base, or at the server's root."""
        return (safe_url(self.options.api_base).rstrip("/") if keyed else safe_url(self.root).rstrip("/")) + "/" + path

    def call(self, method: str, path: str, body: dict[str, Any] | None = None, *, keyed: bool = True,
             patient: bool = True) -> dict[str, Any]:
        """The JSON object ``path`` answers (under api_base with the key when ``keyed``, else at the
        server's root without it), tried again after a 429, a 5xx or, when ``patient``, a failed
        connection; one scrubbed line in :class:`Failed` when it fails. Each try is bounded whole
        by its deadline and its answer by ``max_answer_bytes``."""
        httpx = self.httpx
        client = self.client if keyed else self.bare
        where = safe_url(self.options.api_base) if path == "chat/completions" else self.url(path, keyed)
        content = json_body(body) if body is not None else None
        headers = {"Content-Type": "application/json"} if body is not None else {}
        unreachable = False
        for attempt in range(self.options.retries + 1):
            timeout = self._time_left()
            self.requests[path] += 1
            try:
                with deadline(time.monotonic() + timeout), \
                        client.stream(method, path, content=content, headers=headers, timeout=timeout) as r:
                    if r.status_code == 200:
                        return self._json(self._read(r, where, self.options.max_answer_bytes), where)
                    brief = f"{where} answered {r.status_code} {r.reason_phrase}"
                    problem, unreachable = brief + self._detail(r), False
                    if r.status_code not in RETRY_STATUS:
                        raise Failed(problem, status=r.status_code, brief=brief)
                    wait = retry_after(r.headers.get("retry-after"))
            except httpx.TimeoutException:
                problem = brief = f"no answer from {where} within {round(timeout, 2):g} s" + (
                    f" (what was left of run_timeout={self.options.run_timeout:g})"
                    if timeout < self.options.request_timeout else "")
                wait, unreachable = None, False
            except (httpx.LocalProtocolError, httpx.UnsupportedProtocol, httpx.InvalidURL) as e:
                # the request itself is malformed: no try can succeed
                brief = f"cannot send a request to {where}"
                raise Failed(f"{brief}: {self._line(first_line(e))}", brief=brief) from None
            except httpx.TransportError as e:  # refused, reset, DNS: the server may be starting or restarting
                brief = f"cannot reach {where}"
                problem, wait, unreachable = f"{brief}: {self._line(first_line(e))}", None, True
                if not patient:
                    break
            except httpx.HTTPError as e:  # anything else httpx refuses: one line, not retried
                brief = f"{where}: {type(e).__name__}"
                raise Failed(f"{brief}: {self._line(first_line(e))}", brief=brief) from None
            if attempt == self.options.retries:
                break
            delay = min(BACKOFF_CAP, wait if wait is not None else BACKOFF * 2**attempt)
            if self._deadline is not None and time.monotonic() + delay >= self._deadline:
                break
            time.sleep(delay)
        tries = f" after {attempt + 1} tries" if attempt else ""
        raise Failed(problem + tries, unreachable=unreachable, brief=brief + tries)

    def _time_left(self) -> float:
        """This request's timeout: the per-request one, cut to what is left of the run's."""
        if self._deadline is None:
            return self.options.request_timeout
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise Failed(f"the run's timeout of {self.options.run_timeout:g} s had passed before this article was sent")
        return min(self.options.request_timeout, left)

    def _read(self, r: Any, where: str, cap: int) -> bytes:
        """The answer's bytes, inflated, at most ``cap`` of them."""
        try:
            return read_capped(r, cap)
        except TooLarge:
            raise Failed(f"{where} answered more than {cap:,} bytes (after decompression): refused; if its answers "
                         f"are that long, raise -o max_answer_bytes={cap}",
                         brief=f"{where} answered more than {cap:,} bytes") from None
        except ValueError as e:
            raise Failed(f"{where} answered {self._line(str(e))}", brief=f"{where} answered an unreadable body") from None

    def _json(self, data: bytes, where: str) -> dict[str, Any]:
        try:
            answer = json.loads(data)
        except (ValueError, UnicodeDecodeError):
            raise Failed(f"{where} answered malformed JSON: {self._line(data.decode('utf-8', 'replace'))!r}",
                         brief=f"{where} answered malformed JSON") from None
        except RecursionError:
            raise Failed(f"{where} answered JSON nested too deep to read") from None
        if not isinstance(answer, dict):
            raise Failed(f"{where} answered JSON that is not an object")
        return answer

    def _detail(self, r: Any) -> str:
        """The server's own message, as OpenAI-style servers send it, short and scrubbed (only
        the first ``DETAIL_BYTES`` of it are read)."""
        try:
            data = read_capped(r, DETAIL_BYTES)
        except TooLarge:
            return ": (a long answer, not shown)"
        except ValueError:
            return ""
        try:
            parsed = json.loads(data)
            message = parsed.get("error", parsed) if isinstance(parsed, dict) else parsed
            if isinstance(message, dict):
                message = message.get("message") or message.get("detail") or json.dumps(message)
        except (ValueError, UnicodeDecodeError, RecursionError):
            message = data.decode("utf-8", "replace")
        text = self._line(str(message))
        return f": {text}" if text else ""

    def _line(self, text: str) -> str:
        """``text`` as one short line, scrubbed of the key before it is cut or its white space changed."""
        return self.scrub(excerpt(self.scrub(text)))
