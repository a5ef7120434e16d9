"""The address policy a server's URL fetches use (``fetch(address_check=...)``): which
addresses are refused, that a name is judged by what it resolves to, that the connection
goes to the address that was vetted, and that without a check the command line fetches as
before. Only loopback is ever connected to; other addresses are refused before connecting."""

from __future__ import annotations

import ipaddress
import socket

import pytest

from summarizer.article import Limits
from summarizer.errors import FetchTimeoutError, InputError, NotAnArticleError, TooLargeError
from summarizer.inputs.fetch import fetch, private_address
from summarizer.read import Source, read_source
from webserver import SHORT_HTML, article_html, send, serve, trickle


@pytest.mark.parametrize("address, why", [
    ("127.0.0.1", "a loopback address"), ("127.8.9.10", "a loopback address"), ("::1", "a loopback address"),
    ("10.0.0.1", "a private address"), ("172.16.5.4", "a private address"), ("192.168.1.1", "a private address"),
    ("fd12:3456::1", "a private address"), ("::ffff:192.168.0.7", "a private address"),
    ("169.254.10.20", "a link-local address"), ("fe80::1", "a link-local address"),
    ("169.254.169.254", "a cloud metadata address"), ("fd00:ec2::254", "a cloud metadata address"),
    ("100.100.100.200", "a cloud metadata address"),
    ("0.0.0.0", "an unspecified address"), ("::", "an unspecified address"),
    ("224.0.0.1", "a multicast address"), ("100.64.0.1", "an address that is not public"),
    ("93.184.215.14", None), ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", None), ("1.1.1.1", None),
])
def test_private_address(address, why):
    assert private_address(ipaddress.ip_address(address)) == why


def _loopback_only(ip):
    return None if ip.is_loopback else private_address(ip)


@pytest.fixture(scope="module")
def site():
    routes = {"/plain": lambda h: send(h, article_html("utf-8")), "/short": lambda h: send(h, SHORT_HTML),
              "/host": lambda h: send(h, h.headers.get("Host", ""), "text/plain"),
              "/slow": trickle(b"<html>" + b" " * 200, every=0.05, headers_too=True)}
    with serve(routes) as base:
        yield base


def test_without_a_check_the_command_line_fetches_as_before(site):
    assert b"Port Ellis" in fetch(f"{site}/plain").body


def test_a_check_refuses_before_connecting(site, monkeypatch):
    def no_connection(*args, **kwargs):
        raise AssertionError("connected")

    monkeypatch.setattr(socket, "create_connection", no_connection)
    with pytest.raises(InputError, match=r"refused: 127\.0\.0\.1 is a loopback address; this server fetches public"):
        fetch(f"{site}/plain", address_check=private_address)
    with pytest.raises(InputError, match=r"refused: 10\.1\.2\.3 is a private address"):
        read_source(Source("http://10.1.2.3/story"), address_check=private_address)


def test_a_name_is_judged_by_its_addresses_and_connected_to_the_one_vetted(site, monkeypatch):
    port = int(site.rsplit(":", 1)[1])
    real = socket.getaddrinfo
    lookups = []

    def resolve(host, *args, **kwargs):  # news.example resolves to loopback (no DNS is asked)
        lookups.append(host)
        if host == "news.example":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    with pytest.raises(InputError, match=r"news\.example \(127\.0\.0\.1\) is a loopback address"):
        fetch(f"http://news.example:{port}/plain", address_check=private_address)
    page = fetch(f"http://news.example:{port}/host", address_check=_loopback_only)
    assert page.body == f"news.example:{port}".encode()  # the name in Host, the vetted address connected to
    assert lookups.count("news.example") == 2  # once per fetch: the name is never looked up again to connect


def test_the_errors_the_server_maps_are_input_errors(site):
    """Narrower classes for the statuses; the command line still catches InputError."""
    with pytest.raises(FetchTimeoutError, match="timed out") as e:
        fetch(f"{site}/slow", timeout=0.3)
    assert isinstance(e.value, InputError)
    with pytest.raises(NotAnArticleError, match="not an article"):
        read_source(Source(f"{site}/short"))
    with pytest.raises(TooLargeError, match="over the input ceiling"):
        read_source(Source(f"{site}/plain"), limits=Limits(max_chars=100))
