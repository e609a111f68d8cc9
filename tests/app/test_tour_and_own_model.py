"""Guided tour, your own model, page links: the tour data, rnnviz.app.custom_model, and their wiring (AppTest)."""

from __future__ import annotations

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest
from support import ROOT, tiny_model
from support import run_app as run

import rnnviz
from rnnviz.app import CHART_KEYS, DEFAULT_MODEL, GOLDFISH_KEY, MODEL_KEY, STEP_KEY, TEXT_KEY, parse_params
from rnnviz.app import custom_model as cm
from rnnviz.app.compare import COMPARE_CHART_KEYS
from rnnviz.app.explain import EXPLAIN_CHARTS, EXPLAIN_LABEL
from rnnviz.app.live_charts import drawn_figures
from rnnviz.app.messages import md_escape
from rnnviz.app.tour import (
    PARAM_TOUR,
    TOUR,
    TOUR_BACK_KEY,
    TOUR_CLOSE_KEY,
    TOUR_NEXT_KEY,
    TOUR_START_KEY,
    parse_tour,
)
from rnnviz.claim import check_all
from rnnviz.model import save_checkpoint


def assert_view(at: AppTest, text: str, model: str, step: int, goldfish: bool) -> None:
    assert not at.exception, at.exception
    assert at.text_input(key=TEXT_KEY).value == text
    assert at.session_state[MODEL_KEY] == model
    assert at.toggle(key=GOLDFISH_KEY).value is goldfish
    assert at.slider(key=STEP_KEY).value == step
    drawn = drawn_figures(at.get("bidi_component")).keys() - EXPLAIN_CHARTS
    assert drawn - set(COMPARE_CHART_KEYS.values()) == set(CHART_KEYS.values())


def url(at: AppTest) -> dict[str, str]:
    return {name: at.query_params[name] for name in at.query_params}


# -- the tour's content ------------------------------------------------------------------------------
def test_tour_follows_the_essay_in_order():
    titles = [s.title.lower() for s in TOUR]
    for i, idea in enumerate(("goldfish", "loop", "unroll", "so far", "shared", "two neurons")):
        assert idea in titles[i], (idea, titles[i])
    for s in TOUR:
        assert s.model in rnnviz.SHIPPED and s.body and s.look
        assert 1 <= s.step <= len(rnnviz.tokenize(s.text))
    assert [s.goldfish for s in TOUR] == [True] + [False] * (len(TOUR) - 1)


def test_tour_claims_hold_for_the_shipped_models():
    goldfish, _, unrolled, so_far, _, plane, *_ = TOUR
    real = rnnviz.trace(rnnviz.load_model(goldfish.model), goldfish.text)
    forgetful = rnnviz.trace(rnnviz.load_model(goldfish.model), goldfish.text, forget=True)
    assert real.outputs[-1] < 0.5 < forgetful.outputs[-1]  # the goldfish reads "good" alone
    assert len(rnnviz.tokenize(unrolled.text)) == 9  # "a 9-word sentence"
    tr = rnnviz.trace(rnnviz.load_model(so_far.model), so_far.text)
    assert tr.tokens[so_far.step - 1] == "disgustingly"
    assert tr.outputs[so_far.step - 1] < 0.5 < tr.outputs[so_far.step]  # sinks, then "good" lifts it
    assert rnnviz.load_model(plane.model).config.hidden == 2
    words = rnnviz.tokenize(plane.text)
    assert [words[c.at - 1] for c in plane.claims] == ["wonderful", "wonderful", "was", "terrible"]


@pytest.mark.parametrize("n", range(1, len(TOUR) + 1))
def test_every_tour_claim_holds_on_its_model(n):
    """Each step's body, as checkable claims (rnnviz.claim), on the model the step picks."""
    step = TOUR[n - 1]
    model = rnnviz.load_inference_model(step.model)
    tr, goldfish = rnnviz.trace(model, step.text), rnnviz.trace(model, step.text, forget=True)
    outcomes = check_all(step.claims, tr, goldfish)
    assert all(o.held for o in outcomes), [o.said for o in outcomes]
    behaviour = ("reads", "sinks", "lifts", "toward", "across", "stays")
    assert bool(step.claims) == any(word in step.body for word in behaviour), step.title  # its behaviour is checked


@pytest.mark.parametrize(
    ("raw", "step", "noted"),
    [(None, None, False), ([], None, False), ("", 1, False), ("3", 3, False), (["9", "2"], 2, False),
     (" 6 ", 6, False), (str(len(TOUR)), len(TOUR), False), ("0", 1, True), (str(len(TOUR) + 1), 1, True),
     ("-2", 1, True), ("abc", 1, True), ("1" * 40, 1, True)],
)  # fmt: skip
def test_parse_tour(raw, step, noted):
    got, notes = parse_tour(raw)
    assert got == step
    assert bool(notes) is noted


