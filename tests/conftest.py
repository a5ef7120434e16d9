"""Shared fixtures: the real extractive model, loaded once per session; the shared data."""

from __future__ import annotations

import json

import pytest

from helpers import DEV


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--run-slow", action="store_true", help="also run tests marked slow (minutes each)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--run-slow"):
        return
    skip = pytest.mark.skip(reason="slow: runs only with --run-slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def extractive():
    """The default model, loaded once (5-10 s) into the API's cache, where the CLI finds it too."""
    from summarizer.api import load

    return load("extractive")


@pytest.fixture(scope="session")
def dev_stories() -> list[dict]:
    if not DEV.is_file():
        pytest.skip(f"shared data not found at {DEV}: it lives in ../shared/data beside the clone")
    with open(DEV, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.fixture(scope="session")
def web():
    """Base URL of a local HTTP server: /article, /empty, /error (500), /slow, /truncated, else 404."""
    from helpers import start_server

    server, url = start_server()
    yield url
    server.shutdown()
    server.server_close()
