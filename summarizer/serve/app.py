"""The HTTP API and the page, on FastAPI: a model loaded once, requests batched in front of it.

``create_app(config, served)`` is the whole server; ``summarize serve`` runs it with uvicorn.

* ``POST /v1/summarize``: ``text``, ``html`` or ``url`` (with ``n``, ``strict``, ``score``,
  settings the server allows): the object ``summarize -f json`` writes, the article's own key
  points as ``references`` where it has them;
* ``POST /v1/check``: an article and ``key_points``: the object ``summarize check -f json`` writes;
* ``GET /v1/models``, ``GET /healthz``, ``GET /openapi.json``; ``GET /``: the page.

Reading (a URL's fetch, a page's extraction, splitting) runs on worker threads; the model on
its own thread behind :class:`~summarizer.serve.batching.BatchQueue`. Statuses are mapped in
:mod:`summarizer.serve.errors`, the checks before a body is read in :mod:`summarizer.serve.guard`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import time
import typing
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Callable, Sequence

from fastapi import FastAPI, Request  # the routes' annotations are looked up in this module by name
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import HTMLResponse, Response

from .. import __version__, api
from ..article import Article, Limits, parse_article
from ..backends import ResolvedModel, Summarizer, known_models, make_settings, resolve, settings_class
from ..errors import InputError, ModelError, SummarizerError, UsageError
from ..inputs.fetch import private_address
from ..read import Source, html_article, read_source, text_article
from ..results import Summary
from .batching import BatchQueue, Busy
from .config import API_KEY_ENV, ServeConfig
from .errors import BadRequest, HTTPError, NotFound, answer
from .guard import PROTECTED, Guard
from .schema import CheckRequest, ErrorOut, HealthOut, ModelsOut, SummarizeRequest, SummaryOut

STATIC = {"page.js": "text/javascript; charset=utf-8", "page.css": "text/css; charset=utf-8"}
FETCH_THREADS = 8  # URL fetches and page extractions at once; more wait for a thread (within the timeout)
CONFIG_ENV = "SUMMARIZER_SERVE_CONFIG"  # how `summarize serve --workers N` hands each worker its settings


@dataclass(frozen=True)
class ServedModel:
    """The model a server runs: what ``--model`` resolved to, the settings it was started with
    (``-o``), and the loaded backend."""

    resolved: ResolvedModel
    settings: dict[str, Any] = field(hash=False)
    summarizer: Summarizer = field(hash=False, compare=False)

    @property
    def all_settings(self) -> dict[str, Any]:
        """Every setting with its value (the backend's defaults filled in)."""
        made = make_settings(self.resolved.backend, {**self.resolved.implied, **self.settings})
        return dataclasses.asdict(made)


def load_model(model: str | ResolvedModel, settings: dict[str, Any] | None = None) -> ServedModel:
    """Load ``model`` once and warm it up on a sentence, so the first request is not the slow one."""
    resolved = resolve(model)
    settings = dict(settings or {})
    make_settings(resolved.backend, {**resolved.implied, **settings})  # a bad value fails before the load
    summarizer = api.load(resolved, **settings)
    api.summarize_loaded(summarizer, [parse_article("The server loads its model once, at start-up.")], 1)
    return ServedModel(resolved, settings, summarizer)


def _of_type(value: Any, hint: Any) -> bool:
    args = typing.get_args(hint)
    if args:
        return any(_of_type(value, a) for a in args)
    if hint is type(None):
        return value is None
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is str:
        return isinstance(value, str)
    return True


class Service:
    """What the routes call: reading a request's article, and the model behind the queue."""

    def __init__(self, config: ServeConfig, served: ServedModel, address_check: Callable | None):
        self.config, self.served = config, served
        self.address_check = address_check
        self.queue = BatchQueue(self.run, capacity=config.queue_size, max_batch=config.max_batch,
                                wait=config.batch_wait)
        self.fetch_pool = ThreadPoolExecutor(FETCH_THREADS, thread_name_prefix="summarizer-read")

    # -- reading ---------------------------------------------------------------------------

    def read(self, kind: str, value: str, any_page: bool, deadline: float) -> Article:
        """The article of a request's ``text``, ``html`` or ``url`` (on a worker thread)."""
        limits = self.config.limits
        if kind == "url":
            if not Source(value).is_url:
                raise InputError(f"url: {value[:200]!r} is not an http or https URL")
            timeout = max(0.1, min(self.config.fetch_timeout, deadline - time.monotonic()))
            return read_source(Source(value), timeout=timeout, any_page=any_page, limits=limits,
                               address_check=self.address_check)
        try:
            data = value.encode("utf-8")
        except UnicodeEncodeError as e:
            raise InputError(f"{kind}: not valid text (a lone surrogate at character {e.start:,})") from None
        if kind == "html":
            return html_article(data, "html", override="utf-8", any_page=any_page, limits=limits)
        from ..inputs.local import check_text

        limits.check_chars(len(value), kind)  # before looking at it further
        check_text(value, kind)
        return text_article(value, kind, limits=limits)

    # -- the model (on its own thread) -------------------------------------------------------

    def model_for(self, settings: tuple) -> Summarizer:
        if not settings:
            return self.served.summarizer
        return api.load(self.served.resolved, **{**self.served.settings, **dict(settings)})

    def request_settings(self, given: dict[str, Any]) -> tuple:
        """A request's settings, checked as ``-o`` would be and against what this server allows,
        as a hashable key (empty: the server's own)."""
        if not given:
            return ()
        backend = self.served.resolved.backend
        cls = settings_class(backend)
        hints = typing.get_type_hints(cls)
        names = [f.name for f in dataclasses.fields(cls)]
        for key, value in given.items():
            if key not in names:
                raise UsageError(f"model {backend!r} has no setting {key!r}; its settings: {', '.join(names)}")
            if key not in self.config.request_settings:
                allowed = ", ".join(sorted(self.config.request_settings)) or "none"
                raise UsageError(f"this server does not take {key!r} per request (allowed: {allowed}); start one "
                                 f"with -o {key}=VALUE, or with --request-setting {key}")
            if not _of_type(value, hints.get(key, Any)):
                raise UsageError(f"setting {key}={value!r}: model {backend!r} expects "
                                 f"{getattr(hints.get(key), '__name__', hints.get(key))}")
        merged = {**self.served.settings, **given}
        make_settings(backend, {**self.served.resolved.implied, **merged})  # a bad value is refused here
        return () if merged == self.served.settings else tuple(sorted(merged.items()))

    def run(self, key: tuple, payloads: Sequence[Any]) -> list[Any]:
        """One batch: a summary (or the error to answer) per payload."""
        if key[0] == "check":
            return [self._check(*p) for p in payloads]
        _, settings, n, strict = key
        try:
            model = self.model_for(settings)
        except SummarizerError as e:
            return [e] * len(payloads)
        return self._summarize(model, list(payloads), n, strict)

    def _summarize(self, model: Summarizer, articles: list[Article], n: int | None, strict: bool) -> list[Any]:
        try:
            summaries = api.summarize_loaded(model, articles, n, limits=self.config.limits, strict=strict)
        except (SummarizerError, MemoryError) as e:
            if len(articles) > 1:  # which article? each alone says, and the others still get theirs
                return [self._summarize(model, [a], n, strict)[0] for a in articles]
            return [e if isinstance(e, SummarizerError) else ModelError("out of memory")]
        return [ModelError(f"{s.name or 'article'}: {s.info['error']}") if s.info.get("error") else s
                for s in summaries]

    def _check(self, article: Article, points: list[str]) -> Any:
        try:  # the key points under the server's ceiling, as the article is
            return api.check_points(article, points, limits=self.config.limits)
        except SummarizerError as e:
            return e


def _validation_message(errors: Sequence[dict]) -> str:
    """One line for pydantic's first complaint about a request body."""
    e = errors[0]
    where = ".".join(str(p) for p in e.get("loc", ()) if p != "body")
    kind = e.get("type", "")
    if kind == "json_invalid":
        return f"the body is not valid JSON ({e.get('ctx', {}).get('error', e.get('msg'))})"
    if kind == "extra_forbidden":
        return f"unknown field {where!r}; see /openapi.json for the fields"
    if not where:
        return "the body must be a JSON object (and the Content-Type application/json)"
    return f"{where}: {e.get('msg', 'bad value')}"


def _json(data: Any) -> Response:
    return Response(json.dumps(data, ensure_ascii=False).encode("utf-8"), media_type="application/json",
                    headers={"Cache-Control": "no-store"})


def create_app(config: ServeConfig, served: ServedModel, *, address_check: Callable | None = None):
    """The server (an ASGI app). ``address_check`` vets a URL's addresses
    (:func:`summarizer.inputs.fetch.private_address` unless ``config.allow_private``)."""
    config.check_key()
    if address_check is None and not config.allow_private:
        address_check = private_address
    service = Service(config, served, address_check)
    page = resources.files(__package__).joinpath("static")
    static = {name: page.joinpath(name).read_bytes() for name in STATIC}
    index = page.joinpath("index.html").read_bytes()

    @asynccontextmanager
    async def lifespan(app):
        service.queue.start()
        try:
            yield
        finally:
            await service.queue.stop()
            service.fetch_pool.shutdown(wait=False, cancel_futures=True)

    app = FastAPI(title="summarizer", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Key points of news articles. Errors are `{\"error\": \"...\"}` with the command "
                              "line's one-line message.")
    app.state.service = service
    errors = {status: {"model": ErrorOut} for status in (400, 401, 413, 422, 503, 504)}

    for exc in (SummarizerError, HTTPError, Busy, Exception):
        app.add_exception_handler(exc, lambda request, e: answer(e))

    @app.exception_handler(RequestValidationError)
    async def invalid(request, e):
        return answer(BadRequest(_validation_message(e.errors())))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request, e):
        if e.status_code == 404:
            return answer(NotFound(f"no such page: {request.url.path}; the API is under /v1/ (see /openapi.json)"))
        return answer(_Status(e.status_code, e))

    async def article_of(req, deadline: float) -> Article:
        kind, value = req.source()
        loop = asyncio.get_running_loop()
        pool = service.fetch_pool if kind != "text" else None  # text: the loop's own threads
        return await loop.run_in_executor(pool, service.read, kind, value, req.any_page, deadline)

    async def served_request(request: Request, work) -> Any:
        """``work(deadline)``, cancelled if the client goes away (the whole-request timeout is the Guard's)."""
        service.queue.in_flight += 1
        task = asyncio.ensure_future(work(time.monotonic() + config.timeout))
        gone = asyncio.ensure_future(_disconnected(request))
        try:
            await asyncio.wait({task, gone}, return_when=asyncio.FIRST_COMPLETED)
            if not task.done():  # the client went away: its place in the queue is freed
                task.cancel()
                return Response(status_code=499)
            return task.result()
        finally:
            for t in (task, gone):
                t.cancel()  # the request timed out: its work stops too
            service.queue.in_flight -= 1

    @app.post("/v1/summarize", response_model=None, responses={200: {"model": SummaryOut}, **errors},
              summary="Key points of a story (text, HTML or a URL)")
    async def summarize(req: SummarizeRequest, request: Request):
        settings = service.request_settings(req.settings)  # a bad setting fails before any reading

        async def work(deadline: float):
            article = await article_of(req, deadline)
            summary = await service.queue.submit(("summarize", settings, req.n, req.strict), article)
            if req.score and summary.references is not None:  # none: the answer has no references
                summary = await asyncio.get_running_loop().run_in_executor(None, _scored, summary)
            return _json(_summary_json(summary, article, req))

        return await served_request(request, work)

    @app.post("/v1/check", response_model=None, responses={200: {"model": SummaryOut}, **errors},
              summary="Check key points written elsewhere against a story")
    async def check(req: CheckRequest, request: Request):
        points = req.key_points.splitlines() if isinstance(req.key_points, str) else list(req.key_points)

        async def work(deadline: float):
            article = await article_of(req, deadline)
            summary = await service.queue.submit(("check",), (article, points))
            return _json(_summary_json(summary, article, req))

        return await served_request(request, work)

    @app.get("/v1/models", response_model=ModelsOut, summary="The model this server runs")
    async def models():
        return _json({"model": served.resolved.model, "backend": served.resolved.backend,
                      "settings": served.all_settings, "request_settings": sorted(config.request_settings),
                      "known": known_models()})

    @app.get("/healthz", response_model=HealthOut, summary="Whether the server is up, and its queue")
    async def healthz():
        return _json({"status": "ok", "model": served.resolved.model, "waiting": service.queue.waiting,
                      "queue_size": config.queue_size, "api_key": config.api_key is not None})

    @app.get("/", include_in_schema=False)
    async def index_page():
        return HTMLResponse(index, headers={"Cache-Control": "no-cache"})

    @app.get("/static/{name}", include_in_schema=False)
    async def static_file(name: str):
        if name not in static:
            raise NotFound(f"no such file: /static/{name}")
        return Response(static[name], media_type=STATIC[name], headers={"Cache-Control": "no-cache"})

    _document_key(app, config)
    return Guard(app, config, service.queue.retry_after)


