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
from rnnviz.app.controls import example_controls, example_note, input_controls, page_links, step_controls, tour_controls
from rnnviz.app.custom_model import CUSTOM_MODEL
from rnnviz.app.explain import explain_section
from rnnviz.app.explorer import explorer_section
from rnnviz.app.live_charts import live_chart, play_data
from rnnviz.app.loaders import load_corpus, load_model, load_trace
from rnnviz.app.messages import nothing_to_read_note
from rnnviz.app.session import page_state, pick_step, save, start_session
from rnnviz.app.share import share_box, write_tour_url, write_url
from rnnviz.app.state import PageState

st.set_page_config(page_title="rnnviz: watch an RNN read", page_icon="🔁", layout="wide")


# -- views -----------------------------------------------------------------------------------------
def view(name: str, tr: rnnviz.Trace, step: int, **kwargs) -> None:
    st.markdown(CAPTIONS[name])
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
    live_chart(fig, key=key, on_step=functools.partial(pick_step, key), step=step, n_steps=tr.T, play=play)


def views(tr: rnnviz.Trace, step: int, compare: rnnviz.Trace | None, corpus: rnnviz.Corpus | None, link: ViewState,
          own_model: bool) -> None:  # fmt: skip
    top_left, top_right = st.columns(2, gap="medium")
    with top_left:
        view("rolled", tr, step, compare=compare)
    with top_right:
        view("positivity", tr, step, compare=compare)
    view("unrolled", tr, step, compare=compare)
    bottom_left, bottom_right = st.columns(2, gap="medium")
    with bottom_left:
        view("projection", tr, step, corpus=corpus, compare=compare)
    with bottom_right:
        share_box(link, own_model)


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
    get_trace = custom.trace if custom else functools.partial(load_trace, model_name)
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
    notes = st.container()
    corpus = None  # your own model has no map of states: the projection fits its own axes
    if custom is None:
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
    example_note(notes, custom.label if custom else model_name, tr, functools.partial(get_trace, text, True))

    state = state.step_fitted(tr.T)
    state = state.step_shown(step_controls(tr, state.step, state.playing), tr.T)
    save(state)
    link = ViewState(text=tr.text, model=link_model, step=state.step, goldfish=goldfish)  # tr: the run with memory
    views(tr, state.step, compare, corpus, link, own_model=custom is not None)
    model = (custom.digest, custom.model) if custom else (model_name, load_model(model_name))
    explain_section(tr, state.step, model, compare)  # lazy: builds its figures only while open
    if custom is None:
        explorer_section(model_name, tr, state.step, corpus=corpus)  # lazy: runs only while opened
    else:
        st.caption("“Explore the hidden state” works on the shipped models: pick one of them above to open it.")
    write_url(ViewState(text=text, model=link_model, step=state.step, goldfish=goldfish))
    save(state.link_shown())  # the link's (or the tour's) step has been shown


start_session()
tour = page_state().tour
st.title("Watch an RNN read")
st.caption(
    "A small sentiment RNN reads your sentence one word at a time. At step t it takes the word $x_t$, "
    "updates its memory $s_t$ from $s_{t-1}$ and $x_t$, and says how positive the sentence is so far, $o_t$."
)
page_links(tour)
write_tour_url(tour)
tour_controls(tour)
example_controls()
st.fragment(dashboard)()
