"""The page's widgets, each drawn by a `*_controls` function that returns what the reader chose.

Streamlit only: no model, no arrays, no figures. Their callbacks apply PageState transitions (rnnviz.app.session).
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

import rnnviz
from rnnviz.app.custom_model import (
    CUSTOM_MODEL,
    HANDOFF_KEY,
    MAX_UPLOAD_MB,
    UPLOAD_KEY,
    UPLOAD_TYPES,
    CustomModel,
    UploadError,
    load_upload,
    take_handoff,
)
from rnnviz.app.focus import TOUR_BOX_KEY, tour_focus
from rnnviz.app.keys import (
    EXAMPLE_KEY_PREFIX,
    GOLDFISH_KEY,
    LIVE_DEBOUNCE,
    MODEL_KEY,
    PLAY_KEY,
    STEP_KEY,
    TEXT_KEY,
    TOUR_TARGETS,
)
from rnnviz.app.live_charts import live_readout
from rnnviz.app.messages import md_escape, md_message
from rnnviz.app.params import PARAM_ADVANCED
from rnnviz.app.presets import EXAMPLES, example_for, example_report
from rnnviz.app.session import apply, do, page_state, toggle_play, trim_text
from rnnviz.app.share import write_compare_url
from rnnviz.app.state import PageState
from rnnviz.app.tour import TOUR, TOUR_BACK_KEY, TOUR_CLOSE_KEY, TOUR_NEXT_KEY, TOUR_START_KEY
from rnnviz.claim import needs_goldfish


def tour_controls(tour: int | None) -> None:
    """The guided tour above the views, one step at a time (or the button that starts it)."""
    if not tour:
        return
    step = TOUR[tour - 1]
    if step.view:  # outline the view or section the step talks about (by its container's key), bring it into sight
        tour_focus(tour, TOUR_TARGETS[step.view])
    with st.container(border=True, key=TOUR_BOX_KEY):
        text, buttons = st.columns([4, 1], vertical_alignment="center")  # the buttons beside the text
        text.markdown(f"**Guided tour · {tour} of {len(TOUR)} · {step.title}**  \n{step.body}")
        if step.look:
            text.caption(f":material/visibility: {step.look} (outlined below)")
        with buttons.container(horizontal=True, gap="small"):
            st.button("Back", key=TOUR_BACK_KEY, icon=":material/arrow_back:", on_click=do, args=(PageState.tour_back,),
                      disabled=tour == 1)  # fmt: skip
            last = tour == len(TOUR)  # Next becomes Done, which closes the tour
            icon = ":material/check:" if last else ":material/arrow_forward:"
            st.button("Done" if last else "Next", key=TOUR_NEXT_KEY, icon=icon, type="primary", on_click=do,
                      args=(PageState.tour_next,))  # fmt: skip
            st.button("Close the tour", key=TOUR_CLOSE_KEY, on_click=do, args=(PageState.tour_closed,))


ADVANCED_KEY = "advanced"  # the advanced switch (tests import it)
# The expert terms shown with the advanced switch on, each with a plain-language tooltip.
GLOSSARY = {
    "principal components (PC1, PC2, …)": "The directions in which the states of many reviews differ the most. "
    "The projection of a 64-unit state uses the first two, so the picture keeps as much of the spread as it can.",
    "Jacobian": "How much each unit of the next state moves when one unit of the current state is nudged a little: "
    "a table of sensitivities, one row per unit.",
    "eigenvalue": "How strongly the memory stretches or shrinks a nudge along one direction, step after step: "
    "below 1 the nudge fades, above 1 it grows.",
    "norm": "The length of a list of numbers (a vector), like the length of an arrow.",
}


# Less room above the title and a smaller title: the first screen holds the text box and three views.
PAGE_STYLE = """<style>
[data-testid="stMainBlockContainer"] { padding-top: 2.75rem; }
h1 { font-size: 2rem !important; padding: 0 0 0.25rem 0 !important; }
@media (max-width: 640px) {  /* a phone: the text box and the first view share the first screen */
  h1 { font-size: 1.5rem !important; }
  .st-key-step_now { display: none; }  /* the step and its word are in every view's title too */
  .st-key-text [data-testid="stWidgetLabel"], .st-key-step [data-testid="stWidgetLabel"] { display: none; }
  .st-key-compare_picker button [data-testid="stMarkdownContainer"] { display: none; }  /* its icon beside the picker */
}
</style>"""


def page_style() -> None:
    st.html(PAGE_STYLE)  # only a style: it takes no room on the page


def top_bar(tour: int | None) -> None:
    """One compact row above the text box: examples, the tour, the advanced switch and the playground."""
    with st.container(horizontal=True, gap="small", vertical_alignment="center", key="top_bar"):
        with st.popover("Examples", icon=":material/format_list_bulleted:"):
            for ex in EXAMPLES:
                st.button(ex.label, key=EXAMPLE_KEY_PREFIX + ex.key, help=f"“{ex.text}”: {ex.point}", on_click=do,
                          args=(PageState.preset_picked, ex.text))  # fmt: skip
        if not tour:
            st.button("Take the guided tour", key=TOUR_START_KEY, icon=":material/tour:", on_click=do,
                      args=(PageState.tour_opened, 1))  # fmt: skip
        advanced_controls()
        st.page_link("pages/1_Training_playground.py", label="Training playground",
                     icon=":material/model_training:")  # fmt: skip


def advanced_controls() -> bool:
    """The advanced switch: the expert terms (and the hidden-state explorer) come and go with it."""
    state = page_state()
    if ADVANCED_KEY not in st.session_state:  # a link's ?advanced=1 sets it on the first run
        st.session_state[ADVANCED_KEY] = state.advanced
    if state.advanced:  # ?advanced=1 while the switch is on, no parameter while it is off (as ?tour=N)
        if st.query_params.get_all(PARAM_ADVANCED) != ["1"]:
            st.query_params[PARAM_ADVANCED] = "1"
    elif PARAM_ADVANCED in st.query_params:
        del st.query_params[PARAM_ADVANCED]
    return st.toggle(
        "Advanced",
        key=ADVANCED_KEY,
        on_change=lambda: do(PageState.advanced_switched, bool(st.session_state[ADVANCED_KEY])),
        help="Show the expert terms (principal components, Jacobian, eigenvalues) and the hidden-state explorer.",
    )


def glossary() -> None:
    """The expert terms on the page, one line, each with its plain-language tooltip (advanced switch on)."""
    with st.container(horizontal=True, gap="medium", key="glossary"):
        st.caption("Terms (point at one):")
        for term, plain in GLOSSARY.items():
            st.caption(f"**{term}**", help=plain)


def page_links(tour: int | None) -> None:
    """The compact bar (kept under its old name): examples, the tour's start button, the switch, the playground."""
    top_bar(tour)


