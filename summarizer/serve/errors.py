"""Every error the server answers, mapped to its HTTP status here and nowhere else.

The body is ``{"error": "..."}``: the one line the command line prints after ``Error:``.
A traceback never leaves the server: an error that is not ours is answered 500 with its
type only, and raised on to uvicorn, which logs it with its traceback.

>>> from summarizer.errors import NotAnArticleError
>>> status_of(NotAnArticleError("x: not an article"))
422
"""

from __future__ import annotations

import json

from starlette.responses import Response

from ..errors import (FetchTimeoutError, InputError, ModelError, NotAnArticleError, SummarizerError, TooLargeError,
                      UsageError)
from .batching import Busy


class HTTPError(Exception):
    """An error of the server's own (not of reading or summarizing), with its status."""

    status = 400
    headers: dict[str, str] = {}

    def __init__(self, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.headers = headers or {}


class BadRequest(HTTPError):
    status = 400


class Unauthorized(HTTPError):
    status = 401


class NotFound(HTTPError):
    status = 404


class BodyTooLarge(HTTPError):
    status = 413


class Overloaded(HTTPError):
    """The whole-request timeout ran out (a queue that does not drain, a very long article)."""

    status = 503


# the first class an error is an instance of gives its status: the narrower ones first
STATUSES: tuple[tuple[type[BaseException], int], ...] = (
    (TooLargeError, 413),  # over the input ceiling
    (NotAnArticleError, 422),  # a page that is not an article
    (FetchTimeoutError, 504),  # a URL that did not answer in time
    (InputError, 400),
    (UsageError, 400),  # a bad setting, n, a field
    (Busy, 503),
    (ModelError, 500),
    (SummarizerError, 500),
)


def status_of(e: BaseException) -> int:
    if isinstance(e, HTTPError):
        return e.status
    return next((status for cls, status in STATUSES if isinstance(e, cls)), 500)


def answer(e: BaseException) -> Response:
    """The JSON response for ``e``."""
    status = status_of(e)
    headers = dict(getattr(e, "headers", None) or {})
    if isinstance(e, Busy):
        headers["Retry-After"] = str(e.retry_after)
    if isinstance(e, (HTTPError, SummarizerError, Busy)):
        message = str(e)
    else:  # not ours: the type only; Starlette raises it on to uvicorn, which logs the traceback
        message = f"internal error ({type(e).__name__}); the server's log has the details"
    body = json.dumps({"error": message}, ensure_ascii=False).encode("utf-8")
    return Response(body, status_code=status, headers=headers, media_type="application/json")
