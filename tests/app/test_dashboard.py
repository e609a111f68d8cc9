"""The dashboard's wiring, run headless with streamlit's AppTest (no browser)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest
from support import APP, ROOT
from support import run_app as run

import rnnviz
from rnnviz.app import (
    CHART_KEYS,
    DEFAULT_MODEL,
    DEFAULT_TEXT,
    EXAMPLE_KEY_PREFIX,
    EXAMPLES,
    GOLDFISH_KEY,
    MODEL_KEY,
    PLAY_KEY,
    STEP_KEY,
    TEXT_KEY,
    ViewState,
    md_escape,
    parse_params,
    share_link,
)
from rnnviz.app.live_charts import drawn_figures
from rnnviz.app.messages import nothing_to_read_note

ASSETS = ROOT / "assets"


def charts(at: AppTest) -> list[dict]:
    """The figures the four views were sent to draw (live charts that stay mounted)."""
    return [f for k, f in drawn_figures(at.get("bidi_component")).items() if k in CHART_KEYS.values()]


def all_text(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "caption", "info", "warning", "error") for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


def assert_ok(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


def shown_step(at: AppTest) -> int:
    return at.slider(key=STEP_KEY).value


# -- the page --------------------------------------------------------------------------------------
def test_default_page_draws_four_views_and_fills_the_url():
    at = run()
    assert_ok(at)
    assert len(charts(at)) == 4
    assert at.text_input(key=TEXT_KEY).value == DEFAULT_TEXT
    assert at.segmented_control(key=MODEL_KEY).value == DEFAULT_MODEL
    assert at.toggle(key=GOLDFISH_KEY).value is False
    n = len(rnnviz.tokenize(DEFAULT_TEXT))
    assert shown_step(at) == n
    assert at.query_params["text"] == DEFAULT_TEXT
    assert at.query_params["model"] == DEFAULT_MODEL
    assert at.query_params["step"] == str(n)
    assert at.query_params["goldfish"] == "0"


# The page's own modules: the script, and the widgets, address and session it wires (rnnviz.app).
PAGE_FILES = [Path(APP), *(ROOT / "rnnviz" / "app" / f"{m}.py" for m in ("controls", "share", "session", "state"))]


@pytest.mark.parametrize("path", PAGE_FILES, ids=[p.name for p in PAGE_FILES])
def test_the_page_stays_wiring(path):
    source = path.read_text()
    assert "import torch" not in source
    assert "go.Figure" not in source and "plotly.graph_objects" not in source
    assert "import numpy" not in source
    assert "unsafe_allow_html" not in source


def test_the_app_script_reads_top_to_bottom_in_about_200_lines():
    source = Path(APP).read_text()
    assert len(source.splitlines()) <= 200
    assert "session_state" not in source  # the page's state is one PageState, kept by rnnviz.app.session


@pytest.mark.parametrize("name", rnnviz.SHIPPED)
def test_each_model_draws_or_explains_why_not(name):
    at = run()
    at.segmented_control(key=MODEL_KEY).set_value(name).run()
    assert not at.exception, at.exception
    assert at.query_params["model"] == name
    if (ASSETS / f"{name}.safetensors").is_file():
        assert_ok(at)
        assert len(charts(at)) == 4
    else:
        assert len(charts(at)) == 0
        assert any("not available" in e.value for e in at.error)
        # the others keep working
        at.segmented_control(key=MODEL_KEY).set_value(DEFAULT_MODEL).run()
        assert_ok(at)
        assert len(charts(at)) == 4


def test_goldfish_switch_draws_against_the_real_run():
    at = run()
    at.toggle(key=GOLDFISH_KEY).set_value(True).run()
    assert_ok(at)
    assert len(charts(at)) == 4
    assert "Goldfish" in all_text(at)
    assert at.query_params["goldfish"] == "1"


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.key for e in EXAMPLES])
def test_example_buttons_fill_the_text(example):
    at = run()
    at.button(key=EXAMPLE_KEY_PREFIX + example.key).click().run()
    assert_ok(at)
    assert at.text_input(key=TEXT_KEY).value == example.text
    assert len(charts(at)) == 4
    assert at.query_params["text"] == example.text
    n = len(rnnviz.tokenize(example.text))
    assert at.query_params["step"] == str(n)


@pytest.mark.parametrize("text", ["", "   ", "\u200b\u200b"], ids=["empty", "spaces", "invisible"])
def test_nothing_to_read_gives_a_friendly_message(text):
    at = run()
    at.text_input(key=TEXT_KEY).set_value(text).run()
    assert_ok(at)
    assert len(charts(at)) == 0
    assert [i.value for i in at.info] == [nothing_to_read_note(text)]  # one note, saying it once
    assert at.info[0].value.count("Type a sentence") == 1


def test_typed_html_is_shown_as_text():
    at = run()
    at.text_input(key=TEXT_KEY).set_value("<script>alert(1)</script> <b>x</b> :red[hi] $x$").run()
    assert_ok(at)
    assert len(charts(at)) == 4
    for kind in ("markdown", "caption", "info", "warning"):
        for el in getattr(at, kind):
            assert "<b>" not in el.value and "<script" not in el.value, el.value
            assert not el.proto.allow_html if hasattr(el.proto, "allow_html") else True


def test_words_the_model_did_not_know_are_named():
    at = run()
    at.text_input(key=TEXT_KEY).set_value("this movie is qzxvbwk").run()
    assert_ok(at)
    notes = [c.value for c in at.caption if "vocabulary" in c.value or "Unknown" in c.value]
    assert notes and "qzxvbwk" in notes[0]


def test_long_text_is_cut_with_a_note():
    at = run()
    at.text_input(key=TEXT_KEY).set_value(" ".join(["good"] * 250)).run()
    assert_ok(at)
    assert any("Reading the first 200 of 250 tokens" in w.value for w in at.warning)
    assert shown_step(at) == 200


# -- the step ------------------------------------------------------------------------------------
def test_slider_selects_a_step_and_the_url_follows():
    at = run()
    at.slider(key=STEP_KEY).set_value(2).run()
    assert_ok(at)
    assert at.query_params["step"] == "2"
    assert any("= 2 of 5" in m.value for m in at.markdown)


def test_typing_at_the_end_follows_the_new_words_and_a_chosen_step_stays():
    at = run()
    at.text_input(key=TEXT_KEY).set_value(DEFAULT_TEXT + " at all").run()
    assert shown_step(at) == 7
    at.slider(key=STEP_KEY).set_value(4).run()
    at.text_input(key=TEXT_KEY).set_value(DEFAULT_TEXT + " at all , really").run()
    assert_ok(at)
    assert shown_step(at) == 4
    at.text_input(key=TEXT_KEY).set_value("short text").run()
    assert shown_step(at) == 2  # clamped to the new end


def test_play_starts_from_the_first_word():
    at = run()
    at.button(key=PLAY_KEY).click().run()
    assert_ok(at)
    assert shown_step(at) in (1, 2)  # the timer may already have ticked once
    pause = at.button(key=PLAY_KEY)
    assert (pause.label, pause.proto.icon) == ("Pause", ":material/pause:")  # a font icon, not a glyph
    at.button(key=PLAY_KEY).click().run()
    play = at.button(key=PLAY_KEY)
    assert (play.label, play.proto.icon) == ("Play", ":material/play_arrow:")


def test_one_word_needs_no_slider():
    at = run({"text": "disgustingly"})
    assert_ok(at)
    assert len(charts(at)) == 4
    assert not [s for s in at.slider if s.key == STEP_KEY]


# -- links ---------------------------------------------------------------------------------------
def test_a_valid_link_opens_the_same_view():
    at = run({"text": "the film is disgustingly good", "model": "rnn-2", "step": "3", "goldfish": "1"})
    assert_ok(at)
    assert at.text_input(key=TEXT_KEY).value == "the film is disgustingly good"
    assert at.toggle(key=GOLDFISH_KEY).value is True
    assert shown_step(at) == 3
    assert not at.info
    assert len(charts(at)) == 4


# -- the pure helpers -----------------------------------------------------------------------------
@pytest.mark.parametrize("compare", [None, "gru-64"])
def test_parse_params_round_trips_share_link(compare):
    view = ViewState(text="not good & <b>bad</b>?", model="rnn-2", step=2, goldfish=True, compare=compare)
    link = share_link("http://host:8501/", view)
    from urllib.parse import parse_qs, urlsplit

    params = {k: v[0] for k, v in parse_qs(urlsplit(link).query, keep_blank_values=True).items()}
    parsed, notes = parse_params(params)
    assert parsed == view and notes == []


def test_md_escape_leaves_no_markup():
    escaped = md_escape("<b>x</b> *y* [a](b) $z$ :red[w]")
    for raw in ("<b>", "*y*", "[a]", "$z$", ":red["):
        assert raw not in escaped
