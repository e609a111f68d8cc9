"""The explainer panel on the page (AppTest): under the views, it follows the step and tells the goldfish run."""

from __future__ import annotations

from pathlib import Path

import pytest

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")


# -- the page ---------------------------------------------------------------------------------------
def story(at) -> str:
    """The panel's sentence, its markdown escapes taken out."""
    found = [m.value for m in at.markdown if m.value.startswith("At “")]
    assert found, "the panel tells no story"
    return found[0].replace("\\", "")


def test_the_panel_is_under_the_views_and_follows_the_step():
    pytest.importorskip("streamlit")
    from streamlit.testing.v1 import AppTest

    from rnnviz.app import STEP_KEY
    from rnnviz.app.explain import (
        EXPLAIN_KEY,
        EXPLAIN_LABEL,
        EXPLAIN_TABS,
        EXPLAIN_TABS_KEY,
        STEP_CHART_KEY,
        WEIGHTS_CHART_KEY,
    )
    from rnnviz.app.live_charts import drawn_figures

    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"text": "this movie is not good", "model": "rnn-2", "step": "2"})
    at.run()
    assert not at.exception, at.exception
    assert EXPLAIN_LABEL in [e.label for e in at.get("expander")]  # under the views (beside "Touch the model: W")
    assert story(at).startswith("At “movie” (t = 2)")
    assert "Step t = 2" in drawn_figures(at.get("bidi_component"))[STEP_CHART_KEY]["layout"]["title"]["text"]
    at.slider(key=STEP_KEY).set_value(4).run()
    assert story(at).startswith("At “not” (t = 4)")
    assert "Step t = 4" in drawn_figures(at.get("bidi_component"))[STEP_CHART_KEY]["layout"]["title"]["text"]
    at.session_state[EXPLAIN_TABS_KEY] = EXPLAIN_TABS[1]
    at.run()
    charts = drawn_figures(at.get("bidi_component"))
    assert WEIGHTS_CHART_KEY in charts and STEP_CHART_KEY not in charts  # only the open tab is built
    assert any("same matrices are used at every step" in c.value for c in at.caption)
    at.session_state[EXPLAIN_KEY] = False
    at.run()
    assert not {STEP_CHART_KEY, WEIGHTS_CHART_KEY} & drawn_figures(at.get("bidi_component")).keys()


def test_the_goldfish_step_is_told_too():
    pytest.importorskip("streamlit")
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"text": "not good", "model": "gru-64", "step": "2", "goldfish": "1"})
    at.run()
    assert not at.exception, at.exception
    told = [m.value.replace("\\", "") for m in at.markdown if m.value.startswith("Goldfish: At")]
    assert told and "from s₀" in told[0] and "(t = 2)" in told[0]
