"""Nudging s_t by hand (two hidden units): the page state's transitions, and what the page draws and says from it."""

from __future__ import annotations

import numpy as np
import pytest
from support import app_test

import rnnviz
from rnnviz.app import CHART_KEYS
from rnnviz.app.live_charts import drawn_figures
from rnnviz.app.session import STATE_KEY
from rnnviz.app.state import Nudge, PageState
from rnnviz.app.touch import NUDGE_RESET_KEY
from rnnviz.figures.projection import NUDGE, WHAT_IF
from rnnviz.trace import what_if

TEXT = "this movie is not good at all"


def test_a_nudge_is_clamped_to_where_tanh_puts_units_and_selects_its_step():
    state = PageState(text=TEXT, model="rnn-2", step=7, playing=True).nudged(3, (1.7, -0.25))
    assert state.nudge == Nudge("rnn-2", TEXT, 3, (1.0, -0.25))
    assert (state.step, state.playing) == (3, False)
    assert state.nudge_shown == state.nudge
    assert state.nudged(3, (float("nan"), 0.0)) == state  # not a state: nothing changes
    assert state.nudge_reset().nudge is None


@pytest.mark.parametrize(
    "change",
    [
        lambda s: s.typed(TEXT + " really"),
        lambda s: s.model_picked("gru-64"),
        lambda s: s.step_picked(4),
        lambda s: s.play_toggled(7, now=1.0),
    ],
)
def test_a_nudge_is_drawn_only_on_its_own_text_model_and_step(change):
    state = PageState(text=TEXT, model="rnn-2", step=3).nudged(3, (0.6, -0.6))
    assert change(state).nudge_shown is None


def _run(model: str, nudge: tuple[float, float] | None = None):
    """The page opened on TEXT at step 4 (a link), then, if given, s_4 nudged to `nudge` (what the handle reports)."""
    at = app_test(query={"text": TEXT, "model": model, "step": "4"}).run()
    if nudge is not None:
        at.session_state[STATE_KEY] = at.session_state[STATE_KEY].nudged(4, nudge)
        at.run()
    assert not at.exception, at.exception
    return at


def test_the_page_reads_the_sentence_on_from_the_nudged_state_and_says_how_it_ends():
    at = _run("rnn-2", (0.6, -0.6))
    projection = drawn_figures(at.get("bidi_component"))[CHART_KEYS["projection"]]
    names = [t.get("name") for t in projection["data"]]
    assert WHAT_IF in names
    assert any(s.get("name") == NUDGE for s in projection["layout"]["shapes"])
    model = rnnviz.load_inference_model("rnn-2")
    tr = rnnviz.trace(model, TEXT)
    wi = what_if(model, tr, 4, np.array([0.6, -0.6]))
    note = next(e.value for e in at.info if "What if" in e.value)
    assert f"(+0.60, -0.60) instead of ({tr.hidden[4][0]:+.2f}, {tr.hidden[4][1]:+.2f})" in note
    assert f"o = {wi.final:.3f} ({'positive' if wi.final >= 0.5 else 'negative'})" in note
    assert f"instead of {tr.final:.3f}" in note
    at.button(key=NUDGE_RESET_KEY).click().run()
    projection = drawn_figures(at.get("bidi_component"))[CHART_KEYS["projection"]]
    assert WHAT_IF not in [t.get("name") for t in projection["data"]]
    assert not [e for e in at.info if "What if" in e.value]


def test_only_two_unit_models_get_the_handle():
    at = _run("rnn-64")
    projection = drawn_figures(at.get("bidi_component"))[CHART_KEYS["projection"]]
    assert not any(s.get("name") == NUDGE for s in projection["layout"].get("shapes", []))
    at = _run("rnn-2")
    projection = drawn_figures(at.get("bidi_component"))[CHART_KEYS["projection"]]
    assert any(s.get("name") == NUDGE for s in projection["layout"]["shapes"])
    assert any("Drag the dotted ring" in e.value for e in at.caption)
