"""The one recurrent cell (Elman, GRU, LSTM) in numpy: a batched step with every intermediate, its Jacobian, a run.

Every view, the trace, the update anatomy, fixed points and the flow field run these equations; torch's
nn.RNN / nn.GRU / nn.LSTM are used for training only, and a test checks this cell against them. Weights in
PyTorch's layout and gate order (rnn: 1 block, gru: r|z|n, lstm: i|f|g|o):

    rnn   s_t = tanh(U x_t + b + W s_{t-1} + b_hh)
    gru   r = sigmoid(.. r block ..), z = sigmoid(.. z block ..), n = tanh(U_n x_t + b_n + r * (W_n s_{t-1} + b_hn))
          s_t = z * s_{t-1} + (1 - z) * n                      (kept + written)
    lstm  i, f, g, o = sigmoid, sigmoid, tanh, sigmoid of (U x_t + b + W s_{t-1} + b_hh)
          c_t = f * c_{t-1} + i * g                             (kept + written),  s_t = o * tanh(c_t)
    all   o_t = sigmoid(V s_t + c)

The state the cell maps to itself has D = H units, or 2H for an LSTM (s then the cell state c).
Arrays keep their dtype: the display runs in float32, fixed points in float64.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from rnnviz.checkpoint import GATE_NAMES, Steps

Arch = Literal["rnn", "gru", "lstm"]
N_BLOCKS = {"rnn": 1, "gru": 3, "lstm": 4}


def sigmoid(a: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-a) written as (1 + tanh(a/2)) / 2: the same function, and it never overflows."""
    return 0.5 + 0.5 * np.tanh(0.5 * a)


@dataclass(frozen=True)
class CellParams:
    """The shared parameters of one model, in PyTorch's layout and gate order (G blocks of H rows)."""

    arch: Arch
    U: np.ndarray  # (G*H, E)
    W: np.ndarray  # (G*H, H)
    b: np.ndarray  # (G*H,)
    b_hh: np.ndarray  # (G*H,)
    V: np.ndarray  # (H,)
    c: float

    def __post_init__(self) -> None:
        if self.arch not in N_BLOCKS:
            raise ValueError(f"arch must be one of {', '.join(N_BLOCKS)}, got {self.arch!r}")
        gh, h = N_BLOCKS[self.arch] * self.W.shape[1], self.W.shape[1]
        shapes = {"U": (gh, self.U.shape[1]), "W": (gh, h), "b": (gh,), "b_hh": (gh,), "V": (h,)}
        for name, shape in shapes.items():
            got = getattr(self, name).shape
            if got != shape:
                raise ValueError(f"{name} must be {shape} for a {self.arch} with H = {h}, got {got}")

    @property
    def H(self) -> int:
        return int(self.W.shape[1])

    @property
    def E(self) -> int:
        return int(self.U.shape[1])

    @property
    def state_size(self) -> int:
        """D: the size of the state the update maps to itself (s and the cell c for an LSTM)."""
        return 2 * self.H if self.arch == "lstm" else self.H


def cell_params(model: Any, dtype: type = np.float64) -> CellParams:
    """The cell of a NumpyRNN or a SentimentRNN (anything with U, W, b, b_hh, V, c and config.arch), copied as numpy."""

    def as_numpy(p: Any) -> np.ndarray:
        if hasattr(p, "detach"):  # a torch tensor: read without importing torch
            p = p.detach().cpu().numpy()
        return np.array(p, dtype=dtype)

    return CellParams(
        arch=model.config.arch,
        U=as_numpy(model.U),
        W=as_numpy(model.W),
        b=as_numpy(model.b),
        b_hh=as_numpy(model.b_hh),
        V=as_numpy(model.V),
        c=float(as_numpy(model.c)),
    )


@dataclass(frozen=True)
class Update:
    """One step of the cell on N states at once: every intermediate value. Rows are the N states."""

    s_prev: np.ndarray  # (N, D) the state the step read (s_{t-1}, then c_{t-1} for an LSTM)
    input_part: np.ndarray  # (N, G*H) U x_t
    memory_part: np.ndarray  # (N, G*H) W s_{t-1}
    pre: np.ndarray  # (N, G*H) what each block's nonlinearity receives (GRU n block: U_n x + b_n + r * (W_n s + b_hn))
    state: np.ndarray  # (N, D) the new state
    hidden: np.ndarray  # (N, H) s_t
    cell: np.ndarray | None = None  # (N, H) the LSTM's cell state c_t
    gates: dict[str, np.ndarray] = field(default_factory=dict)  # name -> (N, H); empty for the plain RNN
    kept: np.ndarray | None = None  # (N, H) z * s_{t-1} (GRU) or f * c_{t-1} (LSTM)
    written: np.ndarray | None = None  # (N, H) (1 - z) * n (GRU) or i * g (LSTM)


