"""rnnviz dashboard: watch a sentiment RNN read a sentence, word by word.

Run with `streamlit run streamlit_app.py`. Wiring only: page config -> cached loaders -> controls ->
trace -> views. The model runs in rnnviz.trace, the views are drawn by rnnviz.figures.
"""

from __future__ import annotations

import functools
import os
import time

# Tiny arrays: one thread each (two gave 40x worse tail latency). Set before numpy's BLAS starts, and for
# torch, which only the explorer's analysis imports (rnnviz.app.explorer sets its threads as well).
os.environ.setdefault("OMP_NUM_THREADS", "1")

import streamlit as st

import rnnviz
import rnnviz.figures as F  # noqa: N812 - short name for the views
from rnnviz.app import (
    CAPTIONS,
    CHART_KEYS,
    DEFAULT_MODEL,
    EXAMPLE_KEY_PREFIX,
    EXAMPLES,
    GOLDFISH_CAPTION,
    GOLDFISH_KEY,
    LIVE_DEBOUNCE,
    MAX_TEXT_CHARS,
    MODEL_KEY,
    PLAY_INTERVAL_S,
    PLAY_KEY,
    STEP_KEY,
    TEXT_KEY,
    ViewState,
    clamp_step,
    md_escape,
    md_message,
    parse_params,
    share_link,
    share_query,
    token_notes,
    truncation_note,
)
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
from rnnviz.app.explorer import explorer_section
from rnnviz.app.live_charts import clicked_step, live_chart
from rnnviz.app.tour import PARAM_TOUR, TOUR, TOUR_BACK_KEY, TOUR_CLOSE_KEY, TOUR_NEXT_KEY, TOUR_START_KEY, parse_tour

# Session-only state (not widgets).
_STARTED = "_started"
_URL_NOTES = "_url_notes"
_URL_NOTES_FOR = "_url_notes_for"  # (text, model) the link's notes are about
_URL_STEP = "_url_step"
_PLAYING = "_playing"
_LAST_TICK = "_last_tick"
_LAST_RUN = "_last_run"  # (model, text, T, step) of the previous run
_CUSTOM = "_custom_model"  # this session's own model (a CustomModel), never shared with other sessions
_CUSTOM_FILE = "_custom_file"  # the upload it came from (file_id)
_CUSTOM_ERROR = "_custom_error"  # why the last upload could not be used
_TOUR = "_tour"  # the open tour step, 1..len(TOUR), or None

st.set_page_config(page_title="rnnviz: watch an RNN read", page_icon="🔁", layout="wide")


# -- cached loaders -------------------------------------------------------------------------------
@st.cache_resource(max_entries=len(rnnviz.SHIPPED), show_spinner="Loading the model (once per server)…")
def load_model(name: str) -> rnnviz.NumpyRNN:
    """Shared by every session; never changed after loading. Numpy only: the page never imports torch."""
    return rnnviz.load_inference_model(name)


@st.cache_data(max_entries=512, show_spinner=False)
def load_trace(name: str, text: str, forget: bool) -> rnnviz.Trace:
    return rnnviz.trace(load_model(name), text, forget=forget)


@st.cache_resource(max_entries=len(rnnviz.SHIPPED), show_spinner="Loading the model's map of states (once)…")
def load_corpus(name: str) -> rnnviz.Corpus:
    """Shared by every session like the model (read-only arrays), not copied on every keystroke."""
    return rnnviz.load_corpus(name).read_only()


# -- state from the URL, once per session -----------------------------------------------------------
def start_session() -> None:
    if _STARTED in st.session_state:
        return
    view, notes = parse_params({name: st.query_params.get_all(name) for name in st.query_params})
    st.session_state[TEXT_KEY] = view.text
    st.session_state[MODEL_KEY] = view.model
    st.session_state[GOLDFISH_KEY] = view.goldfish
    st.session_state[_URL_STEP] = view.step
    st.session_state[_URL_NOTES] = notes
    st.session_state[_PLAYING] = False
    tour_step, tour_notes = parse_tour(st.query_params.get_all(PARAM_TOUR) or None)
    notes.extend(tour_notes)
    if tour_step is not None:
        go_tour(tour_step)  # the tour step's view wins over the link's text, model, step and switch
    st.session_state[_STARTED] = True


