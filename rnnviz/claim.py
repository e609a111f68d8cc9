"""Checkable claims about one run: what an example says a model does, and what it did, in numbers.

Plain Python on a Trace (no streamlit, no torch). A claim is a small declarative value:

- `Reads("negative")`: o_T < 0.5 (at=None means the last word; `at=t` any step t, 1..T);
  `Reads("positive", goldfish=True)` the same of the goldfish run (memory wiped before every word).
- `Moves(at=9, by=-0.3)`: o_t falls by at least 0.3 at step 9 (o_9 - o_8 <= -0.3); by > 0: rises.

`check` evaluates one claim on a trace and returns an `Outcome`: whether it held, the number it
turned on, a sentence saying what happened, and for a wrong reading the step where it went wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from rnnviz.trace import Trace

Verdict = Literal["positive", "negative"]
HALF = 0.5  # o_t above reads positive, below negative (the views' line)


@dataclass(frozen=True)
class Reads:
    """o_t at step `at` (None: the last word) is on the `verdict` side of 0.5; of the goldfish run if `goldfish`."""

    verdict: Verdict
    at: int | None = None
    goldfish: bool = False

    def __post_init__(self) -> None:
        if self.verdict not in ("positive", "negative"):
            raise ValueError(f"verdict must be 'positive' or 'negative', not {self.verdict!r}")
        if self.at is not None and self.at < 1:
            raise ValueError(f"steps count from 1, not {self.at}")


@dataclass(frozen=True)
class Moves:
    """o_t changes by at least `by` at step `at` (o_at - o_{at-1}, with o_0 = 0.5): by < 0 falls, by > 0 rises."""

    at: int
    by: float

    def __post_init__(self) -> None:
        if self.at < 1:
            raise ValueError(f"steps count from 1, not {self.at}")
        if self.by == 0:
            raise ValueError("by must be non-zero: a fall (by < 0) or a rise (by > 0)")


Claim = Reads | Moves


@dataclass(frozen=True)
class Outcome:
    """What a claim found on one run."""

    claim: Claim
    held: bool
    step: int  # the step t the claim is about
    word: str  # x_t at that step, as a person reads it
    value: float  # o_t (Reads) or the change o_t - o_{t-1} (Moves)
    said: str  # what happened, in numbers (plain text)
    turn: int | None = None  # a wrong Reads: the step from which o_t stayed on the wrong side


_SUB = str.maketrans("0123456789t", "₀₁₂₃₄₅₆₇₈₉ₜ")


def sub(name: str, t: int | str) -> str:
    """o, 5 -> 'o₅' (plain Unicode, as the page writes oₜ)."""
    return f"{name}{str(t).translate(_SUB)}"


def verdict_of(o: float) -> Verdict:
    return "positive" if o >= HALF else "negative"


def _step(at: int | None, tr: Trace) -> int:
    t = tr.T if at is None else at
    if t > tr.T:
        raise ValueError(f"the claim is about step {t}, but the text has only {tr.T} words")
    return t


def _turn(outs: list[float], t: int, wrong: Verdict) -> int:
    """The first step of the last stretch, ending at t, in which o_t reads `wrong`."""
    k = t
    while k > 1 and verdict_of(outs[k - 2]) == wrong:
        k -= 1
    return k


def _furthest(tr: Trace, first: int, last: int, toward: Verdict) -> tuple[int, float]:
    """The step in first..last whose word moved o_t furthest toward `toward`, and that change."""
    outs = [HALF, *(float(o) for o in tr.outputs)]  # o_0 = 0.5: nothing read yet
    sign = -1.0 if toward == "negative" else 1.0
    j = max(range(first, last + 1), key=lambda t: sign * (outs[t] - outs[t - 1]))
    return j, outs[j] - outs[j - 1]


def check(claim: Claim, tr: Trace, goldfish: Trace | None = None) -> Outcome:
    """Evaluate `claim` on `tr` (and on `goldfish`, the forget=True run, for a goldfish claim)."""
    if isinstance(claim, Reads):
        run = tr
        if claim.goldfish:
            if goldfish is None:
                raise ValueError("a goldfish claim needs the goldfish run (rnnviz.trace(..., forget=True))")
            run = goldfish
        t = _step(claim.at, run)
        outs = [float(o) for o in run.outputs]
        o = outs[t - 1]
        held = verdict_of(o) == claim.verdict
        who = "goldfish " if claim.goldfish else ""
        said = f"{who}{sub('o', t)} = {o:.2f} at “{run.labels[t - 1]}”: {verdict_of(o)}"
        said += "" if held else f", not {claim.verdict}"
        turn = None if held else _turn(outs, t, verdict_of(o))
        return Outcome(claim, held, t, run.labels[t - 1], o, said, turn)
    t = _step(claim.at, tr)
    before = HALF if t == 1 else float(tr.outputs[t - 2])
    change = float(tr.outputs[t - 1]) - before
    held = change <= claim.by if claim.by < 0 else change >= claim.by
    now = float(tr.outputs[t - 1])
    said = f"{sub('o', 't')} moves by {change:+.2f} at “{tr.labels[t - 1]}” ({before:.2f} → {now:.2f})"
    said += "" if held else f"; it does not {'fall' if claim.by < 0 else 'rise'} by {abs(claim.by):.2f}"
    return Outcome(claim, held, t, tr.labels[t - 1], change, said)


def check_all(claims: tuple[Claim, ...], tr: Trace, goldfish: Trace | None = None) -> list[Outcome]:
    return [check(c, tr, goldfish) for c in claims]


def needs_goldfish(claims: tuple[Claim, ...]) -> bool:
    return any(isinstance(c, Reads) and c.goldfish for c in claims)


def wrong_reading(outcome: Outcome, model: str, tr: Trace) -> str:
    """One sentence for a claim that did not hold: what the model did instead, and where it went wrong."""
    if outcome.held:
        raise ValueError("the claim held: nothing went wrong")
    claim = outcome.claim
    if isinstance(claim, Reads):
        got = verdict_of(outcome.value)
        where = "at the last word" if outcome.step == tr.T else f"at “{outcome.word}” (t = {outcome.step})"
        run = "as the goldfish " if claim.goldfish else ""
        head = f"{model} {run}reads this as {got} {where} (o = {outcome.value:.2f}); the example says {claim.verdict}"
        turn = outcome.turn or outcome.step
        if turn == 1:
            return f"{head}: it reads {got} from the first word on."
        labels = tr.labels
        tail = "never recovers" if outcome.step == tr.T else f"stays {got} up to “{outcome.word}”"
        j, change = _furthest(tr, turn, outcome.step, got)
        if j == turn:
            return f"{head}: its reading turns {got} at “{labels[turn - 1]}” (t = {turn}) and {tail}."
        way = "sinks" if got == "negative" else "climbs"
        return (
            f"{head}: its reading turns {got} at “{labels[turn - 1]}” (t = {turn}), {way} furthest at "
            f"“{labels[j - 1]}” (t = {j}, {change:+.2f}) and {tail}."
        )
    way = "fall" if claim.by < 0 else "rise"
    return (
        f"{model}: at “{outcome.word}” (t = {outcome.step}) {sub('o', 't')} moves by {outcome.value:+.2f}; "
        f"the example says it should {way} by at least {abs(claim.by):.2f}."
    )
