"""One error hierarchy for the whole package.

Library code raises these; the command line translates them into click errors in one
place (``summarizer.cli.to_click_error``). Messages are one line: what was found, and what to do.
"""

from __future__ import annotations

from collections.abc import Sequence


class SummarizerError(Exception):
    """Base class of every error this package raises on purpose."""


class InputError(SummarizerError):
    """An article, file, URL or dataset that cannot be read or used."""


class TooLargeError(InputError):
    """An input over a size limit: the input ceiling (``Limits``)."""


class NotAnArticleError(InputError):
    """A web page that is not an article (too little story text, mostly lists and links)."""


class FetchTimeoutError(InputError):
    """A URL whose whole fetch did not finish in time."""


class UsageError(SummarizerError):
    """Arguments that do not fit together (a bad option value, an unknown name)."""


class UnknownModelError(UsageError):
    """A model name that is neither a registered backend nor a loadable checkpoint."""

    def __init__(self, name: str, known: list[str]):
        self.name = name
        self.known = list(known)
        super().__init__(
            f"unknown model {name!r}; known models: {', '.join(self.known)} "
            "(or a local seq2seq checkpoint directory, a chat model directory or a .gguf file)"
        )


class SettingError(UsageError):
    """A model setting with a bad value (``-o KEY=VALUE``, an option, a keyword of ``load``)."""


class OutputError(SummarizerError):
    """A folder or file that cannot be written (or is being written by another run)."""


class ModelError(SummarizerError):
    """A model that cannot be loaded or run."""


def first_line(e: BaseException) -> str:
    """The first non-blank line of a third-party error, for a one-line message (its type's
    name when it says nothing).

    >>> first_line(ValueError("bad header\\n  at byte 12"))
    'bad header'
    >>> first_line(KeyError())
    'KeyError'
    """
    lines = [line.strip() for line in str(e).splitlines() if line.strip()]
    return lines[0] if lines else type(e).__name__


def expect(value: object, kind: type | tuple[type, ...], what: str, *, each: bool = False) -> None:
    """Refuse an argument of the wrong type with a :class:`UsageError` (the Python API's
    misuse, said in one line rather than a ``TypeError`` from deep inside): ``what`` says
    what was expected; ``each``: ``value`` is a sequence (a list, a tuple; not a string)
    of ``kind``. ``True`` is no number here, though Python counts it as one.

    >>> expect(5, str, "check() takes the key points as a string or a list of strings")
    Traceback (most recent call last):
    ...
    summarizer.errors.UsageError: check() takes the key points as a string or a list of strings, got int
    >>> expect(["a", None], str, "summarize() takes a string or a list of strings", each=True)
    Traceback (most recent call last):
    ...
    summarizer.errors.UsageError: summarize() takes a string or a list of strings, got a list holding None at 1
    """
    kinds = kind if isinstance(kind, tuple) else (kind,)

    def fits(v: object) -> bool:
        return isinstance(v, kinds) and not (isinstance(v, bool) and bool not in kinds)

    def name(v: object) -> str:
        return "None" if v is None else type(v).__name__

    if not each:
        if not fits(value):
            raise UsageError(f"{what}, got {name(value)}")
        return
    if not isinstance(value, Sequence) or isinstance(value, (str, bytes, bytearray)):
        raise UsageError(f"{what}, got {name(value)}")
    bad = next((i for i, v in enumerate(value) if not fits(v)), None)
    if bad is not None:
        raise UsageError(f"{what}, got a {name(value)} holding {name(value[bad])} at {bad}")
