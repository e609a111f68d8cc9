"""The explainer panel under the views: the selected step's update with its numbers, told in a sentence, and the
shared parameters, in an expander whose tabs build their figures only while they are open."""

from __future__ import annotations

from typing import Any

import streamlit as st

import rnnviz
from rnnviz.app.live_charts import live_chart
from rnnviz.app.messages import md_escape
from rnnviz.cell import CellParams, cell_params
from rnnviz.figures.step import step_spec
from rnnviz.figures.style import clamp_step
from rnnviz.figures.weights import weight_spec
from rnnviz.narrate import narrate, step_story

EXPLAIN_KEY = "explain"  # the expander
EXPLAIN_LABEL = "Inside the cell at this step"
EXPLAIN_TABS_KEY = "explain_tabs"
EXPLAIN_TABS = ("One step, with its numbers", "The shared parameters U, W, V, b, c")
STEP_CHART_KEY = "chart_step"
WEIGHTS_CHART_KEY = "chart_weights"
EXPLAIN_CHARTS = frozenset({STEP_CHART_KEY, WEIGHTS_CHART_KEY})  # the panel's live charts, beside the four views
STORY_CLASS = "rnnviz-story"  # the sentence's container (browser tests find it by this key)

STEP_CAPTION = (
    "Each column is one vector of this step, one cell per hidden unit (point at a cell for its number): "
    "blue is negative, orange positive, grey near 0; gates run from grey (shut, 0) to pink (open, 1), and a gate's "
    "cell tells what it received: $Ux_t$, $Ws_{t-1}$ and $b$. "
    "Pick another step with the slider, or click a copy in the unrolled chain."
)
WEIGHTS_CAPTION = (
    "These same matrices are used at every step: every copy of the cell in the unrolled chain, and the loop, "
    "multiply by this one W, this one U and this one V. U has one row per unit (and gate) and one column per "
    "embedding dimension, numbers with no meaning of their own, so it is shown compactly as the length of each "
    "row: how strongly that unit listens to the word. b is the bias the cell adds (PyTorch's two biases summed)."
)


@st.cache_resource(max_entries=len(rnnviz.SHIPPED) + 4, show_spinner=False)
def load_cell_params(key: str, _model: Any) -> CellParams:
    """The model's cell as numpy arrays, copied once per model (`key`: its name, or an own model's digest)."""
    return cell_params(_model)


def explain_section(tr: rnnviz.Trace, step: int, model: tuple[str, Any], compare: rnnviz.Trace | None = None) -> None:
    """The panel: a sentence from the numbers above the step's figure; the parameters in the second tab.

    `model` is (its cache key: name or own model's digest, the loaded model). Nothing is built unless the
    expander (and that tab) is open. `compare` is the goldfish run, told too.
    """
    box = st.expander(EXPLAIN_LABEL, key=EXPLAIN_KEY, expanded=True, on_change="rerun",
                      icon=":material/function:")  # fmt: skip
    if not box.open:
        return
    params = load_cell_params(*model)
    with box:
        step_tab, weights_tab = st.tabs(EXPLAIN_TABS, key=EXPLAIN_TABS_KEY, on_change="rerun")
        if step_tab.open:
            with step_tab:
                step_panel(tr, step, params, compare)
        if weights_tab.open:
            with weights_tab:
                st.caption(WEIGHTS_CAPTION)
                chart(weight_spec, params, key=WEIGHTS_CHART_KEY)


def step_panel(tr: rnnviz.Trace, step: int, params: CellParams, compare: rnnviz.Trace | None) -> None:
    step = clamp_step(tr, step)
    story = st.container(key=STORY_CLASS)
    try:
        story.markdown(md_escape(narrate(step_story(tr, step, params))))
        if compare is not None:
            story.markdown("Goldfish: " + md_escape(narrate(step_story(compare, step, params))))
    except Exception as exc:  # the sentence must not take the figure down
        story.error(f"This step could not be told ({type(exc).__name__}: {md_escape(str(exc))}).")
    chart(step_spec, tr, step, params, key=STEP_CHART_KEY)
    st.caption(STEP_CAPTION)


def chart(build: Any, *args: Any, key: str) -> None:
    try:
        spec = build(*args)
    except Exception as exc:  # one broken view must not take the others down
        st.error(f"This view could not be drawn ({type(exc).__name__}: {md_escape(str(exc))}).")
        return
    live_chart(spec, key=key)
