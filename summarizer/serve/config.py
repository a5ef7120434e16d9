"""What a server is started with: where it listens, its limits, its queue, its key.

>>> ServeConfig().loopback, ServeConfig(host="0.0.0.0").loopback
(True, False)
>>> "s3cret" in repr(ServeConfig(api_key="s3cret"))  # the key is never printed or logged
False
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from ..article import Limits
from ..errors import UsageError

API_KEY_ENV = "SUMMARIZER_API_KEY"


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this machine only (``127.0.0.1``, ``::1``, ``localhost``)."""
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name: it may be any interface


@dataclass(frozen=True)
class ServeConfig:
    host: str = "127.0.0.1"  # loopback: nothing off this machine reaches the server until asked to
    port: int = 8000
    limits: Limits = Limits()  # the CLI's input ceiling: 1,000,000 characters, 10,000 sentences
    # a request's body: a story at the ceiling in JSON (mostly one byte a character), or a saved page
    max_body: int = 8 * 1024 * 1024
    timeout: float = 30.0  # seconds for a whole request (fetch, queue, model); a news story takes well under 1
    fetch_timeout: float = 20.0  # seconds for a URL's whole fetch (the CLI's --timeout)
    # requests waiting for the model; one more is answered 503. Enough for 32 clients at once
    # beside a batch in the model; at bulk rate (about 18 articles/s on 2 cores) about 3 s of work
    queue_size: int = 64
    max_batch: int = 32  # articles in one model call: `summarize` and `summarize eval` call it with 32
    # seconds the model waits, when it was idle, for requests still being read to join the batch:
    # it stops as soon as every request in flight is waiting, so one client never waits
    batch_wait: float = 0.01
    allow_private: bool = False  # fetch URLs on this machine and its private networks (refused by default)
    # per-request settings the operator allows (each new set of values loads a model: seconds, memory)
    request_settings: frozenset[str] = frozenset()
    api_key: str | None = field(default=None, repr=False)  # SUMMARIZER_API_KEY; never in a repr or a log

    def __post_init__(self) -> None:
        for name in ("max_body", "queue_size", "max_batch"):
            if getattr(self, name) < 1:
                raise UsageError(f"{name} must be at least 1, got {getattr(self, name)}")
        for name in ("timeout", "fetch_timeout"):
            if getattr(self, name) <= 0:
                raise UsageError(f"{name} must be a positive number of seconds, got {getattr(self, name)}")
        if self.batch_wait < 0:
            raise UsageError(f"batch_wait must be 0 or more seconds, got {self.batch_wait}")
        if self.api_key is not None and not self.api_key.strip():
            raise UsageError(f"{API_KEY_ENV} is set but empty; set it to a long random string, or unset it")

    @property
    def loopback(self) -> bool:
        return is_loopback(self.host)

    def check_key(self) -> None:
        """Refuse to serve other machines without an API key."""
        if not self.loopback and self.api_key is None:
            raise UsageError(f"--host {self.host} lets other machines in: set {API_KEY_ENV} to a long random "
                             f"string first (clients send it as 'Authorization: Bearer KEY'), or bind 127.0.0.1")
