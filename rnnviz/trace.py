"""One run of a model over one text: every value the views draw, as plain numpy arrays."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import numpy as np

from rnnviz.cell import CellParams, cell_params, sigmoid, update
from rnnviz.checkpoint import ModelConfig, Steps
from rnnviz.vocab import MAX_TOKENS, TokenKind, Vocab, display_token

_KINDS = ("known", "pieces", "unknown")
SMALL_WEIGHT = 16  # a shared weight with at most this many entries keeps them all (rnn-2's W: 4)


@dataclass(frozen=True)
class SharedWeight:
    """One of the shared weights U, W, V in a few numbers: what the views say about it when pointed at."""

    shape: tuple[int, ...]  # U (G*H, E), W (G*H, H), V (H,)
    norm: float  # its length: the square root of the sum of its squared entries
    values: np.ndarray | None = None  # every entry, when there are at most SMALL_WEIGHT of them


def shared_weights(params: CellParams) -> dict[str, SharedWeight]:
    """U, W and V of a cell as SharedWeight (the numbers for small ones, shape and norm for every one)."""
    out = {}
    for name in ("U", "W", "V"):
        m = np.asarray(getattr(params, name))
        small = m.astype(np.float64) if m.size <= SMALL_WEIGHT else None
        out[name] = SharedWeight(tuple(int(n) for n in m.shape), float(np.linalg.norm(m)), small)
    return out


class ReadingModel(Protocol):
    """What trace needs of a model: rnnviz.load_model's SentimentRNN (torch) or load_inference_model's NumpyRNN."""

    config: ModelConfig
    vocab: Vocab | None
    name: str

    def steps(self, bags: list[list[int]], forget: bool = False) -> Steps: ...

    def readout(self) -> tuple[np.ndarray, float]: ...


@dataclass(frozen=True)
class Trace:
    """The model read `tokens` one at a time. Steps are t = 1..T; row 0 of `hidden` is s_0.

    s_t = tanh(U x_t + W s_{t-1} + b) for the plain RNN, o_t = sigmoid(V s_t + c) for all.
    `input_part` is U x_t and `memory_part` is W s_{t-1} (for gated cells, every gate's block
    stacked, in PyTorch's gate order). `gates` is empty for the plain RNN; GRU has r, z, n;
    LSTM has i, f, g, o and the cell state `cell`.
    """

    text: str
    tokens: list[str]  # T tokens
    kinds: list[TokenKind]  # how each token was read: known word, built from pieces, unknown
    hidden: np.ndarray  # (T+1, H)
    outputs: np.ndarray  # (T,)
    input_part: np.ndarray  # (T, G*H) U x_t
    memory_part: np.ndarray  # (T, G*H) W s_{t-1}
    V: np.ndarray  # (H,) readout weights
    c: float  # readout bias
    gates: dict[str, np.ndarray] = field(default_factory=dict)  # name -> (T, H)
    arch: str = "rnn"
    model_name: str = ""
    forget: bool = False
    truncated: bool = False
    n_tokens_total: int = 0  # tokens in the text before cutting to MAX_TOKENS
    shared: dict[str, SharedWeight] = field(default_factory=dict)  # "U", "W", "V" (empty for a hand-built trace)
    nudged_at: int | None = None  # what_if: the step t whose state s_t was set by hand

    def __post_init__(self) -> None:
        t = len(self.tokens)
        if t == 0:
            raise ValueError("a trace needs at least one token")
        if len(self.kinds) != t or any(k not in _KINDS for k in self.kinds):
            raise ValueError(f"kinds must be {t} of {_KINDS}")
        if self.hidden.ndim != 2 or self.hidden.shape[0] != t + 1:
            raise ValueError(f"hidden must be (T+1, H) = ({t + 1}, H), got {self.hidden.shape}")
        h = self.hidden.shape[1]
        if self.outputs.shape != (t,):
            raise ValueError(f"outputs must be (T,) = ({t},), got {self.outputs.shape}")
        if self.V.shape != (h,):
            raise ValueError(f"V must be (H,) = ({h},), got {self.V.shape}")
        for name, arr in (("input_part", self.input_part), ("memory_part", self.memory_part)):
            if arr.ndim != 2 or arr.shape[0] != t or arr.shape[1] % h:
                raise ValueError(f"{name} must be (T, G*H) with T={t}, H={h}, got {arr.shape}")
        for name, arr in self.gates.items():
            if arr.shape != (t, h):
                raise ValueError(f"gate {name!r} must be (T, H) = ({t}, {h}), got {arr.shape}")
        if not self.n_tokens_total:
            object.__setattr__(self, "n_tokens_total", t)

    @property
    def T(self) -> int:
        return len(self.tokens)

    @property
    def H(self) -> int:
        return int(self.hidden.shape[1])

    @property
    def labels(self) -> list[str]:
        """The tokens as a person reads them (-lrb- -> '(', `` -> '“'): use these in views."""
        return [display_token(t) for t in self.tokens]

    @property
    def final(self) -> float:
        """o_T: the model's verdict on the whole text."""
        return float(self.outputs[-1])


def trace(model: ReadingModel, text: str, forget: bool = False, max_tokens: int = MAX_TOKENS) -> Trace:
    """Run `model` over `text` with the one cell (rnnviz.cell). The only place the model runs for display.

    `model` is a NumpyRNN (rnnviz.load_inference_model, no torch) or a SentimentRNN (rnnviz.load_model):
    both run rnnviz.cell.run on their weights and give the same trace. In the goldfish run (forget=True)
    `memory_part` is W s_0, the memory each step actually read.

    Raises ValueError for text with nothing to read (empty or whitespace only). Text longer than
    `max_tokens` tokens is cut; the trace says so in `truncated` and `n_tokens_total`.
    """
    if model.vocab is None:
        raise ValueError("model has no vocabulary: load it with rnnviz.load_inference_model or rnnviz.load_model")
    enc = model.vocab.encode(text, max_tokens=max_tokens)
    steps = model.steps(enc.bags, forget=forget)
    params = _params(model)
    v, c = model.readout()
    return Trace(
        text=text,
        tokens=enc.tokens,
        kinds=enc.kinds,
        hidden=steps.hidden,
        outputs=steps.outputs,
        input_part=steps.input_part,
        memory_part=steps.memory_part,
        V=v,
        c=c,
        gates=steps.gates,
        arch=model.config.arch,
        model_name=model.name,
        forget=forget,
        truncated=enc.truncated,
        n_tokens_total=enc.n_tokens_total,
        shared=shared_weights(params),
    )


def _params(model: Any) -> CellParams:
    """The model's cell: a NumpyRNN keeps one; a SentimentRNN's is copied from its tensors."""
    params = getattr(model, "cell", None)
    return params if isinstance(params, CellParams) else cell_params(model, dtype=np.float32)


def what_if(model: ReadingModel, tr: Trace, step: int, state: np.ndarray) -> Trace:
    """`tr` as it would have read had s_t at `step` been `state` (H,): s_t and o_t there, then the rest of the
    words t+1..T read on from it by the same cell (rnnviz.cell.update) with the same inputs U x_t.

    The steps before t are the real ones. An LSTM keeps its real cell state c_t. `model` must be the one that
    made `tr`. ValueError for a step outside 1..T, a state of the wrong size or not finite, or a goldfish run.
    """
    t = int(step)
    s = np.asarray(state, dtype=np.float64)
    if not 1 <= t <= tr.T:
        raise ValueError(f"step must be in 1..{tr.T}, got {step}")
    if s.shape != (tr.H,) or not np.isfinite(s).all():
        raise ValueError(f"the state must be {tr.H} finite numbers, got shape {s.shape}")
    if tr.forget:
        raise ValueError("the goldfish run forgets every state: setting one changes nothing after it")
    params = _params(model)
    dtype = tr.hidden.dtype
    hidden, memory = tr.hidden.copy(), tr.memory_part.copy()
    gates = {name: arr.copy() for name, arr in tr.gates.items()}
    hidden[t] = s.astype(dtype)
    full = hidden[t][None]  # (1, D): s_t, then the real c_t for an LSTM
    if params.arch == "lstm":
        full = np.concatenate([full, tr.gates["cell"][t - 1][None].astype(dtype)], axis=1)
    for k in range(t, tr.T):  # row k of the (T, ...) arrays is step k + 1
        u = update(params, full.astype(params.U.dtype), tr.input_part[k])
        full = u.state
        hidden[k + 1] = u.hidden[0]
        memory[k] = u.memory_part[0]
        for name, value in u.gates.items():
            gates[name][k] = value[0]
        if u.cell is not None:
            gates["cell"][k] = u.cell[0]
    outputs = tr.outputs.copy()
    outputs[t - 1 :] = sigmoid(hidden[t:] @ params.V + np.asarray(params.c, dtype=params.U.dtype))  # as cell.run
    return replace(tr, hidden=hidden, outputs=outputs, memory_part=memory, gates=gates, nudged_at=t)
