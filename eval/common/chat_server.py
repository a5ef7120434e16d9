"""A loopback OpenAI-compatible chat server for the HTTP runtime's tests and
``eval/bench/llm_runtimes.py``: real sockets, real HTTP, requests served in parallel (one
thread each), faults chosen by the URL path.

``http://127.0.0.1:PORT/MODE/v1`` is an API base; MODE is a comma-separated list of

* ``ok``: answer at once;
* ``delay=S``: take S seconds before answering;
* ``status=N``: answer status N (with an error body that echoes the Authorization header,
  as a careless proxy might); with ``once``, only the first request of each conversation;
* ``badjson``: answer 200 with a body that is not JSON;
* ``nochoices``: answer 200 with JSON that has no choices;
* ``bomb=MB``: answer 200 with a gzip body of about MB/1,000 bytes that inflates to MB megabytes
  (a JSON answer whose one key point is that long);
* ``endless``: answer 200 without a length, 1 KB every ``every`` seconds (default 0.01), until the
  client goes away; ``endless,every=0`` as fast as the socket takes it;
* ``trickle=S``: a well-formed answer, one byte every S seconds (with ``headers``, its status line
  and headers too);
* ``char=NAME``: the answer's key points hold a ``surrogate`` (``\ud800``), a ``nul``, a ``bidi``
  override (U+202E) or an ``esc`` (U+001B);
* ``echo``: answer 401 with a body that echoes the Authorization header's key in several forms
  (as sent, percent-encoded, in upper case, in a URL's user part and query), as a careless
  proxy might;

and any conversation containing ``fail_on`` (when set) is answered 500.

What the server says of itself, as the servers the runtime meets do (at the API base's root,
``http://127.0.0.1:PORT/MODE/``); without these modes those endpoints answer 404:

* ``ctx=N``: llama.cpp's server: ``GET /props`` says ``default_generation_settings.n_ctx`` N;
* ``props=bad`` (n_ctx not a number) or ``props=broken`` (not JSON): a /props that says nothing usable;
* ``tokenize``: llama.cpp's ``POST /tokenize`` (``content``) and ``POST /apply-template``;
* ``vllm=N``: vLLM: ``GET /v1/models`` gives ``max_model_len`` N and ``POST /tokenize`` takes a
  ``prompt`` or ``messages``;
* ``extras``: llama-cpp-python's server: ``POST /extras/tokenize/count``;
* ``limit=N``: a context of N that the server does not say (llama-cpp-python's server);

and an endpoint named in ``refuse`` answers 503.

With a context (``ctx``, ``vllm`` or ``limit``), a chat whose prompt and ``max_tokens``
exceed it is answered 400, as llama.cpp's server answers. The server's tokenizer is a word
and punctuation splitter (:func:`tokens`); its chat template is ChatML's (:func:`render`).

The server records every chat request (time, mode, headers, the prompt's tokens), every other
request by endpoint (``calls``, with the Authorization headers they carried in ``call_auth``),
and the most chat requests it ever had open at once. ``answer`` turns a conversation into the
model's text; by default it repeats the last user message's first two sentences as bullets.
"""

from __future__ import annotations

import json
import re
import sys
import threading
import time
import zlib
from urllib.parse import quote
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable


def _default_answer(messages: list[dict[str, str]]) -> str:
    user = next((m["content"] for m in reversed(messages) if m.get("role") == "user"), "")
    sentences = re.findall(r"[A-Z][^.!?]*[.!?]", user)
    return "\n".join(f"- {s}" for s in sentences[-2:]) or "- Nothing."


def tokens(text: str) -> list[str]:
    """The scripted server's tokenizer: words and single punctuation marks (whitespace is free)."""
    return re.findall(r"\w+|[^\w\s]", text)


def render(messages: list[dict[str, str]]) -> str:
    """The conversation as a ChatML prompt, the assistant's turn opened."""
    turns = "".join(f"<|im_start|>{m.get('role', '')}\n{m.get('content', '')}<|im_end|>\n" for m in messages)
    return turns + "<|im_start|>assistant\n"


