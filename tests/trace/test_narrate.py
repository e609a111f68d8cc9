"""The sentences told about each step (rnnviz.narrate): parts that add up, numbers that are the trace's, words that
match the signs; on hand-built runs of the one cell and on the shipped models."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import hand_params, hand_run

import rnnviz
from rnnviz.cell import CellParams, cell_params, sigmoid, update
from rnnviz.narrate import DIGITS, StepStory, narrate, num, read_state, step_story, step_update, toward
from rnnviz.trace import Trace

NUMBER = re.compile(r"[+−]?\d+\.\d+")


def sentence_numbers(text: str, word: str) -> list[float]:
    """The decimal numbers of a sentence in order (the quoted word taken out: it is the reader's text)."""
    text = text.replace(f"“{word}”", "“”")
    return [float(n.replace("−", "-")) for n in NUMBER.findall(text)]


def expected_numbers(s: StepStory) -> list[float]:
    """The fields a sentence must show, in its order (the larger part of the readout first)."""
    if s.arch == "rnn":
        first, second = (s.memory_change, ()), (s.word_part, ())
    else:
        first, second = (s.memory, (s.keep_open,)), (s.word_part, (s.write_open,))
    if abs(round(second[0], DIGITS)) > abs(round(first[0], DIGITS)):
        first, second = second, first
    parts = [*first[1], first[0], *second[1], second[0]]  # a gated part's name carries its gate's openness
    moved = [s.o] if round(s.o, DIGITS) == round(s.o_before, DIGITS) else [s.o_before, s.o]  # "stayed at 0.42"
    if s.arch == "rnn":
        return [*moved, s.readout_before + s.c, s.readout + s.c, *parts, s.bias]
    return [*moved, s.readout + s.c, *parts, s.c]


def check_sentence(s: StepStory) -> str:
    """Every invariant of one sentence; returns it for further checks."""
    text = narrate(s)
    got = sentence_numbers(text, s.word)
    assert got == pytest.approx([round(v, DIGITS) for v in expected_numbers(s)], abs=1e-9), text
    b, a = round(s.o_before, DIGITS), round(s.o, DIGITS)
    assert ("rose" in text) == (a > b) and ("fell" in text) == (a < b) and ("stayed" in text) == (a == b), text
    for direction, value in re.findall(r"toward (positive|negative) \(([+−]\d+\.\d+)\)", text):
        assert (direction == "positive") == value.startswith("+"), text
    return text


def check_parts(s: StepStory, tr: Trace, params: CellParams) -> None:
    assert s.memory + s.word_part + s.bias == pytest.approx(s.readout, abs=1e-9)
    assert s.o == pytest.approx(float(tr.outputs[s.step - 1]), abs=1e-5)
    assert s.readout == pytest.approx(float(tr.hidden[s.step] @ params.V), abs=1e-5)
    assert s.readout_before == pytest.approx(float(tr.hidden[0 if tr.forget else s.step - 1] @ params.V), abs=1e-5)
    assert s.o_before == pytest.approx(float(sigmoid(np.float64(s.readout_before + params.c))))


# -- hand-built runs --------------------------------------------------------------------------------
@pytest.mark.parametrize("arch", ["rnn", "gru", "lstm"])
@pytest.mark.parametrize("forget", [False, True])
def test_every_step_tells_the_trace_numbers_with_matching_words(arch, forget):
    params = hand_params(arch, h=3, seed=2)
    tr = hand_run(params, ["this", "film", "is", "not", "<b>good</b>", "3.50"], forget=forget)
    for t in range(1, tr.T + 1):
        s = step_story(tr, t, params)
        check_parts(s, tr, params)
        text = check_sentence(s)
        assert f"“{tr.labels[t - 1]}” (t = {t})" in text
        assert ("goldfish" in text) == forget


def test_the_update_the_story_reads_is_the_cells_own():
    params = hand_params("lstm", h=2)
    tr = hand_run(params, ["a", "b", "c"])
    u = step_update(tr, 3, params)
    s_prev = np.concatenate([tr.hidden[2], tr.gates["cell"][1]])
    want = update(params, s_prev[None], tr.input_part[2])
    assert np.allclose(u.state, want.state) and np.allclose(read_state(tr, 3), s_prev)
    assert np.allclose(u.hidden[0], tr.hidden[3])


def test_a_plain_rnn_with_no_loop_weight_says_the_memory_added_nothing_new():
    params = hand_params("rnn", h=2)
    params = CellParams("rnn", params.U, np.zeros((2, 2)), params.b, params.b_hh, params.V, params.c)
    tr = hand_run(params, ["one", "two", "three"])
    s = step_story(tr, 3, params)
    assert s.memory == 0.0  # W s_{t-1} = 0: through the tanh the memory term is nothing
    assert s.memory_change == pytest.approx(-s.readout_before)  # the old state's say is simply lost
    check_sentence(s)


def test_the_goldfish_reads_from_s0_so_its_memory_is_zero():
    params = hand_params("rnn", h=2, seed=5)
    tr = hand_run(params, ["not", "bad", "at", "all"], forget=True)
    for t in range(1, tr.T + 1):
        s = step_story(tr, t, params)
        assert s.readout_before == 0.0 and s.memory == 0.0 and s.o_before == pytest.approx(float(sigmoid(params.c)))
        assert "Ws₀" in narrate(s) and "added nothing (0.00)" in narrate(s)


def test_a_word_that_pushes_up_is_told_so():
    # One unit, V = 1, U x = +2 on a zero state: the word alone lifts the readout, so o_t rose.
    params = CellParams("rnn", np.array([[2.0]]), np.array([[0.5]]), np.zeros(1), np.zeros(1), np.array([1.0]), 0.0)
    tr = hand_run(params, ["great"])
    tr = Trace(**{**tr.__dict__, "input_part": np.array([[2.0]]), "hidden": np.array([[0.0], [np.tanh(2.0)]]),
                  "outputs": np.array([sigmoid(np.tanh(2.0))])})  # fmt: skip
    s = step_story(tr, 1, params)
    assert s.word_part == pytest.approx(np.tanh(2.0)) and s.memory == 0 and s.bias == 0
    text = narrate(s)
    assert "rose from 0.50 to 0.72" in text and "Uxₜ pushed toward positive (+0.96)" in text


@settings(max_examples=40, deadline=None)
@given(
    arch=st.sampled_from(["rnn", "gru", "lstm"]),
    seed=st.integers(0, 10_000),
    scale=st.floats(0.05, 4.0),
    forget=st.booleans(),
)
def test_any_cell_tells_numbers_that_add_up_and_words_that_match(arch, seed, scale, forget):
    params = hand_params(arch, h=2, seed=seed, scale=scale)
    tr = hand_run(params, ["w1", "w2", "w3", "w4"], forget=forget, seed=seed + 1)
    for t in range(1, tr.T + 1):
        s = step_story(tr, t, params)
        check_parts(s, tr, params)
        check_sentence(s)


def test_numbers_are_written_with_a_sign_and_a_real_minus():
    assert (num(0.421), num(-0.07), num(0.001), num(-0.004)) == ("+0.42", "−0.07", "0.00", "0.00")
    assert (toward(0.3), toward(-0.3), toward(0.001)) == ("toward positive", "toward negative", "neither way")


def test_a_step_outside_the_sentence_or_another_cell_is_refused():
    params = hand_params("rnn", h=2)
    tr = hand_run(params, ["a", "b"])
    with pytest.raises(ValueError, match=r"step must be in 1\.\.2"):
        step_story(tr, 3, params)
    with pytest.raises(ValueError, match="parameters are a gru"):
        step_story(tr, 1, hand_params("gru", h=2))


# -- shipped models ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name", rnnviz.SHIPPED)
def test_shipped_models_tell_their_own_numbers(name):
    model = rnnviz.load_inference_model(name)
    params = cell_params(model)
    for forget in (False, True):
        tr = rnnviz.trace(model, "this movie is not good , but the acting is <i>great</i>", forget=forget)
        for t in range(1, tr.T + 1):
            s = step_story(tr, t, params)
            check_parts(s, tr, params)
            check_sentence(s)
