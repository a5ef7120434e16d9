"""The ``openai`` runtime: any OpenAI-compatible chat-completions server, through httpx.

``--model openai:MODEL --api-base URL`` sends each conversation as one
``POST {URL}/chat/completions`` request (llama.cpp's server, vLLM, Ollama, TGI, LM Studio,
or a fleet behind one URL). What it promises:

* at most ``concurrency`` requests open at once (a thread pool of that size over one
  connection pool of that size);
* 429 and 5xx answers, and connection failures, retried ``retries`` times with exponential
  backoff (a ``Retry-After`` the server sends is honoured, within bounds);
* ``request_timeout`` bounds a whole request (connecting, sending, the answer's last byte),
  ``run_timeout`` the whole run from its first request: a server that trickles its answer is
  cut when the time is up (``http_transport``), and an article not answered in time fails alone;
* an answer is read up to ``max_answer_bytes`` after decompression, and no further;
* a failed article is one :class:`Generation` with a one-line ``error``; the others complete;
* the API key comes from ``OPENAI_API_KEY`` only, is checked before anything is sent (a key an
  HTTP header cannot carry is refused in one line that does not show it), is sent in the
  ``Authorization`` header and nowhere else: it is never in ``describe()`` (the recorded
  settings), any text a server sends back is scrubbed of it, in every form, before it reaches
  an error message, and it goes to URLs under ``api_base`` only: the server's own endpoints at
  its root (``/props``, ``/tokenize``) are asked without it.

Long articles are chunked as on the other runtimes, which needs the server's context and a
token count: the context comes from ``-o context_tokens=N``, else
from the server where it says (llama.cpp's ``GET /props``, vLLM's ``GET /v1/models``);
tokens are counted by the server's tokenizer where it offers one (``POST /tokenize`` on
llama.cpp and vLLM, ``POST /extras/tokenize/count`` on llama-cpp-python's server), one
request per distinct sentence, cached; else by a stated, conservative estimate
(``openai_tokens``). ``describe()`` records which.

The requests themselves (retries, backoff, one line for each failure) are ``openai_client``'s;
what each goes through (the deadline, the cap, the key's checks and scrub) is ``http_transport``'s.
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

from ....errors import ModelError, UsageError
from . import Generation, Message
from .http_transport import MAX_ANSWER_BYTES, Failed, check_base, check_key, excerpt, safe_url, server_root
from .openai_client import ApiClient
from .openai_tokens import (CACHE_LIMIT, CONTEXT_FIELDS, ESTIMATE_BYTES, SEGMENT_WORDS, TEMPLATE_PER_CONVERSATION,
                            TEMPLATE_PER_MESSAGE, TOKENIZERS, count_keys, estimate_tokens)

__all__ = ["ApiOptions", "OpenAIRuntime", "ServerFacts", "from_settings", "extra_fields", "model_name", "safe_url",
           "server_root", "count_keys", "estimate_tokens", "api_key", "ESTIMATE_BYTES", "SEGMENT_WORDS",
           "TEMPLATE_PER_CONVERSATION", "TEMPLATE_PER_MESSAGE", "TOKENIZERS", "MAX_ANSWER_BYTES",
           "check_base"]

API_KEY_ENV = "OPENAI_API_KEY"
PREFIX = "openai:"
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
    context_tokens: int | None = None  # the server's context, given; None: asked of the server

    max_answer_bytes: int = MAX_ANSWER_BYTES  # an answer's bytes after decompression; more is refused

    def __post_init__(self) -> None:
        check_base(self.api_base)
        if self.concurrency < 1:
            raise UsageError(f"--concurrency {self.concurrency}: give 1 or more requests at once")
        if self.request_timeout <= 0 or (self.run_timeout is not None and self.run_timeout <= 0):
            raise UsageError("timeouts must be positive seconds")
        if self.retries < 0:
            raise UsageError(f"retries={self.retries}: give 0 or more")
        if self.context_tokens is not None and self.context_tokens < 1:
            raise UsageError(f"context_tokens={self.context_tokens}: give the server's context in tokens")
        if self.max_answer_bytes < 1024:
            raise UsageError(f"max_answer_bytes={self.max_answer_bytes}: give at least 1024 bytes")


def api_key() -> str | None:
    """The key in ``OPENAI_API_KEY`` (None when unset or empty), refused in one line that does
    not show it when an HTTP header cannot carry it."""
    key = os.environ.get(API_KEY_ENV) or None
    if key is not None:
        check_key(key, API_KEY_ENV)
    return key


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
    concurrency, request_timeout, run_timeout, retries, api_extra, context_tokens."""
    if not settings.api_base:
        raise UsageError(
            f"--model {settings.checkpoint} needs the server's URL: --api-base URL (e.g. http://127.0.0.1:8080/v1)"
        )
    options = ApiOptions(settings.api_base, settings.concurrency, settings.request_timeout,
                         settings.run_timeout, settings.retries, extra_fields(settings.api_extra),
                         getattr(settings, "context_tokens", None),
                         getattr(settings, "max_answer_bytes", MAX_ANSWER_BYTES))
    return OpenAIRuntime(settings.checkpoint, options)


