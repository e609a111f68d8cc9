"""Behavioural captions are computed from the numbers: the fixed-point summary, the readout's sign, the line's name."""

from __future__ import annotations

import re

import numpy as np
import pytest
from support import tiny_model

import rnnviz
import rnnviz.figures as F  # noqa: N812
from rnnviz import analysis as A  # noqa: N812


def hand_built(
    hidden: np.ndarray, fixed: np.ndarray, radius: np.ndarray, outputs: np.ndarray | None = None
) -> A.FixedPoints:
    """FixedPoints from its arrays: speed 0 where fixed, 1e-3 elsewhere; eigenvalues of the given moduli."""
    k, h = hidden.shape
    eig = np.repeat(np.asarray(radius, dtype=complex)[:, None], h, axis=1) * np.linspace(1, 0.1, h)
    fp = A.FixedPoints(
        word="(average word)",
        states=hidden,
        hidden=hidden,
        speed=np.where(fixed, 0.0, 1e-3),
        eigenvalues=eig,
        stable=fixed & (np.asarray(radius) < 1),
        fixed=fixed,
        outputs=np.full(k, 0.5) if outputs is None else outputs,
        line=None,
        n_starts=16,
        seconds=0.0,
    )
    return fp


def on_a_line(n: int, h: int = 3) -> np.ndarray:
    return np.stack([np.linspace(-0.5, 0.5, n), *[np.zeros(n)] * (h - 1)], axis=1)


def tau_in(text: str) -> list[int]:
    return [int(v) for v in re.findall(r"~(\d+) word", text)]


# -- the summary on hand-built fixed points ----------------------------------------------------------
def test_one_slow_stable_point_reads_as_a_drift_with_its_time_constant():
    fp = hand_built(np.zeros((1, 3)), np.array([True]), np.array([0.99]))
    text = A.describe_fixed_points(fp)
    assert text == "One stable fixed point; states drift toward it slowly, time constant ~99 words."
    assert "line attractor" not in text


def test_one_fast_stable_point_settles():
    fp = hand_built(np.zeros((1, 3)), np.array([True]), np.array([0.9]))
    assert A.describe_fixed_points(fp) == "One stable fixed point; states settle toward it, time constant ~9 words."


def test_time_constant_is_minus_one_over_log_radius():
    assert A.time_constant(np.exp(-1 / 130)) == pytest.approx(130)
    assert A.time_constant(0.0) == 0.0  # gone in one step
    for bad in (1.0, 1.2, -0.1):
        with pytest.raises(ValueError, match=r"0 <= \|lambda\| < 1"):
            A.time_constant(bad)


def test_a_switch_names_each_stable_point_and_the_unstable_one():
    hidden = np.array([[-0.9, 0.0], [0.9, 0.0], [0.0, 0.1]])
    fp = hand_built(hidden, np.ones(3, bool), np.array([0.36, 0.36, 1.55]), outputs=np.array([0.04, 0.97, 0.56]))
    text = A.describe_fixed_points(fp)
    assert text.startswith("3 fixed points: 2 stable (o = 0.04, 0.97; time constants ~1 word, ~1 word)")
    assert "1 unstable (largest |eigenvalue| 1.55)" in text
    assert "line attractor" not in text


def test_a_line_attractor_only_where_converged_fixed_points_lie_on_a_line():
    line = on_a_line(6)
    fixed_line = hand_built(line, np.ones(6, bool), np.full(6, 0.999))
    text = A.describe_fixed_points(fixed_line)
    assert text.startswith("A line attractor: 6 fixed points (|F(s) − s| < 0.0001) lie within 0 of a line holding 100%")
    fit = A.line_of(fixed_line)
    assert fit is not None and fit.kind == "fixed" and fit.share == pytest.approx(1.0)

    slow_line = hand_built(line, np.zeros(6, bool), np.full(6, 0.999))
    text = A.describe_fixed_points(slow_line)
    assert text.startswith("No fixed point (|F(s) − s| < 0.0001) found from 16 starts; 6 slow points")
    assert "a slow direction, not a line attractor" in text and "A line attractor" not in text
    assert A.line_of(slow_line).kind == "slow"


def test_scattered_points_make_no_line():
    rng = np.random.default_rng(0)
    fp = hand_built(rng.uniform(-1, 1, (8, 3)), np.zeros(8, bool), np.full(8, 0.9))
    assert A.line_of(fp) is None
    assert "line" not in A.describe_fixed_points(fp)


def test_the_dynamics_view_names_its_line_from_the_convergence_test():
    model = tiny_model("gru", hidden=3)
    tr = rnnviz.trace(model, "this movie is good")
    line = on_a_line(6)
    for fixed, expect, refuse in (
        (np.ones(6, bool), "line attractor: fixed points", "not a line attractor"),
        (np.zeros(6, bool), "line of slow points (not a line attractor)", "line attractor: fixed"),
    ):
        names = [t.name for t in F.dynamics_figure(tr, fixed_points=hand_built(line, fixed, np.full(6, 0.999))).data]
        assert any(expect in n for n in names) and not any(refuse in n for n in names)


