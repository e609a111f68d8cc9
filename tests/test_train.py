"""Training runs end to end on a tiny treebank, learns, is reproducible, and records what it did."""

from __future__ import annotations

import random

import numpy as np
import pytest

import rnnviz
from rnnviz import train
from rnnviz.checkpoint import read_checkpoint

POSITIVE = ["good", "great", "fine", "lovely"]
NEGATIVE = ["bad", "awful", "dull", "weak"]


def tiny_tree(rng: random.Random) -> str:
    """(label (2 subject) (label (2 is) (label adjective))) with an optional 'not' flipping the label."""
    positive = rng.random() < 0.5
    word = rng.choice(POSITIVE if positive else NEGATIVE)
    adj = f"({4 if positive else 0} {word})"
    if rng.random() < 0.3:
        positive = not positive
        adj = f"({4 if positive else 0} (1 not) {adj})"
    label = 4 if positive else 0
    return f"({label} (2 (2 the) (2 movie)) ({label} (2 is) {adj}))"


@pytest.fixture(scope="module")
def tiny_sst(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sst")
    rng = random.Random(0)
    for split, n in (("train", 300), ("dev", 60), ("test", 60)):
        (folder / f"{split}.txt").write_text("\n".join(tiny_tree(rng) for _ in range(n)) + "\n", encoding="utf-8")
    return folder


def run(tiny_sst, out, seed=0):
    argv = ["--arch", "gru", "--hidden", "4", "--embed", "8", "--data", str(tiny_sst), "--out", str(out)]
    argv += ["--epochs", "15", "--batch", "4", "--seed", str(seed), "--lr", "0.01", "--ema", "0"]
    argv += ["--dropout", "0", "--patience", "30"]
    return train.main(argv)


def test_training_learns_and_records(tiny_sst, tmp_path):
    path = run(tiny_sst, tmp_path / "a.safetensors")
    model = rnnviz.load_model(path)
    meta = model.meta
    assert meta["metrics"]["dev_accuracy"] >= 0.9
    assert meta["command"].startswith("python -m rnnviz.train --arch gru --hidden 4")
    assert meta["seed"] == 0 and meta["history"]
    assert rnnviz.trace(model, "the movie is great").final > 0.5
    assert rnnviz.trace(model, "the movie is awful").final < 0.5


def test_training_is_reproducible_from_its_seed(tiny_sst, tmp_path):
    a = read_checkpoint(run(tiny_sst, tmp_path / "a.safetensors")).tensors
    b = read_checkpoint(run(tiny_sst, tmp_path / "b.safetensors")).tensors
    c = read_checkpoint(run(tiny_sst, tmp_path / "c.safetensors", seed=1)).tensors
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["W"], c["W"])


def test_missing_data_is_a_clear_error(tmp_path, capsys):
    with pytest.raises(SystemExit):
        train.main(["--data", str(tmp_path / "nowhere"), "--out", str(tmp_path)])
    assert "SST not found" in capsys.readouterr().err
