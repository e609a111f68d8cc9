"""What the dashboard needs besides the views: widget keys, URL parameters, examples, captions.

Plain Python (no streamlit), so tests and notebooks can import it and check it without a server.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from rnnviz.checkpoint import SHIPPED
from rnnviz.vocab import MAX_TOKENS

# Widget keys (tests import these).
TEXT_KEY = "text"
MODEL_KEY = "model"
GOLDFISH_KEY = "goldfish"
STEP_KEY = "step"
PLAY_KEY = "play"
CHART_KEYS = {
    "rolled": "chart_rolled",
    "unrolled": "chart_unrolled",
    "projection": "chart_projection",
    "positivity": "chart_positivity",
}
EXAMPLE_KEY_PREFIX = "example_"

# URL query parameters: ?text=...&model=...&step=...&goldfish=0|1
PARAM_TEXT = "text"
PARAM_MODEL = "model"
PARAM_STEP = "step"
PARAM_GOLDFISH = "goldfish"
PARAMS = (PARAM_TEXT, PARAM_MODEL, PARAM_STEP, PARAM_GOLDFISH)
PARAM_TOUR = "tour"  # ?tour=N opens the guided tour at step N (parsed by rnnviz.app.tour.parse_tour)

DEFAULT_MODEL = SHIPPED[0]
MAX_TEXT_CHARS = 2000  # a 200-token sentence is about 1,200 characters
PLAY_INTERVAL_S = 0.8  # seconds per word while playing
LIVE_DEBOUNCE = "120ms"  # the text box commits after this pause in typing


@dataclass(frozen=True)
class Example:
    key: str  # widget key suffix
    label: str  # button label
    text: str
    point: str  # what it shows, in the essay's terms


EXAMPLES: tuple[Example, ...] = (
    Example("negation", "Negation", "this movie is not good", "memory: 'not' changes how 'good' is read"),
    Example(
        "contrast",
        "Contrast",
        "the acting was wonderful but the plot was terrible",
        "o_t climbs, then 'but' turns it around",
    ),
    Example("alone", "“disgustingly” alone", "disgustingly", "one word is not enough to judge a sentence"),
    Example(
        "in_context",
        "“disgustingly” in context",
        "the film is disgustingly good",
        "the same word, read after the words before it",
    ),
    Example(
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

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&\"'=^])")
# One inline code span as our messages write it: single backticks around text without backticks.
_CODE_SPAN = re.compile(r"((?<!`)`[^`]+`(?!`))")


@dataclass(frozen=True)
class ViewState:
    """Everything a shared link pins down."""

    text: str
    model: str = DEFAULT_MODEL
    step: int | None = None  # None: the last word
    goldfish: bool = False


def md_escape(text: str) -> str:
    """User text made safe for st.markdown: every markdown, HTML and LaTeX character shown literally."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def md_message(text: str) -> str:
    """An error or note for st.markdown: its `code spans` stay code, everything else as md_escape.

    Messages such as CheckpointError's quote commands in backticks (`git checkout -- rnn-2.safetensors`).
    md_escape would show the backticks literally, and Streamlit's markdown turns a bare " -- " into
    an em dash (also -> into an arrow), so the command could no longer be copied. Inside a code span
    Streamlit changes nothing, and a code span renders its content literally: no HTML, links or math.
    """
    pieces = _CODE_SPAN.split(" ".join(text.split()))  # text, span, text, span, ..., text
    return "".join(piece if i % 2 else _MD_SPECIAL.sub(r"\\\1", piece) for i, piece in enumerate(pieces))