@dataclass(frozen=True)
class ServerFacts:
    """What the runtime learned of its server, once per runtime."""

    context: int | None  # tokens a request's prompt and answer share; None: unknown, articles go whole
    context_source: str  # "setting context_tokens", "/props ...", "/v1/models ...", or "unknown"
    server_context: int | None  # what the server said, whether or not the setting overrides it
    tokenizer: str | None  # the server's tokenize endpoint in use ("llama.cpp", ...); None: the estimate
    notes: tuple[str, ...] = ()  # what was asked and not answered, one line each


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
        self._key = api_key()  # checked before anything is sent
        self._api = ApiClient(httpx, options, self._key)
        self._httpx = httpx
        self._learn_lock = threading.Lock()
        self._facts: ServerFacts | None = None
        self._counts: dict[str, int] = {}  # tokens of a text segment, by the server's tokenizer
        self._templates: dict[tuple[str, ...], int] = {}  # a chat template's own tokens, by the messages' roles
        self._template_source = f"fixed: {TEMPLATE_PER_MESSAGE} a message + {TEMPLATE_PER_CONVERSATION}"
        self._fallback: str | None = None  # why counting moved from the server's tokenizer to the estimate
        self.requests = self._api.requests  # requests sent, by endpoint: what counting costs a server
        self._call, self._url, self._scrub, self._start_clock = (self._api.call, self._api.url, self._api.scrub,
                                                                 self._api.start_clock)

    # -- the protocol ---------------------------------------------------------------------------

    @property
    def context_length(self) -> int | None:
        """The server's context in tokens (``context_tokens`` when given); None when unknown."""
        return self.facts().context

    def count_tokens(self, messages: list[Message]) -> int:
        """Tokens of ``messages`` as the server will read them: the chat template's own tokens and each
        message's text, counted by the server's tokenizer segment by segment (:func:`count_keys`), each
        distinct segment once; or :func:`estimate_tokens` when the server offers no tokenizer."""
        tokenizer = self.facts().tokenizer
        if tokenizer is not None and self._fallback is None:
            self._start_clock()
            try:
                roles = tuple(m.get("role", "") for m in messages)
                return self._template_tokens(tokenizer, roles) + sum(
                    self._text_tokens(tokenizer, m.get("content", "")) for m in messages)
            except Failed as e:  # the server stopped answering: the estimate, said in describe()
                self._fallback = e.brief
        return estimate_tokens(messages)

    def describe(self) -> dict[str, Any]:
        o, facts = self.options, self.facts()
        if facts.tokenizer is None or self._fallback is not None:
            count = "estimate"
            rule = (f"a token per {ESTIMATE_BYTES} UTF-8 bytes, {TEMPLATE_PER_MESSAGE} a message, "
                    f"{TEMPLATE_PER_CONVERSATION} a conversation")
        else:
            count = f"server {TOKENIZERS[facts.tokenizer][0]} ({facts.tokenizer})"
            rule = f"each distinct sentence counted once; template: {self._template_source}"
        out = {
            "runtime": self.name,
            "model": self.model,
            "api_base": safe_url(o.api_base),
            "api_key": "from OPENAI_API_KEY" if self._key else "none",  # whether one was sent, never its value
            "concurrency": o.concurrency,
            "request_timeout": o.request_timeout,
            "run_timeout": o.run_timeout,
            "retries": o.retries,
            "max_answer_bytes": o.max_answer_bytes,
            "api_extra": o.extra,
            "context_length": facts.context,
            "context_source": facts.context_source,
            "server_context": facts.server_context,
            "token_count": count,
            "token_count_rule": rule,
            "httpx": self._httpx.__version__,
        }
        notes = list(facts.notes) + ([f"counting fell back to the estimate: {self._fallback}"] if self._fallback else [])
        if notes:
            out["server_notes"] = notes
        return out

    def chat(
        self, conversations: Sequence[list[Message]], *, max_new_tokens: int, temperature: float, seed: int
    ) -> list[Generation]:
        """One answer per conversation; requests run ``concurrency`` at a time, in order of submission."""
        self._start_clock()
        body = {**self.options.extra,
                "model": self.model, "max_tokens": max_new_tokens, "temperature": temperature, "seed": seed}
        if len(conversations) <= 1:
            return [self._one({**body, "messages": c}) for c in conversations]
        with ThreadPoolExecutor(max_workers=min(self.options.concurrency, len(conversations))) as pool:
            return list(pool.map(lambda c: self._one({**body, "messages": c}), conversations))

    def close(self) -> None:
        self._api.close()

    # -- what the server says of itself ---------------------------------------------------------

    def facts(self) -> ServerFacts:
        """The server's context and tokenizer, asked once (``/props``, ``/v1/models``, a tokenize probe)."""
        with self._learn_lock:
            if self._facts is None:
                self._facts = self._learn()
            return self._facts

    def _learn(self) -> ServerFacts:
        notes: list[str] = []
        server_context, source, kind = None, "unknown", None
        reachable = True
        try:  # llama.cpp's server: the context of one slot (--ctx-size / --parallel)
            props = self._call("GET", "props", keyed=False, patient=False)
            n = _positive(_field(props, "default_generation_settings", "n_ctx"))
            if n:
                server_context, source, kind = n, "/props default_generation_settings.n_ctx", "llama.cpp"
            else:
                notes.append(f"{self._url('props', False)} has no default_generation_settings.n_ctx")
        except Failed as e:
            notes.append(e.brief)
            reachable = not e.unreachable
        if server_context is None and reachable:
            try:  # vLLM: max_model_len; llama.cpp (when /props is closed to a keyless request): meta.n_ctx_train
                entry = _model_entry(self._call("GET", "models", patient=False), self.model)
                for name in CONTEXT_FIELDS:
                    if _positive(entry.get(name)):
                        server_context, source = entry[name], f"/v1/models {name}"
                        break
                else:
                    if _positive(_field(entry, "meta", "n_ctx_train")):
                        server_context = entry["meta"]["n_ctx_train"]
                        source = "/v1/models meta.n_ctx_train (the model's training context: the server may run less)"
                if "max_model_len" in entry:
                    kind = "vllm"
                if server_context is None:
                    notes.append(f"{self._url('models', True)} names no context for {self.model!r}")
            except Failed as e:
                notes.append(e.brief)
                reachable = not e.unreachable
        tokenizer = None
        if reachable:  # the detected server's tokenizer first, then the others
            absent: set[str] = set()  # paths the server does not have
            for name in sorted(TOKENIZERS, key=lambda k: k != kind):
                if TOKENIZERS[name][0] in absent:
                    continue
                try:
                    if self._tokenize(name, "Hello, world.", patient=False) > 0:
                        tokenizer = name
                        break
                except Failed as e:
                    if e.unreachable:
                        break
                    if e.status in (404, 405):
                        absent.add(TOKENIZERS[name][0])
            if tokenizer is None:
                notes.append("no tokenize endpoint answered (" + ", ".join(
                    dict.fromkeys(self._url(p, False) for p, _ in TOKENIZERS.values())) + ")")
        context = self.options.context_tokens or server_context
        if self.options.context_tokens:
            source = "setting context_tokens"
        elif server_context is None:
            source = "unknown: give -o context_tokens=N for long articles to be chunked"
        return ServerFacts(context, source, server_context, tokenizer, tuple(excerpt(n) for n in notes))

    # -- counting -------------------------------------------------------------------------------

    def _tokenize(self, tokenizer: str, text: str, *, patient: bool = True) -> int:
        path, body = TOKENIZERS[tokenizer]
        answer = self._call("POST", path, body(self.model, text), keyed=False, patient=patient)
        return _token_count(answer, self._url(path, False))

    def _text_tokens(self, tokenizer: str, text: str) -> int:
        keys = count_keys(text)
        todo = [k for k in dict.fromkeys(keys) if k not in self._counts]
        if todo:
            if len(self._counts) + len(todo) > CACHE_LIMIT:
                self._counts.clear()
            workers = min(self.options.concurrency, len(todo))
            if workers == 1:
                counted = [self._tokenize(tokenizer, k) for k in todo]
            else:
                with ThreadPoolExecutor(max_workers=workers) as pool:
                    counted = list(pool.map(lambda k: self._tokenize(tokenizer, k), todo))
            self._counts.update(zip(todo, counted))
        return sum(self._counts[k] for k in keys)

    def _template_tokens(self, tokenizer: str, roles: tuple[str, ...]) -> int:
        """The chat template's own tokens for messages of these roles: rendered by the server where it
        can (llama.cpp's ``/apply-template``, vLLM's ``/tokenize`` of messages), else the fixed allowance."""
        if roles not in self._templates:
            empty = [{"role": r, "content": ""} for r in roles]
            count = None
            try:
                if tokenizer == "llama.cpp":
                    prompt = self._call("POST", "apply-template", {"messages": empty}, keyed=False).get("prompt")
                    if isinstance(prompt, str):
                        count = _token_count(self._call("POST", "tokenize", {
                            "content": prompt, "add_special": True, "parse_special": True}, keyed=False), "tokenize")
                        self._template_source = "server /apply-template"
                elif tokenizer == "vllm":
                    count = _token_count(self._call("POST", "tokenize", {
                        "model": self.model, "messages": empty, "add_generation_prompt": True}, keyed=False), "tokenize")
                    self._template_source = "server /tokenize of the messages"
            except Failed:
                count = None
            if count is None:
                count = TEMPLATE_PER_CONVERSATION + TEMPLATE_PER_MESSAGE * len(roles)
            self._templates[roles] = count
        return self._templates[roles]

    # -- one request ----------------------------------------------------------------------------

    def _one(self, body: dict[str, Any]) -> Generation:
        start = time.monotonic()
        try:
            answer = self._call("POST", "chat/completions", body)
            text = _content(answer, self._scrub)
        except Failed as e:
            error = str(e)
            if "context" in error.lower() and self.facts().context is None:
                error += " (the server does not say its context: give -o context_tokens=N to chunk long articles)"
            return Generation(None, error=error, seconds=time.monotonic() - start)
        usage = answer.get("usage") if isinstance(answer.get("usage"), dict) else {}
        return Generation(
            text,
            prompt_tokens=_count(usage.get("prompt_tokens")),
            completion_tokens=_count(usage.get("completion_tokens")),
            seconds=time.monotonic() - start,
            reasoning=_reasoning(answer),
        )


