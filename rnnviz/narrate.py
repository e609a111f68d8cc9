"""One or two sentences per step, generated from the numbers of the one cell: what moved o_t, and how much.

Trace layer: plain numpy, no plotly, no streamlit. Every number in a sentence is a field of `StepStory`,
computed from rnnviz.cell.update at that step; nothing is written per example.

How the readout V s_t (o_t = sigmoid(V s_t + c)) is split into parts, exactly (the parts add up to it):

- plain RNN: s_t = tanh(a) with a = W s_{t-1} + U x_t + b. Per unit, tanh(a_j) = k_j a_j with the secant
  slope k_j = tanh(a_j) / a_j (1 at a_j = 0), so s_t = k * (W s_{t-1}) + k * (U x_t) + k * b and
      V s_t = memory + word + bias,   memory = V (k * W s_{t-1}),  word = V (k * U x_t),  bias = V (k * b).
  Each term is what that piece of the pre-activation contributes to the readout once the tanh has squashed
  it (the squash of unit j is shared among its pieces in proportion to their size). The change of the
  readout from the state the step read, V s_t - V s_{t-1}, is then (memory - V s_{t-1}) + word + bias:
  the memory's part of the change is what passing s_{t-1} through W and the tanh did to what it said.
- GRU: s_t = z * s_{t-1} + (1 - z) * n is already a sum: V s_t = V (z * s_{t-1}) + V ((1 - z) * n),
  the kept memory and the written candidate; the update gate's openness is the mean of z.
- LSTM: s_t = o * tanh(c_t), c_t = f * c_{t-1} + i * g. With the secant slope k of the tanh at c_t,
  V s_t = V (o k f c_{t-1}) + V (o k i g): the kept cell and the written candidate as the readout sees
  them through the output gate. Openness: the means of f (kept) and i (written).

In the goldfish run (tr.forget) the step read s_0, so the story compares with s_0, not with s_{t-1}.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz.cell import CellParams, Update, sigmoid, update
from rnnviz.trace import Trace

DIGITS = 2  # every number in a sentence is a field rounded to this many decimals


def read_state(tr: Trace, step: int) -> np.ndarray:
    """The state (D,) that step t (1..T) read: s_{t-1}, then c_{t-1} for an LSTM; s_0 (zeros) in the goldfish run."""
    read = 0 if tr.forget else step - 1
    s = tr.hidden[read].astype(np.float64)  # (H,)
    if tr.arch == "lstm":
        cell = np.zeros(tr.H) if read == 0 else tr.gates["cell"][read - 1].astype(np.float64)
        s = np.concatenate([s, cell])  # (2H,)
    return s


def step_update(tr: Trace, step: int, params: CellParams) -> Update:
    """rnnviz.cell.update at step t (1..T) of `tr`, from the state the step read and the trace's U x_t."""
    if params.arch != tr.arch or params.H != tr.H:
        raise ValueError(f"the parameters are a {params.arch} with H = {params.H}; the trace a {tr.arch}, H = {tr.H}")
    if not 1 <= int(step) <= tr.T:
        raise ValueError(f"step must be in 1..{tr.T}, got {step}")
    return update(params, read_state(tr, int(step))[None], tr.input_part[int(step) - 1].astype(np.float64))


def secant(a: np.ndarray) -> np.ndarray:
    """tanh(a) / a, elementwise, with its limit 1 at a = 0."""
    small = np.abs(a) < 1e-9
    return np.where(small, 1.0, np.tanh(a) / np.where(small, 1.0, a))


@dataclass(frozen=True)
class StepStory:
    """The numbers one step's sentences are made of. `memory + word + bias == readout` (up to rounding error).

    For gated cells `memory` is the kept part and `word` the written part (see the module docstring), and
    `bias` is 0 (the gates' biases are inside both parts).
    """

    step: int
    word: str
    arch: str
    forget: bool
    o_before: float  # sigmoid(V s_read + c): what the state the step read said
    o: float  # o_t
    readout_before: float  # V s_read
    readout: float  # V s_t
    c: float  # the readout bias
    memory: float
    word_part: float
    bias: float
    keep_open: float = 0.0  # mean z (GRU) or f (LSTM)
    write_open: float = 0.0  # mean 1 - z (GRU) or i (LSTM)

    @property
    def memory_change(self) -> float:
        """The memory's part of readout - readout_before (plain RNN: what W and the tanh did to s_{t-1}'s say)."""
        return self.memory - self.readout_before


