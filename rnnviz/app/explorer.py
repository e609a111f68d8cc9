"""The "Explore the hidden state" section: map, dynamics, word effects, one step apart, compare, neurons, export.

Lazy: the expander and its tabs track their state, so nothing here runs on a keystroke while the section
is closed, and only the open tab runs while it is open. The two heavy tools (fixed points, word effects:
seconds of CPU each) run only on a button press, at most HEAVY_SLOTS at once on the whole server (others
wait their turn), and are cached: fixed points per model and lower-cased word, word effects per model
and text. Everything else is a cached function of (model, text). The tools run on rnnviz.analysis
(numpy and scipy, imported once the section is opened) and the shipped NumpyRNN: neither the page nor
the explorer ever imports torch.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import TYPE_CHECKING

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

import rnnviz
from rnnviz import figures as F  # noqa: N812
from rnnviz import phrases
from rnnviz.app import md_escape, md_message, shorten
from rnnviz.app.loaders import load_model, load_trace

if TYPE_CHECKING:
    from rnnviz import analysis

# Widget keys (tests import these).
EXPLORER_KEY = "explorer"
TABS_KEY = "explorer_tab"
MAP_PAIR_KEY = "explorer_map_pair"
MAP_COLOUR_KEY = "explorer_map_colour"
MAP_PREFIX_KEY = "explorer_map_prefix"
MAP_3D_KEY = "explorer_map_3d"
WORD_KEY = "explorer_word"
UNIT_KEY = "explorer_unit"
PIN_KEY = "explorer_pin"
PIN_GOLDFISH_KEY = "explorer_pin_goldfish"
PIN_TRIO_KEY = "explorer_pin_trio"
CLEAR_PINS_KEY = "explorer_clear_pins"
DOWNLOAD_JSON_KEY = "explorer_json"
DOWNLOAD_CSV_KEY = "explorer_csv"
DOWNLOAD_COMPARE_KEY = "explorer_compare_html"
CHART_KEY_PREFIX = "explorer_chart_"
FIXED_POINTS_KEY = "explorer_find_fixed_points"  # button
EFFECTS_KEY = "explorer_word_effects"  # button
PINNED = "_explorer_pinned"  # session state: list of (text, forget)
ASKED = "_explorer_asked"  # session state: heavy tool -> the (model, input) its button last asked for

TABS = ("Map", "Dynamics & fixed points", "Word effects", "One step apart", "Compare", "Neurons", "Export")
PAIRS = {"PC1 / PC2": (0, 1), "PC1 / PC3": (0, 2), "PC2 / PC3": (1, 2)}  # the map's planes
COLOUR_BY = {"label": "review label", "o": "o (the readout)"}
TRIO = ("this movie is good", "this movie is not good", "this movie is not bad")
MAX_PINS = 6
N_STARTS = 128
HEAVY_SLOTS = 1  # heavy computations (fixed points, word effects) at once on this server, all sessions together
HEAVY_WAIT_S = 30.0  # how long one waits for a turn before being told to try again
_HEAVY = threading.BoundedSemaphore(HEAVY_SLOTS)
CHART_CONFIG = {
    "displayModeBar": True,
    "displaylogo": False,
    "scrollZoom": False,
    "modeBarButtonsToRemove": ["select2d", "lasso2d"],
    "toImageButtonOptions": {"format": "png", "scale": 2},
}


# -- cached work -----------------------------------------------------------------------------------
class BusyError(RuntimeError):
    """Every heavy slot stayed taken for HEAVY_WAIT_S: the visitor is asked to try again."""


@contextmanager
def heavy_slot() -> Iterator[None]:
    """One of the server's HEAVY_SLOTS for the duration (waits up to HEAVY_WAIT_S for one to free)."""
    ctx = get_script_run_ctx()
    deadline = time.monotonic() + HEAVY_WAIT_S
    while not _HEAVY.acquire(timeout=0.2):
        if ctx is not None:
            ctx.yield_check()  # a waiting session still answers its reader: a new rerun request ends the wait
        if time.monotonic() > deadline:
            raise BusyError(
                f"The server is busy: other visitors' tools are computing ({HEAVY_SLOTS} at a time). "
                "Try again in a minute."
            )
    try:
        yield
    finally:
        _HEAVY.release()


def word_key(word: str) -> str:
    """The fixed points' cache key for a typed word: the model reads lower-cased tokens, so "Good" is "good"."""
    return " ".join(word.lower().split())


def tools() -> ModuleType:
    """rnnviz.analysis, imported on first use: it brings scipy.optimize, which only these tools need."""
    from rnnviz import analysis

    return analysis


