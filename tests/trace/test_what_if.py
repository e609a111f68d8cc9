"""What if s_t had been another state: the rest of the sentence read on from it (rnnviz.trace.what_if), and the shared
weights' numbers every trace carries (Trace.shared)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from support import hand_params, hand_run

import rnnviz
from rnnviz.trace import SMALL_WEIGHT, what_if

WORDS = ["this", "movie", "is", "not", "good", "at", "all"]


def _run(arch: str, h: int = 2):
    params = hand_params(arch, h=h, e=3, seed=2)
    return SimpleNamespace(cell=params), params, hand_run(params, WORDS)


@pytest.mark.parametrize("arch", ["rnn", "gru", "lstm"])
def test_the_real_state_reads_on_exactly_as_the_run_did(arch: str):
    model, _, tr = _run(arch, h=3)
    for t in (1, 4, 7):
        wi = what_if(model, tr, t, tr.hidden[t])
        np.testing.assert_allclose(wi.hidden, tr.hidden, atol=1e-12)
        np.testing.assert_allclose(wi.outputs, tr.outputs, atol=1e-12)
        np.testing.assert_allclose(wi.memory_part, tr.memory_part, atol=1e-12)
        assert wi.nudged_at == t


@pytest.mark.parametrize("arch", ["rnn", "gru", "lstm"])
def test_a_state_set_by_hand_is_read_on_by_pytorchs_own_cell(arch: str):
    torch = pytest.importorskip("torch")
    model, p, tr = _run(arch)
    t, s = 3, np.array([0.6, -0.7])
    wi = what_if(model, tr, t, s)
    # PyTorch's cell with the same weights, fed U x_t itself (input weights = identity), from s_t = s.
    gh = p.W.shape[0]
    cell = {"rnn": torch.nn.RNNCell, "gru": torch.nn.GRUCell, "lstm": torch.nn.LSTMCell}[arch](gh, 2).double()
    with torch.no_grad():
        cell.weight_ih.copy_(torch.eye(gh, dtype=torch.float64))
        cell.weight_hh.copy_(torch.from_numpy(p.W))
        cell.bias_ih.copy_(torch.from_numpy(p.b))
        cell.bias_hh.copy_(torch.from_numpy(p.b_hh))
        h = torch.from_numpy(s)[None]
        c = torch.from_numpy(tr.gates["cell"][t - 1])[None] if arch == "lstm" else None  # the LSTM keeps its real c_t
        for k in range(t, tr.T):
            x = torch.from_numpy(tr.input_part[k])[None]
            if arch == "lstm":
                h, c = cell(x, (h, c))
            else:
                h = cell(x, h)
            np.testing.assert_allclose(wi.hidden[k + 1], h[0].numpy(), atol=1e-10)
    expected = 1 / (1 + np.exp(-(wi.hidden[t:] @ p.V + p.c)))
    np.testing.assert_allclose(wi.outputs[t - 1 :], expected, atol=1e-10)


def test_only_the_steps_from_t_on_change():
    model, _, tr = _run("rnn")
    wi = what_if(model, tr, 4, np.array([0.9, 0.9]))
    np.testing.assert_array_equal(wi.hidden[:4], tr.hidden[:4])
    np.testing.assert_array_equal(wi.outputs[:3], tr.outputs[:3])
    np.testing.assert_array_equal(wi.hidden[4], [0.9, 0.9])
    assert not np.allclose(wi.outputs[3:], tr.outputs[3:])
    assert wi.tokens == tr.tokens and tr.nudged_at is None


def test_the_shipped_two_unit_model_reads_on_from_a_nudged_state():
    model = rnnviz.load_inference_model("rnn-2")
    tr = rnnviz.trace(model, "this movie is not good at all")
    np.testing.assert_allclose(what_if(model, tr, 4, tr.hidden[4]).outputs, tr.outputs, atol=1e-6)
    # Moved across the readout's o = 0.5 line, the rest of the sentence reads differently.
    wi = what_if(model, tr, 4, np.array([0.6, -0.6]))
    assert (wi.final >= 0.5) != (tr.final >= 0.5)


@pytest.mark.parametrize(
    ("step", "state", "forget", "message"),
    [
        (0, [0.1, 0.1], False, "step must be in 1..7"),
        (8, [0.1, 0.1], False, "step must be in 1..7"),
        (2, [0.1], False, "2 finite numbers"),
        (2, [0.1, float("nan")], False, "2 finite numbers"),
        (2, [0.1, 0.1], True, "goldfish"),
    ],
)
def test_a_state_that_cannot_be_read_on_from_is_a_clear_error(step, state, forget, message):
    params = hand_params("rnn", h=2, e=3, seed=2)
    tr = hand_run(params, WORDS, forget=forget)
    with pytest.raises(ValueError, match=message):
        what_if(SimpleNamespace(cell=params), tr, step, np.array(state))


@pytest.mark.parametrize("name", ["rnn-2", "lstm-64"])
def test_every_trace_carries_its_shared_weights_numbers(name: str):
    model = rnnviz.load_inference_model(name)
    tr = rnnviz.trace(model, "not good")
    for weight in "UWV":
        m = getattr(model, weight)
        shared = tr.shared[weight]
        assert shared.shape == m.shape
        assert shared.norm == pytest.approx(float(np.linalg.norm(m)), rel=1e-6)
        if m.size <= SMALL_WEIGHT:
            np.testing.assert_allclose(shared.values, m)
        else:
            assert shared.values is None
    if name == "rnn-2":
        assert tr.shared["W"].values.shape == (2, 2)  # the four numbers the views write out
