"""What a trained model does with its hidden state: fixed points, flow, word effects, one update taken apart.

Plain functions on models and traces; results are frozen dataclasses of numpy arrays, so figures and the
app never touch torch. Notation as everywhere: s_t = tanh(U x_t + W s_{t-1} + b), o_t = sigmoid(V s_t + c).
"""

from __future__ import annotations

import csv
import io
import json
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import torch

from rnnviz.trace import Trace, trace

if TYPE_CHECKING:
    from rnnviz.model import SentimentRNN

AVERAGE_WORD = "(average word)"
N_AVERAGE_WORDS = 5000  # the most frequent training words make the average input
FIXED_SPEED = 1e-4  # |F(s) - s| below this: a fixed point
SLOW_SPEED = 2e-2  # below this: a slow point (where a line attractor shows up)


@dataclass(frozen=True)
class CellParams:
    """The shared parameters of one model as numpy, in PyTorch's layout and gate order (see model.py)."""

    arch: Literal["rnn", "gru", "lstm"]
    U: np.ndarray  # (G*H, E)
    W: np.ndarray  # (G*H, H)
    b: np.ndarray  # (G*H,)
    b_hh: np.ndarray  # (G*H,)
    V: np.ndarray  # (H,)
    c: float

    @property
    def H(self) -> int:
        return int(self.W.shape[1])

    @property
    def state_size(self) -> int:
        """D: the size of the state the update maps to itself (h and the cell c for an LSTM)."""
        return 2 * self.H if self.arch == "lstm" else self.H


def cell_params(model: SentimentRNN) -> CellParams:
    def np_(p: torch.Tensor) -> np.ndarray:
        return p.detach().numpy().astype(np.float64).copy()

    return CellParams(
        arch=model.config.arch,
        U=np_(model.U),
        W=np_(model.W),
        b=np_(model.b),
        b_hh=np_(model.b_hh),
        V=np_(model.V),
        c=float(model.c.detach()),
    )


def cell_step(params: CellParams, s: np.ndarray, x: np.ndarray) -> np.ndarray:
    """F(s, x): the update applied to a batch of states (N, D) with one input x (E,). D = 2H for an LSTM."""
    h = params.H
    xb = params.U @ x + params.b  # (G*H,)
    if params.arch == "lstm":
        hs, cs = s[:, :h], s[:, h:]
        pre = xb + hs @ params.W.T + params.b_hh  # (N, 4H)
        i, f, g, o = (pre[:, k * h : (k + 1) * h] for k in range(4))
        cell = _sigmoid(f) * cs + _sigmoid(i) * np.tanh(g)
        return np.concatenate([_sigmoid(o) * np.tanh(cell), cell], axis=1)
    wb = s @ params.W.T + params.b_hh  # (N, G*H)
    if params.arch == "rnn":
        return np.tanh(xb + wb)
    r = _sigmoid(xb[:h] + wb[:, :h])
    z = _sigmoid(xb[h : 2 * h] + wb[:, h : 2 * h])
    n = np.tanh(xb[2 * h :] + r * wb[:, 2 * h :])
    return (1 - z) * n + z * s


def _sigmoid(a: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-a))


def _torch_step(params: CellParams, s: torch.Tensor, x: np.ndarray) -> torch.Tensor:
    """cell_step in float64 torch, for gradients and Jacobians."""
    h = params.H
    U, W, b, b_hh = (torch.from_numpy(a) for a in (params.U, params.W, params.b, params.b_hh))
    xb = U @ torch.from_numpy(np.asarray(x, dtype=np.float64)) + b
    if params.arch == "lstm":
        hs, cs = s[..., :h], s[..., h:]
        i, f, g, o = (xb + hs @ W.T + b_hh).split(h, dim=-1)
        cell = torch.sigmoid(f) * cs + torch.sigmoid(i) * torch.tanh(g)
        return torch.cat([torch.sigmoid(o) * torch.tanh(cell), cell], dim=-1)
    wb = s @ W.T + b_hh
    if params.arch == "rnn":
        return torch.tanh(xb + wb)
    xr, xz, xn = xb.split(h, dim=-1)
    hr, hz, hn = wb.split(h, dim=-1)
    r, z = torch.sigmoid(xr + hr), torch.sigmoid(xz + hz)
    return (1 - z) * torch.tanh(xn + r * hn) + z * s


