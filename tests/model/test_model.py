"""The written-out cells equal PyTorch's own, and checkpoints round-trip or fail clearly."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from safetensors import safe_open
from support import tiny_model
from torch import nn

from rnnviz.model import CheckpointError, load_model, save_checkpoint

REFERENCE = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}


def reference_run(model, bags):
    """Run PyTorch's own module with the model's weights over the same inputs."""
    cfg = model.config
    ref = REFERENCE[cfg.arch](cfg.embed, cfg.hidden, batch_first=True)
    with torch.no_grad():
        ref.weight_ih_l0.copy_(model.U)
        ref.weight_hh_l0.copy_(model.W)
        ref.bias_ih_l0.copy_(model.b)
        ref.bias_hh_l0.copy_(model.b_hh)
        x = model.embed_bags(bags)[None]
        out, _ = ref(x)
    return out[0].numpy()


@pytest.mark.parametrize("arch", ["rnn", "gru", "lstm"])
def test_written_out_cell_equals_pytorch(arch):
    model = tiny_model(arch, hidden=4, embed=6)
    bags = [model.vocab.bag(w)[0] for w in "this movie is not good but great .".split()]
    steps = model.steps(bags)
    np.testing.assert_allclose(steps.hidden[1:], reference_run(model, bags), atol=1e-6)
    np.testing.assert_allclose(steps.hidden[0], 0.0)


@pytest.mark.parametrize("arch", ["rnn", "gru", "lstm"])
def test_batched_forward_equals_written_out(arch):
    model = tiny_model(arch)
    bags = [model.vocab.bag(w)[0] for w in "not good .".split()]
    logits = model(model.embed_bags(bags)[None])[0]
    steps = model.steps(bags)
    np.testing.assert_allclose(torch.sigmoid(logits).detach().numpy(), steps.outputs, atol=1e-6)


def test_elman_update_is_the_sum_of_memory_and_input_parts():
    model = tiny_model("rnn", hidden=3)
    bags = [model.vocab.bag(w)[0] for w in "this is bad".split()]
    s = model.steps(bags)
    b = model.b.detach().numpy()
    np.testing.assert_allclose(s.hidden[1:], np.tanh(s.input_part + s.memory_part + b), atol=1e-6)
    W = model.W.detach().numpy()
    np.testing.assert_allclose(s.memory_part, s.hidden[:-1] @ W.T, atol=1e-6)


@pytest.mark.parametrize("arch", ["rnn", "gru", "lstm"])
def test_forget_resets_memory_before_every_step(arch):
    model = tiny_model(arch)
    bags = [model.vocab.bag(w)[0] for w in "not good".split()]
    goldfish = model.steps(bags, forget=True)
    alone = model.steps(bags[1:])
    np.testing.assert_allclose(goldfish.hidden[2], alone.hidden[1], atol=1e-6)
    np.testing.assert_allclose(goldfish.memory_part, 0.0)


def test_gates_in_range():
    for arch, names in (("gru", {"r", "z", "n"}), ("lstm", {"i", "f", "g", "o", "cell"})):
        model = tiny_model(arch)
        s = model.steps([model.vocab.bag(w)[0] for w in "this movie is good".split()])
        assert set(s.gates) == names
        for name, g in s.gates.items():
            lo = -1.0 if name in ("n", "g") else 0.0
            if name != "cell":
                assert g.min() >= lo and g.max() <= 1.0, name


@pytest.mark.parametrize("arch", ["rnn", "gru", "lstm"])
def test_checkpoint_round_trip(tmp_path, arch):
    model = tiny_model(arch)
    path = save_checkpoint(model, tmp_path / "m.safetensors", {"metrics": {"dev_accuracy": 0.5}})
    loaded = load_model(path)
    bags = [model.vocab.bag(w)[0] for w in "this movie is not good".split()]
    np.testing.assert_allclose(loaded.steps(bags).outputs, model.steps(bags).outputs, atol=2e-3)  # fp16 table
    assert loaded.meta["metrics"]["dev_accuracy"] == 0.5
    assert loaded.vocab.words == model.vocab.words
    assert not any(p.requires_grad for p in loaded.parameters())


def test_checkpoint_is_plain_tensors_and_json(tmp_path):
    path = save_checkpoint(tiny_model("gru"), tmp_path / "m.safetensors", {})
    with safe_open(path, framework="pt") as f:  # torch's own safetensors reader: no pickle involved
        assert f.metadata()["format"] == "rnnviz-checkpoint"
        assert all(isinstance(f.get_tensor(k), torch.Tensor) for k in f.keys())


def test_load_model_uses_the_checked_reader(tmp_path):
    """The same reader as load_inference_model (tests/model/test_checkpoint.py has every hostile file)."""
    with pytest.raises(CheckpointError, match=r"nowhere\.safetensors is missing"):
        load_model(tmp_path / "nowhere.safetensors")
    with pytest.raises(CheckpointError, match="Unknown model 'rnn-3'"):
        load_model("rnn-3")
    path = save_checkpoint(tiny_model(), tmp_path / "cut.safetensors", {})
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(CheckpointError, match=r"cut\.safetensors is truncated"):
        load_model(path)
    old = tmp_path / "old.pt"
    torch.save({"weights": torch.zeros(3)}, old)
    with pytest.raises(CheckpointError, match=r"old\.pt is an old \.pt checkpoint.*rnnviz\.convert old\.pt"):
        load_model(old)
