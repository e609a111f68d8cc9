"""The sentiment RNN for display in numpy (no torch): what the app runs on every keystroke.

NumpyRNN reads the checkpoint's tensors and runs the one cell, rnnviz.cell, over the sentence; so does
SentimentRNN.steps (rnnviz/model.py) on its weights. Tests check the cell against PyTorch's nn.RNN/GRU/LSTM.
"""

from __future__ import annotations

import os
import warnings
from typing import Any

import numpy as np

from rnnviz.cell import CellParams, run
from rnnviz.checkpoint import (
    Checkpoint,
    ModelConfig,
    Steps,
    find_checkpoint,
    model_name,
    read_checkpoint,
)
from rnnviz.vocab import Vocab

_WEIGHTS = ("U", "W", "b", "b_hh", "V")


class NumpyRNN:
    """A sentiment RNN for display: x_t = mean of the token's vectors, s_t from the cell, o_t = sigmoid(V s_t + c).

    Same weights and layout as SentimentRNN: U (G*H, E), W (G*H, H), b and b_hh (G*H,), V (H,), c.
    The embedding table stays in half precision as stored (rows are widened to float32 when read,
    which is exact). Every array is read-only: one loaded model is shared by every session.
    """

    def __init__(
        self,
        config: ModelConfig,
        vocab: Vocab,
        weights: dict[str, np.ndarray],
        *,
        name: str = "",
        meta: dict[str, Any] | None = None,
    ) -> None:
        self.config = config
        self.vocab: Vocab | None = vocab
        self.name = name
        self.meta: dict[str, Any] = dict(meta or {})
        self.edited: dict[str, Any] | None = None  # what with_weights changed (None: the weights as loaded)
        table = np.asarray(weights["embedding.weight"])
        self.embedding = table if table.dtype in (np.float16, np.float32) else table.astype(np.float32)  # (V, E)
        self.U, self.W, self.b, self.b_hh, self.V = (np.asarray(weights[k], dtype=np.float32) for k in _WEIGHTS)
        self.c = np.float32(np.asarray(weights["c"]))
        for a in (self.embedding, self.U, self.W, self.b, self.b_hh, self.V):
            a.flags.writeable = False
        self.cell = CellParams(config.arch, self.U, self.W, self.b, self.b_hh, self.V, float(self.c))  # float32

    def __repr__(self) -> str:
        c = self.config
        return f"NumpyRNN({self.name or 'unnamed'}: {c.arch}, H={c.hidden}, E={c.embed}, V={c.vocab_size})"

    def embed_bags(self, bags: list[list[int]]) -> np.ndarray:
        """(N, E) mean embedding of each bag of ids (an empty bag gives zeros, as nn.EmbeddingBag does)."""
        counts = np.array([len(bag) for bag in bags], dtype=np.int64)  # (N,)
        out = np.zeros((len(bags), self.config.embed), dtype=np.float32)
        full = counts > 0
        if full.any():
            flat = np.fromiter((i for bag in bags for i in bag), dtype=np.int64, count=int(counts.sum()))
            rows = self.embedding[flat].astype(np.float32)  # (sum of bag sizes, E)
            starts = np.concatenate([[0], np.cumsum(counts)[:-1]])[full]
            out[full] = np.add.reduceat(rows, starts, axis=0) / counts[full, None].astype(np.float32)
        return out

    def readout(self) -> tuple[np.ndarray, float]:
        """The shared readout (V (H,), c): o = sigmoid(V s + c)."""
        return self.V.copy(), float(self.c)

    def steps(self, bags: list[list[int]], forget: bool = False) -> Steps:
        """Run the cell (rnnviz.cell.run) step by step. forget=True resets s_{t-1} to s_0 before each step."""
        return run(self.cell, self.embed_bags(bags), forget=forget)

    def with_weights(self, W: Any = None, input_scale: float = 1.0) -> NumpyRNN:
        """A new model with the loop weight W replaced and the input term U x_t scaled; this one is left as it is.

        `W` is (G*H, H) like self.W (None: keep it); `input_scale` multiplies U (so U x_t, for every
        word). The copy shares this model's read-only embedding table, vocabulary and other weights,
        and its own new arrays are read-only too; `edited` records what was changed. W = 0 on a
        plain RNN is the goldfish: s_{t-1} never reaches s_t, so it reads as forget=True does.
        """
        new_w = self.W if W is None else np.array(W, dtype=np.float32)  # a copy: the caller's array stays theirs
        if new_w.shape != self.W.shape:
            raise ValueError(f"W must be {self.W.shape} for {self.name or 'this model'}, got {new_w.shape}")
        scale = float(input_scale)
        if not (np.isfinite(new_w).all() and np.isfinite(scale)):
            raise ValueError("W and input_scale must be finite numbers")
        weights = {
            "embedding.weight": self.embedding,
            "U": self.U * np.float32(scale),  # (G*H, E)
            "W": new_w,
            "b": self.b,
            "b_hh": self.b_hh,
            "V": self.V,
            "c": self.c,
        }
        edited = {"W": new_w.tolist(), "input_scale": scale, "from": self.name}
        copy = NumpyRNN(self.config, self.vocab, weights, name=f"{self.name} (edited)", meta=self.meta)  # type: ignore[arg-type]
        copy.edited = edited
        return copy


def written_out(
    arch: str,
    x: np.ndarray,
    U: np.ndarray,
    W: np.ndarray,
    b: np.ndarray,
    b_hh: np.ndarray,
    V: np.ndarray,
    c: float,
    forget: bool = False,
) -> Steps:
    """Deprecated (kept for one release): use rnnviz.cell.run(CellParams(arch, U, W, b, b_hh, V, c), x, forget)."""
    warnings.warn("rnnviz.infer.written_out is deprecated: use rnnviz.cell.run", DeprecationWarning, stacklevel=2)
    return run(CellParams(arch, U, W, b, b_hh, V, float(c)), x, forget=forget)  # type: ignore[arg-type]


def inference_model(checkpoint: Checkpoint, name: str = "") -> NumpyRNN:
    """A NumpyRNN from what read_checkpoint returns (already checked: config, shapes, vocabulary, sizes)."""
    return NumpyRNN(checkpoint.config, checkpoint.vocab, checkpoint.tensors, name=name, meta=checkpoint.meta)


def load_inference_model(name_or_path: str | os.PathLike[str]) -> NumpyRNN:
    """Load a shipped model by name ('rnn-2') or a checkpoint by path for display, without torch.

    The same reader, checks and CheckpointError messages as rnnviz.load_model, which returns the
    torch SentimentRNN (for training and analysis); rnnviz.trace accepts either.
    """
    path = find_checkpoint(name_or_path)
    return inference_model(read_checkpoint(path), name=model_name(name_or_path, path))
