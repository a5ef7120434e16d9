"""A one-line progress bar with rate and ETA, drawn only on a terminal.

>>> import io
>>> with Progress(10, stream=io.StringIO()) as bar:  # not a terminal: draws nothing
...     bar.update(10)
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

_WIDTH = 24
_EVERY = 0.1  # seconds between redraws: drawing on every document would cost more than the work


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    h, rest = divmod(seconds, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{rest // 60}:{rest % 60:02d}"


class Progress:
    """``done/total`` with a bar, documents per second and time left, on ``stream``
    (stderr by default) when it is a terminal; silent otherwise."""

    def __init__(self, total: int, *, done: int = 0, label: str = "", stream: TextIO | None = None,
                 enabled: bool | None = None):
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = self._isatty() if enabled is None else enabled
        self.total, self.done, self.label = total, done, label
        self._start_done = done  # documents done before this run (a resumed run) do not count toward the rate
        self._start = time.monotonic()
        self._drawn = 0.0

    def _isatty(self) -> bool:
        isatty = getattr(self.stream, "isatty", None)
        return bool(isatty and isatty())

    def __enter__(self) -> "Progress":
        self._draw(force=True)
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def update(self, n: int = 1) -> None:
        self.done += n
        self._draw()

    def line(self) -> str:
        elapsed = time.monotonic() - self._start
        frac = self.done / self.total if self.total else 1.0
        filled = int(round(_WIDTH * frac))
        rate = (self.done - self._start_done) / elapsed if elapsed > 0 else 0.0
        eta = _clock((self.total - self.done) / rate) if rate > 0 else "?"
        label = f"{self.label} " if self.label else ""
        return (f"{label}[{'#' * filled}{'.' * (_WIDTH - filled)}] {self.done}/{self.total} "
                f"{100 * frac:3.0f}%  {rate:.1f} doc/s  ETA {eta}")

    def _draw(self, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._drawn < _EVERY and self.done < self.total:
            return
        self._drawn = now
        self.stream.write("\r" + self.line() + "\x1b[K")  # \x1b[K clears what a longer line left
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self._draw(force=True)
            self.stream.write("\n")
            self.stream.flush()
            self.enabled = False
