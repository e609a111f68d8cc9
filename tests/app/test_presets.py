"""Every example's claims, checked on every shipped model; the claim evaluator on hand-built traces."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import rnnviz
from rnnviz.app import EXAMPLES
from rnnviz.app.presets import example_for, example_report
from rnnviz.claim import Moves, Reads, check, check_all, needs_goldfish, wrong_reading
from rnnviz.trace import Trace

# Which claims hold, example x model, in the order of each example's claims. Measured with
# `python -m pytest tests/app/test_presets.py`; a model or a claim that changes makes this test fail.
OUTCOMES: dict[str, dict[str, tuple[bool, ...]]] = {
    "negation": {m: (True, True, True) for m in rnnviz.SHIPPED},
    "contrast": {
        "rnn-2": (True, True, True, True),
        "rnn-64": (True, True, False, True),  # falls over "plot was" (0.75 -> 0.33) before "terrible" (-> 0.08)
        "gru-64": (True, True, True, True),
        "lstm-64": (True, True, True, True),
    },
    "contrast_reversed": {
        "rnn-2": (True, True, True, True),
        "rnn-64": (True, True, True, True),
        "gru-64": (True, True, False, False),  # "wonderful" lifts o_t only 0.04 -> 0.18: read negative
        "lstm-64": (True, True, True, True),
    },
    "alone": {m: (True,) for m in rnnviz.SHIPPED},
    "in_context": {m: (True, True) for m in rnnviz.SHIPPED},
    "long": {m: (True, True, True) for m in rnnviz.SHIPPED},
}
DEFAULT_MODEL = "rnn-2"
ROOT = next(p for p in Path(__file__).resolve().parents if (p / "streamlit_app.py").is_file())  # from any tests folder


@pytest.fixture(scope="module")
def runs() -> dict[tuple[str, str], tuple[Trace, Trace]]:
    """(example key, model) -> (run with memory, goldfish run)."""
    found = {}
    for name in rnnviz.SHIPPED:
        model = rnnviz.load_inference_model(name)
        for ex in EXAMPLES:
            found[ex.key, name] = (rnnviz.trace(model, ex.text), rnnviz.trace(model, ex.text, forget=True))
    return found


def test_every_claim_on_every_shipped_model_gives_the_recorded_outcome(runs):
    assert set(OUTCOMES) == {ex.key for ex in EXAMPLES}
    got = {
        ex.key: {m: tuple(o.held for o in check_all(ex.claims, *runs[ex.key, m])) for m in rnnviz.SHIPPED}
        for ex in EXAMPLES
    }
    assert got == OUTCOMES


def test_every_example_makes_its_point_with_the_default_model(runs):
    for ex in EXAMPLES:
        assert ex.claims, f"{ex.key} states a point with nothing to check it"
        shown, lines = example_report(ex, DEFAULT_MODEL, *runs[ex.key, DEFAULT_MODEL])
        assert shown, lines


def test_a_wrong_reading_names_the_model_the_number_and_the_word_where_it_turns(runs):
    ex = example_for("the plot was dull but the acting was wonderful")
    tr, goldfish = runs[ex.key, "gru-64"]
    shown, lines = example_report(ex, "gru-64", tr, goldfish)
    assert not shown
    assert lines[0] == "gru-64 gets this example wrong."
    assert lines[1].startswith("gru-64: at “wonderful” (t = 9) oₜ moves by +0.14; the example says it should rise")
    assert f"(o = {tr.final:.2f})" in lines[2] and "reads this as negative at the last word" in lines[2]
    assert "“dull” (t = 4" in lines[2] and lines[2].endswith("never recovers.")


def test_the_long_example_point_counts_its_words():
    ex = example_for(EXAMPLES[-1].text)
    tokens = ex.text.split()
    assert ex.key == "long" and tokens[13] == "wonderful" and ex.claims[0] == Reads("positive", at=14)
    assert f"{len(tokens) - 14} words before the end" in ex.point


def test_example_for_matches_the_sentence_spaces_aside():
    assert example_for("  this movie   is not good ") is EXAMPLES[0]
    assert example_for("this movie is not great") is None


# -- the evaluator on hand-built traces ----------------------------------------------------------------
def hand_trace(outputs: list[float], words: str | None = None, forget: bool = False) -> Trace:
    t = len(outputs)
    tokens = (words or " ".join(f"w{k}" for k in range(1, t + 1))).split()
    return Trace(
        text=" ".join(tokens),
        tokens=tokens,
        kinds=["known"] * t,
        hidden=np.zeros((t + 1, 2)),
        outputs=np.array(outputs),
        input_part=np.zeros((t, 2)),
        memory_part=np.zeros((t, 2)),
        V=np.ones(2),
        c=0.0,
        forget=forget,
    )


def test_reads_checks_the_side_of_one_half_at_a_step_or_the_end():
    tr = hand_trace([0.6, 0.2, 0.7], "a b c")
    assert check(Reads("positive"), tr).held and check(Reads("positive"), tr).step == 3
    out = check(Reads("positive", at=2), tr)
    assert (out.held, out.step, out.word, out.value) == (False, 2, "b", 0.2)
    assert out.said == "o₂ = 0.20 at “b”: negative, not positive"
    assert check(Reads("negative", at=2), tr).held
    assert check(Reads("positive", at=1), tr).said == "o₁ = 0.60 at “a”: positive"


def test_reads_of_the_goldfish_uses_the_goldfish_run():
    tr, goldfish = hand_trace([0.5, 0.2]), hand_trace([0.5, 0.9], forget=True)
    assert check(Reads("positive", goldfish=True), tr, goldfish).held
    assert not check(Reads("positive"), tr, goldfish).held
    assert needs_goldfish((Reads("positive", goldfish=True),)) and not needs_goldfish((Moves(1, 0.1),))
    with pytest.raises(ValueError, match="goldfish run"):
        check(Reads("positive", goldfish=True), tr)


def test_moves_measures_the_change_from_the_step_before():
    tr = hand_trace([0.7, 0.3, 0.35], "a b c")
    fall = check(Moves(2, -0.3), tr)
    assert fall.held and fall.value == pytest.approx(-0.4)
    assert fall.said == "oₜ moves by -0.40 at “b” (0.70 → 0.30)"
    assert not check(Moves(2, -0.5), tr).held
    assert not check(Moves(3, 0.1), tr).held and check(Moves(3, 0.05 - 1e-9), tr).held
    assert check(Moves(1, 0.15), tr).held  # o_0 = 0.5: nothing read yet
    assert "it does not rise by 0.10" in check(Moves(3, 0.1), tr).said


def test_claims_refuse_steps_the_text_does_not_have():
    with pytest.raises(ValueError, match="only 2 words"):
        check(Reads("positive", at=3), hand_trace([0.5, 0.5]))
    with pytest.raises(ValueError):
        Reads("neutral")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Moves(0, 0.1)
    with pytest.raises(ValueError):
        Moves(2, 0.0)


def test_wrong_reading_points_at_the_turn_and_the_biggest_move():
    tr = hand_trace([0.6, 0.8, 0.49, 0.1, 0.3], "it was fine , dull")
    out = check(Reads("positive"), tr)
    assert out.turn == 3
    said = wrong_reading(out, "m", tr)
    assert said.startswith("m reads this as negative at the last word (o = 0.30); the example says positive")
    assert "turns negative at “fine” (t = 3), sinks furthest at “,” (t = 4, -0.39) and never recovers." in said
    early = check(Reads("positive", at=4), tr)
    assert wrong_reading(early, "m", tr).endswith("and stays negative up to “,”.")
    from_start = check(Reads("positive"), hand_trace([0.2, 0.1]))
    assert wrong_reading(from_start, "m", hand_trace([0.2, 0.1])).endswith("it reads negative from the first word on.")
    turn_is_biggest = hand_trace([0.9, 0.1])
    said = wrong_reading(check(Reads("positive"), turn_is_biggest), "m", turn_is_biggest)
    assert said.endswith("its reading turns negative at “w2” (t = 2) and never recovers.")
    moved = wrong_reading(check(Moves(2, -0.5), tr), "m", tr)
    assert moved == "m: at “was” (t = 2) oₜ moves by +0.20; the example says it should fall by at least 0.50."
    with pytest.raises(ValueError):
        wrong_reading(check(Reads("positive", at=2), tr), "m", tr)


# -- on the page ---------------------------------------------------------------------------------------
def page(text: str, model: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.query_params["text"] = text
    at.query_params["model"] = model
    return at.run()


def test_the_page_states_the_point_and_says_when_the_model_shows_it():
    ex = EXAMPLES[0]
    at = page(ex.text, DEFAULT_MODEL)
    assert not at.exception
    assert any(m.value.startswith(f"**{ex.label}.**") and "goldfish" in m.value for m in at.markdown)
    assert len(at.success) == 1 and at.success[0].value.startswith(r"rnn\-2 shows it")


def test_the_page_says_plainly_when_the_model_gets_the_example_wrong():
    at = page("the plot was dull but the acting was wonderful", "gru-64")
    assert not at.exception and not at.success
    warning = at.warning[0].value
    assert warning.startswith(r"gru\-64 gets this example wrong") and "“dull”" in warning


def test_no_example_note_for_other_sentences():
    at = page("a sentence of my own", DEFAULT_MODEL)
    assert not at.exception and not at.success
    assert not any(m.value.startswith(f"**{ex.label}.**") for ex in EXAMPLES for m in at.markdown)


def test_the_readme_picture_reads_as_its_caption_says():
    """docs/screenshot.py's sentence is an example; README's caption (falling at dull, climbing at wonderful) holds."""
    root = ROOT
    spec = importlib.util.spec_from_file_location("rnnviz_docs_screenshot", root / "docs" / "screenshot.py")
    script = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = script  # its dataclasses look their module up there
    spec.loader.exec_module(script)
    text = script.PARTS["views"].view.text  # the README's first picture reads this sentence
    ex = example_for(text)
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert ex is not None and f'reading "{text}" with {DEFAULT_MODEL}' in readme
    tr = rnnviz.trace(rnnviz.load_inference_model(DEFAULT_MODEL), text)
    moves = {tr.labels[c.at - 1]: c.by for c in ex.claims if isinstance(c, Moves)}
    assert moves["dull"] < 0 < moves["wonderful"]
    assert example_report(ex, DEFAULT_MODEL, tr)[0]
