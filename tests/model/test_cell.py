"""The torch-free path: NumpyRNN equals torch's SentimentRNN, and the app never imports torch.

The checkpoint reader itself is tested in tests/model/test_checkpoint.py.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from functools import cache
from pathlib import Path

import numpy as np
import pytest
import torch
from support import tiny_model
from torch import nn

import rnnviz
from rnnviz.cell import CellParams, cell_params, jacobian, run, step, vjp
from rnnviz.infer import NumpyRNN, load_inference_model, written_out
from rnnviz.model import SentimentRNN, load_model, save_checkpoint
from rnnviz.vocab import MAX_TOKENS

ROOT = Path(__file__).resolve().parents[2]
WEIGHTS = ("embedding.weight", "U", "W", "b", "b_hh", "V", "c")
LONG = (
    "it starts slowly and the first hour is a dull , confusing mess , but by the end the performances are "
    "so warm and the story so moving that i forgot every complaint and walked out smiling . "
) * 8  # over MAX_TOKENS: cut to 200 steps
TEXTS = (
    "a fine film",
    "this movie is not good",
    "the acting was wonderful but the plot was terrible",
    "disgustingly",
    "qzxvk blorfing !!! unseenword",
    LONG,
)
TOL = 1e-5


@cache
def shipped(name: str) -> tuple[NumpyRNN, SentimentRNN]:
    return load_inference_model(name), load_model(name)


def assert_same_steps(a, b, tol: float = TOL) -> None:
    """Two Steps (or Traces) agree field by field, gates included, in float32."""
    for field in ("hidden", "outputs", "input_part", "memory_part"):
        x, y = getattr(a, field), getattr(b, field)
        assert x.dtype == y.dtype == np.float32, field
        assert x.shape == y.shape, field
        np.testing.assert_allclose(x, y, atol=tol, rtol=0, err_msg=field)
    assert a.gates.keys() == b.gates.keys()
    for name in a.gates:
        np.testing.assert_allclose(a.gates[name], b.gates[name], atol=tol, rtol=0, err_msg=name)


# -- the one numpy cell equals PyTorch's nn.RNN / nn.GRU / nn.LSTM ----------------------------------------
def torch_run(params: CellParams, x: np.ndarray, forget: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """PyTorch's own cell on the same weights (float64), one step at a time: (T, H) states and LSTM cells.

    The goldfish run starts every step from PyTorch's zero state instead of carrying it.
    """
    kind = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}[params.arch]
    ref = kind(params.E, params.H, batch_first=True).double()
    with torch.no_grad():
        for name, value in (("weight_ih_l0", params.U), ("weight_hh_l0", params.W), ("bias_ih_l0", params.b)):
            getattr(ref, name).copy_(torch.from_numpy(np.asarray(value, dtype=np.float64)))
        ref.bias_hh_l0.copy_(torch.from_numpy(np.asarray(params.b_hh, dtype=np.float64)))
        state, hidden, cells = None, [], []
        for x_t in torch.from_numpy(np.asarray(x, dtype=np.float64)):
            out, new = ref(x_t[None, None], None if forget else state)
            state = new
            hidden.append(out[0, 0].numpy())
            if params.arch == "lstm":
                cells.append(new[1][0, 0].numpy())
    return np.stack(hidden), np.stack(cells) if cells else None


def assert_cell_equals_torch(params: CellParams, x: np.ndarray, forget: bool, tol: float) -> None:
    steps = run(params, x, forget=forget)
    hidden, cells = torch_run(params, x, forget)
    np.testing.assert_allclose(steps.hidden[1:], hidden, atol=tol, rtol=0)
    np.testing.assert_allclose(steps.hidden[0], 0.0)
    logits = hidden @ np.asarray(params.V, dtype=np.float64) + params.c
    np.testing.assert_allclose(steps.outputs, torch.sigmoid(torch.from_numpy(logits)).numpy(), atol=tol, rtol=0)
    if cells is not None:
        np.testing.assert_allclose(steps.gates["cell"], cells, atol=tol, rtol=0)


@pytest.mark.parametrize("arch", ["rnn", "gru", "lstm"])
@pytest.mark.parametrize("forget", [False, True], ids=["memory", "goldfish"])
def test_tiny_cell_equals_torch(arch, forget):
    rng = np.random.default_rng(3)
    for seed in range(3):  # random weights, big enough to saturate some gates
        model = tiny_model(arch, hidden=4, embed=6, seed=seed)
        params = cell_params(model)
        x = rng.normal(0, 2, size=(12, 6))
        assert_cell_equals_torch(params, x, forget, tol=1e-12)
    bags = model.vocab.encode("this movie is not good").bags
    steps = model.steps(bags, forget=forget)  # SentimentRNN delegates to the same cell, in float32
    assert steps.hidden.dtype == np.float32
    assert_cell_equals_torch(cell_params(model), steps.x, forget, tol=1e-5)
    assert_cell_equals_torch(cell_params(model, np.float32), steps.x, forget, tol=1e-5)


@pytest.mark.parametrize("name", rnnviz.SHIPPED)
def test_shipped_cell_equals_torch(name):
    fast, _ = shipped(name)
    for text in TEXTS[:4]:
        x = fast.embed_bags(fast.vocab.encode(text).bags)
        for forget in (False, True):
            assert_cell_equals_torch(fast.cell, x, forget, tol=1e-5)


@pytest.mark.parametrize("arch", ["rnn", "gru", "lstm"])
def test_jacobian_equals_finite_differences_and_torch_jacrev(arch):
    params = cell_params(tiny_model(arch, hidden=4, embed=6))
    rng = np.random.default_rng(0)
    s = rng.normal(0, 0.7, size=(5, params.state_size))
    x = rng.normal(0, 1, size=6)
    jac = jacobian(params, s, x)  # (N, D, D)
    eps = 1e-6
    columns = [(step(params, s + eps * e, x) - step(params, s - eps * e, x)) / (2 * eps) for e in np.eye(s.shape[1])]
    np.testing.assert_allclose(jac, np.stack(columns, axis=2), atol=1e-8)

    kind = {"rnn": nn.RNNCell, "gru": nn.GRUCell, "lstm": nn.LSTMCell}[arch]
    ref = kind(params.E, params.H).double()
    with torch.no_grad():
        for name, value in (
            ("weight_ih", params.U),
            ("weight_hh", params.W),
            ("bias_ih", params.b),
            ("bias_hh", params.b_hh),
        ):
            getattr(ref, name).copy_(torch.from_numpy(value))
    x_t = torch.from_numpy(x)[None]
    h = params.H

    def torch_step(v: torch.Tensor) -> torch.Tensor:
        if arch == "lstm":
            new_h, new_c = ref(x_t, (v[None, :h], v[None, h:]))
            return torch.cat([new_h[0], new_c[0]])
        return ref(x_t, v[None])[0]

    for n in range(len(s)):
        expected = torch.func.jacrev(torch_step)(torch.from_numpy(s[n])).detach().numpy()
        np.testing.assert_allclose(jac[n], expected, atol=1e-12)
        v = rng.normal(size=s.shape[1])
        np.testing.assert_allclose(vjp(params, s[n : n + 1], x, v[None])[0], v @ expected, atol=1e-12)


def test_the_cell_never_overflows():
    params = cell_params(tiny_model("lstm", hidden=3, embed=5))
    with np.errstate(all="raise"):  # a naive 1 / (1 + exp(-a)) overflows at a = -1000
        steps = run(params, np.full((3, 5), 1e3))
        jac = jacobian(params, np.zeros((1, 6)), np.full(5, -1e3))
    assert np.isfinite(steps.hidden).all() and np.isfinite(jac).all()


def test_shapes_and_arch_are_checked():
    p = cell_params(tiny_model("gru", hidden=3, embed=5))
    with pytest.raises(ValueError, match="W must be"):
        CellParams("gru", p.U, p.W[:3], p.b, p.b_hh, p.V, p.c)
    with pytest.raises(ValueError, match="arch"):
        CellParams("elman", p.U, p.W, p.b, p.b_hh, p.V, p.c)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="D = 3"):
        step(p, np.zeros((2, 6)), np.zeros(5))
    with pytest.raises(ValueError, match="E = 5"):
        run(p, np.zeros((4, 6)))


def test_written_out_is_a_deprecated_alias_of_the_cell():
    fast, _ = shipped("gru-64")
    x = fast.embed_bags(fast.vocab.encode("a fine film").bags)
    with pytest.deprecated_call():
        old = written_out("gru", x, fast.U, fast.W, fast.b, fast.b_hh, fast.V, float(fast.c))
    assert_same_steps(old, fast.steps(fast.vocab.encode("a fine film").bags))


@pytest.mark.parametrize("name", rnnviz.SHIPPED)
@pytest.mark.parametrize("forget", [False, True], ids=["memory", "goldfish"])
def test_shipped_numpy_and_torch_models_give_the_same_trace(name, forget):
    fast, ref = shipped(name)
    for text in TEXTS:
        enc = fast.vocab.encode(text)
        a, b = fast.steps(enc.bags, forget=forget), ref.steps(enc.bags, forget=forget)
        np.testing.assert_allclose(a.x, b.x, atol=TOL, rtol=0)
        assert_same_steps(a, b)
        tr_a, tr_b = rnnviz.trace(fast, text, forget=forget), rnnviz.trace(ref, text, forget=forget)
        assert_same_steps(tr_a, tr_b)
        assert tr_a.tokens == tr_b.tokens and tr_a.kinds == tr_b.kinds
        np.testing.assert_array_equal(tr_a.V, tr_b.V)
        assert tr_a.c == tr_b.c and tr_a.arch == tr_b.arch and tr_a.model_name == tr_b.model_name == name
    assert rnnviz.trace(fast, LONG).T == MAX_TOKENS


@pytest.mark.parametrize("arch", ["rnn", "gru", "lstm"])
def test_saved_and_loaded_models_read_alike(arch, tmp_path):
    model = tiny_model(arch, hidden=4, embed=6)
    saved = save_checkpoint(model, tmp_path / "tiny.safetensors", {"note": "tiny"})
    loaded, reloaded = load_inference_model(saved), load_model(saved)  # both from the half-precision table
    assert loaded.name == reloaded.name == "tiny" and loaded.meta == reloaded.meta == {"note": "tiny"}
    for text in ("this movie is not good", "good but bad . " * 80, "unheard of words"):
        for forget in (False, True):
            bags = model.vocab.encode(text).bags
            assert_same_steps(loaded.steps(bags, forget=forget), reloaded.steps(bags, forget=forget))
            assert_same_steps(rnnviz.trace(loaded, text, forget=forget), rnnviz.trace(reloaded, text, forget=forget))
            assert_cell_equals_torch(loaded.cell, loaded.embed_bags(bags), forget, tol=1e-5)


def test_empty_bag_reads_as_zeros_like_embedding_bag():
    model = tiny_model("gru")
    fast = NumpyRNN(model.config, model.vocab, {k: v.numpy() for k, v in model.state_dict().items() if k in WEIGHTS})
    bags = [[1, 2], [], [3]]
    with torch.no_grad():
        expected = model.embedding(torch.tensor([1, 2, 3]), torch.tensor([0, 2, 2])).numpy()
    np.testing.assert_allclose(fast.embed_bags(bags), expected, atol=1e-7)


def test_the_numpy_model_is_read_only():
    fast, _ = shipped("rnn-2")
    for array in (fast.embedding, fast.U, fast.W, fast.b, fast.b_hh, fast.V):
        with pytest.raises(ValueError, match="read-only"):
            array[...] = 0
    v, _ = fast.readout()
    v[:] = 0  # a copy: the model's V is untouched
    assert np.any(fast.V != 0)


# -- no torch on the app's path ---------------------------------------------------------------------------
@pytest.mark.parametrize("module", ["checkpoint.py", "infer.py", "trace.py", "vocab.py", "__init__.py"])
def test_the_torch_free_modules_never_import_torch_or_the_torch_model(module):
    tree = ast.parse((ROOT / "rnnviz" / module).read_text(encoding="utf-8"))
    names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    names |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert not {n for n in names if n.split(".")[0] == "torch" or n == "rnnviz.model"}, module


def run_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def test_import_load_trace_and_the_four_views_never_import_torch():
    done = run_python(
        """
        import sys
        import rnnviz
        import rnnviz.figures as F
        from rnnviz.app import custom_model, explorer  # the page imports both

        assert "torch" not in sys.modules, "import"
        for name in rnnviz.SHIPPED:
            model = rnnviz.load_inference_model(name)
            tr = rnnviz.trace(model, "a fine film")
            compare = rnnviz.trace(model, "a fine film", forget=True)
            corpus = rnnviz.load_corpus(name)
            for step in (1, tr.T):
                F.rolled(tr, step, compare=compare)
                F.positivity(tr, step, compare=compare)
                F.unrolled(tr, step, compare=compare)
                F.projection(tr, step, corpus=corpus, compare=compare).to_json()
        assert "torch" not in sys.modules, sorted(m for m in sys.modules if m.startswith("torch"))[:5]
        assert isinstance(rnnviz.load_model("rnn-2"), rnnviz.SentimentRNN)  # still there, lazily
        assert "torch" in sys.modules
        print("ok")
        """
    )
    assert done.returncode == 0 and done.stdout.strip().endswith("ok"), done.stderr[-3000:]


def test_the_main_page_and_an_uploaded_model_never_import_torch(tmp_path):
    checkpoint = save_checkpoint(tiny_model("gru"), tmp_path / "mine.safetensors", {})
    done = run_python(
        f"""
        import sys
        from pathlib import Path
        from streamlit.testing.v1 import AppTest
        from rnnviz.app import TEXT_KEY, GOLDFISH_KEY, MODEL_KEY
        from rnnviz.app.custom_model import CUSTOM_MODEL, HANDOFF_KEY
        from rnnviz.app import CHART_KEYS
        from rnnviz.app.live_charts import drawn_figures

        VIEWS = set(CHART_KEYS.values())  # the four views (the explainer panel has charts of its own)
        at = AppTest.from_file("streamlit_app.py", default_timeout=120).run()
        at.text_input(key=TEXT_KEY).set_value("a fine film").run()
        assert not at.exception and not at.error, [e.value for e in at.exception]
        assert len(set(drawn_figures(at.get("bidi_component"))) & VIEWS) == 4
        for name in ("gru-64", "lstm-64"):
            at.segmented_control(key=MODEL_KEY).set_value(name).run()
            at.toggle(key=GOLDFISH_KEY).set_value(True).run()
            assert not at.exception and len(set(drawn_figures(at.get("bidi_component"))) & VIEWS) == 4
        assert "torch" not in sys.modules, "main page"

        at = AppTest.from_file("streamlit_app.py", default_timeout=120)
        at.session_state[HANDOFF_KEY] = ("mine.safetensors", Path({str(checkpoint)!r}).read_bytes())
        at.run()
        assert not at.exception and not at.error and at.session_state[MODEL_KEY] == CUSTOM_MODEL
        assert len(set(drawn_figures(at.get("bidi_component"))) & VIEWS) == 4
        assert "torch" not in sys.modules, "own model"
        print("ok")
        """
    )
    assert done.returncode == 0 and done.stdout.strip().endswith("ok"), done.stderr[-3000:]