def _batch(s: np.ndarray) -> np.ndarray:
    s = np.asarray(s)
    if s.ndim != 2:
        raise ValueError(f"states must be (N, D), got shape {s.shape}")
    return s


def update(params: CellParams, s: np.ndarray, input_part: np.ndarray) -> Update:
    """The step from states s (N, D) given U x_t (G*H,) or (N, G*H): the cell's equations, once."""
    s = _batch(s)
    p, h = params, params.H
    if s.shape[1] != p.state_size:
        raise ValueError(f"states must have D = {p.state_size} columns for a {p.arch} with H = {h}, got {s.shape[1]}")
    hs = s[:, :h]
    ux = np.broadcast_to(input_part, (len(s), input_part.shape[-1]))
    ws = hs @ p.W.T  # (N, G*H)
    xb, wb = ux + p.b, ws + p.b_hh
    if p.arch == "rnn":
        pre = xb + wb
        new = np.tanh(pre)
        return Update(s, ux, ws, pre, new, new)
    if p.arch == "gru":
        r = sigmoid(xb[:, :h] + wb[:, :h])
        z = sigmoid(xb[:, h : 2 * h] + wb[:, h : 2 * h])
        pre_n = xb[:, 2 * h :] + r * wb[:, 2 * h :]
        n = np.tanh(pre_n)
        kept, written = z * hs, (1 - z) * n
        pre = np.concatenate([xb[:, : 2 * h] + wb[:, : 2 * h], pre_n], axis=1)
        new = kept + written
        return Update(s, ux, ws, pre, new, new, None, {"r": r, "z": z, "n": n}, kept, written)
    pre = xb + wb
    i, f, o = (sigmoid(pre[:, k * h : (k + 1) * h]) for k in (0, 1, 3))
    g = np.tanh(pre[:, 2 * h : 3 * h])
    kept, written = f * s[:, h:], i * g
    cell = kept + written
    new = o * np.tanh(cell)
    state = np.concatenate([new, cell], axis=1)
    return Update(s, ux, ws, pre, state, new, cell, {"i": i, "f": f, "g": g, "o": o}, kept, written)


def step(params: CellParams, s: np.ndarray, x: np.ndarray) -> np.ndarray:
    """F(s, x): the new states (N, D) from states s (N, D) and inputs x (E,) or (N, E)."""
    return update(params, s, np.asarray(x) @ params.U.T).state


def jacobian(params: CellParams, s: np.ndarray, x: np.ndarray) -> np.ndarray:
    """dF/ds at each state, analytic: (N, D) -> (N, D, D), J[n, i, j] = dF_i / ds_j."""
    p, h = params, params.H
    u = update(p, s, np.asarray(x) @ p.U.T)
    blocks = [p.W[k * h : (k + 1) * h] for k in range(N_BLOCKS[p.arch])]  # each (H, H)

    def rows(scale: np.ndarray, w: np.ndarray) -> np.ndarray:
        return scale[:, :, None] * w[None]  # diag(scale) @ w, batched: (N, H, H)

    if p.arch == "rnn":
        return rows(1 - u.state**2, blocks[0])
    eye = np.eye(h, dtype=u.state.dtype)
    if p.arch == "gru":
        r, z, n = u.gates["r"], u.gates["z"], u.gates["n"]
        hn = u.memory_part[:, 2 * h :] + p.b_hh[2 * h :]
        dr = rows(r * (1 - r), blocks[0])
        dz = rows(z * (1 - z), blocks[1])
        dpre_n = rows(r, blocks[2]) + hn[:, :, None] * dr
        dn = (1 - n**2)[:, :, None] * dpre_n
        return (1 - z)[:, :, None] * dn + (u.s_prev[:, :h] - n)[:, :, None] * dz + z[:, :, None] * eye
    i, f, g, o = (u.gates[k] for k in "ifgo")
    c_prev, cell = u.s_prev[:, h:], u.state[:, h:]
    tc = np.tanh(cell)  # (N, H)
    dc_dh = rows(c_prev * f * (1 - f), blocks[1]) + rows(g * i * (1 - i), blocks[0]) + rows(i * (1 - g**2), blocks[2])
    dc_dc = f[:, :, None] * eye
    dh_dh = rows(tc * o * (1 - o), blocks[3]) + (o * (1 - tc**2))[:, :, None] * dc_dh
    dh_dc = (o * (1 - tc**2) * f)[:, :, None] * eye
    return np.concatenate(
        [np.concatenate([dh_dh, dh_dc], axis=2), np.concatenate([dc_dh, dc_dc], axis=2)],
        axis=1,
    )