class ChatServer:
    def __init__(self, answer: Callable[[list[dict[str, str]]], str] = _default_answer):
        self.answer = answer
        self.fail_on: str | None = None  # a conversation containing this text is answered 500
        self.requests: list[dict[str, Any]] = []  # chat requests: mode, authorization, start, end, status, prompt_tokens
        self.calls: Counter[str] = Counter()  # other requests, by endpoint ("props", "tokenize", ...)
        self.call_auth: dict[str, set[str]] = {}  # the Authorization headers those carried, by endpoint
        self.refuse: set[str] = set()  # endpoints (other than chat) answered 503, as by a server going down
        self.open = 0
        self.max_open = 0
        self._lock = threading.Lock()
        self._seen: set[str] = set()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # headers and body go out in two writes: with Nagle's algorithm the body waits for the
            # client's delayed ACK (40 ms a request on loopback)
            disable_nagle_algorithm = True

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_POST(self) -> None:
                server._route(self, "POST")

            def do_GET(self) -> None:
                server._route(self, "GET")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        quiet = self.httpd.handle_error

        def handle_error(request: Any, address: Any) -> None:  # a client that gave up is no error of the server
            if not isinstance(sys.exc_info()[1], OSError):
                quiet(request, address)

        self.httpd.handle_error = handle_error  # type: ignore[method-assign]
        self.port = self.httpd.server_address[1]
        # a short poll: close() (shutdown) waits for one, and the tests start a server each
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def base(self, mode: str = "ok") -> str:
        return f"http://127.0.0.1:{self.port}/{mode}/v1"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self.calls.clear()
            self.call_auth.clear()
            self.refuse.clear()
            self._seen.clear()
            self.open = self.max_open = 0

    def _route(self, h: BaseHTTPRequestHandler, method: str) -> None:
        mode, _, endpoint = h.path.strip("/").partition("/")
        if (method, endpoint) == ("POST", "v1/chat/completions"):
            return self._serve(h)
        opts = _options(mode)
        body = json.loads(h.rfile.read(int(h.headers.get("Content-Length", 0))) or b"{}") if method == "POST" else {}
        with self._lock:
            self.calls[endpoint] += 1
            self.call_auth.setdefault(endpoint, set()).add(h.headers.get("Authorization", ""))
        reply: Any = None
        if endpoint in self.refuse:
            return self._send(h, 503, json.dumps({"error": {"message": "unavailable"}}))
        if (method, endpoint) == ("GET", "props"):
            if opts.get("props") == "broken":
                return self._send(h, 200, '{"default_generation_settings": ')
            if opts.get("props") == "bad":
                reply = {"default_generation_settings": {"n_ctx": "big"}}
            elif "ctx" in opts:
                reply = {"default_generation_settings": {"n_ctx": int(opts["ctx"])}, "total_slots": 1}
        elif (method, endpoint) == ("GET", "v1/models"):
            entry: dict[str, Any] = {"id": "served-model", "object": "model", "owned_by": "me"}
            if "vllm" in opts:
                entry.update(owned_by="vllm", max_model_len=int(opts["vllm"]))
            reply = {"object": "list", "data": [entry]}
        elif (method, endpoint) == ("POST", "tokenize") and "tokenize" in opts:
            reply = {"tokens": list(range(len(tokens(str(body.get("content", ""))))))}
        elif (method, endpoint) == ("POST", "apply-template") and "tokenize" in opts:
            reply = {"prompt": render(body.get("messages") or [])}
        elif (method, endpoint) == ("POST", "tokenize") and "vllm" in opts:
            text = render(body["messages"]) if "messages" in body else body.get("prompt")
            if not isinstance(text, str):
                return self._send(h, 400, json.dumps({"error": {"message": "give a prompt or messages"}}))
            reply = {"count": len(tokens(text)), "max_model_len": int(opts["vllm"]), "tokens": []}
        elif (method, endpoint) == ("POST", "extras/tokenize/count") and "extras" in opts:
            reply = {"count": len(tokens(str(body.get("input", ""))))}
        if reply is None:
            return self._send(h, 404, json.dumps({"error": {"message": f"no {method} {endpoint}"}}))
        return self._send(h, 200, json.dumps(reply))

    def _serve(self, h: BaseHTTPRequestHandler) -> None:
        start, status, mode, auth, prompt = time.monotonic(), 0, "", "", 0
        with self._lock:
            self.open += 1
            self.max_open = max(self.max_open, self.open)
        try:
            mode = h.path.strip("/").split("/")[0]
            opts = _options(mode)
            body = json.loads(h.rfile.read(int(h.headers.get("Content-Length", 0))) or b"{}")
            prompt = len(tokens(render(body.get("messages") or [])))
            context = next((int(opts[k]) for k in ("ctx", "vllm", "limit") if k in opts), None)
            auth = h.headers.get("Authorization", "")
            if "delay" in opts:
                time.sleep(float(opts["delay"]))
            if "bomb" in opts:
                return self._send_raw(h, 200, _bomb(int(opts["bomb"])), {"Content-Encoding": "gzip"})
            if "endless" in opts:
                return _endless(h, float(opts.get("every") or 0.01))
            key = json.dumps(body.get("messages"), sort_keys=True)
            with self._lock:
                first = key not in self._seen
                self._seen.add(key)
            status = int(opts.get("status") or 200)
            if self.fail_on is not None and self.fail_on in key:
                status = 500
            if "once" in opts and not first:
                status = 200
            if "echo" in opts:
                status = 401
            if status == 200 and context is not None and prompt + int(body.get("max_tokens") or 0) > context:
                status = 400
                payload = json.dumps({"error": {"message": f"the request ({prompt} tokens and max_tokens) exceeds the "
                                                           f"available context size ({context} tokens)"}})
                reply = (status, payload, {})
            elif "echo" in opts:
                key = auth.partition(" ")[2]
                payload = json.dumps({"error": {"message": (
                    f"upper: {key.upper()}; encoded: {quote(key, safe='')}; see http://user:{key}@proxy.example/v1?"
                    f"api_key={quote(key, safe='')}; invalid key {auth!r}"), "key": key}})
                reply = (status, payload, {})
            elif status != 200:
                payload = json.dumps({"error": {"message": f"refused request with header {auth!r}"}})
                reply = (status, payload, {"Retry-After": "0"} if status == 429 else {})
            elif "badjson" in opts:
                reply = (200, '{"choices": [{"message": ', {})
            elif "nochoices" in opts:
                reply = (200, json.dumps({"object": "chat.completion"}), {})
            else:
                text = self.answer(body.get("messages") or [])
                if "char" in opts:
                    char = {"surrogate": "\ud800", "nul": "\x00", "bidi": "\u202e", "esc": "\x1b"}[opts["char"]]
                    text = "\n".join(f"{line[:-1]}{char}{line[-1:]}" for line in text.split("\n"))
                answer = {
                    "object": "chat.completion",
                    "model": body.get("model"),
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 11, "completion_tokens": len(text.split()), "total_tokens": 0},
                }
                reply = (200, json.dumps(answer), {})
                if "trickle" in opts:
                    reply = (200, json.dumps(answer), {"X-Trickle": opts["trickle"],
                                                       "X-Trickle-Headers": "1" if "headers" in opts else ""})
        finally:
            with self._lock:
                self.open -= 1
                self.requests.append({"mode": mode, "authorization": auth, "start": start, "end": time.monotonic(),
                                      "status": status, "fields": sorted(body), "prompt_tokens": prompt})
        # recorded before it is answered: a client that has its answer finds its request in the record
        self._send(h, *reply)

    @staticmethod
    def _send(h: BaseHTTPRequestHandler, status: int, payload: str, headers: dict[str, str] | None = None) -> None:
        if headers and headers.get("X-Trickle"):
            return _trickle(h, status, payload.encode(), float(headers["X-Trickle"]), bool(headers["X-Trickle-Headers"]))
        ChatServer._send_raw(h, status, payload.encode(), headers)

    @staticmethod
    def _send_raw(h: BaseHTTPRequestHandler, status: int, data: bytes, headers: dict[str, str] | None = None) -> None:
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()
        try:
            h.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting (a timeout test)
            pass


