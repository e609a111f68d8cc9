"""Two models read the same text: where their readings o_t part most, told in two sentences from the numbers.

Trace layer: plain numpy, no plotly, no streamlit. Every number in a sentence is a field of `Contrast`
(rounded as `shown` writes it), and every direction word ("rose", "fell", "positive") is read off the same
shown numbers, so the words never disagree with the digits beside them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz.cell import sigmoid
from rnnviz.trace import Trace

DIGITS = 2  # numbers are written with two decimals, more only when two would round onto the 0.5 line
MAX_DIGITS = 6


def shown(o: float) -> str:
    """o as a sentence writes it: 0.03, 0.38; 0.499 becomes 0.499 (not 0.50, which would read as undecided)."""
    o = float(o)
    for digits in range(DIGITS, MAX_DIGITS + 1):
        text = f"{o:.{digits}f}"
        if float(text) != 0.5 or o == 0.5:
            return text
    return text


def verdict(o: float) -> str:
    """The page's verdict on o (as the step line and the views say it): positive from 0.5 up."""
    return "positive" if float(o) >= 0.5 else "negative"


def moved(before: float, after: float) -> str:
    """'rose from 0.13 to 0.38', 'fell from ...', or 'stayed at ...', read on the numbers as shown."""
    b, a = shown(before), shown(after)
    if float(a) == float(b):
        return f"stayed at {a}"
    return f"{'rose' if float(a) > float(b) else 'fell'} from {b} to {a}"


def gap_shown(a: float, b: float) -> str:
    """|a - b| computed on the numbers as shown (so the sentence's arithmetic checks out), with as many decimals."""
    sa, sb = shown(a), shown(b)
    decimals = max(len(sa.split(".")[1]), len(sb.split(".")[1]))
    return f"{abs(float(sa) - float(sb)):.{decimals}f}"


@dataclass(frozen=True)
class Contrast:
    """Two readings of the same T words: each model's o_0 (before any word) and o_1..o_T."""

    names: tuple[str, str]
    words: tuple[str, ...]  # T tokens, as the views label them
    start: tuple[float, float]  # o_0 = sigmoid(V s_0 + c) of each model: what it reads before the first word
    outputs: tuple[tuple[float, ...], tuple[float, ...]]  # (T,) o_t of each model

    @property
    def T(self) -> int:
        return len(self.words)

    def gap(self, t: int) -> float:
        """|o_t of the first model - o_t of the second| at step t (1..T)."""
        return abs(self.outputs[0][t - 1] - self.outputs[1][t - 1])

    @property
    def part(self) -> int:
        """The step t (1..T) where the two readings differ most (the first, if several tie)."""
        return 1 + int(np.argmax([self.gap(t) for t in range(1, self.T + 1)]))

    def before(self, i: int, t: int) -> float:
        """What model i (0 or 1) read just before step t: o_{t-1}, or o_0 at the first word."""
        return self.start[i] if t == 1 else self.outputs[i][t - 2]


def contrast(a: Trace, b: Trace, names: tuple[str, str]) -> Contrast:
    """The two runs side by side; they must have read the same words (the same text, same tokens)."""
    if a.tokens != b.tokens:
        raise ValueError("the two models split the text into different words, so their steps do not line up")
    if a.forget or b.forget:
        raise ValueError("compare the runs with memory, not the goldfish runs")

    def o0(tr: Trace) -> float:
        return float(sigmoid(np.float64(tr.V.astype(np.float64) @ tr.hidden[0].astype(np.float64) + tr.c)))

    return Contrast(
        names=(str(names[0]), str(names[1])),
        words=tuple(a.labels),
        start=(o0(a), o0(b)),
        outputs=(tuple(float(o) for o in a.outputs), tuple(float(o) for o in b.outputs)),
    )


def narrate_contrast(c: Contrast) -> str:
    """Two sentences: where the readings part most (how each moved there), and how each reads the whole text."""
    (na, nb), t, last = c.names, c.part, c.T
    a_t, b_t = c.outputs[0][t - 1], c.outputs[1][t - 1]
    a_end, b_end = c.outputs[0][-1], c.outputs[1][-1]
    gap = gap_shown(a_t, b_t)
    if float(gap) == 0:
        alike = f"{na} and {nb} read every word alike (to {DIGITS} decimals)"
        return f"{alike}: both end at {shown(a_end)}, {verdict(a_end)}."
    where = "the first word" if t == 1 else "the last word" if t == last else f"t = {t}"
    move_a, move_b = moved(c.before(0, t), a_t), moved(c.before(1, t), b_t)
    same_way = move_a.split()[0] == move_b.split()[0]
    head = (
        f"The two readings differ most at “{c.words[t - 1]}” ({where}), by {gap}: "
        f"{na} {move_a}{' and' if same_way else ', while'} {nb} {move_b}."
    )
    va, vb = verdict(a_end), verdict(b_end)
    if t == last:  # the numbers are already given: only the verdicts
        end = f"Both end {va}." if va == vb else f"So {na} ends {va} and {nb} {vb}."
    elif va == vb:
        end = f"After the last word both read the text as {va} ({na} {shown(a_end)}, {nb} {shown(b_end)})."
    else:
        end = f"After the last word {na} reads the text as {va} ({shown(a_end)}) and {nb} as {vb} ({shown(b_end)})."
    return f"{head} {end}"