def test_tour_parameter_is_not_an_unknown_parameter():
    _, notes = parse_params({PARAM_TOUR: "2", "text": "good"})
    assert not notes


# -- the tour in the app -------------------------------------------------------------------------------
def test_tour_steps_set_the_views_and_the_url():
    at = run()
    assert not at.exception
    assert PARAM_TOUR not in url(at)
    at.button(key=TOUR_START_KEY).click().run()
    for n, s in enumerate(TOUR, start=1):
        assert_view(at, s.text, s.model, s.step, s.goldfish)
        assert url(at)[PARAM_TOUR] == str(n)
        assert url(at)["model"] == s.model and url(at)["step"] == str(s.step)
        assert url(at).get("compare") == s.compare  # a step with a second model opens Compare, the others shut it
        if s.compare:
            names = md_escape(s.model), md_escape(s.compare)  # (markdown escapes the hyphen)
            assert any(all(n in m.value for n in names) for m in at.markdown), s.title  # its story
        drawn = drawn_figures(at.get("bidi_component")).keys()
        assert (set(COMPARE_CHART_KEYS.values()) <= drawn) == bool(s.compare), s.title
        assert any(s.title in m.value for m in at.markdown)
        if n < len(TOUR):
            at.button(key=TOUR_NEXT_KEY).click().run()
    at.button(key=TOUR_BACK_KEY).click().run()
    assert_view(at, TOUR[-2].text, TOUR[-2].model, TOUR[-2].step, TOUR[-2].goldfish)
    at.button(key=TOUR_CLOSE_KEY).click().run()
    assert not at.exception
    assert PARAM_TOUR not in url(at)
    assert not any(TOUR[-2].title in m.value for m in at.markdown)
    assert at.button(key=TOUR_START_KEY)  # can be taken again


def test_a_tour_link_opens_its_step():
    s = TOUR[2]
    at = run({PARAM_TOUR: "3", "text": "something else", "model": "lstm-64", "goldfish": "1"})
    assert_view(at, s.text, s.model, s.step, s.goldfish)  # the tour step wins over the rest of the link
    assert not at.info  # no note
    assert url(at)[PARAM_TOUR] == "3"


@pytest.mark.parametrize("raw", ["abc", "0", "99"])
def test_a_bad_tour_link_starts_the_tour_with_a_note(raw):
    at = run({PARAM_TOUR: raw})
    s = TOUR[0]
    assert_view(at, s.text, s.model, s.step, s.goldfish)
    assert any("tour" in i.value for i in at.info)
    assert url(at)[PARAM_TOUR] == "1"


def test_a_tour_step_still_lets_the_reader_type():
    at = run({PARAM_TOUR: "2"})
    at.text_input(key=TEXT_KEY).input("a warm and funny film").run()
    slider = at.slider(key=STEP_KEY)
    assert not at.exception and slider.max == 5 and slider.value == TOUR[1].step  # a chosen step stays


# -- page links ------------------------------------------------------------------------------------------
def test_main_page_links_to_the_playground_and_back():
    at = run()
    assert [p.proto.label for p in at.get("page_link")] == ["Training playground"]
    page = (ROOT / "pages" / "1_Training_playground.py").read_text(encoding="utf-8")
    assert 'st.page_link("streamlit_app.py", label="Watch an RNN read"' in page
    config = (ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8")
    assert "showSidebarNavigation = false" in config


# -- your own model: rnnviz.app.custom_model -------------------------------------------------------------
@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory) -> bytes:
    return save_checkpoint(tiny_model("gru"), tmp_path_factory.mktemp("ck") / "tiny.safetensors").read_bytes()


def test_a_real_checkpoint_loads_for_this_session(checkpoint):
    custom = cm.load_upload("my <b>model</b>.safetensors", checkpoint)
    assert custom.name == "my_b_model_b" and custom.label == "yours: my_b_model_b"
    assert custom.model.config.arch == "gru" and custom.source == "upload"
    assert "gru, 3 hidden units" in custom.describe()
    tr = custom.trace("this movie is not good")
    assert tr.T == 5 and custom.trace("this movie is not good") is tr  # remembered
    expected = rnnviz.trace(tiny_model("gru"), "this movie is not good")
    assert abs(tr.outputs - expected.outputs).max() < 1e-3  # the embedding is stored in half precision
    for i in range(cm.MAX_TRACES + 5):
        custom.trace(f"good {i}")
    assert len(custom._traces) == cm.MAX_TRACES


def test_two_sessions_never_share_a_model(checkpoint):
    a, b = cm.load_upload("a.safetensors", checkpoint), cm.load_upload("a.safetensors", checkpoint)
    assert a.model is not b.model and a.digest == b.digest


