"""Messages keep their commands copyable: `code spans` stay code, everything else is shown literally.

CheckpointError says "Restore it with `git checkout -- rnn-2.safetensors` ...". Escaped whole with md_escape,
the backticks show literally and Streamlit's markdown turns the bare " -- " into an em dash
("git checkout — rnn-2.safetensors", which git rejects). md_message keeps the code span, inside which
Streamlit changes nothing, and escapes the rest as md_escape does.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import streamlit as st
from hypothesis import given, settings
from hypothesis import strategies as hs
from streamlit.testing.v1 import AppTest
from support import needs_browser, streamlit_server

from rnnviz.app import md_escape, md_message
from rnnviz.app.messages import LINK_BREAK
from rnnviz.checkpoint import ASSETS_ENV, CheckpointError, find_checkpoint

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "streamlit_app.py")
COMMAND = "git checkout -- rnn-2.safetensors"
# What streamlit_app.py must change for the app tests below (then drop their xfail markers).
HOSTILE = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[a](javascript:alert(1))", "$x$", ":red[x]"]


def read_markdown(source: str) -> tuple[str, list[str]]:
    """The literal text and the code spans of one line of backslash escapes and single-backtick code spans.

    Fails on markup left raw outside a code span, or on a backtick that opens no proper span.
    """
    text: list[str] = []
    spans: list[str] = []
    i = 0
    while i < len(source):
        ch = source[i]
        if ch == "\\" and i + 1 < len(source):
            text.append(source[i + 1])
            i += 2
        elif ch == "`":
            end = source.find("`", i + 1)
            assert end > i + 1, f"a backtick opens no code span at {i}: {source!r}"
            assert source[end + 1 : end + 2] != "`", f"a longer backtick run at {end}: {source!r}"
            spans.append(source[i + 1 : end])
            text.append(source[i + 1 : end])
            i = end + 1
        else:
            assert ch not in "<>[]*_$", f"raw {ch!r} at {i}: {source!r}"
            text.append(ch)
            i += 1
    return "".join(text), spans


def missing_model_message(tmp_path: Path) -> str:
    with pytest.raises(CheckpointError) as info:
        find_checkpoint(str(tmp_path / "rnn-2.safetensors"))
    return str(info.value)


def test_the_restore_command_stays_a_code_span(tmp_path):
    message = missing_model_message(tmp_path)
    assert f"`{COMMAND}`" in message  # what rnnviz.checkpoint writes
    text, spans = read_markdown(md_message(message))
    assert COMMAND in spans and "python -m rnnviz.train" in spans
    assert text == message.replace("`", "")
    # md_escape still shows every backtick literally: user text never becomes code by accident
    text, spans = read_markdown(md_escape(message))
    assert spans == [] and text == message


@pytest.mark.parametrize("markup", HOSTILE)
def test_markup_outside_and_inside_code_spans_stays_inert(markup):
    escaped = md_message(f"{markup} then `{markup}` and `{COMMAND}`")
    text, spans = read_markdown(escaped)  # outside the spans: no raw markup
    assert spans == [markup, COMMAND]  # inside: shown as code, which renders nothing
    assert text == f"{markup} then {markup} and {COMMAND}"


@pytest.mark.parametrize(
    ("text", "spans"),
    [("``a``", []), ("`", []), ("a ` b", []), ("``", []), ("`a``b`", []), ("\\`a`", ["a"]), ("`a` `", ["a"])],
)
def test_odd_backticks_are_shown_literally(text, spans):
    literal, found = read_markdown(md_message(text))
    assert found == spans
    assert literal.replace("`", "") == text.replace("`", "")


PIECES = hs.sampled_from(["`", "``", " -- ", "->", "\\", "<b>", "[x](y)", "$", "*", "_", ":red[", " ", "a"])


@settings(max_examples=300, deadline=None)
@given(hs.lists(hs.one_of(PIECES, hs.text(max_size=20)), max_size=12).map("".join))
def test_fuzz_md_message_keeps_spans_and_escapes_the_rest(text):
    escaped = md_message(text)
    literal, spans = read_markdown(escaped)
    normal = " ".join(text.split())
    shown = literal.replace(LINK_BREAK, "")  # invisible: only breaks https://, www. and @ (no autolinks)
    assert shown.replace("`", "") == normal.replace("`", "")  # every other character shown, in order
    assert all(f"`{span}`" in normal for span in spans)  # and code only where the text had a code span
    if "`" not in text:
        assert escaped == md_escape(text)


# -- the app -----------------------------------------------------------------------------------------
@pytest.fixture
def no_models(tmp_path, monkeypatch):
    monkeypatch.setenv(ASSETS_ENV, str(tmp_path))
    st.cache_resource.clear()
    st.cache_data.clear()
    yield tmp_path
    st.cache_resource.clear()
    st.cache_data.clear()


def test_the_apps_missing_model_error_gives_the_command_as_code(no_models):
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception, at.exception
    errors = [e.value for e in at.error if "not available" in e.value]
    assert errors, [e.value for e in at.error]
    text, spans = read_markdown(errors[0])
    assert COMMAND in spans
    assert str(no_models / "rnn-2.safetensors") in text


@pytest.mark.browser
@needs_browser
def test_the_browser_shows_the_command_unchanged(tmp_path, chromium_browser):
    """Only the browser shows Streamlit's typography (" -- " -> " — "); the command must survive it."""
    with streamlit_server(env={ASSETS_ENV: str(tmp_path)}) as server:
        context = chromium_browser.new_context()
        page = context.new_page()
        page.goto(server.url)
        alert = page.wait_for_selector('[data-testid="stAlertContentError"]', timeout=60_000)
        deadline = time.monotonic() + 10
        while "not available" not in alert.inner_text() and time.monotonic() < deadline:
            time.sleep(0.2)
        codes = [c.inner_text() for c in alert.query_selector_all("code")]
        shown = alert.inner_text()
        context.close()
    assert COMMAND in codes, (codes, shown)
    assert "—" not in shown and "`" not in shown, shown
