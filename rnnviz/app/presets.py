"""The sentences the page offers as presets, and the captions of its views.

Plain Python (no streamlit). A `Preset` is a sentence with a point to make, written on the page, and the
point as claims (rnnviz.claim) that the page checks on the reader's model and tests/app/test_presets.py on every
shipped model. The training code has its own labelled-example type (rnnviz.playground.Example).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rnnviz.claim import Claim, Moves, Reads, check_all, wrong_reading

if TYPE_CHECKING:
    from rnnviz.trace import Trace


@dataclass(frozen=True)
class Preset:
    key: str  # widget key suffix
    label: str  # button label
    text: str
    point: str  # what it shows, in the essay's terms: written on the page when the example is read
    claims: tuple[Claim, ...] = ()  # the point, checkable on any model's trace (rnnviz.claim)


Example = Preset  # the old name, kept for one release

# Every claim is checked on every shipped model by tests/app/test_presets.py, which records which hold.
EXAMPLES: tuple[Preset, ...] = (
    Preset(
        "negation",
        "Negation",
        "this movie is not good",
        "Memory: “not” pulls oₜ down, and “good” after it leaves the sentence negative; the goldfish, "
        "which reads “good” alone, says positive.",
        # "not" pulls o_t down by 0.15 at least (it was 0.25): rnn-64, trained on "not P" examples, learnt that
        # "not" alone says less (it waits for the word it negates) and moves o_t by 0.19 there.
        (Moves(4, -0.15), Reads("negative"), Reads("positive", goldfish=True)),
    ),
    Preset(
        "contrast",
        "Contrast",
        "the acting was wonderful but the plot was terrible",
        "oₜ climbs at “wonderful” and is still positive at “but”; “terrible” brings it down: the last opinion decides.",
        (Reads("positive", at=4), Reads("positive", at=5), Moves(9, -0.3), Reads("negative")),
    ),
    Preset(
        "contrast_reversed",
        "Contrast, reversed",
        "the plot was dull but the acting was wonderful",
        "The same turn the other way: oₜ falls at “dull”, and “wonderful” at the end lifts the sentence "
        "back to positive.",
        (Moves(4, -0.15), Reads("negative", at=4), Moves(9, 0.3), Reads("positive")),
    ),
    Preset(
        "alone",
        "“disgustingly” alone",
        "disgustingly",
        "One word alone reads negative here, but one word is not enough to judge a sentence (see the next example).",
        (Reads("negative"),),
    ),
    Preset(
        "in_context",
        "“disgustingly” in context",
        "the film is disgustingly good",
        "The same word after the words before it: “disgustingly” pulls oₜ below 0.5, then “good” makes "
        "the sentence positive.",
        (Reads("negative", at=4), Reads("positive")),
    ),
    Preset(
        "long",
        "Long sentence",
        "the story is warm , funny and moving , and the cast is wonderful from the first minute of the film "
        "to the last",
        "Memory over many steps: the last opinion word, “wonderful”, is 10 words before the end, and oₜ is still "
        "positive there; the goldfish, which reads only the last word, says negative.",
        (Reads("positive", at=14), Reads("positive"), Reads("negative", goldfish=True)),
    ),
)
DEFAULT_TEXT = EXAMPLES[0].text


def example_for(text: str) -> Preset | None:
    """The example whose sentence the page is reading (spaces aside), if any."""
    words = text.split()
    return next((ex for ex in EXAMPLES if ex.text.split() == words), None)


def example_report(ex: Preset, model: str, tr: Trace, goldfish: Trace | None = None) -> tuple[bool, list[str]]:
    """Whether `model` shows the example's point on this run, and what it did, as plain-text sentences.

    `tr` is the run with memory, `goldfish` the forget=True run (needed when a claim is about it).
    """
    outcomes = check_all(ex.claims, tr, goldfish)
    if all(o.held for o in outcomes):
        return True, [f"{model} shows it: " + "; ".join(o.said for o in outcomes) + "."]
    lines = [f"{model} gets this example wrong."]
    for o in outcomes:
        if not o.held:
            run = goldfish if isinstance(o.claim, Reads) and o.claim.goldfish and goldfish is not None else tr
            lines.append(wrong_reading(o, model, run))
    return False, lines


# Plain Unicode (xₜ, sₜ₋₁), not LaTeX: the captions re-render on every keystroke and KaTeX costs ~40 ms.
# One short line above each view (the first screen has little room); CAPTION_HELP says more in its tooltip.
CAPTIONS = {
    "rolled": "**The loop.** xₜ goes in, sₜ loops back, oₜ comes out.",
    "unrolled": "**Unrolled.** The same cell once per word, each copy passing sₜ on.",
    "projection": "**Projection.** sₜ as a point, one per word, from s₀.",
    "positivity": "**Positivity so far.** oₜ after each word.",
}
CAPTION_HELP = {
    "rolled": "One cell: the word xₜ goes in, the hidden state sₜ loops back into the cell for the next word, "
    "and oₜ comes out. U, W, V label the arrows.",
    "unrolled": "The same cell copied once per word, each copy passing sₜ to the next. Every copy uses the "
    "same U, W, V.",
    "projection": "The essay's other drawing: sₜ as a point in state space, one per word, starting at s₀. "
    "The background shows where the readout says positive or negative.",
    "positivity": "oₜ after each word: above 0.5 reads positive, below reads negative.",
}
GOLDFISH_CAPTION = (
    "Goldfish: the same model with its memory wiped before every word (sₜ₋₁ reset to s₀), drawn against the real run."
)
