"""Test helpers: paths, and generated articles of our own wording (never the shared data's text)."""

from __future__ import annotations

import random
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
DEV = DATA / "cnndm_dev_from_test.jsonl"
EXAMPLE = REPO / "examples" / "cnbc_article.txt"

_SUBJECTS = [
    "The city council", "A state senator", "The harbor authority", "Local farmers", "The school board",
    "Mr. Alvarez", "Gen. Okafor", "The U.S. Forest Service", "Two nurses", "The mayor's office",
]
_VERBS = [
    "approved", "questioned", "delayed", "announced", "rejected", "praised", "funded", "reviewed",
]
_OBJECTS = [
    "a plan to widen the coastal road", "new rules for street vendors", "the budget for the bridge repair",
    "a study of river pollution", "the sale of the old rail depot", "a pilot program for night buses",
]
_TAILS = [
    "on Jan. 5", "after a long debate", "at a cost of $1.5 million", "by a 6-3 vote", "late on Tuesday",
    "despite objections from residents", "for the third time this year", "with 43.3 percent support",
]


def make_article(n_bytes: int, seed: int = 0) -> str:
    """A plain-text article of about ``n_bytes`` (UTF-8), paragraphs of four to six sentences."""
    rng = random.Random(seed)
    paragraphs, size = [], 0
    while size < n_bytes:
        sents = [
            f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)} {rng.choice(_TAILS)}."
            for _ in range(rng.randint(4, 6))
        ]
        para = " ".join(sents)
        paragraphs.append(para)
        size += len(para) + 2
    return "\n\n".join(paragraphs)


# -- a local web server for URL inputs --------------------------------------------------

ARTICLE_HTML = """<!doctype html>
<html><head><meta charset="utf-8"><title>Millbrook opens its new library</title></head>
<body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article>
<h1>Millbrook opens its new library</h1>
<p>The town of Millbrook opened its new public library on Saturday, three years after the old one
flooded. About 400 residents came to the opening, and the line for library cards ran out the door.</p>
<p>The building cost $6.2 million, most of it from a state grant. It has a reading room for
children, a workshop with two 3-D printers and a cafe run by students from the high school.</p>
<p>Head librarian Maria Chen said the library would stay open until 9 p.m. on weekdays. "People
asked for evening hours more than anything else," she said.</p>
</article>
<footer>Copyright 2024 Millbrook Gazette</footer>
</body></html>
"""
# a page with nothing an extractor could call article text
EMPTY_HTML = "<!doctype html><html><head><title>App</title></head><body><div id='app'></div><script>var x = 1;</script></body></html>"
SLOW_SECONDS = 3.0  # the slow page answers after this; tests use a much shorter --timeout


def start_server():
    """A local HTTP server on 127.0.0.1 in a daemon thread: (server, base URL)."""
    import threading
    import time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # keep the test output clean
            pass

        def _send(self, code: int, body: str, ctype: str = "text/html; charset=utf-8") -> None:
            data = body.encode("utf-8")
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            try:
                if self.path == "/article":
                    self._send(200, ARTICLE_HTML)
                elif self.path == "/empty":
                    self._send(200, EMPTY_HTML)
                elif self.path == "/error":
                    self._send(500, "<html><body>Internal error</body></html>")
                elif self.path == "/slow":
                    time.sleep(SLOW_SECONDS)
                    self._send(200, ARTICLE_HTML)
                elif self.path == "/truncated":
                    self.send_response(200)
                    self.send_header("Content-Length", "5000")
                    self.end_headers()
                    self.wfile.write(ARTICLE_HTML[:300].encode())
                    self.close_connection = True
                else:
                    self._send(404, "<html><body>Not found</body></html>")
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test)
                pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def one_line(stderr: str, *fragments: str) -> str:
    """The error: one 'Error: ...' line, no traceback, with each fragment."""
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "Traceback" not in stderr, stderr[-3000:]
    for f in fragments:
        assert f in lines[0], lines[0]
    return lines[0]
