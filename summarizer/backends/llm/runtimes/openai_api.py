"""The ``openai`` runtime: any OpenAI-compatible chat-completions server, through httpx.

``--model openai:MODEL --api-base URL`` sends each conversation as one
``POST {URL}/chat/completions`` request (llama.cpp's server, vLLM, Ollama, TGI, LM Studio,
or a fleet behind one URL). What it promises:

* at most ``concurrency`` requests open at once (a thread pool of that size over one
  connection pool of that size);
* 429 and 5xx answers, and connection failures, retried ``retries`` times with exponential
  backoff (a ``Retry-After`` the server sends is honoured, within bounds);
* a per-request timeout, and a whole-run deadline counted from the first request: an
  article not answered in time fails alone;
* a failed article is one :class:`Generation` with a one-line ``error``; the others complete;
* the API key comes from ``OPENAI_API_KEY`` only, is sent in the ``Authorization`` header
  and nowhere else: it is never in ``describe()`` (the recorded settings), and any text a
  server sends back is scrubbed of it before it reaches an error message.

httpx is imported when the runtime is opened.
"""

from __future__ import annotations

import json
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Sequence
from urllib.parse import urlsplit, urlunsplit

from ....errors import ModelError, UsageError, first_line
from . import Generation, Message

API_KEY_ENV = "OPENAI_API_KEY"
PREFIX = "openai:"
BACKOFF = 0.5  # seconds before the first retry, doubled for each later one
BACKOFF_CAP = 8.0  # no wait between retries is longer, whatever a server's Retry-After asks
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
INSTALL = "pip install 'summarizer[api]'"


@dataclass(frozen=True)
class ApiOptions:
    """How requests are sent; the llm backend's settings carry the same fields."""

    api_base: str  # e.g. http://127.0.0.1:8080/v1 ; requests go to {api_base}/chat/completions
    concurrency: int = 4  # requests open at once; one server answering one at a time wants 1
    request_timeout: float = 120.0  # seconds for one request (a long article on a CPU server is slow)
    run_timeout: float | None = None  # seconds for the whole run, from its first request; None: no bound
    retries: int = 3  # further tries after a 429, a 5xx or a failed connection
    extra: dict[str, Any] = field(default_factory=dict)  # more request fields (``extra_fields``)

    def __post_init__(self) -> None:
        parts = urlsplit(self.api_base or "")
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise UsageError(
                f"--api-base {safe_url(self.api_base)!r}: give the server's http(s) URL, "
                "e.g. --api-base http://127.0.0.1:8080/v1"
            )
        if parts.username or parts.password:
            raise UsageError(f"--api-base {safe_url(self.api_base)!r}: leave credentials out of the URL "
                             f"(it is recorded with the run); put the key in {API_KEY_ENV}")
        if self.concurrency < 1:
            raise UsageError(f"--concurrency {self.concurrency}: give 1 or more requests at once")
        if self.request_timeout <= 0 or (self.run_timeout is not None and self.run_timeout <= 0):
            raise UsageError("timeouts must be positive seconds")
        if self.retries < 0:
            raise UsageError(f"retries={self.retries}: give 0 or more")


def safe_url(url: str | None) -> str:
    """``url`` without user, password, query or fragment: what may be shown or recorded.

    >>> safe_url("https://me:secret@host:8080/v1?key=abc")
    'https://host:8080/v1'
    """
    parts = urlsplit(url or "")
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def model_name(model: str) -> str:
    """``qwen`` from ``openai:qwen``; an empty name is refused."""
    name = model[len(PREFIX):] if model.startswith(PREFIX) else model
    if not name.strip():
        raise UsageError(f"--model {model!r}: name the server's model after the colon, e.g. openai:qwen")
    return name


RESERVED = frozenset({"model", "messages", "max_tokens", "max_completion_tokens", "temperature", "seed", "stream",
                      "n"})  # set by the runtime itself, or would change what an answer is


