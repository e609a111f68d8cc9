"""rnnviz dashboard: watch a sentiment RNN read a sentence, word by word.

Run with `streamlit run streamlit_app.py`. Wiring only: page config -> cached loaders -> controls ->
trace -> views. The model runs in rnnviz.trace, the views are drawn by rnnviz.figures, the widgets by
rnnviz.app.controls, and the page's state is one PageState (rnnviz.app.state) kept by rnnviz.app.session.
"""

from __future__ import annotations

import functools
import os

# Tiny arrays: one thread each (two gave 40x worse tail latency). Set before numpy's BLAS starts.
os.environ.setdefault("OMP_NUM_THREADS", "1")

import streamlit as st

import rnnviz
import rnnviz.figures as F  # noqa: N812 - short name for the views
from rnnviz.app import (
    CAPTIONS,
    CHART_KEYS,
    DEFAULT_MODEL,
    GOLDFISH_CAPTION,
    MAX_TEXT_CHARS,
    ViewState,
    md_escape,
    md_message,
    token_notes,
    truncation_note,
)
from rnnviz.app.compare import compare_section
from rnnviz.app.controls import (
    example_note,
    glossary,
    input_controls,
    page_style,
    step_controls,
    top_bar,
    tour_controls,
)
from rnnviz.app.custom_model import CUSTOM_MODEL
from rnnviz.app.explain import explain_section
from rnnviz.app.explorer import explorer_section
from rnnviz.app.live_charts import live_chart, play_data
from rnnviz.app.loaders import load_corpus, load_model, shown_model, trace_loader
from rnnviz.app.messages import nothing_to_read_note
from rnnviz.app.presets import CAPTION_HELP
from rnnviz.app.session import page_state, pick_step, save, start_session
from rnnviz.app.share import share_box, write_tour_url, write_url
from rnnviz.app.state import PageState
from rnnviz.app.touch import EXPLORER_EDITED, edited_label, nudge_options, nudge_picked, touch_note, touch_panel

st.set_page_config(page_title="rnnviz: watch an RNN read", page_icon="🔁", layout="wide")


# -- views -----------------------------------------------------------------------------------------
def view(name: str, tr: rnnviz.Trace, step: int, **kwargs) -> None:
    with st.container(key=f"view_{name}"):  # the tour outlines the view it talks about by this key
        one_view(name, tr, step, **kwargs)


def one_view(name: str, tr: rnnviz.Trace, step: int, **kwargs) -> None:
    st.markdown(CAPTIONS[name], help=CAPTION_HELP[name])
    state, play = page_state(), None
    try:  # plain dicts: no Plotly objects on the keystroke path; every step's frame only while playing
        if state.playing:
            fig, frames = F.step_frames(F.SPECS[name], tr, step, **kwargs)
            play = play_data(frames, step, state.play_started)
        else:
            fig = F.SPECS[name](tr, step, **kwargs)
    except Exception as exc:  # one broken view must not take the others down
        st.error(f"This view could not be drawn ({type(exc).__name__}: {md_escape(str(exc))}).")
        return
    key = CHART_KEYS[name]
    live_chart(fig, key=key, on_step=functools.partial(pick_step, key), step=step, n_steps=tr.T, play=play,
               on_nudge=functools.partial(nudge_picked, key))  # fmt: skip


def views(row: st.delta_generator.DeltaGenerator, tr: rnnviz.Trace, step: int, compare: rnnviz.Trace | None,
          corpus: rnnviz.Corpus | None, advanced: bool, nudge: dict) -> None:  # fmt: skip
    """Three views side by side on the first screen (stacked on a phone, the loop first), the chain below."""
    with row:
        left, middle, right = st.columns(3, gap="small")
        with left:
            view("rolled", tr, step, compare=compare)
        with middle:
            view("positivity", tr, step, compare=compare)
        with right:
            view("projection", tr, step, corpus=corpus, compare=compare, advanced=advanced, **nudge)
    view("unrolled", tr, step, compare=compare)


# -- the page --------------------------------------------------------------------------------------
def dashboard() -> None:
    input_controls()
    notes_box = st.container()
    try:
        show(page_state())
    finally:
        # Notes about an odd link stay above the views until the reader changes the text or model
        # (reruns that change nothing, such as the URL being tidied, must not wipe them).
        state, notes = page_state().link_notes()
        save(state)
        for note in notes:
            notes_box.info(md_escape(note), icon=":material/link:")


