"""The training playground page, run headless with AppTest: starts, trains, replays, explores; bad uploads explained."""

from __future__ import annotations

import ast
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest
from support import playground_with_upload

from rnnviz import playground as pg
from rnnviz.app import playground as ui

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "pages" / "1_Training_playground.py"
K = {name: getattr(ui, name) for name in dir(ui) if name.isupper()}  # widget and state keys


def charts(at: AppTest) -> list:
    return at.get("plotly_chart")


def test_page_starts_with_defaults():
    at = AppTest.from_file(str(PAGE), default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value.startswith("Training playground: train a tiny RNN")
    labels = {b.proto.label for b in at.button}
    assert {"Train a model", "Stop training"} <= labels and not {"Train", "Stop"} & labels  # say what they do
    assert at.selectbox(key=K["TASK_KEY"]).value == "sentiment"
    defaults = pg.TrainConfig()  # the run the tests time-check (test_playground): what the page starts with
    assert at.slider(key=K["HIDDEN_KEY"]).value == defaults.hidden
    assert at.select_slider(key=K["STEPS_KEY"]).value == defaults.steps
    assert at.select_slider(key=K["LR_KEY"]).value == defaults.lr
    assert at.segmented_control(key=K["ARCH_KEY"]).value == defaults.arch
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
    assert any(m.value.startswith("**Replay at the end of training") for m in at.markdown)
    scrub.set_value(0).run()  # replay the untrained model
    assert not at.exception and len(charts(at)) == 2
    first = trainer.snapshots[0]
    heading = f"**Replay at step 0 of 50: held-out accuracy {first.test_accuracy:.0%}"
    assert any(m.value.startswith(heading) for m in at.markdown)  # the replayed step's numbers, not the last's
    assert set(at.session_state[K["FIXED"]]) == {(trainer.id, 0), (trainer.id, len(trainer.snapshots) - 1)}
    assert at.get("download_button")
    at.button(key=K["EXPLORE_KEY"]).click().run()
    assert not at.exception
    assert any("rnnviz.load_model" in i.value for i in at.info)
    assert len(charts(at)) == 5  # plus the projection, positivity and unrolled views of the trained model
    at.text_input(key=K["EXPLORE_TEXT_KEY"]).input("   ").run()
    assert not at.exception and any("empty" in i.value for i in at.info)


def test_the_page_shows_a_spinner_while_torch_loads():
    """Everything the page imports before its spinner leaves torch unloaded; the playground, inside it, loads it."""
    tree = ast.parse(PAGE.read_text(encoding="utf-8"))
    before = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    spinner = next(n for n in tree.body if isinstance(n, ast.With) and "st.spinner" in ast.unparse(n.items[0]))
    assert any("rnnviz.app" in ast.unparse(n) and "playground" in ast.unparse(n) for n in spinner.body)
    code = "\n".join(ast.unparse(n) for n in before) + "\nimport sys\nprint('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_bad_upload_shows_a_friendly_error():
    at = playground_with_upload(b"1\tfine film\nthis line has no tab\n").run()
    at.selectbox(key=K["TASK_KEY"]).set_value("upload").run()
    assert not at.exception
    assert any("Line 2" in e.value and "no TAB" in e.value for e in at.error)  # markdown-escaped in the source
    assert at.button(key=K["TRAIN_KEY"]).disabled


def test_good_upload_can_train():
    rows = "".join(f"{i % 2}\t{'a fine warm film' if i % 2 else 'a dull poor film'} {i}\n" for i in range(40))
    at = playground_with_upload(rows.encode()).run()
    at.selectbox(key=K["TASK_KEY"]).set_value("upload").run()
    assert not at.exception and not at.error
    assert not at.button(key=K["TRAIN_KEY"]).disabled