def extra_fields(text: str) -> dict[str, Any]:
    """``-o api_extra='{"repeat_penalty": 1.0}'``: more fields for every request, for servers that
    take more than the OpenAI protocol (llama-cpp-python's server penalises repeats by default,
    ``repeat_penalty`` 1.1, so its greedy answers are not plain greedy; vLLM takes ``top_k``,
    ``repetition_penalty``). A JSON object; recorded with the run, so never a credential."""
    if not text.strip():
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as e:
        raise UsageError(f"api_extra: not JSON ({e.msg} at character {e.pos}); give an object, "
                         """e.g. -o 'api_extra={"repeat_penalty": 1.0}'""") from None
    if not isinstance(value, dict):
        raise UsageError(f"api_extra: give a JSON object of request fields, not {type(value).__name__}")
    taken = sorted(RESERVED & value.keys())
    if taken:
        raise UsageError(f"api_extra: {', '.join(taken)} is set by the runtime and its options (-n, "
                         "max_new_tokens, temperature, seed), not here")
    secret = [k for k in value if any(w in k.lower() for w in ("key", "secret", "password", "auth"))]
    if secret:
        raise UsageError(f"api_extra: {secret[0]!r} looks like a credential, and api_extra is recorded with the "
                         f"run; put the key in {API_KEY_ENV}")
    return value


def from_settings(settings: Any) -> "OpenAIRuntime":
    """The runtime for the llm backend's settings: checkpoint (``openai:MODEL``), api_base,
    concurrency, request_timeout, run_timeout, retries."""
    if not settings.api_base:
        raise UsageError(
            f"--model {settings.checkpoint} needs the server's URL: --api-base URL (e.g. http://127.0.0.1:8080/v1)"
        )
    options = ApiOptions(settings.api_base, settings.concurrency, settings.request_timeout,
                         settings.run_timeout, settings.retries, extra_fields(settings.api_extra))
    return OpenAIRuntime(settings.checkpoint, options)


class _Failed(Exception):
    """One request's final failure, already one line and scrubbed of the key."""