@st.cache_data(max_entries=len(rnnviz.SHIPPED), show_spinner=False)
def load_params(name: str) -> analysis.CellParams:
    return tools().cell_params(load_model(name))


@st.cache_data(max_entries=32, show_spinner=False)
def load_fixed_points(name: str, word: str) -> analysis.FixedPoints:
    """Seconds, once per model and word (pass word_key(word)): N_STARTS starts near states real sentences reach."""
    analysis = tools()
    model = load_model(name)
    params = load_params(name)
    x, label = analysis.word_input(model, word)
    try:
        around = rnnviz.load_corpus(name).final_states
    except rnnviz.CheckpointError:
        around = None
    starts = analysis.default_starts(params, N_STARTS, around=around)
    with heavy_slot():
        return analysis.find_fixed_points(params, x, word=label, starts=starts)


@st.cache_data(max_entries=32, show_spinner=False)
def load_flow(name: str, word: str) -> analysis.Flow | None:
    params = load_params(name)
    if params.H != 2 or params.arch == "lstm":
        return None
    analysis = tools()
    x, label = analysis.word_input(load_model(name), word)
    return analysis.flow_field(params, x, word=label)


@st.cache_data(max_entries=128, show_spinner=False)
def load_effects(name: str, text: str, forget: bool) -> analysis.WordEffects:
    """One trace per word left out (200 tokens: seconds): once per model and text, in a heavy slot."""
    tr = load_trace(name, text, forget)
    with heavy_slot():
        return tools().word_effects(load_model(name), tr)


def asked(tool: str, key: tuple) -> bool:
    """Whether this session's button for `tool` asked for `key` (the model and input shown now)."""
    return st.session_state.get(ASKED, {}).get(tool) == key


def _ask(tool: str, key: tuple) -> None:
    st.session_state.setdefault(ASKED, {})[tool] = key


@st.cache_resource(max_entries=len(rnnviz.SHIPPED), show_spinner=False)
def load_phrases(name: str) -> phrases.Phrases:
    """Each unit's top and bottom SST dev sentences, shipped beside the model (rnnviz.phrases)."""
    return phrases.load_phrases(name)


# -- the section -----------------------------------------------------------------------------------
def explorer_section(model_name: str, tr: rnnviz.Trace, step: int, *, corpus: rnnviz.Corpus | None = None) -> None:
    """An expander with one tab per tool; only what is open runs."""
    box = st.expander("Explore the hidden state", key=EXPLORER_KEY, on_change="rerun", icon=":material/explore:")
    if not box.open:
        return
    with box:
        st.caption(
            "Tools for looking inside: the map of states real reviews reach, where the update would take any "
            "state, how much each word moved $o$, one update taken apart, sentences side by side, single "
            "neurons, and downloads."
        )
        tabs = st.tabs(TABS, key=TABS_KEY, on_change="rerun")
        sections = (map_tab, dynamics_tab, effects_tab, anatomy_tab, compare_tab, neurons_tab, export_tab)
        for tab, draw in zip(tabs, sections, strict=True):
            if tab.open:
                with tab:
                    try:
                        draw(model_name, tr, step, corpus)
                    except Exception as exc:  # one broken tool must not take the page down
                        st.error(f"This tool failed ({type(exc).__name__}: {md_escape(shorten(str(exc), 80))}).")


def chart(name: str, fig, file_stem: str) -> None:
    """A chart with the toolbar's PNG button, plus a standalone interactive HTML download."""
    st.plotly_chart(
        fig,
        key=CHART_KEY_PREFIX + name,
        config={
            **CHART_CONFIG,
            "toImageButtonOptions": {**CHART_CONFIG["toImageButtonOptions"], "filename": file_stem},
        },
    )
    st.download_button(
        "Download as interactive HTML",
        data=lambda: fig.to_html(include_plotlyjs=True, full_html=True),
        file_name=f"{file_stem}.html",
        mime="text/html",
        key=f"{CHART_KEY_PREFIX}{name}_html",
        on_click="ignore",
        icon=":material/download:",
    )