def example_note(box: DeltaGenerator, model: str, tr: rnnviz.Trace, goldfish_run: Callable[[], rnnviz.Trace]) -> None:
    """When the page reads an example: its point, and whether this model shows it (checked on the trace)."""
    ex = example_for(tr.text)
    if ex is None or not ex.claims:
        return
    try:
        shown, lines = example_report(ex, model, tr, goldfish_run() if needs_goldfish(ex.claims) else None)
    except ValueError:  # a model that reads the example with other steps (your own model's vocabulary)
        return
    with box.container(border=True, key="example_note"):
        st.markdown(f"**{md_escape(ex.label)}.** {md_escape(ex.point)}")
        text = "  \n".join(md_escape(line) for line in lines)
        if shown:
            st.success(text, icon=":material/check_circle:")
        else:
            st.warning(text, icon=":material/report:")


def input_controls() -> tuple[str, str, bool]:
    """The text box, the model picker, the goldfish switch and your own model, in one row (stacked on a phone)."""
    col_text, col_rest = st.columns(2, vertical_alignment="bottom")
    with col_text:
        text = text_box()
    row = col_rest.container(horizontal=True, gap="small", vertical_alignment="bottom")  # wraps on a phone
    col_model, col_compare, col_goldfish, col_own = (row.container(width="content") for _ in range(4))
    with col_own:
        custom = own_model_controls()  # drawn after the picker, run before it: a new model joins its options
    with col_model:
        model = st.segmented_control(
            "Model",
            (*rnnviz.SHIPPED, CUSTOM_MODEL) if custom else rnnviz.SHIPPED,
            key=MODEL_KEY,
            persist_state="session",
            required=True,
            format_func=lambda name: custom.label if custom and name == CUSTOM_MODEL else name,
            help="rnn-2: the essay's 2-neuron sketch. rnn-64: 64 hidden units. gru-64, lstm-64: gated cells.",
        )
    with col_compare:
        compare_controls()
    with col_goldfish:
        goldfish = st.toggle(
            "Goldfish memory",
            key=GOLDFISH_KEY,
            persist_state="session",
            help="Wipe the memory before every word (s_{t-1} reset to s_0) and draw that run against the real one.",
        )
    return text or "", model or rnnviz.SHIPPED[0], bool(goldfish)


COMPARE_KEY = "compare"  # the "Compare with" picker (tests import it)
COMPARE_POPOVER_KEY = "compare_picker"  # its popover button beside the model picker
COMPARE_OFF = "off"
COMPARE_HELP = "Let a second model read the same sentence: both positivity curves and each model's projection."