class OpenAIRuntime:
    """Chat completions from an OpenAI-compatible server."""

    name = "openai"

    def __init__(self, model: str, options: ApiOptions):
        try:
            import httpx
        except ImportError as e:
            raise ModelError(f"--model openai:... needs httpx ({e.name} is not installed): {INSTALL}") from None
        self.model = model_name(model)
        self.options = options
        # the server's context and tokenizer are its own: articles go whole, and one that is too
        # long fails alone with the server's message
        self.context_length: int | None = None
        self._key = os.environ.get(API_KEY_ENV) or None
        headers = {"Authorization": f"Bearer {self._key}"} if self._key else {}
        self._client = httpx.Client(
            base_url=options.api_base.rstrip("/") + "/",
            headers=headers,
            timeout=options.request_timeout,
            limits=httpx.Limits(max_connections=options.concurrency, max_keepalive_connections=options.concurrency),
            follow_redirects=False,  # a redirect would carry the key to another host
        )
        self._httpx = httpx
        self._deadline: float | None = None
        self._lock = threading.Lock()

    # -- the protocol ---------------------------------------------------------------------------

    def count_tokens(self, messages: list[Message]) -> int | None:
        return None  # the server's tokenizer is not ours to run

    def describe(self) -> dict[str, Any]:
        o = self.options
        return {
            "runtime": self.name,
            "model": self.model,
            "api_base": safe_url(o.api_base),
            "api_key": "from OPENAI_API_KEY" if self._key else "none",  # whether one was sent, never its value
            "concurrency": o.concurrency,
            "request_timeout": o.request_timeout,
            "run_timeout": o.run_timeout,
            "retries": o.retries,
            "api_extra": o.extra,
            "httpx": self._httpx.__version__,
        }

    def chat(
        self, conversations: Sequence[list[Message]], *, max_new_tokens: int, temperature: float, seed: int
    ) -> list[Generation]:
        """One answer per conversation; requests run ``concurrency`` at a time, in order of submission."""
        with self._lock:
            if self._deadline is None and self.options.run_timeout is not None:
                self._deadline = time.monotonic() + self.options.run_timeout
        body = {**self.options.extra,
                "model": self.model, "max_tokens": max_new_tokens, "temperature": temperature, "seed": seed}
        if len(conversations) <= 1:
            return [self._one({**body, "messages": c}) for c in conversations]
        with ThreadPoolExecutor(max_workers=min(self.options.concurrency, len(conversations))) as pool:
            return list(pool.map(lambda c: self._one({**body, "messages": c}), conversations))

    def close(self) -> None:
        self._client.close()

    # -- one request ----------------------------------------------------------------------------

    def _one(self, body: dict[str, Any]) -> Generation:
        start = time.monotonic()
        try:
            answer = self._post(body)
            text = _content(answer, self._scrub)
        except _Failed as e:
            return Generation(None, error=str(e), seconds=time.monotonic() - start)
        usage = answer.get("usage") if isinstance(answer.get("usage"), dict) else {}
        return Generation(
            text,
            prompt_tokens=_count(usage.get("prompt_tokens")),
            completion_tokens=_count(usage.get("completion_tokens")),
            seconds=time.monotonic() - start,
        )

    def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        httpx, where = self._httpx, safe_url(self.options.api_base)
        for attempt in range(self.options.retries + 1):
            timeout = self._time_left()
            try:
                r = self._client.post("chat/completions", json=body, timeout=timeout)
            except httpx.TimeoutException:
                problem = f"no answer from {where} within {timeout:g} s"
                wait = None
            except httpx.TransportError as e:  # refused, reset, DNS: the server may be starting or restarting
                problem = f"cannot reach {where}: {self._scrub(first_line(e))}"
                wait = None
            else:
                if r.status_code == 200:
                    return self._json(r)
                problem = f"{where} answered {r.status_code} {r.reason_phrase}{self._detail(r)}"
                if r.status_code not in RETRY_STATUS:
                    raise _Failed(problem)
                wait = _retry_after(r.headers.get("retry-after"))
            if attempt == self.options.retries:
                break
            delay = min(BACKOFF_CAP, wait if wait is not None else BACKOFF * 2**attempt)
            if self._deadline is not None and time.monotonic() + delay >= self._deadline:
                break
            time.sleep(delay)
        tries = f" after {attempt + 1} tries" if attempt else ""
        raise _Failed(problem + tries)

    def _time_left(self) -> float:
        """This request's timeout: the per-request one, cut to what is left of the run's."""
        if self._deadline is None:
            return self.options.request_timeout
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise _Failed(f"the run's timeout of {self.options.run_timeout:g} s had passed before this article was sent")
        return min(self.options.request_timeout, left)

    def _json(self, r: Any) -> dict[str, Any]:
        try:
            answer = r.json()
        except (ValueError, UnicodeDecodeError):
            raise _Failed(f"{safe_url(self.options.api_base)} answered malformed JSON: "
                          f"{self._scrub(_excerpt(r.text))!r}") from None
        if not isinstance(answer, dict):
            raise _Failed(f"{safe_url(self.options.api_base)} answered JSON that is not an object")
        return answer

    def _detail(self, r: Any) -> str:
        """The server's own message, as OpenAI-style servers send it, short and scrubbed."""
        try:
            data = r.json()
            message = data.get("error", data) if isinstance(data, dict) else data
            if isinstance(message, dict):
                message = message.get("message") or message.get("detail") or json.dumps(message)
        except (ValueError, UnicodeDecodeError):
            message = r.text
        text = self._scrub(_excerpt(str(message)))
        return f": {text}" if text else ""

    def _scrub(self, text: str) -> str:
        """``text`` with the key (and its start, should a server cut it) replaced by ***."""
        if self._key:
            text = text.replace(self._key, "***")
            if len(self._key) >= 12:
                text = text.replace(self._key[:12], "***")
        return text


def _content(answer: dict[str, Any], scrub: Any) -> str:
    """The answer's text; an answer without one fails this article only."""
    try:
        text = answer["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        text = None
    if not isinstance(text, str):
        keys = ", ".join(sorted(map(str, answer))) or "nothing"
        raise _Failed(f"the answer has no choices[0].message.content (it has {scrub(_excerpt(keys))})")
    return text


def _count(value: Any) -> int:
    return value if isinstance(value, int) and value >= 0 else 0


def _retry_after(value: str | None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (its HTTP-date form is ignored)."""
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None
    return seconds if seconds is not None and seconds >= 0 else None


def _excerpt(text: str, limit: int = 160) -> str:
    one = " ".join(text.split())
    return one if len(one) <= limit else one[: limit - 1] + "…"