# -- callbacks (run before the script, so they may set widget values) -------------------------------
def trim_text() -> None:
    """A paste longer than the box holds: keep its start (the note under the box says so)."""
    text = st.session_state.get(TEXT_KEY) or ""
    if len(text) > MAX_TEXT_CHARS:
        st.session_state[TEXT_KEY] = text[:MAX_TEXT_CHARS]


def use_example(text: str) -> None:
    st.session_state[TEXT_KEY] = text
    st.session_state[STEP_KEY] = None  # show the whole sentence
    st.session_state[_PLAYING] = False


def pick_step(chart_key: str) -> None:
    """A click on a word or point: the chart reports the step t its customdata starts with."""
    step = clicked_step(chart_key)
    if step is None:
        return
    st.session_state[STEP_KEY] = step
    st.session_state[_PLAYING] = False


def go_tour(n: int) -> None:
    """Open tour step n (1-based) and set the views up for it."""
    tour = TOUR[n - 1]
    st.session_state[_TOUR] = n
    st.session_state[TEXT_KEY] = tour.text
    st.session_state[MODEL_KEY] = tour.model
    st.session_state[GOLDFISH_KEY] = tour.goldfish
    st.session_state[STEP_KEY] = tour.step
    st.session_state[_URL_STEP] = tour.step  # wins over "stay at the end while the sentence changes"
    st.session_state.setdefault(_URL_NOTES, [])
    st.session_state[_PLAYING] = False


def close_tour() -> None:
    st.session_state[_TOUR] = None


def toggle_play(n_steps: int) -> None:
    playing = not st.session_state.get(_PLAYING, False)
    st.session_state[_PLAYING] = playing
    if playing:
        if (st.session_state.get(STEP_KEY) or n_steps) >= n_steps:
            st.session_state[STEP_KEY] = 1
        st.session_state[_LAST_TICK] = time.monotonic()


# -- controls --------------------------------------------------------------------------------------
def example_controls() -> None:
    st.caption("Try an example:")
    with st.container(horizontal=True, gap="small"):
        for ex in EXAMPLES:
            st.button(
                ex.label,
                key=EXAMPLE_KEY_PREFIX + ex.key,
                help=f"“{ex.text}”: {ex.point}",
                on_click=use_example,
                args=(ex.text,),
            )


def input_controls() -> tuple[str, str, bool]:
    text = st.text_input(
        "Type a sentence (the views follow as you type)",
        key=TEXT_KEY,
        persist_state="session",  # kept while the playground page is open
        on_change=trim_text,  # not max_chars: the browser would drop a longer paste whole, silently
        live=LIVE_DEBOUNCE,
        placeholder="this movie is not good",
    )
    col_model, col_goldfish = st.columns([1, 1], vertical_alignment="bottom")
    custom = own_model_controls()  # drawn below the picker, run before it: a new model joins its options
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
    with col_goldfish:
        goldfish = st.toggle(
            "Goldfish memory",
            key=GOLDFISH_KEY,
            persist_state="session",
            help="Wipe the memory before every word (s_{t-1} reset to s_0) and draw that run against the real one.",
        )
    return text or "", model or rnnviz.SHIPPED[0], bool(goldfish)


def adopt_model(file_name: str, data: bytes, source: str) -> None:
    """Check and load a checkpoint as this session's own model, and pick it."""
    with st.spinner(f"Checking and loading {md_escape(file_name)}…"):
        try:
            custom = load_upload(file_name, data, source=source)
        except UploadError as exc:
            st.session_state[_CUSTOM_ERROR] = str(exc)
            return
    st.session_state.pop(_CUSTOM_ERROR, None)
    st.session_state[_CUSTOM] = custom
    st.session_state[MODEL_KEY] = CUSTOM_MODEL


def own_model_controls() -> CustomModel | None:
    """'Your own model': an upload, or the playground's trained model, joins the picker for this session only."""
    if HANDOFF_KEY in st.session_state:
        try:
            adopt_model(*take_handoff(st.session_state.pop(HANDOFF_KEY)), source="playground")
        except UploadError as exc:
            st.session_state[_CUSTOM_ERROR] = str(exc)
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
        if file is not None and st.session_state.get(_CUSTOM_FILE) != file.file_id:
            st.session_state[_CUSTOM_FILE] = file.file_id
            adopt_model(file.name, file.getvalue(), source="upload")
        elif file is None and st.session_state.pop(_CUSTOM_FILE, None) is not None:
            st.session_state.pop(_CUSTOM_ERROR, None)  # the upload was removed: so is the model it brought
            if getattr(st.session_state.get(_CUSTOM), "source", None) == "upload":
                st.session_state.pop(_CUSTOM)
    custom: CustomModel | None = st.session_state.get(_CUSTOM)
    if custom is None and st.session_state.get(MODEL_KEY) == CUSTOM_MODEL:
        st.session_state[MODEL_KEY] = DEFAULT_MODEL
    notes = st.container()  # always there, so the views below keep their places (see show)
    if custom is not None and st.session_state.get(MODEL_KEY) == CUSTOM_MODEL:
        notes.caption(f"Your model: {md_escape(custom.describe())}. Only this session sees it.")
    if _CUSTOM_ERROR in st.session_state:
        why = md_message(st.session_state[_CUSTOM_ERROR])
        notes.error(f"That model cannot be used. {why}", icon=":material/error:")
    return custom


