""" "Compare with" on the page (AppTest): off by default; a link or the picker turns it on; both models read the
same sentence at the page's step; the sentences come from the traces; the URL and the share link carry it."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest
from support import run_app

import rnnviz
from rnnviz.app import CHART_KEYS, GOLDFISH_KEY, MODEL_KEY, STEP_KEY, md_escape
from rnnviz.app.compare import COMPARE_CHART_KEYS, GOLDFISH_LEFT_OUT, SAME_MODEL_NOTE
from rnnviz.app.controls import COMPARE_KEY, COMPARE_OFF
from rnnviz.app.live_charts import drawn_figures
from rnnviz.app.touch import TOUCH_KEY, ZERO_KEY
from rnnviz.contrast import contrast, narrate_contrast

TEXT = "this movie is not bad"
LINK = {"text": TEXT, "model": "rnn-2", "compare": "gru-64"}


@cache
def trace(name: str) -> rnnviz.Trace:
    return rnnviz.trace(rnnviz.load_inference_model(name), TEXT)


def figures(at: AppTest) -> dict[str, dict]:
    return drawn_figures(at.get("bidi_component"))


def compared(at: AppTest) -> dict[str, dict]:
    """The comparison's charts the page was sent (none while compare is off)."""
    return {role: f for role, key in COMPARE_CHART_KEYS.items() if (f := figures(at).get(key)) is not None}


def said(at: AppTest) -> str:
    return "\n".join(str(e.value) for kind in ("markdown", "caption", "info", "warning") for e in getattr(at, kind))


def assert_ok(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


def curves(fig: dict) -> dict[str, list[float]]:
    """The o_t curves of the comparison's positivity chart, by name."""
    return {d["name"]: d["y"] for d in fig["data"] if d.get("mode") == "lines+markers"}


def test_compare_is_off_by_default():
    at = run_app({"text": TEXT})
    assert_ok(at)
    assert compared(at) == {}
    assert at.segmented_control(key=COMPARE_KEY).value == COMPARE_OFF
    assert "compare" not in at.query_params
    assert all(key in figures(at) for key in CHART_KEYS.values())


def test_a_link_compares_both_models_on_the_same_sentence():
    at = run_app(LINK)
    assert_ok(at)
    figs = compared(at)
    assert set(figs) == {"positivity", "shown", "other"}
    got = curves(figs["positivity"])
    assert set(got) == {"rnn-2", "gru-64"}
    np.testing.assert_allclose(got["rnn-2"], trace("rnn-2").outputs, atol=1e-6)
    np.testing.assert_allclose(got["gru-64"], trace("gru-64").outputs, atol=1e-6)
    assert figs["shown"]["layout"]["title"]["text"].startswith("Projection of rnn-2")
    assert figs["other"]["layout"]["title"]["text"].startswith("Projection of gru-64")
    story = narrate_contrast(contrast(trace("rnn-2"), trace("gru-64"), ("rnn-2", "gru-64")))
    assert md_escape(story) in said(at)
    assert at.query_params["compare"] == "gru-64"
    assert at.segmented_control(key=COMPARE_KEY).value == "gru-64"
    assert "compare=gru-64" in at.code[0].value  # the share link


def test_the_step_applies_to_both_models():
    at = run_app(LINK)
    at.slider(key=STEP_KEY).set_value(3).run()
    assert_ok(at)
    figs = compared(at)
    for role in ("shown", "other"):
        assert "t = 3: “is”" in figs[role]["layout"]["title"]["text"]
    rings = [d for d in figs["positivity"]["data"] if d.get("name") == "selected step"]
    assert [r["x"] for r in rings] == [[3], [3]]
    expected = sorted([float(trace("rnn-2").outputs[2]), float(trace("gru-64").outputs[2])])
    np.testing.assert_allclose(sorted(r["y"][0] for r in rings), expected, atol=1e-6)


def test_the_goldfish_stays_out_of_the_comparison():
    at = run_app(LINK)
    at.toggle(key=GOLDFISH_KEY).set_value(True).run()
    assert_ok(at)
    figs = compared(at)
    assert set(curves(figs["positivity"])) == {"rnn-2", "gru-64"}
    assert "goldfish" not in str(figs["positivity"]["data"]).lower()
    assert GOLDFISH_LEFT_OUT in said(at)
    assert any("goldfish" in str(d.get("name")) for d in figures(at)[CHART_KEYS["positivity"]]["data"])


def test_the_picker_turns_it_on_changes_it_and_turns_it_off():
    at = run_app({"text": TEXT, "model": "rnn-2"})
    at.segmented_control(key=COMPARE_KEY).set_value("lstm-64").run()
    assert_ok(at)
    assert set(curves(compared(at)["positivity"])) == {"rnn-2", "lstm-64"}
    assert at.query_params["compare"] == "lstm-64"
    at.segmented_control(key=COMPARE_KEY).set_value(COMPARE_OFF).run()
    assert_ok(at)
    assert compared(at) == {} and "compare" not in at.query_params


def test_a_new_model_above_is_compared_with_the_same_second_model():
    at = run_app(LINK)
    at.segmented_control(key=MODEL_KEY).set_value("lstm-64").run()
    assert_ok(at)
    assert set(curves(compared(at)["positivity"])) == {"lstm-64", "gru-64"}
    assert at.query_params["compare"] == "gru-64"


def test_the_same_model_twice_asks_for_another():
    at = run_app({**LINK, "compare": "rnn-2"})
    assert_ok(at)
    assert compared(at) == {}
    assert SAME_MODEL_NOTE.format(name="rnn-2") in said(at)


def test_rnn_2_with_your_w_is_compared_with_the_trained_rnn_2():
    at = run_app({**LINK, "compare": "rnn-2"}, state={TOUCH_KEY: True})
    at.button(key=ZERO_KEY).click().run()
    assert_ok(at)
    got = curves(compared(at)["positivity"])
    assert set(got) == {"rnn-2 with your W", "rnn-2"}
    np.testing.assert_allclose(got["rnn-2"], trace("rnn-2").outputs, atol=1e-6)
    goldfish = rnnviz.trace(rnnviz.load_inference_model("rnn-2"), TEXT, forget=True).outputs
    np.testing.assert_allclose(got["rnn-2 with your W"], goldfish, atol=1e-6)  # W = 0 is the goldfish


@pytest.mark.parametrize("odd", ["gpt-9", "<script>alert(1)</script>"])
def test_an_odd_compare_link_is_noted_and_left_off(odd):
    at = run_app({**LINK, "compare": odd})
    assert_ok(at)
    assert compared(at) == {}
    assert "which does not exist; compare is off" in said(at)
    assert "compare" not in at.query_params
    assert "<script>" not in said(at)
