"""Touching rnn-2's weights on the page (rnnviz.app.touch), run headless with streamlit's AppTest."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest
from support import run_app

import rnnviz
from rnnviz.app import MODEL_KEY, TEXT_KEY
from rnnviz.app.live_charts import drawn_figures
from rnnviz.app.loaders import load_model
from rnnviz.app.touch import EXPLORER_EDITED, RESET_KEY, SCALE_KEY, TOUCH_KEY, TOUCH_LABEL, W_KEYS, ZERO_KEY

TEXT = "this movie is not good"
LINK = {"text": TEXT, "model": "rnn-2"}
TOUCH_KEYS = {*W_KEYS.values(), SCALE_KEY}


def run(query: dict[str, str]) -> AppTest:
    """The page as opened with this link, the panel "Touch the model: W" opened."""
    return run_app(query, state={TOUCH_KEY: True})


@cache
def model() -> rnnviz.NumpyRNN:
    return rnnviz.load_inference_model("rnn-2")


def o_t(at: AppTest) -> np.ndarray:
    """o_t as the positivity view was sent to draw it (the run with memory)."""
    fig = drawn_figures(at.get("bidi_component"))["chart_positivity"]
    (line,) = [d for d in fig["data"] if d.get("name") in ("o_t", "o_t (with memory)")]
    return np.array(line["y"], dtype=float)


def notes(at: AppTest) -> str:
    return "\n".join(str(e.value) for kind in ("info", "caption", "markdown") for e in getattr(at, kind))


def assert_ok(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


def corpus_drawn(at: AppTest) -> bool:
    """Whether the projection draws the map of states the trained model reaches (the reviews' end points)."""
    fig = drawn_figures(at.get("bidi_component"))["chart_projection"]
    return any("reviews end" in str(d.get("name")) for d in fig["data"])


def w_shown(at: AppTest) -> list[list[float]]:
    return [[at.slider(key=W_KEYS[i, j]).value for j in range(2)] for i in range(2)]


@pytest.mark.parametrize("name", rnnviz.SHIPPED)
def test_the_controls_are_only_for_rnn_2(name):
    at = run({"text": TEXT, "model": name})
    assert_ok(at)
    keys = {s.key for s in at.slider} | {b.key for b in at.button}
    touchable = name == "rnn-2"
    assert (TOUCH_KEYS | {ZERO_KEY, RESET_KEY} <= keys) is touchable
    assert not (TOUCH_KEYS & keys) or touchable
    assert any(e.label == TOUCH_LABEL for e in at.expander) is touchable


def test_the_panel_shut_builds_nothing():
    at = run_app(LINK)
    assert_ok(at)
    assert any(e.label == TOUCH_LABEL for e in at.expander)
    assert not TOUCH_KEYS & {s.key for s in at.slider}


def test_the_sliders_start_at_the_trained_weights_and_the_views_read_the_trained_model():
    at = run(LINK)
    assert_ok(at)
    np.testing.assert_allclose(w_shown(at), model().W, atol=1e-7)
    assert at.slider(key=SCALE_KEY).value == 1.0
    np.testing.assert_allclose(o_t(at), rnnviz.trace(model(), TEXT).outputs, atol=1e-6)
    assert "Edited weights" not in notes(at)
    assert at.button(key=RESET_KEY).disabled


def test_w_zero_gives_the_goldfish_and_the_page_says_so_then_reset_restores():
    at = run({**LINK, "advanced": "1"})  # Advanced on: where the explorer would be, the page says why it is closed
    trained = o_t(at)
    assert corpus_drawn(at)
    at.button(key=ZERO_KEY).click().run()
    assert_ok(at)
    goldfish = rnnviz.trace(model(), TEXT, forget=True).outputs
    np.testing.assert_allclose(o_t(at), goldfish, atol=1e-6, rtol=0)
    assert np.abs(o_t(at) - trained).max() > 0.1  # the views did change
    assert w_shown(at) == [[0.0, 0.0], [0.0, 0.0]]
    said = notes(at)
    assert "Edited weights" in said and "not the trained model" in said
    assert "the goldfish: an RNN whose loop weight is zero" in said
    assert "exactly the goldfish run's of the trained model" in said
    assert not corpus_drawn(at)  # the trained model's map of states is not this model's
    assert EXPLORER_EDITED in said  # the explorer, which reads the trained weights, says why it is closed
    assert set(at.query_params) == {"text", "model", "step", "goldfish", "advanced"}  # the link carries no weights
    assert at.query_params["model"] == "rnn-2"

    at.button(key=RESET_KEY).click().run()
    assert_ok(at)
    np.testing.assert_allclose(o_t(at), trained, atol=0, rtol=0)
    np.testing.assert_allclose(w_shown(at), model().W, atol=1e-7)
    assert "Edited weights" not in notes(at) and EXPLORER_EDITED not in notes(at)
    assert corpus_drawn(at)


def test_a_moved_slider_runs_the_edited_model():
    at = run(LINK)
    at.slider(key=W_KEYS[0, 1]).set_value(2.0).run()
    assert_ok(at)
    w = model().W.copy()
    w[0, 1] = 2.0
    np.testing.assert_allclose(o_t(at), rnnviz.trace(model().with_weights(W=w), TEXT).outputs, atol=1e-6)
    assert "Edited weights" in notes(at) and "goldfish: an RNN" not in notes(at)
    at.slider(key=SCALE_KEY).set_value(0.0).run()
    assert_ok(at)
    deaf = rnnviz.trace(model().with_weights(W=w, input_scale=0.0), "awful boring bad mess .").outputs
    np.testing.assert_allclose(o_t(at), deaf, atol=1e-6)  # no word is heard: any 5 words read alike


def test_edited_weights_never_reach_another_session():
    edited = run(LINK)
    edited.button(key=ZERO_KEY).click().run()
    other = run(LINK)  # a second reader on the same server (the same cached model)
    assert_ok(other)
    np.testing.assert_allclose(o_t(other), rnnviz.trace(model(), TEXT).outputs, atol=1e-6)
    np.testing.assert_allclose(w_shown(other), model().W, atol=1e-7)
    assert "Edited weights" not in notes(other)
    fresh = "a sentence only the second reader types , so no cached trace answers"
    other.text_input(key=TEXT_KEY).set_value(fresh).run()
    np.testing.assert_allclose(o_t(other), rnnviz.trace(model(), fresh).outputs, atol=1e-6)
    shared = load_model("rnn-2")  # the server's one loaded model: never changed
    np.testing.assert_array_equal(shared.cell.W, model().W)
    np.testing.assert_array_equal(shared.cell.U, model().U)
    edited.run()  # and the first reader keeps theirs
    np.testing.assert_allclose(o_t(edited), rnnviz.trace(model(), TEXT, forget=True).outputs, atol=1e-6)
    assert not model().W.flags.writeable and np.any(model().W != 0)


def test_the_weights_stay_with_rnn_2_when_another_model_is_picked():
    at = run(LINK)
    at.button(key=ZERO_KEY).click().run()
    at.segmented_control(key=MODEL_KEY).set_value("rnn-64").run()
    assert_ok(at)
    assert "Edited weights" not in notes(at) and not TOUCH_KEYS & {s.key for s in at.slider}
    at.segmented_control(key=MODEL_KEY).set_value("rnn-2").run()
    assert_ok(at)
    assert "Edited weights" in notes(at) and w_shown(at) == [[0.0, 0.0], [0.0, 0.0]]


def test_the_explainer_reads_the_edited_weights_too():
    from rnnviz.app.explain import EXPLAIN_TABS, EXPLAIN_TABS_KEY, WEIGHTS_CHART_KEY

    at = run(LINK)
    at.button(key=ZERO_KEY).click().run()
    at.session_state[EXPLAIN_TABS_KEY] = EXPLAIN_TABS[1]
    at.run()
    assert_ok(at)
    (w,) = [d for d in drawn_figures(at.get("bidi_component"))[WEIGHTS_CHART_KEY]["data"] if d.get("name") == "W"]
    assert w["z"] == [[0.0, 0.0], [0.0, 0.0]]