def map_controls(tr: rnnviz.Trace, corpus: rnnviz.Corpus | None) -> tuple[tuple[int, int], str, bool, bool]:
    """The map's options: (components pair, colour by, every prefix, 3-D); unavailable ones are disabled."""
    has_pca = corpus is not None and corpus.H == tr.H and tr.H > 2 and corpus.components.shape[0] >= 3
    has_prefix = corpus is not None and corpus.prefix_states is not None
    in_3d = has_pca and bool(st.session_state.get(MAP_3D_KEY))  # 3-D always shows PC1..PC3
    with st.container(horizontal=True, gap="medium"):
        pair = st.segmented_control(
            "Principal axes",
            list(PAIRS),
            default="PC1 / PC2",
            key=MAP_PAIR_KEY,
            disabled=not has_pca or in_3d,
            help="Which two principal components of the corpus states span the plane (2-D only)."
            if has_pca
            else "This model is drawn in its own 2 neurons (or has no corpus map), so there is no choice of axes.",
        )
        colour_by = st.segmented_control(
            "Colour the reviews by",
            list(COLOUR_BY),
            default="label",
            format_func=COLOUR_BY.__getitem__,
            key=MAP_COLOUR_KEY,
            disabled=corpus is None,
        )
        with st.container(gap="small"):
            prefixes = st.toggle(
                "Every prefix",
                key=MAP_PREFIX_KEY,
                disabled=not has_prefix,
                help="Also the states inside the reviews (after every word), not only where each review ends.",
            )
            three_d = st.toggle(
                "3-D (PC1–PC3)", key=MAP_3D_KEY, disabled=not has_pca, help="Drag to turn the space around."
            )
    return PAIRS[pair or "PC1 / PC2"], colour_by or "label", bool(prefixes and has_prefix), bool(three_d and has_pca)


def map_tab(model_name: str, tr: rnnviz.Trace, step: int, corpus: rnnviz.Corpus | None) -> None:
    st.markdown(
        "**The map the sentence moves through.** Faint points: hidden states the model reaches on the SST "
        "dev reviews, behind the path of the sentence being typed. The dashed line (a plane in 3-D) is the "
        "readout's boundary $o = 0.5$."
    )
    pair, colour_by, prefixes, three_d = map_controls(tr, corpus)
    fig = F.projection(
        tr,
        step,
        corpus=corpus,
        components=(0, 1, 2) if three_d else pair,
        color_by=colour_by,
        prefixes=prefixes,
        dims=3 if three_d else 2,
    )
    chart("map", fig, f"{model_name}-map{'-3d' if three_d else ''}")
    if corpus is None or corpus.H != tr.H:
        st.caption("No corpus map for this model: the axes are its first hidden units.")
        return
    if tr.H == 2:
        note = "Drawn in the two neurons themselves: the exact picture, and the boundary is exact."
    else:
        axes = (0, 1, 2) if three_d else pair
        held = 100 * float(sum(corpus.explained[k] for k in axes))
        note = (
            f"These {len(axes)} principal axes hold {held:.0f}% of the variance of the reviews' states; "
            "the boundary is the readout as seen in them (exact only along them)."
        )
    n_prefix = 0 if corpus.prefix_states is None else len(corpus.prefix_states)
    drawn = f"{len(corpus.final_states)} review endings" + (
        f" and a sample of {n_prefix:,} states inside them" if prefixes else ""
    )
    st.caption(f"{note} Map: {drawn} (a thinned, fixed subset is drawn; the axes fit all of them).")


def dynamics_tab(model_name: str, tr: rnnviz.Trace, step: int, corpus: rnnviz.Corpus | None) -> None:
    st.markdown(
        "**Where the update takes a state.** A *fixed point* $s^*$ of $s \\mapsto F(s, x)$ is a state one "
        "more word $x$ leaves where it is. Found numerically by minimising $|F(s) - s|^2$ from "
        f"{N_STARTS} starts and from where some of them settle after many steps (Sussillo & Barak 2013); "
        "*stable* when every eigenvalue of the Jacobian "
        "$\\partial F / \\partial s$ there has modulus below 1, and states near it then settle with time "
        "constant $-1/\\ln|\\lambda|$ words for the largest eigenvalue $\\lambda$. A line of converged fixed "
        "points is a line attractor (Maheswaranathan et al. 2019), where a sentiment RNN can keep a running "
        "score; *slow points* are where the search stopped short of one, so no stability is claimed for them."
    )
    word = st.text_input(
        "Input word x (blank: an average word)",
        key=WORD_KEY,
        max_chars=40,
        placeholder="average word",
        help="The fixed points (and for rnn-2 the flow arrows) are those of the update with this one word as input.",
    )
    word = word_key(word or "")
    key = (model_name, word)
    st.button("Find the fixed points", key=FIXED_POINTS_KEY, on_click=_ask, args=("fixed points", key),
              icon=":material/my_location:", disabled=asked("fixed points", key))  # fmt: skip
    fp = None
    try:
        flow = load_flow(model_name, word)
        if asked("fixed points", key):
            with st.spinner(f"Finding fixed points (once per model and word; {HEAVY_SLOTS} such job at a time)…"):
                fp = load_fixed_points(model_name, word)
    except ValueError as exc:
        st.warning(md_escape(shorten(str(exc), 120)), icon=":material/edit:")
        return
    except BusyError as exc:
        st.info(str(exc), icon=":material/hourglass_empty:")
    chart("dynamics", F.dynamics_figure(tr, step, corpus=corpus, fixed_points=fp, flow=flow), f"{model_name}-dynamics")
    if fp is None:
        st.caption("Press “Find the fixed points” to compute them for this word (seconds; kept for everyone after).")
        return
    st.caption(
        f"x = “{md_escape(fp.word)}”. {md_escape(tools().describe_fixed_points(fp))} Found in {fp.seconds:.1f} s "
        f"from {fp.n_starts} starts and kept for this model and word."
        + ("" if tr.H == 2 else " Drawn in the PCA plane of the corpus states; the flow needs 2 neurons (rnn-2).")
    )


