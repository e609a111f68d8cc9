"""Sentiment RNNs (Elman, GRU, LSTM) in torch, for training: PyTorch's fused cells forward, rnnviz.cell for display."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.func import functional_call

from rnnviz.cell import cell_params, run

# The torch-free pieces live in rnnviz.checkpoint; re-exported so `from rnnviz.model import ...` keeps working.
from rnnviz.checkpoint import (
    ARCHS,
    ASSETS_ENV,
    CHECKPOINT_FORMAT,
    CHECKPOINT_SUFFIX,
    CHECKPOINT_VERSION,
    DEFAULT_ASSETS,
    GATE_NAMES,
    SHIPPED,
    WEIGHT_NAMES,
    Arch,
    CheckpointError,
    ModelConfig,
    Steps,
    check_shapes,
    find_checkpoint,
    model_name,
    read_checkpoint,
    resolve_checkpoint,
    write_checkpoint,
)
from rnnviz.vocab import Vocab

__all__ = [
    "ARCHS",
    "ASSETS_ENV",
    "CHECKPOINT_FORMAT",
    "CHECKPOINT_SUFFIX",
    "CHECKPOINT_VERSION",
    "DEFAULT_ASSETS",
    "GATE_NAMES",
    "SHIPPED",
    "Arch",
    "CheckpointError",
    "ModelConfig",
    "SentimentRNN",
    "Steps",
    "check_shapes",
    "load_model",
    "readout",
    "resolve_checkpoint",
    "save_checkpoint",
]


class SentimentRNN(nn.Module):
    """x_t = mean of the token's word and n-gram vectors; s_t from the cell; o_t = sigmoid(V s_t + c).

    The recurrent weights use PyTorch's layout and gate order (rnn: 1 block, gru: r|z|n,
    lstm: i|f|g|o): U is (G*H, E), W is (G*H, H), b and b_hh are (G*H,). For the plain RNN,
    s_t = tanh(U x_t + W s_{t-1} + b) with b_hh kept at zero.
    """

    def __init__(self, config: ModelConfig, vocab: Vocab | None = None) -> None:
        super().__init__()
        g, h, e = config.n_gates, config.hidden, config.embed
        self.config = config
        self.vocab = vocab
        self.name = ""
        self.meta: dict[str, Any] = {}
        self.embedding = nn.EmbeddingBag(config.vocab_size, e, mode="mean")
        self.U = nn.Parameter(torch.empty(g * h, e))
        self.W = nn.Parameter(torch.empty(g * h, h))
        self.b = nn.Parameter(torch.zeros(g * h))
        self.b_hh = nn.Parameter(torch.zeros(g * h), requires_grad=config.arch != "rnn")
        self.V = nn.Parameter(torch.empty(h))
        self.c = nn.Parameter(torch.zeros(()))
        self.dropout = nn.Dropout(config.dropout)
        self._fast = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}[config.arch](e, h, batch_first=True)
        for p in self._fast.parameters():
            p.requires_grad_(False)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1.0 / self.config.hidden**0.5
        for p in (self.U, self.W, self.V):
            nn.init.uniform_(p, -bound, bound)
        nn.init.normal_(self.embedding.weight, std=0.3)
        with torch.no_grad():
            if self.config.arch == "lstm":  # start by remembering: forget-gate bias 1
                h = self.config.hidden
                self.b[h : 2 * h] = 1.0

    # -- pretrained vectors (training only) --------------------------------------------------
    def attach_vectors(self, vectors: torch.Tensor) -> None:
        """Read row i as embedding.weight[i] + P v_i while training: v_i fixed (V, D), P (E, D) learnt.

        Rows with a vector (words) start at 0, so a word starts as its projected vector; P starts as the
        vectors' top E principal directions, scaled to the random rows' spread. Words training never
        reads keep P v_i with the learnt P. `bake` folds P v into the table before saving.
        """
        v = vectors.float()
        has = v.abs().sum(1) > 0
        centred = v[has] - v[has].mean(0)
        _, sigma, basis = torch.linalg.svd(centred, full_matrices=False)
        e = self.config.embed
        k = min(e, len(sigma))  # fewer directions than E only for tiny vocabularies
        project = torch.randn(e, v.shape[1]) * 0.01
        spread = sigma[:k] / len(centred) ** 0.5  # std of the vectors along each direction
        project[:k] = basis[:k] * (0.3 / spread.clamp_min(0.1 * float(spread[0]) + 1e-8))[:, None]
        self.register_buffer("pretrained", v, persistent=False)
        self.project = nn.Parameter(project)  # (E, D)
        with torch.no_grad():
            self.embedding.weight[has] = 0.0

    @torch.no_grad()
    def bake(self) -> None:
        """Fold the projected pretrained vectors into embedding.weight and forget them (before saving)."""
        if getattr(self, "pretrained", None) is None:
            return
        self.embedding.weight += self.pretrained @ self.project.T
        del self.project
        del self.pretrained

    # -- batched path (training and evaluation), PyTorch's fused kernels -------------------
    def embed_bags(self, bags: list[list[int]]) -> torch.Tensor:
        """(N, E) mean embedding of each bag of ids."""
        flat = torch.tensor([i for bag in bags for i in bag], dtype=torch.long)
        offsets = torch.tensor(np.cumsum([0] + [len(b) for b in bags[:-1]]), dtype=torch.long)
        if getattr(self, "pretrained", None) is None:
            return self.embedding(flat, offsets)
        rows, local = torch.unique(flat, return_inverse=True)
        table = self.embedding.weight[rows] + self.pretrained[rows] @ self.project.T  # (n_rows, E)
        return nn.functional.embedding_bag(local, table, offsets, mode="mean")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, T, E) inputs -> (B, T) logits of o_t at every step."""
        params = {
            "weight_ih_l0": self.U,
            "weight_hh_l0": self.W,
            "bias_ih_l0": self.b,
            "bias_hh_l0": self.b_hh,
        }
        states, _ = functional_call(self._fast, params, (self.dropout(x),))  # (B, T, H)
        return states @ self.V + self.c

    # -- display path: the one numpy cell (rnnviz.cell) on these weights ---------------------
    @torch.no_grad()
    def steps(self, bags: list[list[int]], forget: bool = False) -> Steps:
        """Run rnnviz.cell.run on these weights (float32 numpy), keeping every intermediate.

        forget=True resets s_{t-1} to s_0 before each step.
        """
        return run(cell_params(self, np.float32), self.embed_bags(bags).numpy(), forget=forget)

    def readout(self) -> tuple[np.ndarray, float]:
        """The shared readout (V (H,), c) as numpy: o = sigmoid(V s + c)."""
        return self.V.detach().numpy().copy(), float(self.c.detach())