def test_stable_fixed_points_hover_with_their_time_constant():
    model = tiny_model("gru", hidden=3)
    tr = rnnviz.trace(model, "this movie is good")
    hidden = np.array([[0.5, 0.0, 0.0], [-0.5, 0.0, 0.0]])
    fp = hand_built(hidden, np.ones(2, bool), np.array([0.99, 1.2]))
    fig = F.dynamics_figure(tr, fixed_points=fp)
    (stable,) = [t for t in fig.data if t.name == "stable fixed point"]
    (unstable,) = [t for t in fig.data if t.name == "unstable fixed point"]
    assert "time constant 99 words" in stable.hovertext[0] and "time constant" not in unstable.hovertext[0]


# -- the readout's sign ------------------------------------------------------------------------------
def test_readout_note_follows_the_sign_of_the_weight():
    V = np.array([0.5, -2.011, 0.0])
    assert A.readout_note(V, 1) == (
        "Readout weight V[2] = -2.011: when neuron 2 is positive it pushes o down; when it is negative, up."
    )
    assert "neuron 1 is positive it pushes o up" in A.readout_note(V, 0)
    assert A.readout_note(V, 2) == "Readout weight V[3] = 0: neuron 3 does not move o."


# -- the shipped models: the recorded facts ----------------------------------------------------------
# name: (fixed points, stable ones, the stable ones' time constants in words, (low, high) each)
SHIPPED_FACTS = {  # measured with the search in rnnviz.dynamics
    "rnn-2": (3, 2, [(0.5, 1.5), (0.5, 1.5)]),
    "rnn-64": (3, 2, [(2.5, 4), (3.5, 5.5)]),  # retrained in December (README, The shipped models)
    "gru-64": (1, 1, [(110, 160)]),
    "lstm-64": (1, 1, [(8, 14)]),
}


@pytest.fixture(scope="module", params=sorted(SHIPPED_FACTS))
def shipped_fixed_points(request):
    name = request.param
    model = rnnviz.load_model(name)
    p = A.cell_params(model)
    x, word = A.word_input(model, None)
    found = {"default": A.find_fixed_points(p, x, word=word)}
    found["app"] = A.find_fixed_points(  # the explorer's starts: near states real sentences reach
        p, x, word=word, starts=A.default_starts(p, 128, around=rnnviz.load_corpus(name).final_states)
    )
    return name, found


def test_shipped_models_fixed_points_for_the_average_word(shipped_fixed_points):
    name, found = shipped_fixed_points
    n_fixed, n_stable, tau_ranges = SHIPPED_FACTS[name]
    for starts, fp in found.items():
        assert int(fp.fixed.sum()) == n_fixed, (name, starts)
        assert int(fp.stable.sum()) == n_stable, (name, starts)
        assert (np.abs(fp.hidden) <= 1).all()  # where reachable states live
        taus = sorted(A.time_constant(float(r)) for r in fp.radius[fp.stable])
        for tau, (low, high) in zip(taus, tau_ranges, strict=True):
            assert low <= tau <= high, (name, starts, taus)
        text = A.describe_fixed_points(fp)
        assert "A line attractor" not in text  # no shipped model has a line of converged fixed points
        assert sorted(tau_in(text)) == [round(t) for t in taus]


def test_gru64_drifts_slowly_to_its_one_fixed_point():
    model = rnnviz.load_model("gru-64")
    x, word = A.word_input(model, None)
    fp = A.find_fixed_points(A.cell_params(model), x, word=word)  # the default starts find it (they used to miss it)
    text = A.describe_fixed_points(fp)
    assert text.startswith("One stable fixed point; states drift toward it slowly, time constant ~")
    assert 110 <= tau_in(text)[0] <= 160
    assert fp.outputs[fp.stable][0] > 0.9  # it reads positive


# -- the playground's counting task ------------------------------------------------------------------
def test_counting_note_claims_no_line_attractor_the_trained_model_lacks():
    from rnnviz import playground as pg

    note = pg.TASK_NOTES["counting"]
    assert "purest" not in note and "whether a trained one does so with a line of fixed points" in note
    trainer = pg.Trainer(pg.make_task("counting"), pg.TrainConfig(steps=400)).start()
    trainer.join()
    last = trainer.snapshots[-1]
    assert last.test_accuracy > 0.9  # it counts well enough...
    fp = pg.snapshot_fixed_points(last)
    text = A.describe_fixed_points(fp)
    # ...with isolated attractors (a positive and a negative one at least), not a line of fixed points
    assert int((fp.fixed & fp.stable).sum()) >= 2 and A.line_of(fp) is None
    assert "line attractor" not in text and text.startswith(f"{int(fp.fixed.sum())} fixed points: ")
    o = fp.outputs[fp.stable]
    assert o.min() < 0.1 and o.max() > 0.9
