"""The "Touch the model" panel: rnn-2's loop weight W and the input term's scale on sliders, a W = 0 preset, a reset;
and s_t nudged by hand in the projection (any model with two hidden units), read on from there.

Only for a plain RNN with two hidden units (rnn-2), whose W is four numbers. What the reader sets lives in
this session's PageState (`touched`, `nudge`), never in the shared model (the views read an edited copy,
rnnviz.app.loaders.load_edited_model) and never in the share link.
"""

from __future__ import annotations

from typing import Any

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

import rnnviz
from rnnviz.app.live_charts import nudged_state
from rnnviz.app.loaders import load_model, trained_w
from rnnviz.app.session import do, page_state
from rnnviz.app.state import PageState, Touched, Weights
from rnnviz.trace import what_if

TOUCH_LABEL = "Touch the model: W"
TOUCH_KEY = "touch"  # the expander (open: True)
W_KEYS = {(i, j): f"touch_w{i + 1}{j + 1}" for i in range(2) for j in range(2)}  # W[i][j]'s slider
SCALE_KEY = "touch_input_scale"
ZERO_KEY = "touch_w_zero"
RESET_KEY = "touch_reset"
NUDGE_RESET_KEY = "nudge_reset"
W_LIMIT = 3.0  # the sliders run from -3 to 3 (rnn-2's trained entries lie within +-1)
SCALE_LIMITS = (0.0, 3.0)
SLIDER_STEP = 0.05

EDITED_NOTE = (
    "**Edited weights.** Every view shows {name} with your W = {w} and its input term U xₜ × {scale}, "
    "not the trained model. “Reset to the trained weights” in “Touch the model: W” brings it back; "
    "a share link opens the trained weights."
)
GOLDFISH_NOTE = (
    "W = 0: the loop weight is zero, so sₜ₋₁ never reaches sₜ and nothing is remembered. "
    "This is the goldfish: an RNN whose loop weight is zero."
)
GOLDFISH_SAME = " Its oₜ are exactly the goldfish run's of the trained model (turn the goldfish switch on to compare)."
EXPLORER_EDITED = "“Explore the hidden state” reads the trained weights: reset W in “Touch the model: W” to open it."


def touchable(name: str) -> bool:
    """Whether the shipped model `name` is a plain RNN with H = 2, whose W the panel shows."""
    config = load_model(name).config
    return config.arch == "rnn" and config.hidden == 2


def fmt(w: Weights) -> str:
    return "[" + ", ".join("[" + ", ".join(f"{v:.3f}" for v in row) + "]" for row in w) + "]"


def is_zero(w: Weights) -> bool:
    return all(v == 0 for row in w for v in row)


def edited_label(name: str, edit: Touched | None) -> str:
    """The model's name where the page names it (the example's note): with your W when edited."""
    return name if edit is None else f"{name} with your W"


def touch_note(box: DeltaGenerator, name: str, edit: Touched | None) -> None:
    """Above the views, while the weights are edited: they are, and what they are (and W = 0 is the goldfish)."""
    if edit is None:
        return
    text = EDITED_NOTE.format(name=name, w=fmt(edit.W), scale=f"{edit.input_scale:.2f}")
    if is_zero(edit.W):
        text += " " + GOLDFISH_NOTE + (GOLDFISH_SAME if edit.input_scale == 1 else "")
    box.info(text, icon=":material/tune:")


# -- the widgets -------------------------------------------------------------------------------------
def _shown(state: PageState, trained: Weights) -> tuple[Weights, float]:
    edit = state.edit
    return (edit.W, edit.input_scale) if edit is not None else (trained, 1.0)


def _show_in_sliders(state: PageState, trained: Weights) -> None:
    """Set the sliders to the state's numbers (before they are drawn: a callback, or the start of the panel)."""
    w, scale = _shown(state, trained)
    values = {key: max(-W_LIMIT, min(W_LIMIT, w[i][j])) for (i, j), key in W_KEYS.items()}
    values[SCALE_KEY] = max(SCALE_LIMITS[0], min(SCALE_LIMITS[1], scale))
    for key, value in values.items():
        if st.session_state.get(key) != value:
            st.session_state[key] = value


def _moved(name: str, i: int, j: int) -> None:
    do(PageState.set_w, i, j, st.session_state[W_KEYS[i, j]], trained_w(name))


def _scaled(name: str) -> None:
    do(PageState.set_input_scale, st.session_state[SCALE_KEY], trained_w(name))


def _preset(name: str, transition: str) -> None:
    trained = trained_w(name)
    if transition == "zero":
        do(PageState.zero_w, trained)
    else:
        do(PageState.reset_w)
    _show_in_sliders(page_state(), trained)


