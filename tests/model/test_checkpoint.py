"""Checkpoints as NAME.safetensors: the shipped conversion, round trips, and every hostile file refused cleanly.

Every crafted file is built here, in memory or under tmp_path. A hostile file must give CheckpointError
(UploadError in the app) naming the file, in a short message, without allocating what it declares.
"""

from __future__ import annotations

import dataclasses
import json
import struct
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
import safetensors
import safetensors.numpy
import torch
from support import tiny_model

import rnnviz
from rnnviz.app import custom_model as cm
from rnnviz.checkpoint import (
    LIMITS,
    UPLOAD_LIMITS,
    WEIGHT_NAMES,
    CheckpointError,
    read_checkpoint,
    write_checkpoint,
)
from rnnviz.convert import convert
from rnnviz.convert import main as convert_main
from rnnviz.infer import load_inference_model
from rnnviz.model import load_model, save_checkpoint

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "tests" / "data" / "reference_traces.json"
MB = 2**20
SHORT = 600  # characters: a message quotes at most ~80 of anything from the file


# -- the shipped models ------------------------------------------------------------------------------
@pytest.mark.parametrize("load", [load_inference_model, load_model], ids=["numpy", "torch"])
def test_the_shipped_files_read_as_the_trained_network_computes(load):
    """o_t and s_t from the shipped .safetensors, in numpy and torch, equal PyTorch's fused kernels within 1e-6.

    tests/data/reference_traces.json is written by `python tests/data/reference_traces.py` from the shipped
    checkpoints with torch.nn.RNN / GRU / LSTM (what training ran), not with rnnviz.cell. Rerun it after
    retraining. Before the December retraining, that script's output on the converted models matched the
    traces recorded from the old .pt files (commit 1c55f91) within 2.5e-7; the old format's conversion is
    checked on a tiny model by test_convert_keeps_the_weights.
    """
    reference = json.loads(REFERENCE.read_text(encoding="utf-8"))
    assert sorted(reference) == sorted(rnnviz.SHIPPED)
    for name, sentences in reference.items():
        model = load(name)
        assert len(sentences) == 4
        for text, runs in sentences.items():
            for forget, expected in runs.items():
                tr = rnnviz.trace(model, text, forget=forget == "true")
                np.testing.assert_allclose(tr.outputs, expected["o_t"], atol=1e-6, rtol=0, err_msg=f"{name} {text}")
                np.testing.assert_allclose(tr.hidden, expected["s_t"], atol=1e-6, rtol=0, err_msg=f"{name} {text}")


@pytest.mark.parametrize("name", rnnviz.SHIPPED)
def test_the_shipped_files_are_plain_safetensors_with_json_metadata(name):
    path = ROOT / "assets" / f"{name}.safetensors"
    with safetensors.safe_open(path, framework="numpy") as f:  # any safetensors reader opens it
        metadata = f.metadata()
        assert sorted(f.keys()) == sorted(WEIGHT_NAMES)
        assert f.get_tensor("embedding.weight").dtype == np.float16 and f.get_tensor("U").dtype == np.float32
    assert metadata["format"] == "rnnviz-checkpoint" and metadata["version"] == "2" and len(metadata["sha256"]) == 64
    config, vocab, meta = (json.loads(metadata[k]) for k in ("config", "vocab", "meta"))
    assert config["vocab_size"] == len(vocab["words"]) + len(vocab["ngrams"])
    assert meta["command"].startswith("python -m rnnviz.train") and "/work" not in meta["command"]
    assert not (ROOT / "assets" / f"{name}.pt").exists()