def _field(data: Any, *path: str) -> Any:
    for key in path:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def _positive(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _model_entry(models: dict[str, Any], model: str) -> dict[str, Any]:
    """The ``/v1/models`` entry of ``model``, or the only entry (a one-model server serves it under
    any name: llama.cpp's id is its file path), else ``{}``."""
    entries = [e for e in models.get("data") or [] if isinstance(e, dict)]
    named = [e for e in entries if e.get("id") == model]
    return named[0] if named else entries[0] if len(entries) == 1 else {}


def _token_count(answer: dict[str, Any], where: str) -> int:
    """Tokens in a tokenize answer: its ``count`` (vLLM, llama-cpp-python) or its ``tokens`` (llama.cpp)."""
    count = answer.get("count")
    if isinstance(count, int) and not isinstance(count, bool) and count >= 0:
        return count
    tokens = answer.get("tokens")
    if isinstance(tokens, list):
        return len(tokens)
    raise Failed(f"{where} answered no count and no tokens")


def _reasoning(answer: dict[str, Any]) -> str:
    """Thinking a server sends apart from the answer (vLLM's and DeepSeek's ``reasoning_content``,
    Ollama's and others' ``reasoning``); '' when there is none."""
    try:
        message = answer["choices"][0]["message"]
    except (KeyError, IndexError, TypeError):
        return ""
    if not isinstance(message, dict):
        return ""
    value = message.get("reasoning_content") or message.get("reasoning")
    return value if isinstance(value, str) else ""


def _content(answer: dict[str, Any], scrub: Any) -> str:
    """The answer's text; an answer without one fails this article only (one that only thought,
    its content null, is an empty answer: the backend says the budget went on thinking)."""
    try:
        text = answer["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        text = None
    if text is None and _reasoning(answer):
        text = ""
    if not isinstance(text, str):
        keys = ", ".join(sorted(map(str, answer))) or "nothing"
        raise Failed(f"the answer has no choices[0].message.content (it has {scrub(excerpt(keys))})")
    return text


def _count(value: Any) -> int:
    return value if isinstance(value, int) and value >= 0 else 0
