"""NumpyRNN.with_weights: an edited copy of a model (rnn-2's W touched by hand), the loaded model left as it was."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

import rnnviz
from rnnviz.infer import NumpyRNN, load_inference_model

TEXTS = ("this movie is not good", "not bad at all", "a disgustingly charming film , but too long .", "good")


@cache
def loaded(name: str) -> NumpyRNN:
    return load_inference_model(name)


def arrays(model: NumpyRNN) -> dict[str, np.ndarray]:
    return {"embedding": model.embedding, "U": model.U, "W": model.W, "b": model.b, "b_hh": model.b_hh, "V": model.V}


def test_the_edited_copy_leaves_the_loaded_model_untouched_and_read_only():
    model = loaded("rnn-2")
    before = {k: a.copy() for k, a in arrays(model).items()}
    w = np.array([[0.5, -1.5], [2.0, 0.25]], dtype=np.float32)
    edited = model.with_weights(W=w, input_scale=0.5)
    w[:] = 9  # the caller's array stays the caller's: the copy took its own
    rnnviz.trace(edited, TEXTS[0])
    for name, array in arrays(model).items():
        np.testing.assert_array_equal(array, before[name], err_msg=name)
        assert not array.flags.writeable, name
    for name, array in arrays(edited).items():
        assert not array.flags.writeable, name
        with pytest.raises(ValueError, match="read-only"):
            array[...] = 0
    assert edited.embedding is model.embedding and edited.vocab is model.vocab  # the table is shared, not copied
    np.testing.assert_array_equal(edited.W, [[0.5, -1.5], [2.0, 0.25]])
    np.testing.assert_array_equal(edited.U, model.U * np.float32(0.5))
    assert model.edited is None
    assert edited.edited == {"W": [[0.5, -1.5], [2.0, 0.25]], "input_scale": 0.5, "from": "rnn-2"}
    assert edited.name == "rnn-2 (edited)" != model.name  # its traces never pass for the trained model's


def test_the_trained_weights_give_the_trained_trace():
    model = loaded("rnn-2")
    same = model.with_weights(W=model.W.tolist(), input_scale=1.0)
    for text in TEXTS:
        np.testing.assert_array_equal(rnnviz.trace(same, text).outputs, rnnviz.trace(model, text).outputs)


@pytest.mark.parametrize("name", ["rnn-2", "rnn-64"])
def test_w_zero_is_the_goldfish(name):
    """An RNN whose loop weight is zero forgets as the goldfish does: the same o_t as forget=True, to 1e-6."""
    model = loaded(name)
    zero = model.with_weights(W=np.zeros_like(model.W))
    for text in TEXTS:
        goldfish = rnnviz.trace(model, text, forget=True)
        edited = rnnviz.trace(zero, text)
        np.testing.assert_allclose(edited.outputs, goldfish.outputs, atol=1e-6, rtol=0)
        np.testing.assert_allclose(edited.hidden, goldfish.hidden, atol=1e-6, rtol=0)
        if len(edited.tokens) > 1:  # and it is not the trained model's reading with memory
            assert np.abs(edited.outputs - rnnviz.trace(model, text).outputs).max() > 1e-3


def test_input_scale_zero_makes_every_word_irrelevant():
    """With U x_t scaled to 0, s_t comes from b and W alone: s_t = tanh(W s_{t-1} + b + b_hh) whatever the words."""
    model = loaded("rnn-2")
    deaf = model.with_weights(input_scale=0.0)
    runs = [rnnviz.trace(deaf, text) for text in ("good good good good", "awful boring bad mess", "not bad at all")]
    for tr in runs[1:]:
        np.testing.assert_array_equal(tr.hidden, runs[0].hidden)
        np.testing.assert_array_equal(tr.outputs, runs[0].outputs)
    s = np.zeros(2, dtype=np.float64)
    for t in range(1, 5):
        s = np.tanh(model.W.astype(np.float64) @ s + model.b + model.b_hh)
        np.testing.assert_allclose(runs[0].hidden[t], s, atol=1e-6)
    np.testing.assert_array_equal(runs[0].input_part, 0)


def test_input_scale_scales_the_input_term():
    model = loaded("rnn-2")
    double = rnnviz.trace(model.with_weights(input_scale=2.0), TEXTS[0])
    np.testing.assert_allclose(double.input_part, 2 * rnnviz.trace(model, TEXTS[0]).input_part, rtol=1e-6)


@pytest.mark.parametrize(
    ("kwargs", "said"),
    [
        ({"W": [[1.0, 2.0, 3.0]]}, "W must be"),
        ({"W": np.zeros((2, 3))}, "W must be"),
        ({"W": [[np.nan, 0.0], [0.0, 0.0]]}, "finite"),
        ({"input_scale": float("inf")}, "finite"),
    ],
)
def test_odd_weights_are_refused_with_a_clear_message(kwargs, said):
    with pytest.raises(ValueError, match=said):
        loaded("rnn-2").with_weights(**kwargs)
