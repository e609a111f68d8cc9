"""What a trained model does with its hidden state: word effects, one update taken apart, neurons, export.

Plain functions on models (a NumpyRNN or a SentimentRNN) and traces, in numpy only: no torch. The cell's
equations live in rnnviz.cell and fixed points and flow in rnnviz.dynamics; both are re-exported here
under the names the figures, the app and the playground use. Notation as everywhere:
s_t = tanh(U x_t + W s_{t-1} + b), o_t = sigmoid(V s_t + c).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any

import numpy as np

from rnnviz.cell import CellParams, cell_params, jacobian, sigmoid, update
from rnnviz.cell import step as cell_step
from rnnviz.dynamics import (
    AVERAGE_WORD,
    FIXED_SPEED,
    SLOW_SPEED,
    FixedPoints,
    Flow,
    LineFit,
    default_starts,
    describe_fixed_points,
    find_fixed_points,
    flow_field,
    line_of,
    time_constant,
)
from rnnviz.trace import Trace, trace

__all__ = [
    "AVERAGE_WORD",
    "FIXED_SPEED",
    "N_AVERAGE_WORDS",
    "SLOW_SPEED",
    "Anatomy",
    "CellParams",
    "FixedPoints",
    "Flow",
    "GateAnatomy",
    "LineFit",
    "WordEffects",
    "anatomy",
    "average_input",
    "cell_params",
    "cell_step",
    "default_starts",
    "describe_fixed_points",
    "find_fixed_points",
    "flow_field",
    "gate_anatomy",
    "jacobian",
    "line_of",
    "neuron_extremes",
    "readout_note",
    "time_constant",
    "trace_csv",
    "trace_json",
    "trace_record",
    "word_effects",
    "word_input",
]

N_AVERAGE_WORDS = 5000  # the most frequent training words make the average input


# -- inputs ----------------------------------------------------------------------------------------
def _embed(model: Any, bags: list[list[int]]) -> np.ndarray:
    """(N, E) float64 inputs from the model's embed_bags (numpy for a NumpyRNN, a tensor for a SentimentRNN)."""
    out = model.embed_bags(bags)
    if hasattr(out, "detach"):
        out = out.detach().cpu().numpy()
    return np.asarray(out, dtype=np.float64)


def average_input(model: Any, n_words: int = N_AVERAGE_WORDS) -> np.ndarray:
    """x for 'an average word': the mean input x_t of the most frequent known words (E,)."""
    if model.vocab is None:
        raise ValueError("model has no vocabulary: load it with rnnviz.load_inference_model or rnnviz.load_model")
    words = model.vocab.words[1 : 1 + n_words]  # row 0 is the unknown word
    bags = [model.vocab.bag(w)[0] for w in words]
    return _embed(model, bags).mean(axis=0)


def word_input(model: Any, word: str | None) -> tuple[np.ndarray, str]:
    """(x (E,), label) for one typed word; None or blank means the average word."""
    if word is None or not word.strip():
        return average_input(model), AVERAGE_WORD
    if model.vocab is None:
        raise ValueError("model has no vocabulary: load it with rnnviz.load_inference_model or rnnviz.load_model")
    enc = model.vocab.encode(word)
    if len(enc.tokens) != 1:
        raise ValueError(f"Pick one word, not {len(enc.tokens)} tokens ({' '.join(enc.tokens)}).")
    return _embed(model, enc.bags)[0], enc.tokens[0]


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


def word_effects(model: Any, tr: Trace) -> WordEffects:
    """Both measures for every word of `tr` (T + 1 runs of the model: the trace and T shorter texts)."""
    o0 = float(sigmoid(np.float64(tr.c)))
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
    """The pieces of the plain RNN's update at step t (1..T), from the cell run on the state the step read.

    In the goldfish run (tr.forget) that state is s_0, so s_prev is s_0 and the memory part W s_0.
    """
    if tr.arch != "rnn":
        raise ValueError(f"anatomy takes apart the plain RNN's update; use gate_anatomy for {tr.arch}")
    t = _check_step(tr, step)
    u = _update_at(tr, t, params)
    bias = params.b + params.b_hh
    return Anatomy(t, u.s_prev[0], u.memory_part[0], u.input_part[0], bias, u.pre[0], u.hidden[0])


def _update_at(tr: Trace, t: int, params: CellParams) -> Any:
    """cell.update at step t of `tr`: from the state the step read (s_0 in the goldfish run) and U x_t."""
    if params.arch != tr.arch or params.H != tr.H:
        got, want = f"{params.arch} with H = {params.H}", f"{tr.arch} with H = {tr.H}"
        raise ValueError(f"the parameters are a {got}; the trace is a {want}")
    read = 0 if tr.forget else t - 1
    s_prev = tr.hidden[read].astype(np.float64)  # (H,)
    if tr.arch == "lstm":
        cell = np.zeros(tr.H) if read == 0 else tr.gates["cell"][read - 1].astype(np.float64)
        s_prev = np.concatenate([s_prev, cell])  # (2H,)
    return update(params, s_prev[None], tr.input_part[t - 1].astype(np.float64))


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


def gate_anatomy(tr: Trace, step: int, params: CellParams | None = None) -> GateAnatomy:
    """Kept versus written at step t (1..T), from the state the step read (s_0 / c_0 in the goldfish run).

    With `params` the pieces come from the cell run again at that step (rnnviz.cell.update); without,
    from the gates the cell recorded in the trace.
    """
    t = _check_step(tr, step)
    if tr.arch not in ("gru", "lstm"):
        raise ValueError("gate_anatomy needs a GRU or LSTM trace; the plain RNN has no gates (use anatomy)")
    keep, write = ("z", None) if tr.arch == "gru" else ("f", "i")
    if params is not None:
        u = _update_at(tr, t, params)
        assert u.kept is not None and u.written is not None
        before = u.s_prev[0, : tr.H] if tr.arch == "gru" else u.s_prev[0, tr.H :]
        kept, written, keep_gate = u.kept[0], u.written[0], u.gates[keep][0]
        write_gate = 1 - keep_gate if write is None else u.gates[write][0]
    else:
        i = t - 1
        read = 0 if tr.forget else i
        gate = {k: v[i].astype(np.float64) for k, v in tr.gates.items()}
        if tr.arch == "gru":
            before = tr.hidden[read].astype(np.float64)
            keep_gate, write_gate, new = gate["z"], 1 - gate["z"], gate["n"]
        else:
            before = np.zeros(tr.H) if read == 0 else tr.gates["cell"][read - 1].astype(np.float64)
            keep_gate, write_gate, new = gate["f"], gate["i"], gate["g"]
        kept, written = keep_gate * before, write_gate * new
    target = "s" if tr.arch == "gru" else "c"
    return GateAnatomy(t, tr.arch, target, before, kept, written, kept + written, keep_gate, write_gate)


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


def readout_note(V: np.ndarray, unit: int) -> str:
    """What neuron `unit` (from 0; named from 1) does to o through its readout weight V[k], from the weight's sign."""
    v = float(np.asarray(V).reshape(-1)[unit])
    k = unit + 1
    if v == 0:
        return f"Readout weight V[{k}] = 0: neuron {k} does not move o."
    up, down = ("up", "down") if v > 0 else ("down", "up")
    return (
        f"Readout weight V[{k}] = {v:+.3f}: when neuron {k} is positive it pushes o {up}; when it is negative, {down}."
    )


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