def current_step(model: str, text: str, n_steps: int) -> int:
    """The selected step: from the link on first load, kept while reading, at the end while typing."""
    # Read here, dropped once a run has drawn the views (show): a run cut short by a newer event (a click,
    # the text box committing) must leave the step for the run that replaces it.
    url_step = st.session_state.get(_URL_STEP)
    if url_step is not None:
        note = f"The link's step {url_step} is past the last word ({n_steps}); showing the last word."
        if url_step > n_steps and note not in st.session_state[_URL_NOTES]:
            st.session_state[_URL_NOTES].append(note)
        return clamp_step(url_step, n_steps)
    step = st.session_state.get(STEP_KEY)
    last = st.session_state.get(_LAST_RUN)
    if last is not None and (last[0], last[1]) != (model, text) and last[3] == last[2]:
        step = None  # the step was at the end: stay there as the sentence grows
    return clamp_step(step, n_steps)


def step_controls(tr: rnnviz.Trace, step: int) -> int:
    col_play, col_slider, col_now = st.columns([1, 5, 3], vertical_alignment="center")
    playing = st.session_state.get(_PLAYING, False)
    with col_play:
        if st.button(
            "⏸ Pause" if playing else "▶ Play",
            key=PLAY_KEY,
            on_click=toggle_play,
            args=(tr.T,),
            help="Feed the words in one at a time",
            disabled=tr.T < 2,
        ):
            st.rerun()  # start or stop the timer, which only a full run can change
    with col_slider:
        if tr.T >= 2:
            st.session_state[STEP_KEY] = step  # a new max_value would otherwise reset the slider
            step = st.slider("Step t", 1, tr.T, key=STEP_KEY, help="Or click a word or a point in any view")
        else:
            st.session_state[STEP_KEY] = step
            st.caption("Step t = 1 (one word)")
    with col_now:
        word = md_escape(tr.labels[step - 1])
        o = float(tr.outputs[step - 1])
        verdict = "positive" if o >= 0.5 else "negative"
        st.markdown(f"t = {step} of {tr.T} · xₜ = **{word}** · oₜ = {o:.3f} ({verdict})")
    return step


# -- views -----------------------------------------------------------------------------------------
def view(name: str, *args, **kwargs) -> None:
    st.markdown(CAPTIONS[name])
    try:
        fig = F.SPECS[name](*args, **kwargs)  # plain dicts: no Plotly objects on the keystroke path
    except Exception as exc:  # one broken view must not take the others down
        st.error(f"This view could not be drawn ({type(exc).__name__}: {md_escape(str(exc))}).")
        return
    key = CHART_KEYS[name]
    live_chart(fig, key=key, on_step=functools.partial(pick_step, key))


def views(tr: rnnviz.Trace, step: int, compare: rnnviz.Trace | None, corpus: rnnviz.Corpus | None) -> None:
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
        share_box(tr, step)


def share_box(tr: rnnviz.Trace, step: int) -> None:
    st.markdown(
        "**Share this view.** The address bar always holds the sentence, model, step and switch; copy it or this link:"
    )
    model = tr.model_name
    if st.session_state.get(MODEL_KEY) == CUSTOM_MODEL:
        model = DEFAULT_MODEL
        st.caption(f"Your own model cannot travel in a link: this link opens the same sentence with {model}.")
    goldfish = bool(st.session_state.get(GOLDFISH_KEY))  # tr is the run with memory; the switch says goldfish
    view_state = ViewState(text=tr.text, model=model, step=step, goldfish=goldfish)
    st.code(share_link(st.context.url or "http://localhost:8501/", view_state), language=None, wrap_lines=True)


