"""The page's URL: the parameters a shared link carries, read back with a note for each odd one.

Plain Python (no streamlit). ?text=...&model=...&step=...&goldfish=0|1 (and ?tour=N, see rnnviz.app.tour;
?advanced=1 while the advanced switch is on; ?compare=MODEL while a second model reads the same sentence).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from rnnviz.app.keys import DEFAULT_MODEL, MAX_TEXT_CHARS
from rnnviz.app.messages import shorten
from rnnviz.app.presets import DEFAULT_TEXT
from rnnviz.checkpoint import SHIPPED
from rnnviz.vocab import MAX_TOKENS

PARAM_TEXT = "text"
PARAM_MODEL = "model"
PARAM_STEP = "step"
PARAM_GOLDFISH = "goldfish"
PARAMS = (PARAM_TEXT, PARAM_MODEL, PARAM_STEP, PARAM_GOLDFISH)
PARAM_TOUR = "tour"  # ?tour=N opens the guided tour at step N (parsed by rnnviz.app.tour.parse_tour)
PARAM_ADVANCED = "advanced"  # ?advanced=1: the expert terms are shown (absent while the switch is off)
PARAM_COMPARE = "compare"  # ?compare=gru-64: a second model reads the same sentence (absent while off)

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


@dataclass(frozen=True)
class ViewState:
    """Everything a shared link pins down."""

    text: str
    model: str = DEFAULT_MODEL
    step: int | None = None  # None: the last word
    goldfish: bool = False
    compare: str | None = None  # the second model reading the same sentence (None: off)


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
    unknown = [name for name in params if name not in (*PARAMS, PARAM_TOUR, PARAM_ADVANCED, PARAM_COMPARE)]
    if unknown:
        names = ", ".join(f"'{shorten(name, 24)}'" for name in unknown[:5]) + (" …" if len(unknown) > 5 else "")
        notes.append(f"The link has parameters this page does not use ({names}); ignored them.")
    repeated = [
        name for name in (*PARAMS, PARAM_COMPARE) if isinstance(params.get(name), list) and len(set(params[name])) > 1
    ]
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
    compare, compare_notes = parse_compare(params.get(PARAM_COMPARE))
    notes += compare_notes
    return ViewState(text=text, model=model, step=step, goldfish=goldfish, compare=compare), notes


def parse_compare(value: str | list[str] | None) -> tuple[str | None, list[str]]:
    """?compare=MODEL: a shipped model's name turns "Compare with" on; empty or off leaves it off; else a note."""
    raw = _first(value)
    if raw is None or raw.strip().lower() in {*_FALSE, "none"}:
        return None, []
    if raw.strip() in SHIPPED:
        return raw.strip(), []
    note = f"The link asks to compare with a model called '{shorten(raw)}', which does not exist; compare is off."
    return None, [note]


def parse_advanced(value: str | list[str] | None) -> bool:
    """?advanced=1 (or true/yes/on) turns the advanced switch on; anything else leaves it off."""
    raw = _first(value)
    return raw is not None and raw.strip().lower() in _TRUE


def share_query(view: ViewState) -> dict[str, str]:
    """The URL query parameters that reproduce `view` (always all four; compare only while it is on)."""
    query = {
        PARAM_TEXT: view.text,
        PARAM_MODEL: view.model,
        PARAM_STEP: "" if view.step is None else str(view.step),
        PARAM_GOLDFISH: "1" if view.goldfish else "0",
    }
    if view.compare is not None:
        query[PARAM_COMPARE] = view.compare
    return query


def share_link(base_url: str, view: ViewState) -> str:
    return f"{base_url.split('?')[0]}?{urlencode(share_query(view), quote_via=quote)}"


def clamp_step(step: int | None, n_steps: int) -> int:
    """A step in 1..T; None means the last word."""
    return n_steps if step is None else max(1, min(int(step), n_steps))
