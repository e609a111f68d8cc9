"""Trace invariants: shapes, ranges, determinism, the goldfish, and clear errors."""

from __future__ import annotations

import numpy as np
import pytest

import rnnviz
from rnnviz.trace import Trace


def test_trace_shapes_and_ranges(any_tiny):
    tr = rnnviz.trace(any_tiny, "This movie is not good.")
    assert tr.tokens == ["this", "movie", "is", "not", "good", "."]
    T, H = 6, any_tiny.config.hidden
    assert tr.T == T and tr.H == H
    assert tr.hidden.shape == (T + 1, H) and np.all(tr.hidden[0] == 0)
    assert tr.outputs.shape == (T,) and np.all((tr.outputs >= 0) & (tr.outputs <= 1))
    assert tr.kinds == ["known"] * T
    for name, g in tr.gates.items():
        assert g.shape == (T, H), name
    assert tr.final == pytest.approx(float(tr.outputs[-1]))


def test_gate_names_per_cell(any_tiny):
    names = set(rnnviz.trace(any_tiny, "good").gates)
    assert names == {"rnn": set(), "gru": {"r", "z", "n"}, "lstm": {"i", "f", "g", "o", "cell"}}[any_tiny.config.arch]


def test_same_input_same_trace(any_tiny):
    a = rnnviz.trace(any_tiny, "not good")
    b = rnnviz.trace(any_tiny, "not good")
    np.testing.assert_array_equal(a.hidden, b.hidden)
    np.testing.assert_array_equal(a.outputs, b.outputs)


def test_outputs_follow_the_readout(tiny_rnn):
    tr = rnnviz.trace(tiny_rnn, "this is bad but great")
    np.testing.assert_allclose(tr.outputs, 1 / (1 + np.exp(-(tr.hidden[1:] @ tr.V + tr.c))), atol=1e-6)


def test_goldfish_reads_each_word_alone(any_tiny):
    goldfish = rnnviz.trace(any_tiny, "not good", forget=True)
    alone = rnnviz.trace(any_tiny, "good")
    assert goldfish.forget
    assert goldfish.outputs[1] == pytest.approx(alone.outputs[0], abs=1e-6)


@pytest.mark.parametrize("forget", [False, True], ids=["memory", "goldfish"])
def test_memory_part_is_what_each_step_read(any_tiny, forget):
    """W s_{t-1} with the state the step used: the previous one, or s_0 in the goldfish run."""
    tr = rnnviz.trace(any_tiny, "this movie is not good", forget=forget)
    w = any_tiny.W.detach().numpy()
    read = np.repeat(tr.hidden[:1], tr.T, axis=0) if forget else tr.hidden[:-1]  # (T, H)
    np.testing.assert_allclose(tr.memory_part, read @ w.T, atol=1e-6)
    u = any_tiny.U.detach().numpy()
    x = any_tiny.embed_bags(any_tiny.vocab.encode(tr.text).bags).detach().numpy()
    np.testing.assert_allclose(tr.input_part, x @ u.T, atol=1e-6)


@pytest.mark.parametrize("text", ["", "    ", "\n"])
def test_empty_text_is_a_clear_error(tiny_rnn, text):
    with pytest.raises(ValueError, match="empty"):
        rnnviz.trace(tiny_rnn, text)


def test_long_text_is_cut(tiny_rnn):
    tr = rnnviz.trace(tiny_rnn, "good " * 500)
    assert tr.T == rnnviz.MAX_TOKENS and tr.truncated and tr.n_tokens_total == 500


@pytest.mark.parametrize(
    "text", ["😀 good", "日本語", "<script>alert(1)</script>", "{{7*7}}", "a\x00b", "x" * 10_000, "زبان فارسی"]
)
def test_any_text_is_traced(tiny_rnn, text):
    tr = rnnviz.trace(tiny_rnn, text)
    assert tr.T >= 1 and np.isfinite(tr.outputs).all()


def test_unknown_words_are_flagged(tiny_rnn):
    tr = rnnviz.trace(tiny_rnn, "goodish 😀")
    assert tr.kinds == ["pieces", "unknown"]


def test_trace_checks_shapes_on_construction():
    ok = dict(
        text="a b",
        tokens=["a", "b"],
        kinds=["known", "unknown"],
        hidden=np.zeros((3, 2)),
        outputs=np.full(2, 0.5),
        input_part=np.zeros((2, 2)),
        memory_part=np.zeros((2, 2)),
        V=np.ones(2),
        c=0.0,
    )
    assert Trace(**ok).T == 2
    with pytest.raises(ValueError, match="hidden"):
        Trace(**(ok | {"hidden": np.zeros((2, 2))}))
    with pytest.raises(ValueError, match="outputs"):
        Trace(**(ok | {"outputs": np.zeros(3)}))
    with pytest.raises(ValueError, match="gate"):
        Trace(**(ok | {"gates": {"z": np.zeros((5, 2))}}))
    with pytest.raises(ValueError, match="kinds"):
        Trace(**(ok | {"kinds": ["known", "weird"]}))
