"""``summarize serve``: the API and the page over HTTP, the model loaded once (``summarizer.serve``).

FastAPI and uvicorn are imported only when the command runs, so ``summarize --help`` and
``summarize FILE`` never load them.
"""

from __future__ import annotations

import os
import time

import click

from ..backends import DEFAULT_MODEL, resolve
from ..errors import UsageError
from ..read import URL_TIMEOUT
from . import cli
from .options import limit_options, parse_settings

SERVE_INSTALL = "pip install 'summarizer[serve]'"


@cli.command("serve", context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. One other than loopback (0.0.0.0: every interface) needs "
                   "SUMMARIZER_API_KEY set: clients then send 'Authorization: Bearer KEY'.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port (0: any free one).")
@click.option("-m", "--model", default=DEFAULT_MODEL, show_default=True,
              help="The model, loaded once at start-up: a registered name, a checkpoint, a .gguf file, openai:NAME.")
@click.option("-o", "--option", "options", multiple=True, metavar="KEY=VALUE",
              help="A model setting, e.g. -o threads=2 (see `summarize models`).")
@click.option("--request-setting", "request_settings", multiple=True, metavar="KEY",
              help="A setting requests may change (repeatable); each new set of values loads another copy "
                   "of the model (seconds; the two most recent are kept). None by default.")
@limit_options
@click.option("--max-body", type=click.IntRange(min=1), default=8 * 1024 * 1024, show_default=True,
              help="Refuse a request body larger than this many bytes (413).")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=30.0, show_default=True,
              help="Seconds for a whole request (fetch, queue, model); past it the answer is 503.")
@click.option("--fetch-timeout", type=click.FloatRange(min=0, min_open=True), default=URL_TIMEOUT, show_default=True,
              help="Seconds for a URL's whole fetch; past it the answer is 504.")
@click.option("--queue-size", type=click.IntRange(min=1), default=64, show_default=True,
              help="Requests that may wait for the model; one more is answered 503 with Retry-After.")
@click.option("--max-batch", type=click.IntRange(min=1), default=32, show_default=True,
              help="Articles of waiting requests summarized in one model call.")
@click.option("--batch-wait", type=click.FloatRange(min=0), default=10.0, show_default=True,
              help="Milliseconds an idle model waits for requests still being read to join a batch.")
@click.option("--allow-private-urls", is_flag=True,
              help="Fetch URLs on this machine and its private networks (loopback, 10/8, 192.168/16, "
                   "link-local, metadata addresses), refused by default.")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Server processes, each with its own copy of the model (share the cores: -o threads=...).")
@click.option("--log-level", type=click.Choice(["critical", "error", "warning", "info", "debug"]), default="info",
              show_default=True, help="uvicorn's log level (requests are logged at info, never their keys).")
def serve(host: str, port: int, model: str, options: tuple[str, ...], request_settings: tuple[str, ...],
          max_chars: int, max_sentences: int, max_body: int, timeout: float, fetch_timeout: float, queue_size: int,
          max_batch: int, batch_wait: float, allow_private_urls: bool, workers: int, log_level: str) -> None:
    """Serve key points over HTTP: a JSON API (POST /v1/summarize, POST /v1/check, GET
    /v1/models, GET /healthz; the schema at /openapi.json) and a page at / where a person
    pastes a story or a URL and sees its key points marked in it.

    The model loads once, before the server listens; concurrent requests are summarized
    together in batches. The server binds 127.0.0.1 unless told otherwise, refuses URLs
    on this machine and its private networks, and keeps no state: run more of it behind
    a load balancer to serve more (docs/serve.md).
    """
    try:
        import fastapi  # noqa: F401
        import uvicorn
    except ImportError as e:
        raise click.ClickException(f"summarize serve needs {e.name}: {SERVE_INSTALL}") from None
    from ..article import Limits
    from ..serve.app import CONFIG_ENV, create_app, environment_spec, load_model
    from ..serve.config import API_KEY_ENV, ServeConfig

    resolved = resolve(model)
    settings = parse_settings(resolved, options)
    config = ServeConfig(host=host, port=port, limits=Limits(max_chars, max_sentences), max_body=max_body,
                         timeout=timeout, fetch_timeout=fetch_timeout, queue_size=queue_size, max_batch=max_batch,
                         batch_wait=batch_wait / 1000, allow_private=allow_private_urls,
                         request_settings=frozenset(request_settings), api_key=os.environ.get(API_KEY_ENV))
    config.check_key()  # before the model loads: seconds, for a mistake said at once
    if workers > 1:
        if port == 0:
            raise UsageError("--workers needs a fixed --port: each worker listens on it")
        os.environ[CONFIG_ENV] = environment_spec(config, model, settings)
        click.echo(f"summarize serve: {workers} workers, each loading {model!r}", err=True)
        uvicorn.run("summarizer.serve.app:app_from_environment", factory=True, host=host, port=port,
                    workers=workers, log_level=log_level, timeout_graceful_shutdown=5)
        return
    started = time.perf_counter()
    served = load_model(resolved, settings)
    app = create_app(config, served)
    where = f"[{host}]" if ":" in host else host
    click.echo(f"summarize serve: {model!r} loaded in {time.perf_counter() - started:.1f} s; the page at "
               f"http://{where}:{port}/ , the API under /v1/ (schema: /openapi.json)"
               + ("" if config.api_key is None else "; requests to /v1/ need the API key"), err=True)
    uvicorn.run(app, host=host, port=port, log_level=log_level, timeout_graceful_shutdown=5)
