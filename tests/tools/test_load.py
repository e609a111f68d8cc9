"""bench/load.py speaks Streamlit's websocket protocol: typed keys reach the server and the views come back."""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
from support import ROOT, Server, streamlit_server


def measure(load, *args, **kwargs) -> dict:
    """Run load.load in a thread of its own: asyncio.run needs a thread with no event loop running, and
    pytest-playwright's browser tests leave one running in the main thread."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, load.load(*args, **kwargs)).result()


def load_module():
    spec = importlib.util.spec_from_file_location("load", ROOT / "bench" / "load.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["load"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def test_sessions_type_and_get_their_own_words_back_in_the_views():
    load = load_module()
    keys = 5
    with streamlit_server() as server:
        row = measure(load, server.url, n=2, keys=keys, interval=0.3, pids=[server.proc.pid], first=3)
    assert row["error_samples"] == [] and row["errors"] == 0
    assert (row["keys_sent"], row["keys_answered"]) == (2 * keys, 2 * keys)
    # Each session's last views show the words it typed (its own sentence, not the default text or another's).
    expected = [" ".join(load.shown_words(load.typed(i, keys)[-1])) for i in (3, 4)]
    assert row["shown"] == expected
    assert expected[0] != expected[1]
    assert 0 < row["views_ms"]["p50"] <= row["views_ms"]["max"]
    assert row["rss_mb"]["peak"] > 50


def test_typed_text_grows_one_key_at_a_time_and_starts_again():
    load = load_module()
    text = load.sentence(0)
    typed = load.typed(0, len(text) + 2)
    assert typed[:3] == [text[:1], text[:2], text[:3]]
    assert typed[len(text) - 1] == text and typed[len(text)] == text[:1]
    assert load.sentence(1) != text and len(text) <= load.SENTENCE_CHARS


@pytest.mark.parametrize("floor", ["text", "chart"])  # the fastest floor (st.text) and the old one (a chart)
def test_the_floor_app_is_measured_by_its_one_view(floor):
    load = load_module()
    server = Server.start("bench/floor_app.py", env={"RNNVIZ_FLOOR": floor})
    try:
        row = measure(load, server.url, n=1, keys=4, interval=0.3, pids=[server.proc.pid])
    finally:
        server.stop()
    assert row["errors"] == 0 and (row["keys_sent"], row["keys_answered"]) == (4, 4)
    assert row["shown"] == [" ".join(load.typed(0, 4)[-1].split())]