def _error(name: str, data: bytes) -> str:
    with pytest.raises(cm.UploadError) as info:
        cm.load_upload(name, data)
    return str(info.value)


def test_a_corrupt_or_cut_file_is_explained(checkpoint):
    assert "not a safetensors file" in _error("x.safetensors", b"hello, this is text")
    assert "truncated" in _error("x.safetensors", checkpoint[: len(checkpoint) // 2])
    header = bytearray(checkpoint)
    header[12] ^= 0xFF  # inside the JSON header
    message = _error("flipped.safetensors", bytes(header))
    assert "'flipped.safetensors'" in message and "/tmp" not in message and "rnnviz.train" in message


def test_an_old_pt_upload_says_how_to_convert_it(checkpoint):
    message = _error("old model.pt", b"PK\x03\x04 whatever a torch.save archive holds")
    assert "'old model.pt' is an old .pt checkpoint" in message
    assert "`python -m rnnviz.convert old_model.pt old_model.safetensors`" in message
    assert "zip archive" in _error("renamed.safetensors", b"PK\x03\x04" + checkpoint)


def test_size_and_type_are_checked_first():
    assert "not a .safetensors file" in _error("model.txt", b"x")
    assert "is empty" in _error("model.safetensors", b"")
    assert f"at most {cm.MAX_UPLOAD_MB} MB" in _error("huge.safetensors", bytes(cm.MAX_UPLOAD_BYTES + 1))
    cm.check_upload("fine.SAFETENSORS", cm.MAX_UPLOAD_BYTES)


def test_handoff_values(checkpoint):
    assert cm.take_handoff(("m.safetensors", checkpoint)) == ("m.safetensors", checkpoint)
    assert cm.take_handoff(checkpoint) == ("playground.safetensors", checkpoint)
    with pytest.raises(cm.UploadError):
        cm.take_handoff("not bytes")


# -- your own model in the app -----------------------------------------------------------------------------
def test_a_handed_over_model_is_picked_and_drawn_but_never_linked(checkpoint):
    at = run(
        {"text": "this movie is good", "advanced": "1"}, state={cm.HANDOFF_KEY: ("trained.safetensors", checkpoint)}
    )
    assert not at.exception and not at.error
    assert cm.HANDOFF_KEY not in at.session_state  # taken once
    assert at.session_state[MODEL_KEY] == cm.CUSTOM_MODEL
    assert [o.content for o in at.get("button_group")[0].proto.options] == [*rnnviz.SHIPPED, "yours: trained"]
    drawn = drawn_figures(at.get("bidi_component")).keys() - EXPLAIN_CHARTS
    assert drawn - set(COMPARE_CHART_KEYS.values()) == set(CHART_KEYS.values())
    assert url(at)["model"] == DEFAULT_MODEL  # a link cannot carry it
    assert any("cannot travel in a link" in c.value for c in at.caption)
    assert f"model={DEFAULT_MODEL}" in at.code[0].value
    assert "Explore the hidden state" not in [e.label for e in at.get("expander")]  # shipped models only
    at.text_input(key=TEXT_KEY).input("not good at all").run()
    assert not at.exception and at.slider(key=STEP_KEY).value == 4
    at.session_state[MODEL_KEY] = "rnn-64"
    at.run()
    assert not at.exception and url(at)["model"] == "rnn-64"
    assert [e.label for e in at.get("expander")] == [EXPLAIN_LABEL, "Explore the hidden state"]


def test_a_bad_handed_over_model_is_explained():
    at = run(state={cm.HANDOFF_KEY: ("broken.safetensors", b"PK\x03\x04 not really")})
    assert not at.exception
    assert any("cannot be used" in e.value for e in at.error)
    views = drawn_figures(at.get("bidi_component")).keys() - EXPLAIN_CHARTS
    assert at.session_state[MODEL_KEY] == DEFAULT_MODEL and views == set(CHART_KEYS.values())


def test_every_tour_step_outlines_a_container_the_page_has():
    """A step's `view` names a chart view or a section; the keys the tour outlines are those containers' keys."""
    from rnnviz.app.compare import COMPARE_SECTION_KEY
    from rnnviz.app.explain import EXPLAIN_KEY
    from rnnviz.app.keys import TOUR_TARGETS

    assert TOUR_TARGETS["explain"] == EXPLAIN_KEY and TOUR_TARGETS["compare"] == COMPARE_SECTION_KEY
    assert {f"view_{name}" for name in CHART_KEYS} <= set(TOUR_TARGETS.values())
    assert all(s.view in TOUR_TARGETS for s in TOUR), [s.view for s in TOUR]
    assert all(s.compare in (None, *rnnviz.SHIPPED) and s.compare != s.model for s in TOUR)