def effects_tab(model_name: str, tr: rnnviz.Trace, step: int, corpus: rnnviz.Corpus | None) -> None:
    st.markdown(
        "**How much each word moved $o$**, two ways. *At its step*: $o_t - o_{t-1}$, the jump when the "
        "word was read ($o_0 = \\sigma(c)$, the reading of no words). *If left out*: $o_T$ minus the final "
        "$o$ of the same text without that word: how much the verdict owes to it, memory included."
    )
    key = (model_name, tr.text, tr.forget)
    st.button("Measure each word's effect", key=EFFECTS_KEY, on_click=_ask, args=("word effects", key),
              icon=":material/functions:", disabled=asked("word effects", key))  # fmt: skip
    if not asked("word effects", key):
        st.caption(f"Reads the text again once per word left out ({tr.T} words): press the button to run it.")
        return
    try:
        with st.spinner(f"Reading the text {tr.T} more times ({HEAVY_SLOTS} such job at a time on this server)…"):
            effects = load_effects(model_name, tr.text, tr.forget)
    except BusyError as exc:
        st.info(str(exc), icon=":material/hourglass_empty:")
        return
    chart("effects", F.word_effects_figure(tr, effects), f"{model_name}-word-effects")


def anatomy_tab(model_name: str, tr: rnnviz.Trace, step: int, corpus: rnnviz.Corpus | None) -> None:
    word = md_escape(tr.labels[step - 1])
    if tr.arch == "rnn":
        st.markdown(
            f"**One update at step {step} (“{word}”)**: $s_t = \\tanh(W s_{{t-1}} + U x_t + b)$ as a walk: "
            "the memory part $W s_{t-1}$, plus the input part $U x_t$, plus the bias $b$, then $\\tanh$ "
            "squashes the sum back into $(-1, 1)$. Move the step slider above to take another step apart."
        )
        parts = tools().anatomy(tr, step, load_params(model_name))
        chart("anatomy", F.anatomy_figure(tr, parts, corpus=corpus), f"{model_name}-step-{step}")
        if tr.H <= 4:
            rows = {
                "s_{t-1}": parts.s_prev,
                "W s_{t-1}": parts.memory,
                "U x_t": parts.input,
                "b": parts.bias,
                "sum": parts.pre,
                "s_t = tanh(sum)": parts.s,
            }
            st.dataframe(
                {
                    "piece": list(rows),
                    **{f"neuron {k + 1}": [round(float(v[k]), 3) for v in rows.values()] for k in range(tr.H)},
                },
                hide_index=True,
            )
    else:
        gated = tools().gate_anatomy(tr, step, load_params(model_name))
        what = (
            "$s_t = z \\odot s_{t-1} + (1 - z) \\odot n$: the update gate $z$ keeps, $1 - z$ writes the candidate $n$"
            if tr.arch == "gru"
            else "$c_t = f \\odot c_{t-1} + i \\odot g$: the forget gate $f$ keeps, the input gate $i$ writes $g$"
        )
        st.markdown(f"**Kept versus written at step {step} (“{word}”).** {what}.")
        chart("gates", F.gates_figure(tr, gated), f"{model_name}-gates-step-{step}")


def _pins() -> list[tuple[str, bool]]:
    return st.session_state.setdefault(PINNED, [])


def _pin(text: str, forget: bool) -> None:
    pins = _pins()
    if (text, forget) not in pins:
        pins.append((text, forget))
    del pins[:-MAX_PINS]