class _Status(HTTPError):
    def __init__(self, status: int, e):
        super().__init__(str(e.detail), dict(e.headers or {}))
        self.status = status


def _scored(summary: Summary) -> Summary:
    """``summarize --score``'s ROUGE against the references (on a worker thread: the harness's
    scorer is imported the first time, not at start-up)."""
    from ..evaluate.references import scored

    return scored(summary)


def _summary_json(summary: Summary, article: Article, req) -> dict[str, Any]:
    d = summary.to_dict()
    if req.url is None:
        d.pop("name", None)  # "text" or "html": the field's name, not the story's
    if req.body:
        d["body"] = article.body
    return d


async def _disconnected(request) -> None:
    """Returns when the client has gone away (the body is read by then)."""
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            return


def _document_key(app, config: ServeConfig) -> None:
    """Say in the OpenAPI schema that /v1/ wants 'Authorization: Bearer KEY' when the server has a key."""
    if config.api_key is None:
        return
    make = app.openapi

    def openapi():
        if app.openapi_schema:
            return app.openapi_schema
        schema = make()
        schema.setdefault("components", {}).setdefault("securitySchemes", {})["apiKey"] = {
            "type": "http", "scheme": "bearer", "description": f"the server's {API_KEY_ENV}"}
        for path, ops in schema.get("paths", {}).items():
            if path.startswith(PROTECTED):
                for op in ops.values():
                    op["security"] = [{"apiKey": []}]
        app.openapi_schema = schema
        return schema

    app.openapi = openapi


def app_from_environment():
    """The app of one ``summarize serve --workers N`` worker: its settings from the environment
    (the API key from ``SUMMARIZER_API_KEY``), its own copy of the model."""
    spec = json.loads(os.environ[CONFIG_ENV])
    c = spec["config"]
    config = ServeConfig(**{**c, "limits": Limits(**c["limits"]), "request_settings": frozenset(c["request_settings"]),
                            "api_key": os.environ.get(API_KEY_ENV) or None})
    return create_app(config, load_model(spec["model"], spec["settings"]))


def environment_spec(config: ServeConfig, model: str, settings: dict[str, Any]) -> str:
    """What :func:`app_from_environment` reads (the key stays in its own variable)."""
    c = {f.name: getattr(config, f.name) for f in dataclasses.fields(config) if f.name != "api_key"}
    c["limits"] = dataclasses.asdict(config.limits)
    c["request_settings"] = sorted(config.request_settings)
    return json.dumps({"model": model, "settings": settings, "config": c})