# -- writing and reading back -----------------------------------------------------------------------------
@pytest.mark.parametrize("arch", ["rnn", "gru", "lstm"])
def test_save_then_load_gives_the_same_model(tmp_path, arch):
    model = tiny_model(arch)
    meta = {"command": "python -m rnnviz.train --arch x", "history": [{"loss": float("nan")}], "t": (1, 2)}
    path = save_checkpoint(model, tmp_path / "m.safetensors", meta)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.safetensors"]  # no temporary file left
    assert path.stat().st_mode & 0o777 == 0o644
    config, vocab, tensors, back = read_checkpoint(path)
    assert config == model.config and vocab.words == model.vocab.words and vocab.ngrams == model.vocab.ngrams
    assert back == {"command": "python -m rnnviz.train --arch x", "history": [{"loss": None}], "t": [1, 2]}
    state = model.state_dict()
    for key in WEIGHT_NAMES:
        expected = state[key].numpy().astype(np.float16 if key == "embedding.weight" else np.float32)
        assert tensors[key].dtype == expected.dtype and tensors[key].shape == expected.shape, key
        np.testing.assert_array_equal(tensors[key], expected, err_msg=key)
    numpy_model, torch_model = load_inference_model(path), load_model(path)
    assert numpy_model.name == torch_model.name == "m" and numpy_model.meta == torch_model.meta == back
    text = "this movie is not good"
    np.testing.assert_array_equal(rnnviz.trace(numpy_model, text).outputs, rnnviz.trace(torch_model, text).outputs)
    again = read_checkpoint(save_checkpoint(torch_model, tmp_path / "again.safetensors"))  # load -> save -> same
    assert again.config == config and again.vocab.words == vocab.words and again.meta == back
    for key in WEIGHT_NAMES:
        assert again.tensors[key].dtype == tensors[key].dtype
        np.testing.assert_array_equal(again.tensors[key], tensors[key], err_msg=key)


def test_bytes_flipped_inside_a_weight_are_caught_by_the_checksum(tmp_path):
    path = save_checkpoint(tiny_model("gru"), tmp_path / "flipped.safetensors")
    data = bytearray(path.read_bytes())
    data[-6] ^= 0x01  # one bit of one float32 weight: still a finite number
    message = refused(bytes(data), tmp_path, "does not match the checksum", name="flipped.safetensors")
    assert "Restore it from git" in message


def test_no_pickle_reader_is_left_in_rnnviz():
    for module in (ROOT / "rnnviz").rglob("*.py"):
        source = module.read_text(encoding="utf-8")
        assert "import pickle" not in source and "Unpickler" not in source, module
        if module.name != "convert.py":  # the one reader of the old format, with torch's own allow-list
            assert "torch.load" not in source, module


def test_an_old_pt_is_not_read_but_gets_the_convert_command(tmp_path):
    old = tmp_path / "mine.pt"
    marker = tmp_path / "ran"
    old.write_bytes(b"not even a zip: never opened")
    for load in (load_inference_model, load_model, rnnviz.load_model):
        with pytest.raises(CheckpointError, match=r"mine\.pt is an old \.pt checkpoint") as info:
            load(old)
        assert "`python -m rnnviz.convert mine.pt mine.safetensors`" in str(info.value)
    with pytest.raises(cm.UploadError, match=r"python -m rnnviz\.convert mine\.pt mine\.safetensors"):
        cm.load_upload("mine.pt", old.read_bytes())
    assert not marker.exists()


def _legacy_pt(model, path: Path) -> Path:
    """A version-1 checkpoint as torch.save wrote them before safetensors."""
    state = model.state_dict()
    tensors = {k: state[k].clone() for k in WEIGHT_NAMES}
    tensors["embedding.weight"] = tensors["embedding.weight"].half()
    payload = {
        "format": "rnnviz-checkpoint",
        "version": 1,
        "config": {"arch": model.config.arch, "hidden": 3, "embed": 5, "vocab_size": model.config.vocab_size},
        "vocab": {"words": list(model.vocab.words), "ngrams": list(model.vocab.ngrams)},
        "state": tensors,
        "meta": {"note": "old"},
    }
    torch.save(payload, path)
    return path


def test_convert_keeps_the_weights(tmp_path):
    model = tiny_model("lstm")
    old = _legacy_pt(model, tmp_path / "old.pt")
    new = convert(old)
    assert new == tmp_path / "old.safetensors"
    loaded = load_inference_model(new)
    assert loaded.meta == {"note": "old"}
    for text in ("this movie is not good", "unheard words"):
        np.testing.assert_array_equal(rnnviz.trace(loaded, text).hidden, rnnviz.trace(load_model(new), text).hidden)
    np.testing.assert_array_equal(loaded.embedding, model.embedding.weight.detach().half().numpy())
    np.testing.assert_array_equal(loaded.W, model.W.detach().numpy())
    with pytest.raises(CheckpointError, match=r"must end in \.safetensors"):
        convert(old, tmp_path / "x.bin")
    assert convert_main([str(old), str(tmp_path / "cli.safetensors")]) == tmp_path / "cli.safetensors"
    with pytest.raises(SystemExit):
        convert_main([str(tmp_path / "nowhere.pt")])
    foreign = tmp_path / "foreign.pt"
    torch.save({"weights": torch.zeros(3)}, foreign)
    with pytest.raises(CheckpointError, match="not an rnnviz checkpoint"):
        convert(foreign)


