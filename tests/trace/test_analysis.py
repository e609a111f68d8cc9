"""The analysis layer against known answers: fixed points, stability, flow, word effects, anatomy, export."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest
from support import tiny_model

import rnnviz
from rnnviz import analysis as A  # noqa: N812 - the module's functions read like notation
from rnnviz.model import SHIPPED, resolve_checkpoint

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")  # no overflow in exp, no 0/0, anywhere here


def two_unit(w: np.ndarray, b: np.ndarray) -> A.CellParams:
    """A hand-built 2-unit plain RNN, s -> tanh(W s + b) with x = 0."""
    return A.CellParams("rnn", np.zeros((2, 1)), w, b, np.zeros(2), np.array([1.0, 0.0]), 0.0)


def test_contracting_two_unit_rnn_has_its_one_known_stable_fixed_point():
    # W = 0.5 I, b = 0: s* = 0 is the only fixed point; the Jacobian there is 0.5 I.
    p = two_unit(0.5 * np.eye(2), np.zeros(2))
    fp = A.find_fixed_points(p, np.zeros(1), n_starts=32, n_steps=100)
    assert fp.K == 1 and fp.fixed.all() and fp.stable.all()
    np.testing.assert_allclose(fp.states[0], 0.0, atol=1e-6)
    np.testing.assert_allclose(np.sort(np.abs(fp.eigenvalues[0])), [0.5, 0.5], atol=1e-6)


def test_bistable_two_unit_rnn_finds_both_attractors_and_the_saddle():
    # Unit 1: s = tanh(2 s) has fixed points 0 (unstable, slope 2) and ±0.9575 (stable, slope 2(1 - s²)).
    # Unit 2: s = tanh(0.3 s) only 0. So three fixed points, one unstable.
    p = two_unit(np.diag([2.0, 0.3]), np.zeros(2))
    fp = A.find_fixed_points(p, np.zeros(1), n_starts=64)
    assert fp.K == 3 and fp.fixed.all()
    order = np.argsort(fp.states[:, 0])
    root = 0.957504
    np.testing.assert_allclose(fp.states[order, 0], [-root, 0.0, root], atol=1e-5)
    np.testing.assert_allclose(fp.states[:, 1], 0.0, atol=1e-6)
    assert fp.stable[order].tolist() == [True, False, True]
    np.testing.assert_allclose(fp.radius[order], [0.3, 2.0, 0.3], atol=1e-4)


@pytest.mark.parametrize("arch", ["rnn", "gru", "lstm"])
def test_fixed_points_satisfy_the_update_and_stability_follows_the_eigenvalues(arch):
    model = tiny_model(arch, hidden=3)
    p = A.cell_params(model)
    x = A.average_input(model)
    fp = A.find_fixed_points(p, x, n_starts=32, n_steps=150)
    assert fp.K >= 1 and fp.states.shape[1] == p.state_size
    f = A.cell_step(p, fp.states, x)
    np.testing.assert_allclose(np.linalg.norm(f - fp.states, axis=1), fp.speed, atol=1e-9)
    assert (fp.speed[fp.fixed] < A.FIXED_SPEED).all()
    eig = np.linalg.eigvals(A.jacobian(p, fp.states, x))
    np.testing.assert_allclose(np.sort(np.abs(eig), axis=1), np.sort(np.abs(fp.eigenvalues), axis=1), atol=1e-8)
    assert (fp.stable == (np.abs(eig).max(axis=1) < 1)).all()


@pytest.mark.parametrize("arch", ["rnn", "gru", "lstm"])
def test_the_numpy_and_torch_models_give_the_same_cell_and_inputs(arch):
    torch_model = tiny_model(arch, hidden=3)
    state = {k: v.numpy() for k, v in torch_model.state_dict().items() if not k.startswith("_fast.")}
    numpy_model = rnnviz.NumpyRNN(torch_model.config, torch_model.vocab, state)
    a, b = A.cell_params(torch_model), A.cell_params(numpy_model)
    assert a.arch == b.arch == arch and a.c == pytest.approx(b.c)
    for name in ("U", "W", "b", "b_hh", "V"):
        np.testing.assert_allclose(getattr(a, name), getattr(b, name), atol=1e-7)
    np.testing.assert_allclose(A.average_input(numpy_model), A.average_input(torch_model), atol=1e-6)
    x, label = A.word_input(numpy_model, "good")
    assert label == "good" and x.shape == (5,) and x.dtype == np.float64


@pytest.mark.parametrize("arch", ["rnn", "gru", "lstm"])
def test_jacobian_matches_finite_differences(arch):
    model = tiny_model(arch, hidden=3)
    p = A.cell_params(model)
    x = A.average_input(model)
    s = np.array([[0.1, -0.3, 0.4, 0.2, -0.5, 0.7][: p.state_size], [0.9, 0.8, -0.95, 1.5, -2.0, 0.1][: p.state_size]])
    jac = A.jacobian(p, s, x)
    eps = 1e-6
    columns = [
        (A.cell_step(p, s + eps * e, x) - A.cell_step(p, s - eps * e, x)) / (2 * eps) for e in np.eye(p.state_size)
    ]
    np.testing.assert_allclose(jac, np.stack(columns, axis=2), atol=1e-8)


def test_flow_field_is_the_step_minus_the_state():
    p = two_unit(np.array([[0.5, -1.0], [1.0, 0.5]]), np.array([0.1, -0.2]))
    flow = A.flow_field(p, np.zeros(1), n=5)
    assert flow.dx.shape == (5, 5)
    s = np.array([[flow.xs[1], flow.ys[3]]])
    move = A.cell_step(p, s, np.zeros(1))[0] - s[0]
    np.testing.assert_allclose([flow.dx[3, 1], flow.dy[3, 1]], move)
    with pytest.raises(ValueError, match="2-unit"):
        A.flow_field(A.cell_params(tiny_model("rnn", hidden=3)), np.zeros(5))


def test_word_input_average_and_errors():
    model = tiny_model("rnn")
    x, label = A.word_input(model, "  ")
    assert label == A.AVERAGE_WORD and x.shape == (5,)
    x, label = A.word_input(model, "Good")
    assert label == "good"
    with pytest.raises(ValueError, match="one word"):
        A.word_input(model, "not good")


def test_word_effects_on_a_tiny_model_are_consistent():
    model = tiny_model("gru")
    tr = rnnviz.trace(model, "this movie is not good")
    we = A.word_effects(model, tr)
    # The jumps telescope: their sum is o_T - o_0.
    assert we.at_step.sum() == pytest.approx(tr.final - we.o0, abs=1e-6)
    for t in range(tr.T):
        rest = " ".join(tr.tokens[:t] + tr.tokens[t + 1 :])
        assert we.left_out[t] == pytest.approx(tr.final - rnnviz.trace(model, rest).final, abs=1e-6)
    one = A.word_effects(model, rnnviz.trace(model, "good"))
    assert one.left_out[0] == pytest.approx(one.at_step[0], abs=1e-6)  # leaving the only word out: back to o_0


@pytest.mark.parametrize("forget", [False, True], ids=["memory", "goldfish"])
def test_anatomy_pieces_add_up_to_the_update(forget):
    model = tiny_model("rnn", hidden=3)
    tr = rnnviz.trace(model, "this movie is not good", forget=forget)
    p = A.cell_params(model)
    for t in range(1, tr.T + 1):
        parts = A.anatomy(tr, t, p)
        read = tr.hidden[0] if forget else tr.hidden[t - 1]  # the goldfish reads s_0 at every step
        np.testing.assert_allclose(parts.s_prev, read, atol=1e-7)
        np.testing.assert_allclose(parts.memory, p.W @ read, atol=1e-6)
        np.testing.assert_allclose(parts.memory, tr.memory_part[t - 1], atol=1e-6)
        np.testing.assert_allclose(parts.pre, parts.memory + parts.input + parts.bias, atol=1e-12)
        np.testing.assert_allclose(parts.s, tr.hidden[t], atol=1e-5)
    if forget:
        np.testing.assert_allclose(A.anatomy(tr, tr.T, p).s_prev, 0.0)
    with pytest.raises(ValueError, match="step"):
        A.anatomy(tr, 0, p)
    with pytest.raises(ValueError, match="the trace is a rnn with H = 3"):
        A.anatomy(tr, 1, A.cell_params(tiny_model("rnn", hidden=2)))


@pytest.mark.parametrize("forget", [False, True], ids=["memory", "goldfish"])
@pytest.mark.parametrize("arch", ["gru", "lstm"])
def test_gates_kept_plus_written_is_the_new_state(arch, forget):
    model = tiny_model(arch, hidden=3)
    tr = rnnviz.trace(model, "this movie is not good", forget=forget)
    p = A.cell_params(model)
    for t in range(1, tr.T + 1):
        g = A.gate_anatomy(tr, t, p)
        new = tr.hidden[t] if arch == "gru" else tr.gates["cell"][t - 1]
        np.testing.assert_allclose(g.after, new, atol=1e-5)
        if forget:  # the goldfish keeps from s_0 (or c_0), not from the previous step
            np.testing.assert_allclose(g.before, 0.0)
        elif t > 1:
            before = tr.hidden[t - 1] if arch == "gru" else tr.gates["cell"][t - 2]
            np.testing.assert_allclose(g.before, before, atol=1e-6)
        assert 0.0 <= g.kept_share <= 1.0
        recorded = A.gate_anatomy(tr, t)  # from the gates the cell recorded: the same pieces
        for field in ("before", "kept", "written", "keep_gate", "write_gate"):
            np.testing.assert_allclose(getattr(recorded, field), getattr(g, field), atol=1e-5, err_msg=field)
    with pytest.raises(ValueError, match="GRU or LSTM"):
        A.gate_anatomy(rnnviz.trace(tiny_model("rnn"), "good"), 1)


def test_trace_exports_hold_the_literal_text_and_values():
    model = tiny_model("lstm")
    tr = rnnviz.trace(model, 'this <b>movie</b> is "not" good')
    rec = json.loads(A.trace_json(tr))
    assert rec["tokens"] == tr.tokens and rec["text"] == tr.text
    np.testing.assert_allclose(rec["hidden"], tr.hidden, atol=1e-6)
    np.testing.assert_allclose(rec["gates"]["f"], tr.gates["f"], atol=1e-6)
    rows = list(csv.reader(io.StringIO(A.trace_csv(tr))))
    assert rows[0][:5] == ["t", "token", "kind", "o_t", "s_t[1]"]
    assert len(rows) == tr.T + 2 and [r[1] for r in rows[2:]] == tr.tokens
    assert "<b" not in A.trace_csv(tr) or "<" in tr.tokens  # literal tokens, never escaped
    assert float(rows[-1][3]) == pytest.approx(tr.final, abs=1e-6)
    assert len(rows[1]) == len(rows[0])


def test_neuron_extremes_rank_by_the_unit():
    states = np.array([[0.1, 0.0], [0.9, 0.0], [-0.5, 0.0]])
    ranks = A.neuron_extremes(states, ["a", "b", "c"], 0, n=2)
    assert [t for t, _ in ranks["highest"]] == ["b", "a"] and [t for t, _ in ranks["lowest"]] == ["c", "a"]


# -- shipped models --------------------------------------------------------------------------------
def shipped(name: str) -> rnnviz.SentimentRNN:
    if not resolve_checkpoint(name).is_file():
        pytest.skip(f"{name} is not in assets/")
    return rnnviz.load_model(name)


@pytest.mark.parametrize("name", ["rnn-2", "gru-64"])
def test_leaving_out_not_raises_the_final_verdict(name):
    model = shipped(name)
    tr = rnnviz.trace(model, "this movie is not good")
    we = A.word_effects(model, tr)
    i = tr.tokens.index("not")
    assert we.final_without[i] > tr.final + 0.2
    assert we.left_out[i] == we.left_out.min() < 0
    assert we.at_step[i] < 0  # o drops when 'not' is read


def test_shipped_rnn2_is_a_two_state_switch():
    model = shipped("rnn-2")
    p = A.cell_params(model)
    fp = A.find_fixed_points(p, A.average_input(model), n_starts=64, n_steps=200)
    fixed = fp.fixed
    assert fixed.sum() == 3 and (fp.stable[fixed]).sum() == 2
    # The two attractors read opposite sentiments; the saddle sits between them.
    outs = np.sort(fp.outputs[fixed & fp.stable])
    assert outs[0] < 0.5 < outs[1]


@pytest.mark.parametrize("name", [n for n in SHIPPED if n != "rnn-2"])
def test_shipped_wide_models_fixed_points_are_real(name):
    model = shipped(name)
    p = A.cell_params(model)
    x = A.average_input(model)
    starts = A.default_starts(p, 128, around=rnnviz.load_corpus(name).final_states)
    fp = A.find_fixed_points(p, x, starts=starts)  # the app's settings
    assert len(fp.states)
    resid = np.linalg.norm(A.cell_step(p, fp.states, x) - fp.states, axis=1)
    assert (resid[fp.fixed] < A.FIXED_SPEED).all()
    assert (resid < A.SLOW_SPEED).all()  # the rest are slow points, where the search stopped
    assert not fp.stable[~fp.fixed].any()  # stability is a property of fixed points only
