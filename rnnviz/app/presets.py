"""The sentences the page offers as presets, and the captions of its views.

Plain Python (no streamlit). A `Preset` is a sentence with a point to make; the training code has its own
labelled-example type (rnnviz.playground.Example).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Preset:
    key: str  # widget key suffix
    label: str  # button label
    text: str
    point: str  # what it shows, in the essay's terms


Example = Preset  # the old name, kept for one release

EXAMPLES: tuple[Preset, ...] = (
    Preset("negation", "Negation", "this movie is not good", "memory: 'not' changes how 'good' is read"),
    Preset(
        "contrast",
        "Contrast",
        "the acting was wonderful but the plot was terrible",
        "o_t climbs, then 'but' turns it around",
    ),
    Preset("alone", "“disgustingly” alone", "disgustingly", "one word is not enough to judge a sentence"),
    Preset(
        "in_context",
        "“disgustingly” in context",
        "the film is disgustingly good",
        "the same word, read after the words before it",
    ),
    Preset(
        "long",
        "Long sentence",
        "it starts slowly and the first hour is a dull , confusing mess , but by the end the "
        "performances are so warm and the story so moving that i forgot every complaint and "
        "walked out of the theatre smiling",
        "memory over many steps",
    ),
)
DEFAULT_TEXT = EXAMPLES[0].text

# Plain Unicode (xₜ, sₜ₋₁), not LaTeX: the captions re-render on every keystroke and KaTeX costs ~40 ms.
CAPTIONS = {
    "rolled": "**The loop.** One cell: the word xₜ goes in, the hidden state sₜ loops back "
    "into the cell for the next word, and oₜ comes out. U, W, V label the arrows.",
    "unrolled": "**Unrolled.** The same cell copied once per word, each copy passing sₜ to the "
    "next. Every copy uses the same U, W, V.",
    "projection": "**State space.** sₜ as a point, one per word, starting at s₀. The "
    "background shows where the readout says positive or negative.",
    "positivity": "**Positivity so far.** oₜ after each word: above 0.5 reads positive, below reads negative.",
}
GOLDFISH_CAPTION = (
    "Goldfish: the same model with its memory wiped before every word (sₜ₋₁ reset to s₀), drawn against the real run."
)
