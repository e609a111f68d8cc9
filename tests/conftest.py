"""Shared fixtures: tiny random models, the SST folder when it is there, one Chromium, the app's server.

The helpers behind them live in tests/support.py (importable as `support` from every test file).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from support import IN_CI, Server, chromium, missing_browser, open_context, streamlit_server, tiny_model

from rnnviz import sst
from rnnviz.model import SentimentRNN


@pytest.fixture(scope="session", autouse=True)
def _tempfiles_under_pytest(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """What code run in this process writes with `tempfile` (uploads, a playground model saved for the
    explorer, a server's log) goes to pytest's temporary folder, not /tmp."""
    before = tempfile.tempdir
    tempfile.tempdir = str(tmp_path_factory.mktemp("tempfile"))
    yield
    tempfile.tempdir = before


@pytest.fixture(params=["rnn", "gru", "lstm"])
def any_tiny(request: pytest.FixtureRequest) -> SentimentRNN:
    return tiny_model(request.param)


@pytest.fixture
def tiny_rnn() -> SentimentRNN:
    return tiny_model("rnn", hidden=2)


@pytest.fixture(scope="session")
def sst_dir() -> Path:
    """The SST folder; skipped with a reason where it is absent, a failure under CI."""
    found = sst.find_data()
    if found is None:
        reason = f"SST not found at {sst.DEFAULT_DATA} and ${sst.DATA_ENV} is unset"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}: CI must run the SST tests")
        pytest.skip(reason)
    return found


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[Any]:
    """One Playwright and one Chromium for every browser test file: the sync API allows one per process."""
    reason = missing_browser()
    if reason:
        if IN_CI:
            pytest.fail(f"browser tests cannot run under CI: {reason}")
        pytest.skip(reason)
    with chromium() as browser:
        yield browser


@pytest.fixture
def new_page(chromium_browser: Any) -> Iterator[Callable[..., Any]]:
    """new_page(height=900, timeout_ms=30_000, **context) -> a page in a fresh context, closed after the test."""
    contexts = []

    def open_page(height: int = 900, timeout_ms: float = 30_000, **context: Any) -> Any:
        ctx, page = open_context(chromium_browser, height, timeout_ms, **context)
        contexts.append(ctx)
        return page

    yield open_page
    for ctx in contexts:
        ctx.close()


@pytest.fixture(scope="module")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`streamlit run streamlit_app.py` for one test file; its log stays in pytest's temporary folder."""
    with streamlit_server(log_dir=tmp_path_factory.mktemp("server")) as server:
        yield server


@pytest.fixture(scope="module")
def app_url(app_server: Server) -> str:
    return app_server.url