def _options(mode: str) -> dict[str, str]:
    return dict(p.partition("=")[::2] for p in mode.split(","))


_BOMBS: dict[int, bytes] = {}


def _bomb(megabytes: int) -> bytes:
    """A gzip answer that inflates to ``megabytes`` MB: one key point of that many letters
    (compressed a megabyte at a time: building it costs the server little memory)."""
    if megabytes not in _BOMBS:
        z = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        head = b'{"choices": [{"message": {"role": "assistant", "content": "- '
        tail = b'"}}]}'
        parts = [z.compress(head)]
        left = megabytes * 1_000_000 - len(head) - len(tail)
        while left > 0:
            parts.append(z.compress(b"a" * min(left, 1_000_000)))
            left -= 1_000_000
        parts += [z.compress(tail), z.flush()]
        _BOMBS[megabytes] = b"".join(parts)
    return _BOMBS[megabytes]


def _endless(h: BaseHTTPRequestHandler, every: float) -> None:
    """200 and a body that never ends, 1 KB at a time, until the client goes away."""
    h.close_connection = True
    try:
        h.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n")
        h.wfile.write(b'{"choices": [{"message": {"content": "- ')
        while True:
            h.wfile.write(b"a" * 1024)
            h.wfile.flush()
            if every:
                time.sleep(every)
    except OSError:  # the client gave up
        pass


def _trickle(h: BaseHTTPRequestHandler, status: int, data: bytes, every: float, headers_too: bool) -> None:
    """A whole answer, one byte every ``every`` seconds (its status line and headers too, if asked)."""
    h.close_connection = True
    head = (f"HTTP/1.1 {status} OK\r\nContent-Type: application/json\r\nContent-Length: {len(data)}\r\n"
            "Connection: close\r\n\r\n").encode()
    try:
        if not headers_too:
            h.wfile.write(head)
            h.wfile.flush()
            head = b""
        for b in head + data:
            h.wfile.write(bytes([b]))
            h.wfile.flush()
            time.sleep(every)
    except OSError:
        pass
