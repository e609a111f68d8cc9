"""The 'Explore the hidden state' section, run headless with AppTest: lazy, every tab draws, pins, downloads."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest
from support import app_test

from rnnviz.app import CHART_KEYS, MODEL_KEY, TEXT_KEY
from rnnviz.app.explain import EXPLAIN_CHARTS, EXPLAIN_LABEL
from rnnviz.app.explorer import (
    DOWNLOAD_CSV_KEY,
    DOWNLOAD_JSON_KEY,
    EFFECTS_KEY,
    EXPLORER_KEY,
    FIXED_POINTS_KEY,
    MAP_3D_KEY,
    MAP_COLOUR_KEY,
    MAP_PAIR_KEY,
    MAP_PREFIX_KEY,
    PIN_KEY,
    PIN_TRIO_KEY,
    PINNED,
    TABS,
    TABS_KEY,
    TRIO,
    WORD_KEY,
)
from rnnviz.app.live_charts import drawn_figures


def opened(tab: str, model: str = "rnn-2", text: str = "this movie is not good") -> AppTest:
    at = app_test(query={"model": model, "text": text, "advanced": "1"}).run()  # the explorer is an advanced tool
    at.session_state[EXPLORER_KEY] = True
    at.session_state[TABS_KEY] = tab
    return at.run()


def assert_ok(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


def test_closed_section_runs_nothing():
    at = app_test(query={"advanced": "1"}).run()
    assert_ok(at)
    labels = [e.label for e in at.get("expander")]  # the touch panel (rnn-2), the explainer, then the explorer
    assert labels[-1] == "Explore the hidden state" and EXPLAIN_LABEL in labels
    views = drawn_figures(at.get("bidi_component")).keys() - EXPLAIN_CHARTS  # the dashboard's own views only
    assert views == set(CHART_KEYS.values())
    assert not at.get("plotly_chart")
    assert not at.get("download_button")


@pytest.mark.parametrize("tab", TABS[:6])
def test_every_tab_draws_one_chart(tab):
    at = opened(tab)
    if tab == "Word effects":  # heavy: only on a press
        at.button(key=EFFECTS_KEY).click().run()
    assert_ok(at)
    assert len(at.get("plotly_chart")) == 1  # the tab's chart; the views are live charts


def test_dynamics_tab_takes_a_word_and_rejects_two():
    at = opened("Dynamics & fixed points")
    at.text_input(key=WORD_KEY).set_value("good").run()
    at.button(key=FIXED_POINTS_KEY).click().run()  # heavy: only on a press
    assert_ok(at)
    assert any("“good”" in c.value for c in at.caption)
    at.text_input(key=WORD_KEY).set_value("not good").run()
    assert any("one word" in w.value for w in at.warning)


def test_gated_models_show_kept_versus_written():
    at = opened("One step apart", model="gru-64")
    assert_ok(at)
    assert any("Kept versus written" in m.value for m in at.markdown)


def test_pins_are_compared():
    at = opened("Compare")
    at.button(key=PIN_TRIO_KEY).click().run()
    assert_ok(at)
    assert [t for t, _ in at.session_state[PINNED]] == list(TRIO)
    at.text_input(key=TEXT_KEY).set_value("a <b>bold</b> try").run()
    at.button(key=PIN_KEY).click().run()
    assert_ok(at)
    assert at.session_state[PINNED][-1] == ("a <b>bold</b> try", False)


def test_export_downloads_hold_the_literal_trace():
    at = opened("Export", model="lstm-64", text="a <b>bold</b> try")
    assert_ok(at)
    assert at.segmented_control(key=MODEL_KEY).value == "lstm-64"
    keys = {b.key for b in at.get("download_button")}
    assert {DOWNLOAD_JSON_KEY, DOWNLOAD_CSV_KEY} <= keys
    # AppTest does not fetch download bodies; the content is built by rnnviz.analysis (tested there).
    from rnnviz import analysis, load_model, trace

    rec = json.loads(analysis.trace_json(trace(load_model("lstm-64"), "a <b>bold</b> try")))
    assert rec["text"] == "a <b>bold</b> try" and set(rec["gates"]) == {"i", "f", "g", "o", "cell"}


def map_chart(at: AppTest) -> dict:
    """The Map tab's figure, as the dict the browser gets."""
    (fig,) = [json.loads(c.proto.spec) for c in at.get("plotly_chart") if "map" in c.proto.id]
    return fig


def test_map_tab_draws_the_projection_with_its_options():
    at = opened("Map", model="rnn-64", text="a <b>bold</b> try")
    assert_ok(at)
    fig = map_chart(at)
    assert fig["layout"]["xaxis"]["title"]["text"].startswith("PC1 (")
    assert fig["layout"]["yaxis"]["title"]["text"].startswith("PC2 (")
    assert any(t.get("name") == "negative reviews end" for t in fig["data"])
    assert any("% of the variance" in c.value for c in at.caption)

    at.segmented_control(key=MAP_PAIR_KEY).set_value("PC1 / PC3").run()
    at.segmented_control(key=MAP_COLOUR_KEY).set_value("o").run()
    at.toggle(key=MAP_PREFIX_KEY).set_value(True).run()
    assert_ok(at)
    fig = map_chart(at)
    assert fig["layout"]["yaxis"]["title"]["text"].startswith("PC3 (")
    names = [t.get("name", "") for t in fig["data"]]
    assert "reviews end, coloured by o<sub>T</sub>" in names
    assert "reviews, every prefix, coloured by o<sub>t</sub>" in names

    at.toggle(key=MAP_3D_KEY).set_value(True).run()
    assert_ok(at)
    fig = map_chart(at)
    assert {t["type"] for t in fig["data"]} >= {"scatter3d", "mesh3d"}
    assert fig["layout"]["scene"]["zaxis"]["title"]["text"].startswith("PC3 (")
    assert "<b>" not in json.dumps(fig)  # the typed markup stays text


def test_map_tab_for_rnn_2_keeps_the_neurons():
    at = opened("Map", model="rnn-2")
    assert_ok(at)
    assert at.segmented_control(key=MAP_PAIR_KEY).disabled and at.toggle(key=MAP_3D_KEY).disabled
    fig = map_chart(at)
    assert fig["layout"]["xaxis"]["title"]["text"].startswith("neuron 1")
    assert any("exact picture" in c.value for c in at.caption)


def test_neurons_tab_ranks_sentences_without_the_treebank(monkeypatch):
    """A hosted demo has no SST: the ranking comes from assets/NAME.phrases.json (rnnviz.phrases)."""
    from rnnviz import sst

    def no_treebank(*args, **kwargs):
        raise AssertionError("the neurons tab read the treebank")

    monkeypatch.setattr(sst, "find_data", no_treebank)
    monkeypatch.setattr(sst, "load_split", no_treebank)
    at = opened("Neurons", model="gru-64")
    assert_ok(at)
    assert any(m.value.startswith("**Drives it highest**") for m in at.markdown)
    assert sum(m.value.startswith("`") for m in at.markdown) == 10  # five sentences each way