def test_a_zip_named_safetensors_gets_the_convert_command(tmp_path):
    zipped = tmp_path / "renamed.safetensors"
    zipped.write_bytes(_legacy_pt(tiny_model(), tmp_path / "m.pt").read_bytes())
    with pytest.raises(CheckpointError, match=r"renamed\.safetensors is a zip archive.*rnnviz\.convert"):
        load_inference_model(zipped)


def test_missing_and_unknown(tmp_path):
    with pytest.raises(CheckpointError, match=r"nowhere\.safetensors is missing"):
        load_inference_model(tmp_path / "nowhere.safetensors")
    with pytest.raises(CheckpointError, match="Unknown model 'rnn-3'"):
        load_inference_model("rnn-3")
    with pytest.raises(CheckpointError, match="Unknown model 'xxxxx") as info:
        load_model("x" * 1_000_000)
    assert len(str(info.value)) < SHORT


# -- crafted files -----------------------------------------------------------------------------------------
def good_bytes(arch: str = "gru") -> bytes:
    model = tiny_model(arch)
    config, vocab, state = model.config, model.vocab, model.state_dict()
    arrays = {k: np.array(state[k].numpy(), dtype=np.float32) for k in WEIGHT_NAMES}
    arrays["embedding.weight"] = arrays["embedding.weight"].astype(np.float16)
    metadata = {
        "format": "rnnviz-checkpoint",
        "version": "2",
        "config": json.dumps(dataclasses.asdict(config)),
        "vocab": json.dumps({"words": vocab.words, "ngrams": vocab.ngrams}),
        "meta": json.dumps({"note": "crafted"}),
    }
    return safetensors.numpy.save(arrays, metadata=metadata)


def split(data: bytes) -> tuple[dict, bytes]:
    (n,) = struct.unpack("<Q", data[:8])
    return json.loads(data[8 : 8 + n]), data[8 + n :]


def join(header: dict | bytes, body: bytes) -> bytes:
    raw = header if isinstance(header, bytes) else json.dumps(header).encode()
    return struct.pack("<Q", len(raw)) + raw + body


def with_metadata(**changes: str) -> bytes:
    header, body = split(good_bytes())
    header["__metadata__"].update(changes)
    return join(header, body)


def with_config(**changes: object) -> bytes:
    header, _ = split(good_bytes())
    config = json.loads(header["__metadata__"]["config"])
    config.update(changes)
    return with_metadata(config=json.dumps(config))


def refused(data: bytes, tmp_path: Path, match: str, name: str = "crafted.safetensors") -> str:
    """Through the API (a path) and the app's upload (bytes): a clear, short, named refusal."""
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(CheckpointError) as info:
        load_inference_model(path)
    message = str(info.value)
    assert str(path) in message and len(message) < SHORT + len(str(path)), message[:1000]
    assert match in message, message
    with pytest.raises(cm.UploadError) as upload:
        cm.load_upload(name, data)
    shown = str(upload.value)
    assert f"'{name}'" in shown and len(shown) < SHORT and str(tmp_path) not in shown, shown[:1000]
    return message


def test_good_crafted_bytes_load(tmp_path):
    path = tmp_path / "ok.safetensors"
    path.write_bytes(good_bytes())
    assert load_inference_model(path).meta == {"note": "crafted"}
    assert cm.load_upload("ok.safetensors", good_bytes()).model.config.arch == "gru"


@pytest.mark.parametrize("cut_at", [0, 4, 8, 20, -200, -1])
def test_truncated_files_are_named(tmp_path, cut_at):
    data = good_bytes()
    message = refused(data[:cut_at], tmp_path, "Checkpoint")
    assert any(w in message for w in ("truncated", "not a safetensors file", "bytes of tensor data")), message