def compare_controls() -> str | None:
    """ "Compare with": a second model reads the same sentence (off by default), in a popover beside the model picker.

    The comparison itself is drawn under the views (rnnviz.app.compare); ?compare=MODEL carries it in the URL.
    """
    state = page_state()
    if COMPARE_KEY not in st.session_state:  # a link's ?compare= sets it on the first run
        st.session_state[COMPARE_KEY] = state.compare or COMPARE_OFF
    write_compare_url(state.compare)
    label = f"Compare: {state.compare}" if state.compare else "Compare"
    with st.popover(label, icon=":material/compare_arrows:", key=COMPARE_POPOVER_KEY, help=COMPARE_HELP):
        st.segmented_control(
            "Compare with",
            (COMPARE_OFF, *rnnviz.SHIPPED),
            key=COMPARE_KEY,
            required=True,
            on_change=lambda: do(PageState.compare_picked, _compared(st.session_state.get(COMPARE_KEY))),
        )
        st.caption("Drawn under the views: both oₜ curves in one chart, each model's path in its own projection.")
    return state.compare


def _compared(value: str | None) -> str | None:
    return None if value in (None, COMPARE_OFF) else value


def text_box() -> str:
    return st.text_input(
        "Type a sentence (the views follow as you type)",
        key=TEXT_KEY,
        persist_state="session",  # kept while the playground page is open
        on_change=trim_text,  # not max_chars: the browser would drop a longer paste whole, silently
        live=LIVE_DEBOUNCE,
        placeholder="this movie is not good",
    )


def adopted(state: PageState, file_name: str, data: bytes, source: str) -> PageState:
    """Check and load a checkpoint as this session's own model, and pick it."""
    with st.spinner(f"Checking and loading {md_escape(file_name)}…"):
        try:
            return state.own_model_adopted(load_upload(file_name, data, source=source))
        except UploadError as exc:
            return state.own_model_refused(str(exc))


def own_model_controls() -> CustomModel | None:
    """'Your own model': an upload, or the playground's trained model, joins the picker for this session only."""
    state = page_state()
    if HANDOFF_KEY in st.session_state:
        try:
            state = adopted(state, *take_handoff(st.session_state.pop(HANDOFF_KEY)), source="playground")
        except UploadError as exc:
            state = state.own_model_refused(str(exc))
    box = st.popover("Your own model", icon=":material/upload_file:")
    with box:
        file = box.file_uploader(
            f"An rnnviz checkpoint (.safetensors, at most {MAX_UPLOAD_MB} MB)",
            type=list(UPLOAD_TYPES),
            key=UPLOAD_KEY,
            max_upload_size=MAX_UPLOAD_MB,
            help="Written by `python -m rnnviz.train`, or downloaded from the training playground.",
        )
        st.caption(
            "Read with weights only, never run. It joins the model picker for this browser session only: "
            "other visitors never see it, and a shared link cannot carry it."
        )
        if file is not None and state.own_file != file.file_id:
            state = adopted(state.upload_seen(file.file_id), file.name, file.getvalue(), source="upload")
        elif file is None:
            state = state.upload_seen(None)  # the upload was removed: so is the model it brought
    state = state.own_model_checked()
    apply(state, "model")  # the picker is drawn after this
    notes = st.container()  # always there, so the views below keep their places
    if state.own is not None and state.model == CUSTOM_MODEL:
        notes.caption(f"Your model: {md_escape(state.own.describe())}. Only this session sees it.")
    if state.own_error is not None:
        notes.error(f"That model cannot be used. {md_message(state.own_error)}", icon=":material/error:")
    return state.own


def step_controls(tr: rnnviz.Trace, step: int, playing: bool) -> int:
    """Play/pause, the step slider (when there are two words or more) and what step t reads; returns t."""
    row = st.container(horizontal=True, gap="medium", vertical_alignment="center")  # one row, also on a phone
    col_play, col_slider = row.container(width="content"), row.container()
    col_now = row.container(width="content", key="step_now")
    with col_play:
        st.button(  # the browser plays the words by itself; this run only sends it every step's frame
            "Pause" if playing else "Play",
            key=PLAY_KEY,
            icon=":material/pause:" if playing else ":material/play_arrow:",  # a font icon: glyphs may not draw
            on_click=toggle_play,
            args=(tr.T,),
            help="Feed the words in one at a time (or step with the ← and → keys)",
            disabled=tr.T < 2,
        )
    with col_slider:
        st.session_state[STEP_KEY] = step  # a new max_value would otherwise reset the slider
        if tr.T >= 2:
            step = st.slider("Step t", 1, tr.T, key=STEP_KEY, help="Or click a word or a point in any view")
        else:
            st.caption("Step t = 1 (one word)")
        if playing:  # the page moves the step on by itself: this bar and readout move with the views (slider hidden)
            live_readout(tr.labels, tr.outputs.tolist(), step, key="step_readout", stands_for=STEP_KEY)
            return step
    with col_now:
        word = md_escape(tr.labels[step - 1])
        o = float(tr.outputs[step - 1])
        verdict = "positive" if o >= 0.5 else "negative"
        st.markdown(f"t = {step} of {tr.T} · xₜ = **{word}** · oₜ = {o:.3f} ({verdict})")
    return step