def step_story(tr: Trace, step: int, params: CellParams) -> StepStory:
    """The numbers of step t (1..T): o_t before and after, and the readout split into its parts."""
    t = int(step)
    u = step_update(tr, t, params)
    v, h = params.V, params.H
    s_read = u.s_prev[0, :h]
    readout_before = float(v @ s_read)
    keep = write = 0.0
    if tr.arch == "rnn":
        k = secant(u.pre[0])
        parts = (u.memory_part[0], u.input_part[0], params.b + params.b_hh)  # each (H,)
        memory, word, bias = (float(v @ (k * part)) for part in parts)
    elif tr.arch == "gru":
        z = u.gates["z"][0]
        assert u.kept is not None and u.written is not None
        memory, word, bias = float(v @ u.kept[0]), float(v @ u.written[0]), 0.0
        keep, write = float(z.mean()), float((1 - z).mean())
    else:
        assert u.cell is not None and u.kept is not None and u.written is not None
        scale = u.gates["o"][0] * secant(u.cell[0])
        memory, word, bias = float(v @ (scale * u.kept[0])), float(v @ (scale * u.written[0])), 0.0
        keep, write = float(u.gates["f"][0].mean()), float(u.gates["i"][0].mean())
    readout = float(v @ u.hidden[0])
    return StepStory(
        step=t,
        word=tr.labels[t - 1],
        arch=tr.arch,
        forget=tr.forget,
        o_before=float(sigmoid(np.float64(readout_before + params.c))),
        o=float(sigmoid(np.float64(readout + params.c))),
        readout_before=readout_before,
        readout=readout,
        c=float(params.c),
        memory=memory,
        word_part=word,
        bias=bias,
        keep_open=keep,
        write_open=write,
    )


def num(x: float) -> str:
    """A signed number as the sentences write it: +0.42, −0.07 (a real minus sign), 0.00."""
    r = round(float(x), DIGITS)
    if r == 0:
        return f"{0:.{DIGITS}f}"
    return f"{'+' if r > 0 else '−'}{abs(r):.{DIGITS}f}"


def toward(x: float) -> str:
    """Which way a part of the readout pushes o_t (read on the rounded number the sentence shows)."""
    r = round(float(x), DIGITS)
    return "toward positive" if r > 0 else "toward negative" if r < 0 else "neither way"


def _moved(before: float, after: float) -> str:
    b, a = round(before, DIGITS), round(after, DIGITS)
    if a == b:
        return f"stayed at {a:.{DIGITS}f}"
    return f"{'rose' if a > b else 'fell'} from {b:.{DIGITS}f} to {a:.{DIGITS}f}"


def _versus(first: tuple[str, float], second: tuple[str, float]) -> str:
    """'A pushed toward X (n) more than B pushed toward Y (m)', the larger first."""
    (na, a), (nb, b) = sorted([first, second], key=lambda p: -abs(round(p[1], DIGITS)))
    if round(a, DIGITS) == 0:
        return f"neither {na} ({num(a)}) nor {nb} ({num(b)}) moved it"
    if round(b, DIGITS) == 0:
        return f"{na} pushed {toward(a)} ({num(a)}) while {nb} added nothing ({num(b)})"
    tail = "did" if (a > 0) == (b > 0) else f"pushed {toward(b)}"
    return f"{na} pushed {toward(a)} ({num(a)}) more than {nb} {tail} ({num(b)})"


def narrate(story: StepStory) -> str:
    """One or two sentences about one step, every number a field of `story` (see the module docstring)."""
    s = story
    start = "s₀" if s.forget else "sₜ₋₁"
    head = f"At “{s.word}” (t = {s.step}), oₜ {_moved(s.o_before, s.o)}"
    if s.forget:
        head += " (the goldfish reads every word from s₀)"
    if s.arch == "rnn":
        memory = ("the memory term W" + start, s.memory_change)
        word = ("the word's term Uxₜ", s.word_part)
        before, after = s.readout_before + s.c, s.readout + s.c
        return (
            f"{head} as Vsₜ + c went from {num(before)} to {num(after)}. "
            f"Through the tanh, {_versus(memory, word)}; the bias b added {num(s.bias)}."
        )
    keep, write = ("z", "1 − z") if s.arch == "gru" else ("f", "i")
    kept = (f"the kept memory ({keep} ≈ {s.keep_open:.{DIGITS}f})", s.memory)
    written = (f"the newly written part ({write} ≈ {s.write_open:.{DIGITS}f})", s.word_part)
    return f"{head}. Of Vsₜ + c = {num(s.readout + s.c)}, {_versus(kept, written)}; c adds {num(s.c)}."
