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

and any conversation containing ``fail_on`` (when set) is answered 500.

The server records every request (time, mode, headers) and the most requests it ever had
open at once. ``answer`` turns a conversation into the model's text; by default it repeats
the last user message's first two sentences as bullets.
"""

from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable


def _default_answer(messages: list[dict[str, str]]) -> str:
    user = next((m["content"] for m in reversed(messages) if m.get("role") == "user"), "")
    sentences = re.findall(r"[A-Z][^.!?]*[.!?]", user)
    return "\n".join(f"- {s}" for s in sentences[-2:]) or "- Nothing."


class ChatServer:
    def __init__(self, answer: Callable[[list[dict[str, str]]], str] = _default_answer):
        self.answer = answer
        self.fail_on: str | None = None  # a conversation containing this text is answered 500
        self.requests: list[dict[str, Any]] = []  # mode, authorization, start, end, status
        self.open = 0
        self.max_open = 0
        self._lock = threading.Lock()
        self._seen: set[str] = set()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_POST(self) -> None:
                server._serve(self)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()

    def base(self, mode: str = "ok") -> str:
        return f"http://127.0.0.1:{self.port}/{mode}/v1"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self._seen.clear()
            self.open = self.max_open = 0

    def _serve(self, h: BaseHTTPRequestHandler) -> None:
        start, status, mode, auth = time.monotonic(), 0, "", ""
        with self._lock:
            self.open += 1
            self.max_open = max(self.max_open, self.open)
        try:
            mode = h.path.strip("/").split("/")[0]
            opts = dict(p.partition("=")[::2] for p in mode.split(","))
            body = json.loads(h.rfile.read(int(h.headers.get("Content-Length", 0))) or b"{}")
            auth = h.headers.get("Authorization", "")
            if "delay" in opts:
                time.sleep(float(opts["delay"]))
            key = json.dumps(body.get("messages"), sort_keys=True)
            with self._lock:
                first = key not in self._seen
                self._seen.add(key)
            status = int(opts.get("status") or 200)
            if self.fail_on is not None and self.fail_on in key:
                status = 500
            if "once" in opts and not first:
                status = 200
            if status != 200:
                payload = json.dumps({"error": {"message": f"refused request with header {auth!r}"}})
                reply = (status, payload, {"Retry-After": "0"} if status == 429 else {})
            elif "badjson" in opts:
                reply = (200, '{"choices": [{"message": ', {})
            elif "nochoices" in opts:
                reply = (200, json.dumps({"object": "chat.completion"}), {})
            else:
                text = self.answer(body.get("messages") or [])
                answer = {
                    "object": "chat.completion",
                    "model": body.get("model"),
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 11, "completion_tokens": len(text.split()), "total_tokens": 0},
                }
                reply = (200, json.dumps(answer), {})
        finally:
            with self._lock:
                self.open -= 1
                self.requests.append({"mode": mode, "authorization": auth, "start": start, "end": time.monotonic(),
                                      "status": status, "fields": sorted(body)})
        # recorded before it is answered: a client that has its answer finds its request in the record
        self._send(h, *reply)

    @staticmethod
    def _send(h: BaseHTTPRequestHandler, status: int, payload: str, headers: dict[str, str] | None = None) -> None:
        data = payload.encode()
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
