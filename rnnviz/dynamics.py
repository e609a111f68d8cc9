"""Where the update takes a state: fixed and slow points of s -> F(s, x), and the flow field of a 2-unit cell.

Numpy and scipy on rnnviz.cell (its step and analytic Jacobian); no torch. Results are frozen dataclasses
of numpy arrays for the figures and the playground.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from threadpoolctl import threadpool_limits

from rnnviz.cell import CellParams, jacobian, sigmoid, step, vjp

AVERAGE_WORD = "(average word)"
FIXED_SPEED = 1e-4  # |F(s) - s| below this: a fixed point
SLOW_SPEED = 2e-2  # below this: a slow point (where a line attractor shows up)
POLISH_CHUNK = 16  # states polished at once
SETTLED_STARTS = 32  # this many starts are also run forward SETTLE_STEPS updates and searched from there
SETTLE_STEPS = 300
HIDDEN_BOUND = 1.0  # |s[k]| <= 1: where reachable hidden states live


@dataclass(frozen=True)
class FixedPoints:
    """Fixed and slow points of s -> F(s, x) for one input x, found by minimising q = |F(s) - s|^2 / 2.

    `states` are full states (D = H, or 2H for an LSTM: h then the cell c); `hidden` their s part.
    `fixed` marks the points the solver drove to |F(s) - s| < FIXED_SPEED; the rest are only slow.
    Stable (fixed points only) means every Jacobian eigenvalue lies inside the unit circle. `line` is
    the slow points ordered along their main direction when they lie on a line (an approximate line
    attractor), else None.
    """

    word: str
    states: np.ndarray  # (K, D)
    hidden: np.ndarray  # (K, H)
    speed: np.ndarray  # (K,) |F(s) - s|
    eigenvalues: np.ndarray  # (K, D) complex, largest modulus first
    stable: np.ndarray  # (K,) bool, False for slow points
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
    """(N, H) starting states: s_0 = 0, rows of `around` (e.g. states real sentences reach) with a little
    noise, topped up with uniform draws from [-1, 1]^H."""
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


def speed(params: CellParams, states: np.ndarray, x: np.ndarray) -> np.ndarray:
    """(N,) |F(s, x) - s| at each state."""
    return np.linalg.norm(step(params, states, x) - states, axis=1)


def find_fixed_points(
    params: CellParams,
    x: np.ndarray,
    *,
    word: str = AVERAGE_WORD,
    starts: np.ndarray | None = None,
    n_starts: int = 128,
    n_steps: int = 300,
    lr: float | None = None,
    newton_steps: int = 12,
    slow_speed: float = SLOW_SPEED,
    dedup: float = 0.05,
    seed: int = 0,
) -> FixedPoints:
    """Minimise q(s) = |F(s, x) - s|^2 / 2 from many starts (Sussillo & Barak 2013), all at once.

    scipy's L-BFGS-B on the sum of q over the starts (each start moves independently; at most `n_steps`
    iterations) with the analytic gradient (J - I)^T (F(s) - s), then up to `newton_steps` damped Newton
    (Levenberg-Marquardt) steps on F(s) - s = 0 with the analytic Jacobian J, each kept only where it
    lowers |F(s) - s|. Points slower
    than `slow_speed` are kept, nearest duplicates (closer than `dedup` per sqrt(D)) dropped; the
    eigenvalues of J classify the ones that converged (speed < FIXED_SPEED). `starts` are hidden states
    (N, H); for an LSTM the cell part starts at atanh(2 s). `lr` belonged to the former Adam search and
    is ignored (accepted for one release).
    """
    with threadpool_limits(limits=1, user_api="blas"):  # tiny matrices: BLAS threads only add contention (50x)
        return _find_fixed_points(params, x, word, starts, n_starts, n_steps, lr, newton_steps, slow_speed, dedup, seed)


def _find_fixed_points(
    params: CellParams,
    x: np.ndarray,
    word: str,
    starts: np.ndarray | None,
    n_starts: int,
    n_steps: int,
    lr: float | None,
    newton_steps: int,
    slow_speed: float,
    dedup: float,
    seed: int,
) -> FixedPoints:
    if lr is not None:
        warnings.warn("find_fixed_points(lr=...) is ignored: the search is L-BFGS-B", DeprecationWarning, stacklevel=3)
    t0 = time.perf_counter()
    h, d = params.H, params.state_size
    s0 = default_starts(params, n_starts, seed) if starts is None else np.asarray(starts, dtype=np.float64)
    if s0.ndim != 2 or s0.shape[1] != h:
        raise ValueError(f"starts must be (N, H) with H = {h}, got {s0.shape}")
    if params.arch == "lstm":
        s0 = np.concatenate([s0, np.arctanh(np.clip(2 * s0, -0.95, 0.95))], axis=1)
    x = np.asarray(x, dtype=np.float64)
    s0 = np.concatenate([s0, _settle(params, s0[:SETTLED_STARTS], x)])
    n = len(s0)

    def q_and_grad(flat: np.ndarray) -> tuple[float, np.ndarray]:
        s = flat.reshape(n, d)
        resid = step(params, s, x) - s  # (N, D)
        grad = vjp(params, s, x, resid) - resid  # (J - I)^T r
        return 0.5 * float((resid**2).sum()), grad.ravel()

    # Every reachable hidden state lies in (-1, 1)^H (tanh, or a GRU's mix of two such states): outside it a
    # saturated gate makes F(s) = s almost anywhere, and the search found dozens of such "fixed points".
    hidden_bound = np.zeros(d, dtype=bool)
    hidden_bound[:h] = True
    lo = np.where(hidden_bound, -HIDDEN_BOUND, -np.inf)
    hi = np.where(hidden_bound, HIDDEN_BOUND, np.inf)
    s0 = np.clip(s0, lo, hi)
    if n_steps > 0:
        found = minimize(
            q_and_grad,
            s0.ravel(),
            jac=True,
            method="L-BFGS-B",
            bounds=list(zip(np.tile(lo, n), np.tile(hi, n), strict=True)),
            options={"maxiter": n_steps, "ftol": 1e-20, "gtol": 1e-14, "maxcor": 20},
        )
        states = found.x.reshape(n, d)
    else:
        states = s0.copy()
    states, spd = _polish(params, states, x, newton_steps, candidate=10 * slow_speed)

    keep = np.flatnonzero(spd < slow_speed)
    keep = keep[np.argsort(spd[keep], kind="stable")]
    chosen: list[int] = []
    for i in keep:
        if all(np.linalg.norm(states[i] - states[j]) > dedup * np.sqrt(d) for j in chosen):
            chosen.append(int(i))
    pts = states[chosen].reshape(len(chosen), d)
    spd = spd[chosen]
    fixed = spd < FIXED_SPEED
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
        stable=fixed & (np.abs(eig[:, 0]) < 1.0) if len(chosen) else np.zeros(0, dtype=bool),
        fixed=fixed,
        outputs=sigmoid(hidden @ params.V + params.c),
        line=_line(hidden),
        n_starts=n,
        seconds=time.perf_counter() - t0,
    )


def _settle(params: CellParams, states: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The states after SETTLE_STEPS updates with input x: near a stable fixed point, even a slow one (a start
    the gradient search alone misses when the point sits where the gates saturate)."""
    s = states.copy()
    for _ in range(SETTLE_STEPS):
        s = step(params, s, x)
    return s


