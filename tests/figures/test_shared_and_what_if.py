"""The shared weights U, W, V as the views label them (their numbers, their wires for lighting), the chain's copies
still to come, and the projection's handle and what-if path; asserted on the specs the page draws."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import numpy as np
import pytest
from support import hand_params, hand_run, make_trace

import rnnviz
import rnnviz.figures as F  # noqa: N812
from rnnviz.figures.mark import SHARED_WEIGHT
from rnnviz.figures.projection import NUDGE, WHAT_IF
from rnnviz.figures.rolled import BOX, LOOP_BOTTOM, LOOP_TOP, LOOP_X
from rnnviz.figures.unrolled import STILL_TO_COME
from rnnviz.trace import what_if

WORDS = ["this", "movie", "is", "not", "good", "at", "all"]


def named(spec: dict, name: str) -> dict:
    found = [t for t in spec["data"] if t.get("name") == name]
    assert len(found) == 1, [t.get("name") for t in spec["data"]]
    return found[0]


def segments(trace: dict) -> set[tuple[float, ...]]:
    """The straight pieces of a line trace (None breaks them), rounded as the wires are."""
    xs, ys = trace["x"], trace["y"]
    return {
        tuple(round(v, 3) for v in (xs[k], ys[k], xs[k + 1], ys[k + 1]))
        for k in range(len(xs) - 1)
        if None not in (xs[k], xs[k + 1])
    }


@pytest.fixture(scope="module")
def rnn2():
    model = rnnviz.load_inference_model("rnn-2")
    return model, rnnviz.trace(model, " ".join(WORDS))


def shared(spec: dict, w: str) -> dict:
    return named(spec, f"{SHARED_WEIGHT} {w}")


def test_the_chain_lights_w_on_every_memory_link_and_u_v_on_every_copy(rnn2):
    _, tr = rnn2
    spec = F.unrolled_spec(tr, 4)
    wires = {w: shared(spec, w)["meta"]["wires"] for w in "UVW"}
    arrows = segments(named(spec, "arrows"))
    for w in "UVW":
        assert shared(spec, w)["meta"]["weight"] == w and shared(spec, w)["text"] == f"<b>{w}</b>"
        assert len(shared(spec, w)["x"]) == 7  # one label on every copy (W: into it)
        assert len(wires[w]) == 7
        assert {tuple(wire) for wire in wires[w]} <= arrows, w  # each wire lies on an arrow the chain draws
    assert all(y0 == y1 == 0.5 for _, y0, _, y1 in wires["W"])  # the memory links run along the states
    assert all(x0 == x1 for x0, _, x1, _ in wires["U"] + wires["V"])  # x_t up into, o_t up out of each copy
    cut = F.unrolled_spec(tr, 4, compare=tr)
    assert shared(cut, "W")["meta"]["wires"] == [] and len(shared(cut, "W")["x"]) == 7  # no link to light: cut


def test_the_loop_lights_w_all_the_way_round(rnn2):
    _, tr = rnn2
    spec = F.rolled_spec(tr, 4)
    assert [len(shared(spec, w)["x"]) for w in "UVW"] == [1, 1, 1]
    loop = shared(spec, "W")["meta"]["wires"]
    x1 = BOX[2]
    assert loop[0][:2] == [x1, LOOP_TOP] and loop[-1][2:] == [round(x1 + 0.08, 3), LOOP_BOTTOM]  # out and back in
    assert [LOOP_X, LOOP_TOP, LOOP_X, LOOP_BOTTOM] in loop
    assert all(a[2:] == b[:2] for a, b in itertools.pairwise(loop))  # one unbroken way round


def test_pointing_at_w_shows_rnn2s_four_numbers_and_what_w_did_at_that_copy(rnn2):
    model, tr = rnn2
    for spec in (F.rolled_spec(tr, 4), F.unrolled_spec(tr, 4)):
        about = {w: shared(spec, w)["meta"]["about"] for w in "UVW"}
        for row in model.W:
            assert "[" + " ".join(f"{v:+.3f}" for v in row).replace("-", "−") + "]" in about["W"]
        assert " ".join(f"{v:+.3f}".replace("-", "−") for v in model.V) in about["V"]
        assert f"c = {tr.c:+.3f}" in about["V"] and "2×64 numbers" in about["U"]
        assert all(shared(spec, w)["hovertemplate"].startswith("%{meta.about}<br>%{hovertext}") for w in "UVW")
    ws = shared(F.unrolled_spec(tr, 4), "W")["hovertext"]
    for t, text in enumerate(ws, 1):  # the same W, a different s_{t-1} on every copy
        m = tr.memory_part[t - 1]
        assert text == f"at t = {t}: W s<sub>{t - 1}</sub> = ({m[0]:+.3f}, {m[1]:+.3f})"


def test_a_64_unit_weight_is_summed_up_by_its_shape_and_length():
    model = rnnviz.load_inference_model("rnn-64")
    tr = rnnviz.trace(model, "not good")
    w = shared(F.rolled_spec(tr, 2), "W")
    assert f"64×64 numbers, length ‖W‖ = {np.linalg.norm(model.W):.2f}" in w["meta"]["about"]
    assert (
        w["hovertext"][0] == f"at t = 2: W s<sub>1</sub> = a vector of length {np.linalg.norm(tr.memory_part[1]):.2f}"
    )


@pytest.mark.parametrize("t", [1, 3, 7])
def test_the_copies_still_to_come_are_veiled_and_the_chain_fills_as_t_moves_on(t: int):
    tr = make_trace(WORDS, 2)
    spec = F.unrolled_spec(tr, t)
    veils = [s for s in spec["layout"]["shapes"] if s.get("name") == STILL_TO_COME]
    if t == len(WORDS):
        assert veils == []  # every word read: nothing still to come
        return
    (veil,) = veils
    xs = named(spec, "copies of the cell")["x"]
    covered = [k + 1 for k, x in enumerate(xs) if veil["x0"] < x < veil["x1"]]
    assert covered == list(range(t + 1, len(WORDS) + 1))
    assert veil["layer"] == "above" and veil["y0"] < 0.0 and veil["y1"] > 1.6  # over the states and the o_t row


def test_the_projection_puts_a_handle_on_s_t_only_when_asked(rnn2):
    _, tr = rnn2
    assert not any(s.get("name") == NUDGE for s in F.projection_spec(tr, 3)["layout"].get("shapes", []))
    spec = F.projection_spec(tr, 3, nudge=True)
    (handle,) = [s for s in spec["layout"]["shapes"] if s.get("name") == NUDGE]
    assert handle["editable"] is True
    assert (handle["xanchor"], handle["yanchor"]) == pytest.approx(tuple(tr.hidden[3]))  # neurons are the axes
    F.figure_from(spec)  # valid Plotly


def test_the_what_if_path_starts_at_the_state_set_by_hand_and_states_its_last_o(rnn2):
    model, tr = rnn2
    wi = what_if(model, tr, 3, np.array([0.6, -0.6]))
    spec = F.projection_spec(tr, 3, what_if=wi, nudge=True)
    path = named(spec, WHAT_IF)
    assert (path["x"][0], path["y"][0]) == pytest.approx((0.6, -0.6))
    np.testing.assert_allclose(np.c_[path["x"], path["y"]], wi.hidden[3:], atol=1e-6)
    np.testing.assert_allclose(path["marker"]["color"], wi.outputs[2:], atol=1e-6)
    assert path["text"][-1] == f"what if: o<sub>7</sub> = {wi.final:.2f}"
    assert f"(real {tr.outputs[6]:.3f})" in path["hovertext"][-1]
    (handle,) = [s for s in spec["layout"]["shapes"] if s.get("name") == NUDGE]
    assert (handle["xanchor"], handle["yanchor"]) == pytest.approx((0.6, -0.6))  # the handle stays where it was left
    named(spec, "selected step")  # the real s_t keeps its ring
    # A what-if made at another step is not this step's: not drawn.
    assert all(t.get("name") != WHAT_IF for t in F.projection_spec(tr, 4, what_if=wi)["data"])


def test_what_if_in_a_hand_built_two_unit_run_is_escaped_and_drawn():
    params = hand_params("gru", h=2, e=3, seed=1)
    tr = hand_run(params, ["<b>x</b>", "y", "z"])
    wi = what_if(SimpleNamespace(cell=params), tr, 1, np.array([0.2, 0.3]))
    path = named(F.projection_spec(tr, 1, what_if=wi), WHAT_IF)
    assert "<b>x</b>" not in " ".join(path["hovertext"]) and "&lt;b&gt;x&lt;/b&gt;" in path["hovertext"][0]