def show(state: PageState) -> None:
    text, model_name, goldfish = state.text, state.model, state.goldfish
    custom = state.own if model_name == CUSTOM_MODEL else None
    link_model = DEFAULT_MODEL if custom else model_name  # a link cannot carry this session's own model
    edit = None if custom else state.edit  # rnn-2's W as this reader set it: this session's only, not in the link
    get_trace = custom.trace if custom else trace_loader(model_name, edit)
    if custom is None:
        try:
            load_model(model_name)
        except rnnviz.CheckpointError as exc:
            st.error(f"Model {model_name} is not available: {md_message(str(exc))} Pick another model above.")
            write_url(ViewState(text=text, model=model_name, goldfish=goldfish))
            return
    try:
        tr = get_trace(text, False)
    except ValueError as exc:  # nothing to read: one note of the page's own (the trace's would say it twice)
        st.info(md_escape(str(exc)) if rnnviz.tokenize(text) else nothing_to_read_note(text), icon=":material/edit:")
        write_url(ViewState(text=text, model=link_model, goldfish=goldfish))
        return
    compare = get_trace(text, True) if goldfish else None
    # Notes that come and go while the reader types live in one container that is always there: an element
    # appearing above the views would shift their places on the page, and Streamlit would remount every chart.
    # It sits under the first row of views, so the first screen keeps them in view.
    steps_box, row = st.container(), st.container()
    notes = st.container()
    corpus = None  # your own model has no map of states, nor has an edited W: the projection fits its own axes
    if custom is None and edit is None:
        try:
            corpus = load_corpus(model_name)
        except rnnviz.CheckpointError as exc:  # the views still draw; the projection falls back to its own axes
            notes.warning(md_message(str(exc)), icon=":material/broken_image:")
    if tr.truncated or len(text) >= MAX_TEXT_CHARS:
        notes.warning(truncation_note(tr.T, tr.n_tokens_total, len(text)), icon=":material/content_cut:")
    for note in token_notes(tr.tokens, tr.kinds):
        notes.caption(md_escape(note))
    if goldfish:
        notes.caption(GOLDFISH_CAPTION)
    touch_note(notes, model_name, edit)
    label = custom.label if custom else edited_label(model_name, edit)  # never the trained model's name when edited
    example_note(notes, label, tr, functools.partial(get_trace, text, True))

    state = state.step_fitted(tr.T)
    with steps_box:
        state = state.step_shown(step_controls(tr, state.step, state.playing), tr.T)
    save(state)
    compare_section(state, tr, label, corpus)  # "Compare with": a second model, between the first row and the chain
    model = (custom.digest, custom.model) if custom else shown_model(model_name, edit)
    nudge = nudge_options(notes, state, tr, model[1])  # s_t set by hand in the projection (two hidden units)
    views(row, tr, state.step, compare, corpus, state.advanced, nudge)
    if custom is None:
        touch_panel(state, model_name)
    explain_section(tr, state.step, model, compare)  # lazy: builds its figures only while open
    if not state.advanced:
        st.caption("Switch **Advanced** on for the hidden-state explorer and the expert terms.")
    elif custom is None and edit is None:
        glossary()
        explorer_section(model_name, tr, state.step, corpus=corpus)  # lazy: runs only while opened
    elif edit is not None:
        st.caption(EXPLORER_EDITED)
    else:
        glossary()
        st.caption("“Explore the hidden state” works on the shipped models: pick one of them above to open it.")
    share_box(ViewState(tr.text, link_model, state.step, goldfish, state.compare), custom is not None)
    write_url(ViewState(text=text, model=link_model, step=state.step, goldfish=goldfish))
    save(state.link_shown())  # the link's (or the tour's) step has been shown


start_session()
tour = page_state().tour
page_style()
st.title("Watch an RNN read")
st.caption("A small sentiment RNN reads your sentence word by word: xₜ in, memory sₜ from sₜ₋₁ and xₜ, oₜ out.")
top_bar(tour)
write_tour_url(tour)
tour_controls(tour)
st.fragment(dashboard)()
