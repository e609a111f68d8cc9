"""The torch-free path: NumpyRNN equals torch's SentimentRNN, and the app never imports torch.

The checkpoint reader itself is tested in tests/test_checkpoint.py.
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

import rnnviz
from rnnviz.infer import NumpyRNN, load_inference_model
from rnnviz.model import SentimentRNN, load_model, save_checkpoint
from rnnviz.vocab import MAX_TOKENS
from tests.conftest import tiny_model

ROOT = Path(__file__).resolve().parent.parent
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


# -- the numpy cells equal the torch cells -----------------------------------------------------------
@pytest.mark.parametrize("name", rnnviz.SHIPPED)
@pytest.mark.parametrize("forget", [False, True], ids=["memory", "goldfish"])
def test_shipped_numpy_steps_equal_torch(name, forget):
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
def test_tiny_numpy_steps_equal_torch(arch, tmp_path):
    model = tiny_model(arch, hidden=4, embed=6)
    state = model.state_dict()
    direct = NumpyRNN(model.config, model.vocab, {k: state[k].numpy() for k in WEIGHTS}, name=model.name)
    saved = save_checkpoint(model, tmp_path / "tiny.safetensors", {"note": "tiny"})
    loaded, reloaded = load_inference_model(saved), load_model(saved)  # both from the half-precision table
    assert loaded.name == reloaded.name == "tiny" and loaded.meta == reloaded.meta == {"note": "tiny"}
    for text in ("this movie is not good", "good but bad . " * 80, "unheard of words"):
        for forget in (False, True):
            bags = model.vocab.encode(text).bags
            assert_same_steps(direct.steps(bags, forget=forget), model.steps(bags, forget=forget))
            assert_same_steps(loaded.steps(bags, forget=forget), reloaded.steps(bags, forget=forget))
            assert_same_steps(rnnviz.trace(loaded, text, forget=forget), rnnviz.trace(reloaded, text, forget=forget))


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
        from rnnviz.app.live_charts import drawn_figures

        at = AppTest.from_file("streamlit_app.py", default_timeout=120).run()
        at.text_input(key=TEXT_KEY).set_value("a fine film").run()
        assert not at.exception and not at.error, [e.value for e in at.exception]
        assert len(drawn_figures(at.get("bidi_component"))) == 4
        for name in ("gru-64", "lstm-64"):
            at.segmented_control(key=MODEL_KEY).set_value(name).run()
            at.toggle(key=GOLDFISH_KEY).set_value(True).run()
            assert not at.exception and len(drawn_figures(at.get("bidi_component"))) == 4
        assert "torch" not in sys.modules, "main page"

        at = AppTest.from_file("streamlit_app.py", default_timeout=120)
        at.session_state[HANDOFF_KEY] = ("mine.safetensors", Path({str(checkpoint)!r}).read_bytes())
        at.run()
        assert not at.exception and not at.error and at.session_state[MODEL_KEY] == CUSTOM_MODEL
        assert len(drawn_figures(at.get("bidi_component"))) == 4
        assert "torch" not in sys.modules, "own model"
        print("ok")
        """
    )
    assert done.returncode == 0 and done.stdout.strip().endswith("ok"), done.stderr[-3000:]