def readout(model: SentimentRNN) -> tuple[np.ndarray, float]:
    """The shared readout (V (H,), c) as numpy: o = sigmoid(V s + c)."""
    return model.readout()


# -- checkpoints ----------------------------------------------------------------------------
def save_checkpoint(model: SentimentRNN, path: str | os.PathLike[str], meta: dict[str, Any] | None = None) -> Path:
    """Write NAME.safetensors: plain tensors (embedding table in half precision), config, vocabulary, meta.

    Written atomically (rnnviz.checkpoint.write_checkpoint); nothing in it is a pickle.
    """
    if model.vocab is None:
        raise ValueError("model has no vocabulary to save")
    state = model.state_dict()
    tensors = {k: state[k].detach().cpu().float().numpy() for k in WEIGHT_NAMES}
    return write_checkpoint(path, model.config, model.vocab, tensors, meta if meta is not None else model.meta)


def load_model(name_or_path: str | os.PathLike[str]) -> SentimentRNN:
    """Load a shipped model by name or a checkpoint by path, in eval mode (torch, for training and analysis).

    The same reader, checks and CheckpointError messages as rnnviz.load_inference_model (numpy, for display).
    """
    path = find_checkpoint(name_or_path)
    config, vocab, tensors, meta = read_checkpoint(path)
    model = SentimentRNN(config, vocab)
    state = {k: torch.from_numpy(np.array(v, dtype=np.float32)) for k, v in tensors.items()}
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert not unexpected and all(k.startswith("_fast.") for k in missing), (missing, unexpected)  # read_checkpoint
    model.name = model_name(name_or_path, path)
    model.meta = meta
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    return model