def write_url(view_state: ViewState) -> None:
    for name, value in share_query(view_state).items():
        if st.query_params.get_all(name) != [value]:  # also folds a repeated key into one
            st.query_params[name] = value


# -- the page --------------------------------------------------------------------------------------
def tour_box() -> None:
    """The guided tour above the views, one step at a time; the address bar holds ?tour=N."""
    n = st.session_state.get(_TOUR)
    if not n:
        if PARAM_TOUR in st.query_params:
            del st.query_params[PARAM_TOUR]
        return
    if st.query_params.get_all(PARAM_TOUR) != [str(n)]:
        st.query_params[PARAM_TOUR] = str(n)
    tour = TOUR[n - 1]
    with st.container(border=True, key="tour_box"):
        st.markdown(f"**Guided tour · {n} of {len(TOUR)} · {tour.title}**")
        st.markdown(tour.body)
        if tour.look:
            st.caption(tour.look)
        with st.container(horizontal=True, gap="small"):
            st.button("Back", key=TOUR_BACK_KEY, icon=":material/arrow_back:", on_click=go_tour, args=(n - 1,),
                      disabled=n == 1)  # fmt: skip
            if n < len(TOUR):
                st.button("Next", key=TOUR_NEXT_KEY, icon=":material/arrow_forward:", type="primary",
                          on_click=go_tour, args=(n + 1,))  # fmt: skip
            else:
                st.button("Done", key=TOUR_NEXT_KEY, icon=":material/check:", type="primary", on_click=close_tour)
            st.button("Close the tour", key=TOUR_CLOSE_KEY, on_click=close_tour)


def dashboard() -> None:
    text, model_name, goldfish = input_controls()
    notes_box = st.container()
    try:
        show(text, model_name, goldfish)
    finally:
        # Notes about an odd link stay above the views until the reader changes the text or model
        # (reruns that change nothing, such as the URL being tidied, must not wipe them).
        seen = st.session_state.setdefault(_URL_NOTES_FOR, (text, model_name))
        if seen == (text, model_name):
            for note in st.session_state.get(_URL_NOTES, []):
                notes_box.info(md_escape(note), icon=":material/link:")
        else:
            st.session_state[_URL_NOTES] = []


def show(text: str, model_name: str, goldfish: bool) -> None:
    custom: CustomModel | None = st.session_state.get(_CUSTOM) if model_name == CUSTOM_MODEL else None
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
    except ValueError as exc:
        st.info(f"{md_escape(str(exc))} Type a sentence above, or pick an example.", icon=":material/edit:")
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

    step = current_step(model_name, text, tr.T)
    if st.session_state.get(_PLAYING):
        now = time.monotonic()
        if now - st.session_state.get(_LAST_TICK, 0.0) >= 0.8 * PLAY_INTERVAL_S:
            st.session_state[_LAST_TICK] = now
            step = min(step + 1, tr.T)
        if step >= tr.T:
            st.session_state[_PLAYING] = False
            st.session_state[STEP_KEY] = step
            st.rerun()  # stops the timer
    step = step_controls(tr, step)
    st.session_state[_LAST_RUN] = (model_name, text, tr.T, step)
    views(tr, step, compare, corpus)
    if custom is None:
        explorer_section(model_name, tr, step, corpus=corpus)  # lazy: runs only while opened
    else:
        st.caption("“Explore the hidden state” works on the shipped models: pick one of them above to open it.")
    write_url(ViewState(text=text, model=link_model, step=step, goldfish=goldfish))
    st.session_state.pop(_URL_STEP, None)  # the link's (or the tour's) step has been shown


start_session()
st.title("Watch an RNN read")
st.caption(
    "A small sentiment RNN reads your sentence one word at a time. At step t it takes the word $x_t$, "
    "updates its memory $s_t$ from $s_{t-1}$ and $x_t$, and says how positive the sentence is so far, $o_t$."
)
with st.container(horizontal=True, gap="medium", vertical_alignment="center"):
    if not st.session_state.get(_TOUR):
        st.button("Take the guided tour", key=TOUR_START_KEY, icon=":material/tour:", on_click=go_tour, args=(1,))
    st.page_link(
        "pages/1_Training_playground.py", label="Training playground: train your own", icon=":material/model_training:"
    )
tour_box()
example_controls()
st.fragment(dashboard, run_every=PLAY_INTERVAL_S if st.session_state.get(_PLAYING) else None)()