def jacobian(params: CellParams, s: np.ndarray, x: np.ndarray) -> np.ndarray:
    """dF/ds at each state: (N, D) -> (N, D, D)."""
    f = torch.func.vmap(torch.func.jacrev(lambda v: _torch_step(params, v, x)))
    with torch.no_grad():
        return f(torch.from_numpy(np.asarray(s, dtype=np.float64))).numpy()


# -- inputs ----------------------------------------------------------------------------------------
@torch.no_grad()
def average_input(model: SentimentRNN, n_words: int = N_AVERAGE_WORDS) -> np.ndarray:
    """x for 'an average word': the mean input x_t of the most frequent known words (E,)."""
    if model.vocab is None:
        raise ValueError("model has no vocabulary: load it with rnnviz.load_model")
    words = model.vocab.words[1 : 1 + n_words]  # row 0 is the unknown word
    bags = [model.vocab.bag(w)[0] for w in words]
    return model.embed_bags(bags).mean(dim=0).double().numpy()


@torch.no_grad()
def word_input(model: SentimentRNN, word: str | None) -> tuple[np.ndarray, str]:
    """(x (E,), label) for one typed word; None or blank means the average word."""
    if word is None or not word.strip():
        return average_input(model), AVERAGE_WORD
    if model.vocab is None:
        raise ValueError("model has no vocabulary: load it with rnnviz.load_model")
    enc = model.vocab.encode(word)
    if len(enc.tokens) != 1:
        raise ValueError(f"Pick one word, not {len(enc.tokens)} tokens ({' '.join(enc.tokens)}).")
    return model.embed_bags(enc.bags)[0].double().numpy(), enc.tokens[0]


# -- fixed points ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class FixedPoints:
    """Fixed and slow points of s -> F(s, x) for one input x, found by minimising q = |F(s) - s|^2 / 2.

    `states` are full states (D = H, or 2H for an LSTM: h then the cell c); `hidden` their s part.
    Stable means every Jacobian eigenvalue lies inside the unit circle. `line` is the slow points ordered
    along their main direction when they lie on a line (an approximate line attractor), else None.
    """

    word: str
    states: np.ndarray  # (K, D)
    hidden: np.ndarray  # (K, H)
    speed: np.ndarray  # (K,) |F(s) - s|
    eigenvalues: np.ndarray  # (K, D) complex, largest modulus first
    stable: np.ndarray  # (K,) bool
    fixed: np.ndarray  # (K,) bool: speed < FIXED_SPEED (the rest are slow points)
    outputs: np.ndarray  # (K,) o = sigmoid(V s + c) at each point
    line: np.ndarray | None  # (M, H) or None
    n_starts: int
    seconds: float

    @property
    def K(self) -> int:
        return int(self.states.shape[0])

    @property
    def radius(self) -> np.ndarray:
        """(K,) largest |eigenvalue|: below 1 the point attracts, above 1 it repels along some direction."""
        return np.abs(self.eigenvalues[:, 0]) if self.K else np.zeros(0)


def default_starts(params: CellParams, n_starts: int, seed: int = 0, around: np.ndarray | None = None) -> np.ndarray:
    """(N, H) starting states: rows of `around` (e.g. states real sentences reach) with a little noise,
    topped up with uniform draws from [-1, 1]^H, plus s_0 = 0."""
    rng = np.random.default_rng(seed)
    h = params.H
    rows = [np.zeros((1, h))]
    if around is not None and len(around):
        pick = rng.choice(len(around), size=min(n_starts - 1, len(around)), replace=False)
        rows.append(around[pick] + rng.normal(0, 0.05, size=(len(pick), h)))
    n_left = n_starts - sum(len(r) for r in rows)
    if n_left > 0:
        rows.append(rng.uniform(-1, 1, size=(n_left, h)))
    return np.clip(np.concatenate(rows), -0.999, 0.999)


