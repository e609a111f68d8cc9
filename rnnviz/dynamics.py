"""Where the update takes a state: fixed and slow points of s -> F(s, x), and the flow field of a 2-unit cell.

Numpy and scipy on rnnviz.cell (its step and analytic Jacobian); no torch. Results are frozen dataclasses
of numpy arrays for the figures and the playground.
"""

from __future__ import annotations

import dataclasses
import time
import warnings
from dataclasses import dataclass
from typing import Literal

import numpy as np
from threadpoolctl import threadpool_limits

from rnnviz.cell import CellParams, jacobian, sigmoid, step, vjp

AVERAGE_WORD = "(average word)"
FIXED_SPEED = 1e-4  # |F(s) - s| below this: a fixed point
SLOW_SPEED = 2e-2  # below this: a slow point (not converged, so no stability is claimed for it)
POLISH_CHUNK = 16  # states polished at once
SETTLED_STARTS = 32  # this many starts are also run forward SETTLE_STEPS updates and searched from there
SETTLE_STEPS = 300
HIDDEN_BOUND = 1.0  # |s[k]| <= 1: where reachable hidden states live
LINE_MIN_POINTS = 5  # fewer points than this never make a line
LINE_MIN_SHARE = 0.9  # a line holds at least this share of the points' spread
SLOW_TAU = 20.0  # words: a time constant this long outlasts a typical review sentence


@dataclass(frozen=True)
class FixedPoints:
    """Fixed and slow points of s -> F(s, x) for one input x, found by minimising q = |F(s) - s|^2 / 2.

    `states` are full states (D = H, or 2H for an LSTM: h then the cell c); `hidden` their s part.
    `fixed` marks the points the solver drove to |F(s) - s| < FIXED_SPEED; the rest are only slow.
    Stable (fixed points only) means every Jacobian eigenvalue lies inside the unit circle. `line` is
    `line_of(self).points`: the fixed points ordered along a line they lie on (a line attractor), else the
    slow points along theirs (a slow direction, not an attractor), else None. `describe_fixed_points`
    says all this in one sentence.
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

    The starts are `starts` (or `default_starts`) plus the first SETTLED_STARTS of them run forward
    SETTLE_STEPS updates (closer to a stable fixed point, even a slow one, than any random start), all
    kept in |s[k]| <= 1 where hidden states live. scipy's L-BFGS-B on the sum of q over the starts (each
    start moves independently; at most `n_steps` iterations) with the analytic gradient
    (J - I)^T (F(s) - s), then up to `newton_steps` damped Newton
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
    from scipy.optimize import minimize  # here, not at import: the figures read this module's summaries

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
    found = FixedPoints(
        word=word,
        states=pts,
        hidden=hidden,
        speed=spd,
        eigenvalues=eig,
        stable=fixed & (np.abs(eig[:, 0]) < 1.0) if len(chosen) else np.zeros(0, dtype=bool),
        fixed=fixed,
        outputs=sigmoid(hidden @ params.V + params.c),
        line=None,
        n_starts=n,
        seconds=time.perf_counter() - t0,
    )
    fit = line_of(found)
    return dataclasses.replace(found, line=None if fit is None else fit.points)


def _settle(params: CellParams, states: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The states after SETTLE_STEPS updates with input x: drawn towards a stable fixed point, even a slow one
    where gates saturate and the gradient search from random starts stalls (gru-64's, tau ~ 131 words)."""
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


@dataclass(frozen=True)
class LineFit:
    """Points of one kind (converged fixed points, or slow points) that lie along a line, and how closely."""

    kind: Literal["fixed", "slow"]
    points: np.ndarray  # (M, H) ordered along the line
    share: float  # fraction of their spread along the line's direction
    distance: float  # largest distance of a point from the line