def _pin_trio() -> None:
    for text in TRIO:
        _pin(text, False)


def compare_tab(model_name: str, tr: rnnviz.Trace, step: int, corpus: rnnviz.Corpus | None) -> None:
    st.markdown(
        "**Compare.** Pin sentences to overlay their paths and their $o_t$ curves; a star marks where a "
        "path leaves an earlier one (their states were equal up to there). The sentence being typed is "
        "drawn too."
    )
    with st.container(horizontal=True, gap="small"):
        st.button("Pin this sentence", key=PIN_KEY, on_click=_pin, args=(tr.text, False), icon=":material/push_pin:")
        st.button("Pin its goldfish run", key=PIN_GOLDFISH_KEY, on_click=_pin, args=(tr.text, True))
        st.button("Pin good / not good / not bad", key=PIN_TRIO_KEY, on_click=_pin_trio)
        st.button("Clear pins", key=CLEAR_PINS_KEY, on_click=lambda: _pins().clear())
    runs = list(_pins())
    if (tr.text, tr.forget) not in runs:
        runs.append((tr.text, tr.forget))
    traces = []
    for text, forget in runs:
        try:
            traces.append(load_trace(model_name, text, forget))
        except ValueError:
            continue
    if len(runs) == 1:
        st.caption("Nothing pinned yet: pin this sentence, then type another.")
    fig = F.compare_figure(traces, corpus=corpus)
    chart("compare", fig, f"{model_name}-compare")
    st.caption(
        "Pinned: " + " · ".join(f"“{md_escape(shorten(t, 40))}”{' (goldfish)' if g else ''}" for t, g in _pins())
        if _pins()
        else "Pinned: none."
    )


def neurons_tab(model_name: str, tr: rnnviz.Trace, step: int, corpus: rnnviz.Corpus | None) -> None:
    st.markdown(
        "**One neuron.** Its value $s_t[k]$ (neurons numbered 1 to H, as in every view) over the sentence, and "
        "the review sentences that leave it "
        "highest and lowest."
    )
    strongest = int(abs(tr.V).argmax()) + 1  # the unit the readout weighs most
    unit = st.number_input(
        f"Neuron k (1..{tr.H})",
        min_value=1,
        max_value=tr.H,
        value=min(strongest, tr.H),
        step=1,
        key=f"{UNIT_KEY}_{tr.H}",
        help=f"Starts at neuron {strongest}, the one the readout V weighs most.",
    )
    k = int(unit) - 1
    chart("neuron", F.neuron_figure(tr, k, step), f"{model_name}-unit-{k + 1}")
    st.caption(tools().readout_note(tr.V, k))
    try:
        ranks = load_phrases(model_name).extremes(k)  # shipped beside the model: no treebank needed
    except (rnnviz.CheckpointError, ValueError) as exc:
        st.caption(f"No ranking of review sentences: {md_message(str(exc))}")
        return
    high, low = st.columns(2)
    for col, which, title in ((high, "highest", "Drives it highest"), (low, "lowest", "Drives it lowest")):
        with col:
            st.markdown(f"**{title}** (SST dev, value at the last word)")
            for text, value in ranks[which]:
                st.markdown(f"`{value:+.2f}` {md_escape(shorten(text, 110))}")


def export_tab(model_name: str, tr: rnnviz.Trace, step: int, corpus: rnnviz.Corpus | None) -> None:
    st.markdown(
        "**Download this run**: tokens, $s_t$ (row 0 is $s_0$), $o_t$ and the gates, as JSON or CSV. Every "
        "chart in these tabs has a PNG button in its toolbar and an interactive HTML download below it; the "
        "Compare tab downloads the pinned comparison as one HTML file."
    )
    stem = f"rnnviz-{model_name}{'-goldfish' if tr.forget else ''}"
    with st.container(horizontal=True, gap="small"):
        st.download_button(
            "Trace as JSON",
            data=tools().trace_json(tr),
            file_name=f"{stem}.json",
            mime="application/json",
            key=DOWNLOAD_JSON_KEY,
            on_click="ignore",
            icon=":material/data_object:",
        )
        st.download_button(
            "Trace as CSV",
            data=tools().trace_csv(tr),
            file_name=f"{stem}.csv",
            mime="text/csv",
            key=DOWNLOAD_CSV_KEY,
            on_click="ignore",
            icon=":material/table:",
        )
    st.caption(f"{tr.T} tokens × {tr.H} hidden units" + (f", gates {', '.join(tr.gates)}" if tr.gates else ""))
