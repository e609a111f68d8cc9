"""The torch-free path: the numpy cell equals torch's nn.RNN/GRU/LSTM, the reader torch.load; the app has no torch."""

from __future__ import annotations

import ast
import io
import os
import pickle
import subprocess
import sys
import textwrap
import zipfile
from functools import cache
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

import rnnviz
from rnnviz.cell import CellParams, cell_params, jacobian, run, step, vjp
from rnnviz.checkpoint import CheckpointError, read_checkpoint
from rnnviz.infer import NumpyRNN, load_inference_model, written_out
from rnnviz.model import SentimentRNN, load_model, save_checkpoint
from rnnviz.vocab import MAX_TOKENS
from tests.conftest import tiny_model

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "assets"
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
    saved = save_checkpoint(model, tmp_path / "tiny.pt", {"note": "tiny"})
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


# -- the reader equals torch.load ----------------------------------------------------------------------
def assert_same_payload(ours, theirs) -> None:
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, np.ndarray)
        assert ours.dtype == theirs.numpy().dtype and ours.shape == tuple(theirs.shape)
        np.testing.assert_array_equal(ours, theirs.numpy())
    elif isinstance(theirs, dict):
        assert isinstance(ours, dict) and list(ours) == list(theirs)
        for key in theirs:
            assert_same_payload(ours[key], theirs[key])
    elif isinstance(theirs, list | tuple):
        assert type(ours) is type(theirs) and len(ours) == len(theirs)
        for a, b in zip(ours, theirs, strict=True):
            assert_same_payload(a, b)
    else:
        assert ours == theirs


@pytest.mark.parametrize("name", rnnviz.SHIPPED)
def test_reader_gives_what_torch_load_gives(name):
    path = ASSETS / f"{name}.pt"
    assert_same_payload(read_checkpoint(path), torch.load(path, map_location="cpu", weights_only=True))