def find_fixed_points(
    params: CellParams,
    x: np.ndarray,
    *,
    word: str = AVERAGE_WORD,
    starts: np.ndarray | None = None,
    n_starts: int = 128,
    n_steps: int = 300,
    lr: float = 0.02,
    newton_steps: int = 12,
    slow_speed: float = SLOW_SPEED,
    dedup: float = 0.05,
    seed: int = 0,
) -> FixedPoints:
    """Minimise q(s) = |F(s, x) - s|^2 / 2 from many starts (Sussillo & Barak 2013), all at once.

    Adam on the summed q (each start moves independently), then guarded Newton steps that are kept only
    where they lower q. Points slower than `slow_speed` are kept, nearest duplicates (closer than `dedup`
    per sqrt(D)) dropped, and each is classified from the eigenvalues of the Jacobian dF/ds there.
    `starts` are hidden states (N, H); for an LSTM the cell part starts at atanh(2 s).
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny tensors: a second thread only adds contention (see the training notes)
    try:
        return _find_fixed_points(params, x, word, starts, n_starts, n_steps, lr, newton_steps, slow_speed, dedup, seed)
    finally:
        torch.set_num_threads(threads)


def _find_fixed_points(
    params: CellParams,
    x: np.ndarray,
    word: str,
    starts: np.ndarray | None,
    n_starts: int,
    n_steps: int,
    lr: float,
    newton_steps: int,
    slow_speed: float,
    dedup: float,
    seed: int,
) -> FixedPoints:
    t0 = time.perf_counter()
    h, d = params.H, params.state_size
    s0 = default_starts(params, n_starts, seed) if starts is None else np.asarray(starts, dtype=np.float64)
    if s0.ndim != 2 or s0.shape[1] != h:
        raise ValueError(f"starts must be (N, H) with H = {h}, got {s0.shape}")
    if params.arch == "lstm":
        s0 = np.concatenate([s0, np.arctanh(np.clip(2 * s0, -0.95, 0.95))], axis=1)
    s = torch.tensor(s0, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([s], lr=lr)
    for _ in range(n_steps):
        opt.zero_grad()
        q = 0.5 * ((_torch_step(params, s, x) - s) ** 2).sum()
        q.backward()
        opt.step()
    states = s.detach().numpy()
    speed = _speed(params, states, x)
    eye = np.eye(d)
    for _ in range(newton_steps):
        jac = jacobian(params, states, x)  # (N, D, D)
        resid = cell_step(params, states, x) - states  # (N, D)
        try:
            delta = np.linalg.solve(jac - eye, resid[..., None])[..., 0]
        except np.linalg.LinAlgError:
            break
        trial = states - delta
        trial_speed = _speed(params, trial, x)
        better = np.isfinite(trial_speed) & (trial_speed < speed)
        states[better], speed[better] = trial[better], trial_speed[better]

    keep = np.flatnonzero(speed < slow_speed)
    keep = keep[np.argsort(speed[keep], kind="stable")]
    chosen: list[int] = []
    for i in keep:
        if all(np.linalg.norm(states[i] - states[j]) > dedup * np.sqrt(d) for j in chosen):
            chosen.append(int(i))
    pts = states[chosen].reshape(len(chosen), d)
    spd = speed[chosen]
    if len(chosen):
        eig = np.linalg.eigvals(jacobian(params, pts, x))  # (K, D)
        eig = np.take_along_axis(eig, np.argsort(-np.abs(eig), axis=1, kind="stable"), axis=1)
    else:
        eig = np.zeros((0, d), dtype=complex)
    hidden = pts[:, :h]
    return FixedPoints(
        word=word,
        states=pts,
        hidden=hidden,
        speed=spd,
        eigenvalues=eig,
        stable=np.abs(eig[:, 0]) < 1.0 if len(chosen) else np.zeros(0, dtype=bool),
        fixed=spd < FIXED_SPEED,
        outputs=_sigmoid(hidden @ params.V + params.c),
        line=_line(hidden),
        n_starts=len(s0),
        seconds=time.perf_counter() - t0,
    )


def _speed(params: CellParams, states: np.ndarray, x: np.ndarray) -> np.ndarray:
    return np.linalg.norm(cell_step(params, states, x) - states, axis=1)


def _line(hidden: np.ndarray, min_points: int = 5, min_share: float = 0.9) -> np.ndarray | None:
    """The points ordered along their first principal axis, if that axis holds `min_share` of their spread."""
    if len(hidden) < min_points:
        return None
    centred = hidden - hidden.mean(axis=0)
    _, sing, vt = np.linalg.svd(centred, full_matrices=False)
    var = sing**2
    if var.sum() <= 0 or var[0] / var.sum() < min_share:
        return None
    return hidden[np.argsort(centred @ vt[0], kind="stable")]


# -- flow ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Flow:
    """The update's displacement F(s, x) - s on a grid of 2-unit states."""

    word: str
    xs: np.ndarray  # (n,) s[0] values
    ys: np.ndarray  # (n,) s[1] values
    dx: np.ndarray  # (n, n) rows are ys
    dy: np.ndarray  # (n, n)