def fit_line(
    hidden: np.ndarray, min_points: int = LINE_MIN_POINTS, min_share: float = LINE_MIN_SHARE
) -> tuple[np.ndarray, float, float] | None:
    """(points ordered along their first principal axis, share of spread on it, largest distance off it), or None
    when there are fewer than `min_points` or the axis holds less than `min_share` of their spread."""
    if len(hidden) < min_points:
        return None
    centred = hidden - hidden.mean(axis=0)
    _, sing, vt = np.linalg.svd(centred, full_matrices=False)
    var = sing**2
    if var.sum() <= 0 or var[0] / var.sum() < min_share:
        return None
    along = centred @ vt[0]  # (M,)
    off = np.linalg.norm(centred - np.outer(along, vt[0]), axis=1)
    return hidden[np.argsort(along, kind="stable")], float(var[0] / var.sum()), float(off.max())


def line_of(fp: FixedPoints) -> LineFit | None:
    """The line the converged fixed points lie on (a line attractor), else the line of the slow points, else None."""
    for kind, mask in (("fixed", fp.fixed), ("slow", ~fp.fixed)):
        fit = fit_line(fp.hidden[mask])
        if fit is not None:
            return LineFit(kind, *fit)
    return None


def time_constant(radius: float) -> float:
    """Words for a deviation from a stable fixed point to shrink by e: -1 / ln|lambda| for the largest |lambda| < 1."""
    if not 0 <= radius < 1:
        raise ValueError(f"a time constant needs 0 <= |lambda| < 1, got {radius}")
    return 0.0 if radius == 0 else -1.0 / float(np.log(radius))


def _count(n: int, what: str) -> str:
    return f"{'one' if n == 1 else n} {what}{'' if n == 1 else 's'}"


def _words(tau: float) -> str:
    return f"~{tau:.0f} word{'' if round(tau) == 1 else 's'}"


def describe_fixed_points(fp: FixedPoints) -> str:
    """One sentence saying what the search found: fixed points, their stability and time constants, slow points,
    and a line attractor only when converged fixed points lie on a line (the criterion stated with its numbers)."""
    n_fixed, n_slow = int(fp.fixed.sum()), int((~fp.fixed).sum())
    stable = np.flatnonzero(fp.fixed & fp.stable)
    unstable = np.flatnonzero(fp.fixed & ~fp.stable)
    line = line_of(fp)
    parts: list[str] = []
    if n_fixed == 0:
        parts.append(f"no fixed point (|F(s) − s| < {FIXED_SPEED:g}) found from {fp.n_starts} starts")
    elif line is not None and line.kind == "fixed":
        parts.append(
            f"a line attractor: {n_fixed} fixed points (|F(s) − s| < {FIXED_SPEED:g}) lie within "
            f"{line.distance:.2g} of a line holding {100 * line.share:.0f}% of their spread"
        )
    else:
        taus = [time_constant(float(fp.radius[i])) for i in stable]
        if len(stable) == 1 and not len(unstable):
            tau = taus[0]
            pace = "drift toward it slowly" if tau >= SLOW_TAU else "settle toward it"
            parts.append(f"one stable fixed point; states {pace}, time constant {_words(tau)}")
        else:
            found = []
            if len(stable):
                found.append(
                    f"{len(stable)} stable (o = {', '.join(f'{fp.outputs[i]:.2f}' for i in stable)}; "
                    f"time constant{'s' if len(stable) > 1 else ''} {', '.join(_words(t) for t in taus)})"
                )
            if len(unstable):
                found.append(
                    f"{len(unstable)} unstable (largest |eigenvalue| "
                    f"{', '.join(f'{fp.radius[i]:.2f}' for i in unstable)})"
                )
            parts.append(f"{_count(n_fixed, 'fixed point')}: {' and '.join(found)}")
    if n_slow:
        slow = f"{_count(n_slow, 'slow point')} (|F(s) − s| < {SLOW_SPEED:g}, not converged)"
        if line is not None and line.kind == "slow":
            slow += (
                f" lie within {line.distance:.2g} of a line holding {100 * line.share:.0f}% of their spread: "
                "a slow direction, not a line attractor"
            )
        parts.append(slow)
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


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
