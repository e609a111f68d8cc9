""" "Compare with": a second model reads the same sentence, under the views: both positivity curves in one chart,
each model's path in its own projection, and two sentences from the numbers (rnnviz.contrast).

Streamlit only: the traces come from the cached loaders, the figures from rnnviz.figures.compare.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import streamlit as st

import rnnviz
from rnnviz.app.live_charts import live_chart, play_data
from rnnviz.app.loaders import load_corpus, load_model, load_trace
from rnnviz.app.messages import md_escape, md_message
from rnnviz.app.session import pick_step
from rnnviz.app.state import PageState
from rnnviz.contrast import contrast, narrate_contrast
from rnnviz.figures.compare import model_projection_spec, pair_positivity_spec
from rnnviz.figures.frame import step_frames

COMPARE_SECTION_KEY = "compare_section"  # always on the page (empty while off), so the chain below keeps its place
COMPARE_STORY_KEY = "compare_story"  # the two sentences (browser tests find them by this key)
COMPARE_CHART_KEYS = {
    "positivity": "chart_compare_positivity",
    "shown": "chart_compare_projection",  # the model shown above
    "other": "chart_compare_other",  # the model picked in "Compare with"
}
SAME_MODEL_NOTE = "“Compare with” names {name}, the model shown above: pick another model to compare with."
OWN_AXES = (
    "Each projection has its own model's axes (its own hidden units), so read each path against its own "
    "o = 0.5 line, not one chart's positions against the other's."
)
GOLDFISH_LEFT_OUT = "Both models read with memory here; the goldfish runs are drawn in the views above only."


def compare_section(state: PageState, tr: rnnviz.Trace, label: str, corpus: rnnviz.Corpus | None) -> None:
    """The comparison of the model shown (`tr`, named `label`, its `corpus`) with state.compare, at state.step."""
    box = st.container(key=COMPARE_SECTION_KEY)
    other_name = state.compare
    if other_name is None:
        return
    with box.container(border=True):  # one framed section, apart from the views above and the chain below
        if other_name == label:  # the same trained model twice (an edited rnn-2 against the trained one is not)
            st.info(SAME_MODEL_NOTE.format(name=other_name), icon=":material/compare_arrows:")
            return
        try:
            load_model(other_name)
            other = load_trace(other_name, state.text, False)
            story = narrate_contrast(contrast(tr, other, (label, other_name)))
        except (rnnviz.CheckpointError, ValueError) as exc:
            note = f"{other_name} cannot be compared here: {md_message(str(exc))}"
            st.warning(note, icon=":material/compare_arrows:")
            return
        st.markdown(
            f"**Compare.** {md_escape(label)} and {md_escape(other_name)} read the same sentence: "
            "both positivity curves in one chart, and each model's path in its own projection."
        )
        st.container(key=COMPARE_STORY_KEY).markdown(md_escape(story))
        if state.goldfish:
            st.caption(GOLDFISH_LEFT_OUT)
        other_corpus = _corpus(other_name)
        names = (label, other_name)
        left, middle, right = st.columns(3, gap="small")
        with left:
            _chart("positivity", pair_positivity_spec, tr, state, other=other, names=names)
        with middle:
            _chart("shown", model_projection_spec, tr, state, name=label, corpus=corpus, advanced=state.advanced)
        with right:
            _chart("other", model_projection_spec, other, state, name=other_name, corpus=other_corpus,
                   advanced=state.advanced)  # fmt: skip
        st.caption(OWN_AXES)


def _corpus(name: str) -> rnnviz.Corpus | None:
    """The model's map of states, or None (its projection then fits its own axes, as the main view does)."""
    try:
        return load_corpus(name)
    except rnnviz.CheckpointError:
        return None


def _chart(role: str, build: Callable[..., Any], tr: rnnviz.Trace, state: PageState, **options: Any) -> None:
    """One chart of the comparison, at the page's step; it plays along with the views and a click picks a step."""
    key, step, play = COMPARE_CHART_KEYS[role], state.step, None
    try:
        if state.playing:
            spec, frames = step_frames(build, tr, step, **options)
            play = play_data(frames, step, state.play_started)
        else:
            spec = build(tr, step, **options)
    except Exception as exc:  # one broken chart must not take the page down
        st.error(f"This view could not be drawn ({type(exc).__name__}: {md_escape(str(exc))}).")
        return
    live_chart(spec, key=key, on_step=functools.partial(pick_step, key), step=step, n_steps=tr.T, play=play)