def flow_field(params: CellParams, x: np.ndarray, *, word: str = AVERAGE_WORD, n: int = 17, lim: float = 1.0) -> Flow:
    """Where one step with input x moves every state of a 2-unit plain or GRU cell."""
    if params.H != 2 or params.arch == "lstm":
        raise ValueError(f"a flow field needs a 2-unit RNN or GRU, not {params.arch} with {params.H} units")
    xs = np.linspace(-lim, lim, n)
    gx, gy = np.meshgrid(xs, xs)  # (n, n), rows are y
    grid = np.stack([gx.ravel(), gy.ravel()], axis=1)  # (n*n, 2)
    move = cell_step(params, grid, x) - grid
    return Flow(word=word, xs=xs, ys=xs.copy(), dx=move[:, 0].reshape(n, n), dy=move[:, 1].reshape(n, n))


# -- word effects ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class WordEffects:
    """Two measures of how much each word moved o, on the same words as the trace.

    at_step[t-1] = o_t - o_{t-1} (o_0 = sigmoid(c), the reading of no words): the jump at that word.
    left_out[t-1] = o_T - o_T(text without word t): how much the final verdict owes to the word.
    """

    tokens: list[str]
    labels: list[str]
    at_step: np.ndarray  # (T,)
    left_out: np.ndarray  # (T,)
    final: float  # o_T
    final_without: np.ndarray  # (T,)
    o0: float


def word_effects(model: SentimentRNN, tr: Trace) -> WordEffects:
    """Both measures for every word of `tr` (T + 1 runs of the model: the trace and T shorter texts)."""
    o0 = float(1.0 / (1.0 + np.exp(-tr.c)))
    prev = np.concatenate([[o0], tr.outputs[:-1].astype(np.float64)])
    without = np.empty(tr.T)
    for t in range(tr.T):
        rest = tr.tokens[:t] + tr.tokens[t + 1 :]
        without[t] = trace(model, " ".join(rest), forget=tr.forget).final if rest else o0
    return WordEffects(
        tokens=list(tr.tokens),
        labels=tr.labels,
        at_step=tr.outputs.astype(np.float64) - prev,
        left_out=tr.final - without,
        final=tr.final,
        final_without=without,
        o0=o0,
    )


# -- one update taken apart -----------------------------------------------------------------------
@dataclass(frozen=True)
class Anatomy:
    """The plain RNN's update at step t: s_t = tanh(W s_{t-1} + U x_t + b), each piece (H,)."""

    step: int
    s_prev: np.ndarray  # s_{t-1}
    memory: np.ndarray  # W s_{t-1}
    input: np.ndarray  # U x_t
    bias: np.ndarray  # b
    pre: np.ndarray  # W s_{t-1} + U x_t + b
    s: np.ndarray  # s_t = tanh(pre)


def anatomy(tr: Trace, step: int, params: CellParams) -> Anatomy:
    """The pieces of the plain RNN's update at step t (1..T)."""
    if tr.arch != "rnn":
        raise ValueError(f"anatomy takes apart the plain RNN's update; use gate_anatomy for {tr.arch}")
    t = _check_step(tr, step)
    memory, inp = tr.memory_part[t - 1].astype(np.float64), tr.input_part[t - 1].astype(np.float64)
    pre = memory + inp + params.b + params.b_hh
    return Anatomy(t, tr.hidden[t - 1].astype(np.float64), memory, inp, params.b + params.b_hh, pre, np.tanh(pre))


@dataclass(frozen=True)
class GateAnatomy:
    """How much a gated cell kept versus wrote at step t, per unit (H,).

    GRU: s_t = z * s_{t-1} + (1 - z) * n (kept + written). LSTM, on the cell state:
    c_t = f * c_{t-1} + i * g (kept + written), then s_t = o * tanh(c_t).
    """

    step: int
    arch: str
    target: str  # "s" (GRU) or "c" (LSTM cell state)
    before: np.ndarray  # s_{t-1} or c_{t-1}
    kept: np.ndarray
    written: np.ndarray
    after: np.ndarray  # kept + written
    keep_gate: np.ndarray  # z or f
    write_gate: np.ndarray  # 1 - z or i

    @property
    def kept_share(self) -> float:
        """Share of the new state's size that came from the old state: |kept| / (|kept| + |written|)."""
        k, w = np.abs(self.kept).sum(), np.abs(self.written).sum()
        return float(k / (k + w)) if k + w > 0 else 0.0