def vjp(params: CellParams, s: np.ndarray, x: np.ndarray, v: np.ndarray) -> np.ndarray:
    """v^T dF/ds at each state without forming the Jacobian: (N, D) -> (N, D), row n = J[n]^T v[n].

    One matrix product with W per call: what the fixed-point search's gradient (J - I)^T (F(s) - s) needs.
    """
    p, h = params, params.H
    u = update(p, s, np.asarray(x) @ p.U.T)
    v = np.asarray(v)
    if p.arch == "rnn":
        return ((1 - u.state**2) * v) @ p.W
    if p.arch == "gru":
        r, z, n = u.gates["r"], u.gates["z"], u.gates["n"]
        hn = u.memory_part[:, 2 * h :] + p.b_hh[2 * h :]
        e = (1 - z) * (1 - n**2) * v  # back through s_t = (1 - z) n + z s and n = tanh(pre_n)
        blocks = np.concatenate([hn * r * (1 - r) * e, (u.s_prev[:, :h] - n) * z * (1 - z) * v, r * e], axis=1)
        return blocks @ p.W + z * v
    i, f, g, o = (u.gates[k] for k in "ifgo")
    vh, vc = v[:, :h], v[:, h:]
    tc = np.tanh(u.state[:, h:])
    m = o * (1 - tc**2) * vh + vc  # what reaches c_t from both outputs
    blocks = np.concatenate(
        [g * i * (1 - i) * m, u.s_prev[:, h:] * f * (1 - f) * m, i * (1 - g**2) * m, tc * o * (1 - o) * vh], axis=1
    )
    return np.concatenate([blocks @ p.W, f * m], axis=1)


def run(params: CellParams, x: np.ndarray, forget: bool = False) -> Steps:
    """The cell over inputs x (T, E) from s_0 = 0, keeping every intermediate: the Steps record.

    forget=True is the goldfish: s_{t-1} (and the LSTM's cell) is reset to s_0 before every step, and
    memory_part records W s_0, the memory the step actually read.
    """
    p = params
    x = np.asarray(x, dtype=p.U.dtype)
    if x.ndim != 2 or x.shape[1] != p.E:
        raise ValueError(f"inputs must be (T, E) with E = {p.E}, got {x.shape}")
    s0 = np.zeros((1, p.state_size), dtype=p.U.dtype)
    input_part = x @ p.U.T  # (T, G*H)
    s = s0
    states, memory = [s0[0]], []
    gates: dict[str, list[np.ndarray]] = {k: [] for k in GATE_NAMES[p.arch]}
    for t in range(len(x)):
        u = update(p, s0 if forget else s, input_part[t])
        s = u.state
        states.append(s[0])
        memory.append(u.memory_part[0])
        for k, v in u.gates.items():
            gates[k].append(v[0])
    full = np.stack(states)  # (T+1, D)
    hidden = np.ascontiguousarray(full[:, : p.H])  # (T+1, H)
    outputs = sigmoid(hidden[1:] @ p.V + np.asarray(p.c, dtype=p.U.dtype))  # (T,)
    gate_arrays = {k: np.stack(v) if v else np.zeros((0, p.H), dtype=p.U.dtype) for k, v in gates.items()}
    if p.arch == "lstm":
        gate_arrays["cell"] = np.ascontiguousarray(full[1:, p.H :])
    memory_part = np.stack(memory) if memory else np.zeros((0, p.W.shape[0]), dtype=p.U.dtype)
    return Steps(x=x, hidden=hidden, outputs=outputs, input_part=input_part, memory_part=memory_part, gates=gate_arrays)
