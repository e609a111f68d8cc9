"""The written-out cells in numpy (no torch): what the app runs on every keystroke.

`written_out` is the one written-out cell: NumpyRNN.steps runs it, and so does SentimentRNN.steps
(rnnviz/model.py) on its weights as numpy; tests check it against PyTorch's own nn.RNN/GRU/LSTM.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from rnnviz.checkpoint import (
    GATE_NAMES,
    Checkpoint,
    ModelConfig,
    Steps,
    find_checkpoint,
    model_name,
    read_checkpoint,
)
from rnnviz.vocab import Vocab

_WEIGHTS = ("U", "W", "b", "b_hh", "V")


def _sigmoid(a: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-a))


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
        table = np.asarray(weights["embedding.weight"])
        self.embedding = table if table.dtype in (np.float16, np.float32) else table.astype(np.float32)  # (V, E)
        self.U, self.W, self.b, self.b_hh, self.V = (np.asarray(weights[k], dtype=np.float32) for k in _WEIGHTS)
        self.c = np.float32(np.asarray(weights["c"]))
        for a in (self.embedding, self.U, self.W, self.b, self.b_hh, self.V):
            a.flags.writeable = False

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
        """Run the cell by hand, step by step. forget=True resets s_{t-1} to s_0 before each step."""
        weights = (self.U, self.W, self.b, self.b_hh, self.V, self.c)
        return written_out(self.config.arch, self.embed_bags(bags), *weights, forget=forget)


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
    """The cell run by hand over inputs x (T, E), keeping every intermediate (float32 numpy).

    The one written-out cell of rnnviz: NumpyRNN and SentimentRNN (with its weights as numpy) both
    run this. PyTorch's layout and gate order (rnn: 1 block, gru: r|z|n, lstm: i|f|g|o).
    forget=True resets s_{t-1} (and the LSTM cell) to s_0 before each step: the goldfish.
    """
    h = W.shape[1]
    s0 = np.zeros(h, dtype=np.float32)
    s, cell = s0, s0
    input_part = x @ U.T  # (T, G*H): U x_t
    hidden, memory, gates = [s0], [], {k: [] for k in GATE_NAMES[arch]}
    cells = []
    for t in range(x.shape[0]):
        if forget:
            s, cell = s0, s0
        ws = W @ s  # (G*H,): W s_{t-1}
        memory.append(ws)
        xb, wb = input_part[t] + b, ws + b_hh
        if arch == "rnn":
            s = np.tanh(xb + wb)
        elif arch == "gru":
            xr, xz, xn = xb[:h], xb[h : 2 * h], xb[2 * h :]
            hr, hz, hn = wb[:h], wb[h : 2 * h], wb[2 * h :]
            r = _sigmoid(xr + hr)
            z = _sigmoid(xz + hz)
            n = np.tanh(xn + r * hn)
            s = (1 - z) * n + z * s
            for k, v in zip("rzn", (r, z, n), strict=True):
                gates[k].append(v)
        else:
            pre = xb + wb
            i, f, g, o = (pre[k * h : (k + 1) * h] for k in range(4))
            i, f, g, o = _sigmoid(i), _sigmoid(f), np.tanh(g), _sigmoid(o)
            cell = f * cell + i * g
            s = o * np.tanh(cell)
            for k, v in zip("ifgo", (i, f, g, o), strict=True):
                gates[k].append(v)
            cells.append(cell)
        hidden.append(s)
    hidden_t = np.stack(hidden)  # (T+1, H)
    outputs = _sigmoid(hidden_t[1:] @ V + np.float32(c))  # (T,)
    gate_arrays = {k: np.stack(v) for k, v in gates.items()}
    if arch == "lstm":
        gate_arrays["cell"] = np.stack(cells)
    return Steps(
        x=x,
        hidden=hidden_t,
        outputs=outputs,
        input_part=input_part,
        memory_part=np.stack(memory),
        gates=gate_arrays,
    )


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