def shorten(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def clean_text(text: str) -> str:
    """One line of printable text: control characters and line breaks become spaces."""
    return "".join(" " if unicodedata.category(ch)[0] == "C" and ch not in "\u200b\u200c\u200d" else ch for ch in text)


def _first(value: str | list[str] | None) -> str | None:
    if isinstance(value, list):
        return value[-1] if value else None
    return value


def parse_params(params: Mapping[str, str | list[str]]) -> tuple[ViewState, list[str]]:
    """URL query parameters -> the view they ask for, plus a friendly note for each one ignored.

    A parameter given more than once (a list) counts by its last value, as browsers and Streamlit do.
    """
    notes: list[str] = []
    unknown = [name for name in params if name not in (*PARAMS, PARAM_TOUR)]
    if unknown:
        names = ", ".join(f"'{shorten(name, 24)}'" for name in unknown[:5]) + (" …" if len(unknown) > 5 else "")
        notes.append(f"The link has parameters this page does not use ({names}); ignored them.")
    repeated = [name for name in PARAMS if isinstance(params.get(name), list) and len(set(params[name])) > 1]
    if repeated:
        notes.append(f"The link gives {', '.join(repeated)} more than once; used the last value.")
    text = _first(params.get(PARAM_TEXT))
    if text is None:
        text = DEFAULT_TEXT
    text = clean_text(text)
    if len(text) > MAX_TEXT_CHARS:
        notes.append(f"The link's text is {len(text):,} characters long; kept the first {MAX_TEXT_CHARS:,}.")
        text = text[:MAX_TEXT_CHARS]

    model = _first(params.get(PARAM_MODEL))
    if model is None or model == "":
        model = DEFAULT_MODEL
    elif model not in SHIPPED:
        notes.append(
            f"The link asks for a model called '{shorten(model)}', which does not exist; showing {DEFAULT_MODEL}."
        )
        model = DEFAULT_MODEL

    step: int | None = None
    raw_step = _first(params.get(PARAM_STEP))
    if raw_step not in (None, ""):
        raw = raw_step.strip()
        if not re.fullmatch(r"[+-]?\d+", raw):
            notes.append(f"The link's step '{shorten(raw_step)}' is not a whole number; showing the last word.")
        elif len(raw) > 6 or not 1 <= int(raw) <= MAX_TOKENS:
            notes.append(f"The link's step {shorten(raw)} is outside 1..{MAX_TOKENS}; showing the last word.")
        else:
            step = int(raw)

    goldfish = False
    raw_goldfish = _first(params.get(PARAM_GOLDFISH))
    if raw_goldfish is not None:
        if raw_goldfish.strip().lower() in _TRUE:
            goldfish = True
        elif raw_goldfish.strip().lower() not in _FALSE:
            notes.append(f"The link's goldfish setting '{shorten(raw_goldfish)}' is not on/off; turned it off.")
    return ViewState(text=text, model=model, step=step, goldfish=goldfish), notes


def share_query(view: ViewState) -> dict[str, str]:
    """The URL query parameters that reproduce `view` (always all four)."""
    return {
        PARAM_TEXT: view.text,
        PARAM_MODEL: view.model,
        PARAM_STEP: "" if view.step is None else str(view.step),
        PARAM_GOLDFISH: "1" if view.goldfish else "0",
    }


def share_link(base_url: str, view: ViewState) -> str:
    return f"{base_url.split('?')[0]}?{urlencode(share_query(view), quote_via=quote)}"


def clamp_step(step: int | None, n_steps: int) -> int:
    """A step in 1..T; None means the last word."""
    return n_steps if step is None else max(1, min(int(step), n_steps))


def truncation_note(n_read: int, n_total: int, n_chars: int) -> str:
    """What the views show when the text is longer than they read (a long paste, a long link)."""
    if n_read < n_total:
        note = f"Reading the first {n_read} of {n_total:,} tokens; the views show those {n_read}."
    else:
        note = f"Reading all {n_read} tokens."
    if n_chars >= MAX_TEXT_CHARS:
        note += f" The text box keeps the first {MAX_TEXT_CHARS:,} characters of a longer text."
    return note


def token_notes(tokens: list[str], kinds: list[str]) -> list[str]:
    """Which words the model did not know whole: built from pieces, or unknown."""
    notes = []
    pieces = list(dict.fromkeys(w for w, k in zip(tokens, kinds, strict=True) if k == "pieces"))
    unknown = list(dict.fromkeys(w for w, k in zip(tokens, kinds, strict=True) if k == "unknown"))
    if pieces:
        notes.append(
            f"Not in the training vocabulary, read from their pieces: {', '.join(shorten(w, 30) for w in pieces[:12])}"
        )
    if unknown:
        notes.append(f"Unknown, read as a blank word: {', '.join(shorten(w, 30) for w in unknown[:12])}")
    return notes
