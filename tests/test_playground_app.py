"""The training playground page, run headless with AppTest: starts, trains, replays, explores; bad uploads explained."""

from __future__ import annotations

import ast
import time
from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest

PAGE = Path(__file__).resolve().parent.parent / "pages" / "1_Training_playground.py"


def _page_constants() -> dict[str, str]:
    """The page's widget and state keys, read from its source (running the page outside Streamlit would draw it)."""
    out = {}
    for node in ast.parse(PAGE.read_text()).body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            out[node.targets[0].id] = node.value.value  # type: ignore[union-attr]
    return out


K = _page_constants()


def charts(at: AppTest) -> list:
    return at.get("plotly_chart")


def test_page_starts_with_defaults():
    at = AppTest.from_file(str(PAGE), default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value == "Training playground"
    assert at.selectbox(key=K["TASK_KEY"]).value == "sentiment"
    assert at.slider(key=K["HIDDEN_KEY"]).value == 2
    assert not at.button(key=K["TRAIN_KEY"]).disabled and at.button(key=K["STOP_KEY"]).disabled
    assert not charts(at)


def test_short_training_shows_curves_replay_and_explore():
    at = AppTest.from_file(str(PAGE), default_timeout=60).run()
    at.select_slider(key=K["STEPS_KEY"]).set_value(50).run()
    at.button(key=K["TRAIN_KEY"]).click().run()
    assert not at.exception
    trainer = at.session_state[K["TRAINER"]]
    assert trainer.config.steps == 50 and trainer.config.hidden == 2
    end = time.monotonic() + 60
    while trainer.running and time.monotonic() < end:
        trainer.heartbeat()
        time.sleep(0.1)
    assert trainer.status == "done", trainer.note
    at.run()
    assert not at.exception
    assert len(charts(at)) == 2  # curves and state space
    assert "Step 50 of 50" in at.get("progress")[0].proto.text
    scrub = at.select_slider(key=K["SCRUB_KEY"])
    assert scrub.value == 50
    scrub.set_value(0).run()  # replay the untrained model
    assert not at.exception and len(charts(at)) == 2
    assert at.get("download_button")
    at.button(key=K["EXPLORE_KEY"]).click().run()
    assert not at.exception
    assert any("rnnviz.load_model" in i.value for i in at.info)
    assert len(charts(at)) == 5  # plus the projection, positivity and unrolled views of the trained model
    at.text_input(key=K["EXPLORE_TEXT_KEY"]).input("   ").run()
    assert not at.exception and any("empty" in i.value for i in at.info)


def _with_upload(content: bytes) -> AppTest:
    """The page with its file uploader answering `content` (AppTest cannot upload files)."""
    script = f"""
import streamlit as st

class _Upload:
    def getvalue(self):
        return {content!r}

_real_uploader = st.file_uploader
st.file_uploader = lambda *args, **kwargs: _Upload()
try:
    exec(compile(open({str(PAGE)!r}).read(), {str(PAGE)!r}, "exec"), {{"__name__": "__main__"}})
finally:
    st.file_uploader = _real_uploader  # AppTest runs in this process: leave streamlit as it was
"""
    return AppTest.from_string(script, default_timeout=60)


def test_bad_upload_shows_a_friendly_error():
    at = _with_upload(b"1\tfine film\nthis line has no tab\n").run()
    at.selectbox(key=K["TASK_KEY"]).set_value("upload").run()
    assert not at.exception
    assert any("Line 2" in e.value and "no TAB" in e.value for e in at.error)  # markdown-escaped in the source
    assert at.button(key=K["TRAIN_KEY"]).disabled


def test_good_upload_can_train():
    rows = "".join(f"{i % 2}\t{'a fine warm film' if i % 2 else 'a dull poor film'} {i}\n" for i in range(40))
    at = _with_upload(rows.encode()).run()
    at.selectbox(key=K["TASK_KEY"]).set_value("upload").run()
    assert not at.exception and not at.error
    assert not at.button(key=K["TRAIN_KEY"]).disabled