@pytest.mark.parametrize(
    "data",
    [b"<html>404 not found</html>", b"\x00" * 64, bytes(range(256)) * 4, b"{}" + b" " * 30],
    ids=["html", "zeros", "binary", "json"],
)
def test_foreign_bytes_are_not_a_checkpoint(tmp_path, data):
    refused(data, tmp_path, "Checkpoint")


def test_a_header_larger_than_the_file_is_refused_before_reading_it(tmp_path):
    header, body = split(good_bytes())
    raw = json.dumps(header).encode()
    lying = struct.pack("<Q", len(raw) + 10_000) + raw + body
    refused(lying, tmp_path, "is truncated: its header says")
    huge = struct.pack("<Q", 2**62) + raw + body
    refused(huge, tmp_path, "declares a header of")


@pytest.mark.parametrize("how", ["shared", "overlap", "gap", "trailing", "short"])
def test_each_tensor_has_its_own_bytes_of_the_file(tmp_path, how):
    header, body = split(good_bytes())
    entries = {k: v for k, v in header.items() if k != "__metadata__"}
    b, b_hh = entries["b"]["data_offsets"], entries["b_hh"]["data_offsets"]
    if how == "shared":  # two tensors backed by the same bytes
        entries["b_hh"]["data_offsets"] = list(b)
    elif how == "overlap":
        start = b[0] + 4
        entries["b_hh"]["data_offsets"] = [start, start + b_hh[1] - b_hh[0]]
    elif how == "gap":
        body += b"\x00" * 8
        for entry in entries.values():
            if entry["data_offsets"][0] >= b_hh[0]:
                entry["data_offsets"] = [o + 8 for o in entry["data_offsets"]]
    elif how == "trailing":
        body += b"\x00" * 16
    else:
        body = body[:-4]
    data = join(header, body)
    why = "overlapping or misplaced" if how in ("shared", "overlap", "gap") else "bytes of tensor data"
    refused(data, tmp_path, why)
    if how in ("shared", "overlap", "gap", "trailing"):  # safetensors' own check refuses these as well
        with pytest.raises(safetensors.SafetensorError):
            safetensors.numpy.load(data)


def test_huge_declared_shapes_are_refused_before_allocating(tmp_path):
    """A header declaring H = 100,000 (tens of GB as float32), with no data behind it."""
    header, _ = split(good_bytes())
    config = json.loads(header["__metadata__"]["config"])
    config["hidden"] = 100_000
    header["__metadata__"]["config"] = json.dumps(config)
    g, h, e = 3, 100_000, config["embed"]
    shapes = {"U": [g * h, e], "W": [g * h, h], "b": [g * h], "b_hh": [g * h], "V": [h]}
    offset = 0
    for key in WEIGHT_NAMES:
        entry = header[key]
        entry["shape"] = shapes.get(key, entry["shape"])
        size = int(np.prod(entry["shape"])) * (2 if entry["dtype"] == "F16" else 4)
        entry["data_offsets"] = [offset, offset + size]
        offset += size
    data = join(header, b"")
    path = tmp_path / "huge.safetensors"
    path.write_bytes(data)
    tracemalloc.start()
    try:
        with pytest.raises(CheckpointError, match=r"declares 100,000 hidden units \(H\); at most 512"):
            load_inference_model(path)
        with pytest.raises(CheckpointError, match="at most 256"):
            read_checkpoint(data, limits=UPLOAD_LIMITS)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2 * MB, peak


def test_a_6000_unit_upload_is_refused_with_a_clear_message():
    """Issue 17's 37 KB upload declaring 6000 hidden units (144 MB of float32 per session)."""
    header, body = split(good_bytes("rnn"))
    config = json.loads(header["__metadata__"]["config"])
    config["hidden"] = 6000
    header["__metadata__"]["config"] = json.dumps(config)
    with pytest.raises(cm.UploadError) as info:
        cm.load_upload("big.safetensors", join(header, body))
    message = str(info.value)
    assert "'big.safetensors' declares 6,000 hidden units (H); at most 256 are taken" in message
    assert "rnnviz.load_model(path)" in message and len(message) < SHORT