def touch_panel(state: PageState, name: str) -> None:
    """The panel, for rnn-2 only: W's four entries and the input scale, W = 0, reset; the numbers now and trained."""
    if not touchable(name):
        return
    box = st.expander(TOUCH_LABEL, key=TOUCH_KEY, on_change="rerun", icon=":material/tune:")
    if not box.open:  # shut: nothing built on the keystroke path
        return
    trained = trained_w(name)
    w, scale = _shown(state, trained)
    _show_in_sliders(state, trained)
    with box:
        st.caption(
            "rnn-2 has two hidden units, so its loop weight W is four numbers: sₜ = tanh(U xₜ + W sₜ₋₁ + b). "
            "Move them, or scale the word's term U xₜ, and the path, the readout's side and oₜ follow. "
            "Your weights stay on this page (a share link opens the trained model) and in your session only."
        )
        cols = st.columns(2)
        for (i, j), key in W_KEYS.items():
            cols[j].slider(
                f"W{'₁₂'[i]}{'₁₂'[j]} (row {i + 1}, column {j + 1})",
                min_value=-W_LIMIT,
                max_value=W_LIMIT,
                step=SLIDER_STEP,
                format="%.3f",
                key=key,
                on_change=_moved,
                args=(name, i, j),
                help=f"How much unit {j + 1} of sₜ₋₁ adds to unit {i + 1} of sₜ. Trained: {trained[i][j]:.3f}.",
            )
        st.slider(
            "Scale on the word's term U xₜ",
            min_value=SCALE_LIMITS[0],
            max_value=SCALE_LIMITS[1],
            step=SLIDER_STEP,
            format="× %.2f",
            key=SCALE_KEY,
            on_change=_scaled,
            args=(name,),
            help="U xₜ is multiplied by this: 1 as trained, 0 and the words are not heard (sₜ from W and b alone).",
        )
        zero, reset = st.columns(2)
        zero.button("W = 0 (the goldfish)", key=ZERO_KEY, on_click=_preset, args=(name, "zero"),
                    icon=":material/block:")  # fmt: skip
        reset.button("Reset to the trained weights", key=RESET_KEY, on_click=_preset, args=(name, "reset"),
                     icon=":material/restart_alt:", disabled=state.edit is None)  # fmt: skip
        st.caption(f"Now: W = {fmt(w)}, U xₜ × {scale:.2f}.  Trained: W = {fmt(trained)}, U xₜ × 1.")
        if is_zero(w):
            st.caption(GOLDFISH_NOTE)


# -- s_t nudged by hand --------------------------------------------------------------------------------
def nudge_picked(chart_key: str) -> None:
    """The reader left the projection's handle somewhere: that state becomes s_t of the step it was on."""
    found = nudged_state(chart_key)
    if found is not None:
        do(PageState.nudged, found[0], found[1:])


def _reset_nudge() -> None:
    do(PageState.nudge_reset)


def nudge_options(box: DeltaGenerator, state: PageState, tr: rnnviz.Trace, model: Any) -> dict[str, Any]:
    """The projection's options for nudging: a handle on s_t for two hidden units (not while playing), and the
    what-if run from the state the reader set (rnnviz.trace.what_if with the model shown); its note goes in `box`."""
    if tr.H != 2 or tr.forget or state.playing:
        return {}
    nudge = state.nudge_shown
    options: dict[str, Any] = {"nudge": True}
    if nudge is not None and len(nudge.state) == tr.H and nudge.step <= tr.T:
        options["what_if"] = what_if(model, tr, nudge.step, list(nudge.state))
    nudge_note(box, tr, options)
    return options


def nudge_note(box: DeltaGenerator, tr: rnnviz.Trace, options: dict[str, Any]) -> None:
    """Under the first views while s_t is set by hand: where, what the sentence then ends on against the real
    reading (numbers from the two runs), and the way back; else, for two hidden units, how to try it."""
    wi = options.get("what_if")
    if wi is None:
        if options.get("nudge"):
            box.caption("Drag the dotted ring on sₜ in the projection to ask: what if the memory had been elsewhere?")
        return
    t = wi.nudged_at
    real, now = tr.hidden[t], wi.hidden[t]

    def point(s: Any) -> str:
        return "(" + ", ".join(f"{v:+.2f}" for v in s) + ")"

    def reading(o: float) -> str:
        return f"{o:.3f} ({'positive' if o >= 0.5 else 'negative'})"

    sub_t = "".join("₀₁₂₃₄₅₆₇₈₉"[int(d)] for d in str(t))
    text = (
        f"**What if** s{sub_t} had been {point(now)} instead of {point(real)}? Read on from there with the same "
        f"words and weights, the sentence would end at o = {reading(wi.final)} instead of {reading(tr.final)} "
        f"(the pink dashed path in the projection)."
    )
    left, right = box.columns([4, 1], vertical_alignment="center")
    left.info(text, icon=":material/pan_tool:")
    right.button("Back to the real sₜ", key=NUDGE_RESET_KEY, on_click=_reset_nudge, icon=":material/restart_alt:")