def _polish(
    params: CellParams, states: np.ndarray, x: np.ndarray, n_steps: int, candidate: float
) -> tuple[np.ndarray, np.ndarray]:
    """Levenberg-Marquardt on F(s) - s = 0 for the states slower than `candidate`, all at once.

    Each step solves (A^T A + lam I) d = A^T r with A = J - I (a damped Newton step, so a nearly singular
    A on a line of slow points cannot throw a state away); a step is kept only where it lowers the speed,
    and each state's lam shrinks after a kept step and grows after a refused one.
    """
    states = states.copy()
    spd = speed(params, states, x)
    todo = np.flatnonzero(np.isfinite(spd) & (spd < candidate))
    for first in range(0, len(todo), POLISH_CHUNK):  # a chunk's (M, D, D) systems stay a few MB
        _polish_chunk(params, states, spd, todo[first : first + POLISH_CHUNK], x, n_steps)
    return states, spd


def _polish_chunk(
    params: CellParams, states: np.ndarray, spd: np.ndarray, todo: np.ndarray, x: np.ndarray, n_steps: int
) -> None:
    """_polish on the states `todo`, updating `states` and `spd` in place."""
    lam = np.full(len(todo), 1e-3)
    eye = np.eye(params.state_size)
    for _ in range(n_steps):
        live = spd[todo] > 1e-13
        if not live.any():
            break
        idx, lam_live = todo[live], lam[live]
        s = states[idx]
        resid = step(params, s, x) - s  # (M, D)
        a = jacobian(params, s, x) - eye  # (M, D, D)
        at = np.swapaxes(a, 1, 2)
        normal = at @ a + lam_live[:, None, None] * eye
        trial = s - np.linalg.solve(normal, at @ resid[..., None])[..., 0]
        trial_speed = speed(params, trial, x)
        inside = (np.abs(trial[:, : params.H]) <= HIDDEN_BOUND).all(axis=1)
        better = inside & np.isfinite(trial_speed) & (trial_speed < spd[idx])
        states[idx[better]], spd[idx[better]] = trial[better], trial_speed[better]
        lam[live] = np.where(better, np.maximum(lam_live / 10, 1e-12), lam_live * 10)


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
    move = step(params, grid, np.asarray(x, dtype=np.float64)) - grid
    return Flow(word=word, xs=xs, ys=xs.copy(), dx=move[:, 0].reshape(n, n), dy=move[:, 1].reshape(n, n))