def gate_anatomy(tr: Trace, step: int) -> GateAnatomy:
    t = _check_step(tr, step)
    i = t - 1
    if tr.arch == "gru":
        z, n = tr.gates["z"][i].astype(np.float64), tr.gates["n"][i].astype(np.float64)
        before = tr.hidden[i].astype(np.float64)
        if tr.forget:
            before = np.zeros_like(before)
        kept, written = z * before, (1 - z) * n
        return GateAnatomy(t, "gru", "s", before, kept, written, kept + written, z, 1 - z)
    if tr.arch == "lstm":
        f, ig, g = (tr.gates[k][i].astype(np.float64) for k in ("f", "i", "g"))
        cells = tr.gates["cell"].astype(np.float64)
        before = cells[i - 1] if i > 0 and not tr.forget else np.zeros(tr.H)
        kept, written = f * before, ig * g
        return GateAnatomy(t, "lstm", "c", before, kept, written, kept + written, f, ig)
    raise ValueError("gate_anatomy needs a GRU or LSTM trace; the plain RNN has no gates (use anatomy)")


def _check_step(tr: Trace, step: int) -> int:
    if not 1 <= int(step) <= tr.T:
        raise ValueError(f"step must be in 1..{tr.T}, got {step}")
    return int(step)


# -- neurons ---------------------------------------------------------------------------------------
def neuron_extremes(
    final_states: np.ndarray, texts: list[str], unit: int, n: int = 5
) -> dict[str, list[tuple[str, float]]]:
    """The corpus sentences whose final state drives `unit` (from 0) highest and lowest: {"highest", "lowest"}."""
    if len(texts) != len(final_states):
        raise ValueError(f"{len(texts)} texts for {len(final_states)} states")
    values = final_states[:, unit].astype(np.float64)  # (N,)
    order = np.argsort(values, kind="stable")
    return {
        "highest": [(texts[i], float(values[i])) for i in order[::-1][:n]],
        "lowest": [(texts[i], float(values[i])) for i in order[:n]],
    }


# -- export ----------------------------------------------------------------------------------------
def trace_record(tr: Trace) -> dict[str, object]:
    """Everything one run shows, as plain JSON-ready Python: tokens, s_t (row 0 = s_0), o_t, gates."""
    return {
        "text": tr.text,
        "model": tr.model_name,
        "arch": tr.arch,
        "forget": tr.forget,
        "tokens": list(tr.tokens),
        "labels": tr.labels,
        "kinds": list(tr.kinds),
        "hidden": tr.hidden.astype(float).round(6).tolist(),
        "outputs": tr.outputs.astype(float).round(6).tolist(),
        "gates": {k: v.astype(float).round(6).tolist() for k, v in tr.gates.items()},
        "V": tr.V.astype(float).round(6).tolist(),
        "c": round(float(tr.c), 6),
        "truncated": tr.truncated,
    }


def trace_json(tr: Trace) -> str:
    return json.dumps(trace_record(tr), ensure_ascii=False, indent=1)


def trace_csv(tr: Trace) -> str:
    """One row per step t = 0..T: t, token, kind, o_t, s_t[1..H], then every gate's units (empty at t = 0)."""
    h = tr.H
    gate_cols = [f"{g}[{k + 1}]" for g in tr.gates for k in range(h)]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["t", "token", "kind", "o_t", *[f"s_t[{k + 1}]" for k in range(h)], *gate_cols])
    writer.writerow([0, "", "", "", *[f"{v:.6f}" for v in tr.hidden[0]], *[""] * len(gate_cols)])
    for t in range(1, tr.T + 1):
        gates = [f"{v:.6f}" for g in tr.gates.values() for v in g[t - 1]]
        state = [f"{v:.6f}" for v in tr.hidden[t]]
        writer.writerow([t, tr.tokens[t - 1], tr.kinds[t - 1], f"{tr.outputs[t - 1]:.6f}", *state, *gates])
    return out.getvalue()
