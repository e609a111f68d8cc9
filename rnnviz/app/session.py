"""Where the page keeps its PageState between runs, and the callbacks that apply its transitions.

One session key holds the state; the widgets (text box, model picker, goldfish switch, step slider)
hold their own fields under their keys, so `page_state()` reads those back and `apply()` writes a
changed field to its widget. Callbacks run before the script, so they may set widget values.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import streamlit as st

from rnnviz.app.keys import GOLDFISH_KEY, MODEL_KEY, STEP_KEY, TEXT_KEY
from rnnviz.app.live_charts import clicked_step
from rnnviz.app.state import PageState

STATE_KEY = "_page_state"  # session state: this reader's PageState
_WIDGETS = {"text": TEXT_KEY, "model": MODEL_KEY, "goldfish": GOLDFISH_KEY, "step": STEP_KEY}


def start_session() -> None:
    """The first run of a session: the state the link asks for (later runs keep theirs)."""
    if STATE_KEY not in st.session_state:
        apply(PageState.from_link({name: st.query_params.get_all(name) for name in st.query_params}))


def page_state() -> PageState:
    """This session's state, with the values its widgets hold now."""
    ss = st.session_state
    return ss[STATE_KEY].with_controls(ss.get(TEXT_KEY), ss.get(MODEL_KEY), ss.get(GOLDFISH_KEY), ss.get(STEP_KEY))


def save(state: PageState) -> None:
    """Keep `state` for the next run (its widgets already show it)."""
    st.session_state[STATE_KEY] = state


def apply(state: PageState, *fields: str) -> None:
    """Keep `state` and set the widgets whose values it changed (before they are drawn in this run).

    `fields` limits which widgets may be set (a widget already drawn in this run may not be).
    """
    for field in fields or _WIDGETS:
        key, value = _WIDGETS[field], getattr(state, field)
        if key not in st.session_state or st.session_state[key] != value:
            st.session_state[key] = value
    save(state)


def do(transition: Callable[..., PageState], *args: object) -> None:
    """A callback: apply `transition(page_state(), *args)` (e.g. `on_click=do, args=(PageState.tour_next,)`)."""
    apply(transition(page_state(), *args))


def trim_text() -> None:
    """A paste longer than the box holds: keep its start (the note under the box says so)."""
    do(PageState.typed, st.session_state.get(TEXT_KEY) or "")


def pick_step(chart_key: str) -> None:
    """A click on a word or point: the chart reports the step t its customdata starts with."""
    do(PageState.step_picked, clicked_step(chart_key))


def toggle_play(n_steps: int) -> None:
    do(PageState.play_toggled, n_steps, time.monotonic())