def test_the_float32_footprint_is_capped_for_uploads():
    header, _ = split(good_bytes("rnn"))
    config = json.loads(header["__metadata__"]["config"])
    config.update(hidden=256, embed=256, vocab_size=100_000)  # each within its cap; 98 MB together
    header["__metadata__"]["config"] = json.dumps(config)
    with pytest.raises(CheckpointError, match="needs 98 MB as float32; at most 64 MB"):
        read_checkpoint(join(header, b""), limits=UPLOAD_LIMITS)
    assert LIMITS.max_float32_bytes > 64 * MB  # the API takes it (and then finds no data behind it)


DEEP = "[" * 100_000 + "]" * 100_000
HUGE = "x" * 30_000_000


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda: with_metadata(format="pytorch"), "not an rnnviz checkpoint"),
        (lambda: with_metadata(version="1"), "has checkpoint version '1', expected '2'"),
        (lambda: with_metadata(version=HUGE), "has checkpoint version 'xxxx"),
        (lambda: with_metadata(config="{not json"), "is damaged"),
        (lambda: with_metadata(config="[1, 2]"), "config must be a JSON object, not a list"),
        (lambda: with_metadata(config=DEEP), "nested too deeply"),
        (lambda: with_config(arch=HUGE), "arch must be one of"),
        (lambda: with_config(arch=["rnn"]), "arch must be one of"),
        (lambda: with_config(hidden="3"), "hidden must be a positive whole number, not '3'"),
        (lambda: with_config(hidden=3.0), "hidden must be a positive whole number, not 3.0"),
        (lambda: with_config(hidden=True), "hidden must be a positive whole number, not True"),
        (lambda: with_config(hidden=-3), "hidden must be a positive whole number, not -3"),
        (lambda: with_config(hidden={"$": 1}), "not a dict"),
        (lambda: with_config(dropout=float("nan")), "dropout must be in [0, 1), not nan"),
        (lambda: with_config(dropout="0.5"), "dropout must be a number"),
        (lambda: with_config(extra=HUGE), "unknown field 'extra'"),
        (lambda: with_config(vocab_size=10**30), "vocabulary entries (V); at most 300,000"),
        (lambda: with_metadata(vocab='{"words": "abc", "ngrams": []}'), "vocab must be a JSON object"),
        (lambda: with_metadata(vocab=DEEP), "nested too deeply"),
        (lambda: with_metadata(meta=DEEP), "nested too deeply"),
        (lambda: with_metadata(meta="[" * 50 + "]" * 50), "meta must be a JSON object"),
        (lambda: with_metadata(meta='{"a":' * 40 + "1" + "}" * 40), "nested more than 32 levels"),
        (lambda: with_metadata(meta=HUGE), "is damaged"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_wrong_json_in_the_metadata_is_refused_shortly(tmp_path, change, match):
    refused(change(), tmp_path, match)


def test_a_30_mb_arch_name_is_quoted_short_through_the_api(tmp_path):
    """Issue 17 point 4: the message quotes about 80 characters, not 30 MB."""
    for data in (with_config(arch=HUGE), with_metadata(version=HUGE)):
        path = tmp_path / "long.safetensors"
        path.write_bytes(data)
        with pytest.raises(CheckpointError) as info:
            load_model(path)
        assert len(str(info.value)) < SHORT + len(str(path)) and "x" * 81 not in str(info.value)


def _vocab_change(header: dict, words: list, ngrams: list) -> None:
    header["__metadata__"]["vocab"] = json.dumps({"words": words, "ngrams": ngrams})


@pytest.mark.parametrize("how", ["count", "types", "unk", "metadata_types", "no_metadata", "not_dict"])
def test_a_wrong_vocabulary_or_metadata_is_refused(tmp_path, how):
    header, body = split(good_bytes())
    vocab = json.loads(header["__metadata__"]["vocab"])
    words, ngrams = vocab["words"], vocab["ngrams"]
    match = "Checkpoint"
    if how == "count":
        _vocab_change(header, words[:-1], ngrams)
        match = "vocabulary has"
    elif how == "types":
        _vocab_change(header, [*words[:-1], 7], ngrams)
        match = "vocabulary entries must be strings, found 7"
    elif how == "unk":
        _vocab_change(header, ["the", *words[1:]], ngrams)
        match = "must start with '<unk>'"
    elif how == "metadata_types":
        header["__metadata__"]["version"] = 2
        match = "no rnnviz metadata"
    elif how == "no_metadata":
        del header["__metadata__"]
        match = "no rnnviz metadata"
    else:
        header = [header]
        match = "not a safetensors file"
    refused(join(header if isinstance(header, dict) else json.dumps(header).encode(), body), tmp_path, match)


@pytest.mark.parametrize("how", ["extra", "missing", "uint8", "int64", "f16_U", "shape", "bad_shape", "nan", "inf"])
def test_wrong_tensors_are_refused(tmp_path, how):
    header, body = split(good_bytes())
    match = "Checkpoint"
    if how == "extra":
        header["evil"] = {"dtype": "F32", "shape": [1], "data_offsets": [len(body), len(body) + 4]}
        body += b"\x00" * 4
        match = "holds a tensor 'evil'"
    elif how == "missing":
        del header["V"]
        match = "no tensor 'V'"
    elif how in ("uint8", "int64", "f16_U"):
        key, dtype = {"uint8": ("U", "U8"), "int64": ("W", "I64"), "f16_U": ("U", "F16")}[how]
        header[key]["dtype"] = dtype
        match = f"stores '{key}' as '{dtype}'"
    elif how == "shape":
        header["W"]["shape"] = header["W"]["shape"][::-1]
        match = "declares 'W' as"
    elif how == "bad_shape":
        header["W"]["shape"] = ["9", 3]
        match = "malformed shape"
    else:
        data = bytearray(good_bytes())
        h, body_bytes = split(bytes(data))
        start = len(data) - len(body_bytes) + h["U"]["data_offsets"][0]
        data[start : start + 4] = np.array([np.nan if how == "nan" else np.inf], dtype="<f4").tobytes()
        refused(bytes(data), tmp_path, "'U' holds NaN or infinite weights")
        return
    refused(join(header, body), tmp_path, match)


# -- uploads --------------------------------------------------------------------------------------------------
def test_an_upload_loads_in_memory_and_large_files_are_refused_before_reading(tmp_path):
    data = save_checkpoint(tiny_model("lstm"), tmp_path / "mine.safetensors").read_bytes()
    custom = cm.load_upload("My Model.safetensors", data)
    assert custom.name == "My_Model" and custom.model.config.arch == "lstm"
    assert custom.trace("this movie is good").T == 4
    with pytest.raises(cm.UploadError, match=r"at most 20 MB"):
        cm.load_upload("big.safetensors", bytes(cm.MAX_UPLOAD_BYTES + 1))
    with pytest.raises(CheckpointError, match=r"at most 20 MB"):
        read_checkpoint(bytes(UPLOAD_LIMITS.max_file_bytes + 1), limits=UPLOAD_LIMITS)
    with pytest.raises(cm.UploadError, match=r"not a \.safetensors file"):
        cm.load_upload("model.bin", data)


def test_write_checkpoint_refuses_what_the_reader_would_refuse(tmp_path):
    model = tiny_model()
    state = {k: v.numpy() for k, v in model.state_dict().items() if k in WEIGHT_NAMES}
    state["W"] = np.zeros((7, 7), dtype=np.float32)
    with pytest.raises(CheckpointError, match="tensor 'W' should be"):
        write_checkpoint(tmp_path / "w.safetensors", model.config, model.vocab, state)
    assert not list(tmp_path.iterdir())


def test_evaluate_record_rewrites_only_the_training_record(tmp_path):
    from rnnviz import evaluate

    path = save_checkpoint(tiny_model("rnn"), tmp_path / "m.safetensors", {"command": "python -m rnnviz.train"})
    before = read_checkpoint(path)
    evaluate.record(str(path), {"dev": {"accuracy": 0.5}, "test": {"accuracy": 0.25}, "seconds": 1.0})
    after = read_checkpoint(path)
    assert after.meta == {
        "command": "python -m rnnviz.train",
        "evaluation": {"dev": {"accuracy": 0.5}, "test": {"accuracy": 0.25}},
    }
    assert after.config == before.config and after.vocab.words == before.vocab.words
    for key in WEIGHT_NAMES:
        np.testing.assert_array_equal(after.tensors[key], before.tensors[key])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.safetensors"]