def test_reader_handles_views_shared_storages_dtypes_and_big_endian(tmp_path):
    base = torch.arange(60, dtype=torch.float32).reshape(6, 10)
    payload = {
        "slice": base[1:5, 2:9:3],  # storage offset and strides
        "transposed": base.T,
        "same_storage": base,
        "row": base[3],
        "scalar": torch.tensor(2.5),
        "empty": torch.zeros(0, 4),
        "half": torch.linspace(-2, 2, 7).half(),
        "double": torch.linspace(0, 1, 5, dtype=torch.float64),
        "long": torch.arange(-3, 4),
        "int8": torch.tensor([-1, 0, 1], dtype=torch.int8),
        "bool": torch.tensor([True, False, True]),
        "nested": [{"x": base[0, :3]}, (1, "two", 3.0, None, True)],
    }
    path = tmp_path / "views.pt"
    torch.save(payload, path)
    ours = read_checkpoint(path)
    assert_same_payload(ours, torch.load(path, weights_only=True))
    assert all(a.flags.c_contiguous and a.flags.writeable for a in ours.values() if isinstance(a, np.ndarray))

    # The same archive written on a big-endian machine: byteorder says "big" and every storage is swapped.
    big = tmp_path / "big.pt"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(big, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith("/byteorder"):
                data = b"big"
            elif "/data/" in info.filename and not info.filename.endswith("serialization_id"):
                size = _item_size(path, info.filename)
                data = np.frombuffer(data, dtype=f"<u{size}" if size > 1 else "u1").byteswap().tobytes()
            dst.writestr(info, data)
    assert_same_payload(read_checkpoint(big), torch.load(path, weights_only=True))


def _item_size(path: Path, record: str) -> int:
    """The element size of the storage in `record`, from the pickle's storage references."""
    key = record.rsplit("/", 1)[1]
    sizes = {}

    class Peek(pickle.Unpickler):
        def find_class(self, module, name):
            if name.endswith("Storage"):
                return {"Half": 2, "Float": 4, "Double": 8, "Long": 8, "Char": 1, "Bool": 1}[name[: -len("Storage")]]
            return lambda *args: None

        def persistent_load(self, pid):
            sizes[pid[2]] = pid[1]

    with zipfile.ZipFile(path) as archive:
        pkl = next(n for n in archive.namelist() if n.endswith("/data.pkl"))
        Peek(io.BytesIO(archive.read(pkl))).load()
    return sizes[key]


# -- bad files -----------------------------------------------------------------------------------------
@pytest.fixture
def tiny_checkpoint(tmp_path) -> Path:
    return save_checkpoint(tiny_model("lstm"), tmp_path / "tiny.pt", {})


def test_missing_and_unknown(tmp_path):
    with pytest.raises(CheckpointError, match=r"nowhere\.pt is missing"):
        load_inference_model(tmp_path / "nowhere.pt")
    with pytest.raises(CheckpointError, match="Unknown model 'rnn-3'"):
        load_inference_model("rnn-3")


@pytest.mark.parametrize("how", ["truncated", "flipped", "empty", "html", "bare_pickle", "no_data_pkl"])
def test_unreadable_files_name_the_file(tiny_checkpoint, how):
    data = tiny_checkpoint.read_bytes()
    if how == "truncated":
        data = data[: len(data) // 3]
    elif how == "flipped":  # inside a tensor: only the CRC check notices
        data = bytearray(data)
        mid = len(data) // 2
        data[mid : mid + 32] = bytes(b ^ 0xFF for b in data[mid : mid + 32])
    elif how == "empty":
        data = b""
    elif how == "html":
        data = b"<html>404 not found</html>"
    elif how == "bare_pickle":
        data = pickle.dumps({"format": "rnnviz-checkpoint"})
    else:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as archive:
            archive.writestr("archive/other.pkl", b"")
        data = buf.getvalue()
    tiny_checkpoint.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match=rf"{tiny_checkpoint}.*cannot be read.*truncated or corrupt"):
        load_inference_model(tiny_checkpoint)


def test_foreign_and_damaged_checkpoints(tmp_path):
    foreign = tmp_path / "foreign.pt"
    torch.save({"weights": torch.zeros(3)}, foreign)
    with pytest.raises(CheckpointError, match="not an rnnviz checkpoint"):
        load_inference_model(foreign)

    path = save_checkpoint(tiny_model(), tmp_path / "bad.pt", {})
    payload = torch.load(path, weights_only=True)
    payload["version"] = 7
    torch.save(payload, path)
    with pytest.raises(CheckpointError, match="has checkpoint version 7, expected 1"):
        load_inference_model(path)

    for change, message in (
        (lambda p: p["state"].__setitem__("W", torch.zeros(7, 7)), r"bad\.pt is damaged: tensor 'W' should be"),
        (lambda p: p["config"].__setitem__("arch", "transformer"), r"bad\.pt is damaged: arch must be"),
        (lambda p: p["vocab"]["words"].pop(), r"bad\.pt is damaged: vocabulary has"),
        (lambda p: p.__setitem__("state", [1, 2]), r"bad\.pt is damaged"),
    ):
        payload = torch.load(save_checkpoint(tiny_model(), path, {}), weights_only=True)
        change(payload)
        torch.save(payload, path)
        with pytest.raises(CheckpointError, match=message):
            load_inference_model(path)


def test_a_crafted_config_is_refused_before_anything_is_built(tmp_path):
    path = save_checkpoint(tiny_model(), tmp_path / "huge.pt", {})
    payload = torch.load(path, weights_only=True)
    payload["config"]["hidden"] = 100_000  # tens of GB if anything were built from it
    torch.save(payload, path)
    with pytest.raises(CheckpointError, match=r"huge\.pt is damaged: tensor 'U' should be"):
        load_inference_model(path)


def _archive_with_pickle(path: Path, data: bytes, extra: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("archive/data.pkl", data)
        archive.writestr("archive/byteorder", b"little")
        for name, value in (extra or {}).items():
            archive.writestr(f"archive/{name}", value)
    return path


@pytest.mark.parametrize("protocol", [0, 2, 4])
def test_a_pickle_naming_os_system_is_refused_without_running(tmp_path, protocol):
    marker = tmp_path / "ran"

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    # Through torch.save (as a real attack would come), and as a bare pickle inside the archive.
    via_torch = tmp_path / "evil.pt"
    torch.save({"format": "rnnviz-checkpoint", "version": 1, "x": Evil()}, via_torch)
    bare = _archive_with_pickle(tmp_path / "bare.pt", pickle.dumps(Evil(), protocol=protocol))
    for path in (via_torch, bare):
        with pytest.raises(CheckpointError, match=r"cannot be read: it refers to (os|posix)\.system") as info:
            load_inference_model(path)
        assert "nothing in it ran" in str(info.value)
        assert not marker.exists()


@pytest.mark.parametrize(
    "global_name",
    [
        ("os", "system"),
        ("posix", "system"),
        ("builtins", "eval"),
        ("builtins", "getattr"),
        ("torch", "load"),
        ("torch._utils", "_rebuild_parameter"),
        ("torch", "BFloat16Storage"),
        ("numpy.core.multiarray", "_reconstruct"),
        ("collections", "defaultdict"),
        ("subprocess", "Popen"),
    ],
)
def test_only_tensors_and_ordered_dicts_are_allowed(tmp_path, global_name):
    module, name = global_name
    data = f"c{module}\n{name}\n.".encode()  # protocol 0 GLOBAL, then STOP: the name alone is refused
    path = _archive_with_pickle(tmp_path / "g.pt", data)
    with pytest.raises(CheckpointError, match=rf"refers to {module}\.{name}"):
        read_checkpoint(path)


def test_a_tensor_cannot_reach_outside_its_storage(tmp_path):
    """A crafted size, stride or offset must not read past the storage (as_strided would happily do so)."""
    path = tmp_path / "t.pt"
    torch.save({"t": torch.arange(4, dtype=torch.float32)}, path)
    with zipfile.ZipFile(path) as archive:
        records = {n: archive.read(n) for n in archive.namelist()}
    pkl_name = next(n for n in records if n.endswith("/data.pkl"))
    good = records[pkl_name]
    for old, new, why in (
        (b"K\x04\x85", b"K\x40\x85", "does not fit"),  # size (4,) -> (64,)
        (b"K\x01\x85", b"K\x09\x85", "does not fit"),  # stride (1,) -> (9,)
    ):
        assert good.count(old) == 1, old
        crafted = tmp_path / "crafted.pt"
        with zipfile.ZipFile(crafted, "w") as archive:
            for n, value in records.items():
                archive.writestr(n, good.replace(old, new) if n == pkl_name else value)
        with pytest.raises(CheckpointError, match="cannot be read") as info:
            read_checkpoint(crafted)
        assert why in str(info.value.__cause__)

    # A storage record shorter than the pickle says.
    short = tmp_path / "short.pt"
    with zipfile.ZipFile(short, "w") as archive:
        for n, value in records.items():
            archive.writestr(n, value[:8] if "/data/" in n and not n.endswith("serialization_id") else value)
    with pytest.raises(CheckpointError, match="cannot be read") as info:
        read_checkpoint(short)
    assert "holds 8 bytes" in str(info.value.__cause__)


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
    checkpoint = save_checkpoint(tiny_model("gru"), tmp_path / "mine.pt", {})
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
        at.session_state[HANDOFF_KEY] = ("mine.pt", Path({str(checkpoint)!r}).read_bytes())
        at.run()
        assert not at.exception and not at.error and at.session_state[MODEL_KEY] == CUSTOM_MODEL
        assert len(drawn_figures(at.get("bidi_component"))) == 4
        assert "torch" not in sys.modules, "own model"
        print("ok")
        """
    )
    assert done.returncode == 0 and done.stdout.strip().endswith("ok"), done.stderr[-3000:]
