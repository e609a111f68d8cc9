"""The guided tour: the essay's ideas in order, each step a view preset plus one or two sentences.

Plain Python (no streamlit): the app draws the tour box from this data; tests check every step.
A step is linkable as `?tour=N` (N counts from 1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rnnviz.app.params import PARAM_TOUR  # noqa: F401 - re-exported: ?tour=N opens step N
from rnnviz.claim import Claim, Moves, Reads

# Widget keys (tests import these).
TOUR_START_KEY = "tour_start"
TOUR_NEXT_KEY = "tour_next"
TOUR_BACK_KEY = "tour_back"
TOUR_CLOSE_KEY = "tour_close"


@dataclass(frozen=True)
class TourStep:
    title: str
    body: str  # markdown; may use xₜ etc.
    text: str  # the sentence the views read
    model: str  # a shipped model
    step: int  # the step t shown, 1..T
    goldfish: bool = False
    look: str = ""  # where to look on the page: names the view, never a direction (the layout differs on a phone)
    view: str = ""  # what it talks about (a key of rnnviz.app.CHART_KEYS, or "explain" / "compare"): outlined
    compare: str | None = None  # a second shipped model reading the same sentence ("Compare"), or None
    claims: tuple[Claim, ...] = ()  # what the body says the model does, checked by the tests on `model`


TOUR: tuple[TourStep, ...] = (
    TourStep(
        "The goldfish that forgets",
        "A network without memory reads every word on its own. With **goldfish memory** on, the memory is "
        "wiped before each word, so “good” alone reads as positive; the real network still remembers “not” "
        "and stays negative.",
        "this movie is not good",
        "gru-64",
        5,
        goldfish=True,
        look="Compare the two lines in **Positivity so far** at the last word.",
        view="positivity",
        claims=(Reads("negative"), Reads("positive", goldfish=True)),
    ),
    TourStep(
        "The loop",
        "An RNN is one cell with a loop: the word xₜ goes in, the hidden state sₜ is passed back into "
        "the cell for the next word, and oₜ comes out. Here t = 4 and “not” is going in.",
        "this movie is not good",
        "rnn-64",
        4,
        look="Look at **The loop**. Press Play to feed the words in one at a time.",
        view="rolled",
    ),
    TourStep(
        "Unrolling",
        "Copy the cell once per word and the loop becomes a chain, each copy passing its message sₜ to the "
        "next. This 9-word sentence unrolls into a 9-layer network.",
        "the acting was wonderful but the plot was terrible",
        "rnn-64",
        9,
        look="Look at **Unrolled**, the chain of copies.",
        view="unrolled",
    ),
    TourStep(
        "Sentiment so far",
        "oₜ is how positive the sentence is *so far*, from 0.000 to 1.000. At “disgustingly” it sinks, "
        "but one word is not enough to judge a sentence: the next word, “good”, lifts it again.",
        "the film is disgustingly good",
        "gru-64",
        4,
        look="Look at **Positivity so far**, then move the step slider to 5.",
        view="positivity",
        claims=(Moves(4, -0.2), Reads("negative", at=4), Moves(5, 0.3), Reads("positive", at=5)),
    ),
    TourStep(
        "xₜ, sₜ, oₜ and the shared U, V, W",
        "xₜ is the input at step t, sₜ the hidden state computed from sₜ₋₁ and xₜ, and oₜ "
        "the output. The parameters U, W, V are the same at every step: one cell, used again and again.",
        "this movie is not good",
        "rnn-64",
        3,
        look="Point at **W** in **The loop** or on any copy in **Unrolled**: the same W lights up on every copy "
        "and on the loop, with its numbers.",
        view="rolled",
    ),
    TourStep(
        "Two neurons, drawn as a plane",
        "Another way to draw it: with two hidden neurons, sₜ is a point whose axes are those two neurons. "
        "It moves one step per word: toward positive at “wonderful”, back across the boundary at “terrible”.",
        "the acting was wonderful but the plot was terrible",
        "rnn-2",
        9,
        look="Look at the **Projection**. Click a point to select its word.",
        view="projection",
        claims=(Moves(4, 0.3), Reads("positive", at=4), Reads("positive", at=8), Reads("negative", at=9)),
    ),
    TourStep(
        "Inside one step",
        "Every step is the same small computation: the memory W sₜ₋₁ plus the word U xₜ plus b, squashed by "
        "tanh into sₜ; then oₜ = σ(V sₜ + c). With two neurons each of these is an arrow on the neurons' plane.",
        "this movie is not good",
        "rnn-2",
        4,
        look="Look at **Inside the cell at this step**, under the views: each piece with its real numbers, "
        "and a sentence from those numbers. Move the step slider and watch them change.",
        view="explain",
    ),
    TourStep(
        "What if the memory were elsewhere?",
        "sₜ is all the network carries forward. Drag the dotted ring on sₜ in the projection, and the rest "
        "of the sentence is fed in from where you put it: a dashed what-if path, with the oₜ it ends at.",
        "the plot was dull but the acting was wonderful",
        "rnn-2",
        4,
        look="Drag the dotted ring on the selected point in the **Projection**; the note under the views gives the "
        "numbers and a way back.",
        view="projection",
    ),
    TourStep(
        "Two models, one sentence",
        "A second model can read the same sentence beside the first. Here the plain 2-neuron RNN reads “this "
        "movie is not bad” as negative; the LSTM's curve is drawn with it, and a sentence from the numbers "
        "says where the two readings part most.",
        "this movie is not bad",
        "rnn-2",
        5,
        look="Look at **Compare**: both positivity curves in one chart, and each model's own projection.",
        view="compare",
        compare="lstm-64",
        claims=(Reads("negative"),),
    ),
)


def parse_tour(raw: str | list[str] | None) -> tuple[int | None, list[str]]:
    """The `tour` URL value -> the step to open (1..len(TOUR)) or None, plus a note when it was odd.

    Anything odd still opens the tour, at its first step, and says so.
    """
    if isinstance(raw, list):
        raw = raw[-1] if raw else None
    if raw is None:
        return None, []
    value = raw.strip()
    if value == "":
        return 1, []
    if not re.fullmatch(r"[+-]?\d{1,6}", value):
        shown = value if len(value) <= 24 else value[:23] + "…"
        return 1, [f"The link's tour step '{shown}' is not a whole number; the tour starts at step 1."]
    n = int(value)
    if not 1 <= n <= len(TOUR):
        return 1, [f"The tour has steps 1 to {len(TOUR)}, not {n}; it starts at step 1."]
    return n, []
