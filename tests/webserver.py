"""A local HTTP server for web-page tests: each path answers as its route says.

Routes are functions of the request handler; ``send`` writes a whole answer. The pages'
wording is ours (never the shared data's). Nothing here reaches the network.
"""

from __future__ import annotations

import gzip
import threading
import time
from contextlib import contextmanager
from typing import Callable, Iterator

Route = Callable[["object"], None]


def send(h, body: bytes | str, ctype: str = "text/html; charset=utf-8", code: int = 200,
         headers: dict[str, str] | None = None) -> None:
    data = body.encode("utf-8") if isinstance(body, str) else body
    h.send_response(code)
    if ctype:
        h.send_header("Content-Type", ctype)
    h.send_header("Content-Length", str(len(data)))
    for k, v in (headers or {}).items():
        h.send_header(k, v)
    h.end_headers()
    h.wfile.write(data)


def redirect(to: str, code: int = 302) -> Route:
    def route(h) -> None:
        h.send_response(code)
        h.send_header("Location", to)
        h.send_header("Content-Length", "0")
        h.end_headers()
    return route


def trickle(body: bytes, every: float = 0.05, headers_too: bool = False) -> Route:
    """Answers a byte at a time, ``every`` seconds apart (the headers too, if asked)."""
    def route(h) -> None:
        head = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                b"Content-Length: %d\r\n\r\n" % len(body))
        h.close_connection = True
        if not headers_too:
            h.wfile.write(head)
            h.wfile.flush()
            head = b""
        for b in head + body:
            h.wfile.write(bytes([b]))
            h.wfile.flush()
            time.sleep(every)
    return route


def endless(chunk: bytes = b"<p>" + b"x" * 4093, counter: list[int] | None = None) -> Route:
    """An answer without Content-Length that never ends; ``counter`` counts the bytes sent."""
    def route(h) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.end_headers()
        h.close_connection = True
        for _ in range(100_000):
            h.wfile.write(chunk)
            if counter is not None:
                counter[0] += len(chunk)
    return route


def gzipped(body: str) -> Route:
    def route(h) -> None:
        send(h, gzip.compress(body.encode("utf-8")), headers={"Content-Encoding": "gzip"})
    return route


@contextmanager
def serve(routes: dict[str, Route]) -> Iterator[str]:
    """A server on 127.0.0.1 for the duration of the block; yields its base URL."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # keep the test output clean
            pass

        def do_GET(self):
            route = routes.get(self.path.split("?")[0])
            try:
                if route is None:
                    send(self, "<html><body>Not found</body></html>", code=404)
                else:
                    route(self)
            except (BrokenPipeError, ConnectionResetError, OSError):  # the client gave up (a timeout test)
                self.close_connection = True

    class Server(ThreadingHTTPServer):
        def handle_error(self, request, client_address):  # a client that hung up: nothing to report
            pass

    server = Server(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


# -- pages of our own wording ------------------------------------------------------------

# The story's sentences: every key point must be one of these (or part of one).
STORY = [
    "The Port Ellis council voted on Tuesday to replace the city's six diesel ferries with electric boats by 2030.",
    "The plan costs $84.5 million, and most of it comes from a state clean-transport grant awarded in January.",
    "Mayor Dana Ruiz said fares would stay at $2.50 a ride for at least five more years.",
    "Fishing crews say the charging stations planned for the east pier will take space they use to unload.",
    "The first two boats are due in 2027, and each will carry 150 passengers across the bay.",
    "Each boat recharges in 12 minutes at the dock, according to the builder, Northway Marine of Tacoma.",
    "The city expects to cut its fuel bill by about $1.2 million a year once the fleet is electric.",
    "Officials said they would hold public meetings on the pier design in the spring.",
]
# Furniture on the same page: none of it may reach a key point.
FURNITURE = [
    "By Jane Doe, Staff Writer",
    "Published March 5, 2024 at 10:00 a.m. ET",
    "The new ferry docks at the east pier on Monday",
    "A deckhand ties up the ferry at dawn (AP Photo/Sam Lee)",
    "Related: Ferry fares frozen for a fifth year",
    "Read more: How electric boats work",
    "Sign up for our newsletter to get the day's top stories in your inbox.",
    "Share this article on Facebook, Twitter or by email.",
    "Photo credit: Sam Lee / Port Ellis Gazette",
    "Bridge repair delayed again after the winter storms",
    "School board picks a new head for the district",
    "Copyright 2024 Port Ellis Gazette. All rights reserved.",
]
FURNITURE_HTML = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Council backs electric ferries | Port Ellis Gazette</title>
<meta name="author" content="Jane Doe"><meta property="article:published_time" content="2024-03-05T10:00:00Z">
<link rel="canonical" href="https://gazette.example/news/electric-ferries"></head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li></ul></nav>
<article><h1>Council backs electric ferries</h1>
<p>{FURNITURE[0]}</p>
<p>{FURNITURE[1]}</p>
<figure><img src="/a.jpg" alt="The ferry at the pier"><figcaption>{FURNITURE[2]}</figcaption></figure>
<p>{STORY[0]} {STORY[1]}</p>
<figure><img src="/b.jpg" alt="A deckhand"><p>{FURNITURE[3]}</p></figure>
<p>{STORY[2]}</p>
<p>Related: <a href="/x">Ferry fares frozen for a fifth year</a></p>
<p>{STORY[3]} {STORY[4]}</p>
<p><a href="/a">Ferries</a> <a href="/b">Council</a> <a href="/c">Budget</a> <a href="/d">Harbor</a></p>
<p>Read more: <a href="/y">How electric boats work</a></p>
<p><img src="/c.jpg" alt="Mayor Ruiz">{FURNITURE[2]}</p>
<p>{STORY[5]}</p>
<p>{FURNITURE[6]}</p>
<p>{FURNITURE[7]}</p>
<p>{STORY[6]} {STORY[7]}</p>
<p>{FURNITURE[8]}</p>
<p>{FURNITURE[11]}</p>
</article>
<aside><h3>More stories</h3><ul><li><a href="/1">{FURNITURE[9]}</a></li><li><a href="/2">{FURNITURE[10]}</a></li></ul></aside>
<footer>{FURNITURE[11]}</footer></body></html>"""

