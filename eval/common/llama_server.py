"""``python -m llama_cpp.server`` serving a GGUF file on 127.0.0.1: started, waited for and
stopped, for the tests and ``eval/bench/llm_runtimes.py``."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterator


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def llama_server(gguf: str | Path, *, n_ctx: int, threads: int | None = None, env: dict[str, str] | None = None,
                 start_timeout: float = 120.0) -> Iterator[str]:
    """The server's API base (``http://127.0.0.1:PORT/v1``) once it answers; RuntimeError with the
    end of its stderr when it does not start within ``start_timeout`` seconds."""
    import httpx

    port = free_port()
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--host", "127.0.0.1", "--port", str(port),
           "--n_ctx", str(n_ctx), "--verbose", "false"]
    if threads:
        cmd += ["--n_threads", str(threads)]
    with tempfile.TemporaryFile() as err:  # a file, not a pipe: a chatty server never blocks on it
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env={**os.environ, **(env or {})})
        try:
            deadline = time.monotonic() + start_timeout
            while True:
                try:
                    httpx.get(f"http://127.0.0.1:{port}/v1/models", timeout=1).raise_for_status()
                    break
                except httpx.HTTPError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        err.seek(0)
                        tail = err.read().decode(errors="replace")[-2000:]
                        raise RuntimeError(f"python -m llama_cpp.server did not start: {tail}") from None
                    time.sleep(0.3)
            yield f"http://127.0.0.1:{port}/v1"
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