NAV_HTML = """<!doctype html><html><head><meta charset="utf-8"><title>Sections | Port Ellis Gazette</title></head>
<body><main><h1>All sections</h1>
<p>Find every section of the Gazette below.</p>
<ul>""" + "".join(
    f'<li><a href="/s{i}">{name} news and stories from around the harbor</a></li>'
    for i, name in enumerate("Local Business Sport Weather Schools Ferries Opinion Food Arts Letters Jobs Homes".split())
) + """</ul>
<ul>""" + "".join(f'<li><a href="/t{i}">Timetable for route {i}, weekdays and weekends</a></li>' for i in range(12)) + """</ul>
</main></body></html>"""

SHORT_HTML = """<!doctype html><html><head><meta charset="utf-8"><title>Service notice</title></head>
<body><main><h1>Service notice</h1><p>The east pier ferry office is closed on Monday for repairs.
Tickets are sold on board until it opens again.</p></main></body></html>"""

FRENCH_STORY = [
    "Le conseil municipal de Port Ellis a voté mardi le remplacement de ses six ferries diesel par des bateaux électriques.",
    "Le projet coûte 84,5 millions de dollars, financés pour l'essentiel par une subvention de l'État.",
    "La maire Dana Ruiz a promis que le prix du billet resterait à 2,50 dollars pendant cinq ans.",
    "Les pêcheurs craignent que les bornes de recharge prennent la place dont ils ont besoin sur le quai est.",
    "Les deux premiers bateaux arriveront en 2027 et transporteront chacun 150 passagers.",
    "La ville espère réduire sa facture de carburant d'environ 1,2 million de dollars par an.",
]
FRENCH_HTML = f"""<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Des ferries électriques à Port Ellis</title></head>
<body><article><h1>Des ferries électriques à Port Ellis</h1>
<p>{FRENCH_STORY[0]} {FRENCH_STORY[1]}</p><p>{FRENCH_STORY[2]}</p><p>{FRENCH_STORY[3]}</p>
<p>{FRENCH_STORY[4]} {FRENCH_STORY[5]}</p></article></body></html>"""


def article_html(charset_meta: str | None = None, text: str = "") -> str:
    """A plain story page; ``charset_meta`` adds a ``<meta charset>``, ``text`` one more paragraph."""
    meta = f'<meta charset="{charset_meta}">' if charset_meta else ""
    paras = "".join(f"<p>{s}</p>" for s in STORY) + (f"<p>{text}</p>" if text else "")
    return f"<!doctype html><html><head>{meta}<title>Electric ferries</title></head><body><article>{paras}</article></body></html>"
