"""The app's cached loaders: one shipped model, its traces and its corpus, shared by the page and the explorer.

Also rnn-2 with the reader's own W (rnnviz.app.touch): an edited copy, cached by its plain numbers.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import streamlit as st

import rnnviz
from rnnviz.app.state import Touched, Weights, rows_of

# The trace cache is sized by memory, not by count: st.cache_data keeps each trace pickled, and the
# largest a shipped model makes (lstm-64, 200 tokens: states, gates and update parts) pickles to about
# 0.72 MB (tests/app/test_public_demo.py measures it), so 134 entries stay under TRACE_CACHE_BYTES. Most
# traces are far smaller (rnn-2: 9 kB). .streamlit/config.toml's maxCacheDataSize bounds every
# cache_data entry together as well.
TRACE_CACHE_BYTES = 96 * 2**20
LARGEST_TRACE_BYTES = 750_000
TRACE_CACHE_ENTRIES = TRACE_CACHE_BYTES // LARGEST_TRACE_BYTES  # 134


@st.cache_resource(max_entries=len(rnnviz.SHIPPED), show_spinner="Loading the model (once per server)…")
def load_model(name: str) -> rnnviz.NumpyRNN:
    """Shared by every session and every tool; never changed after loading. Numpy only: no torch."""
    return rnnviz.load_inference_model(name)


@st.cache_data(max_entries=TRACE_CACHE_ENTRIES, show_spinner=False)
def load_trace(name: str, text: str, forget: bool) -> rnnviz.Trace:
    return rnnviz.trace(load_model(name), text, forget=forget)


@st.cache_resource(max_entries=len(rnnviz.SHIPPED), show_spinner="Loading the model's map of states (once)…")
def load_corpus(name: str) -> rnnviz.Corpus:
    """Shared by every session like the model (read-only arrays), not copied on every keystroke."""
    return rnnviz.load_corpus(name).read_only()


# A reader touching rnn-2's W makes a new model per slider position: the edited copies share the loaded
# model's embedding table (only U and W are new, a few hundred bytes for rnn-2), and few are kept.
EDITED_ENTRIES = 8


def trained_w(name: str) -> Weights:
    """The loaded model's loop weight W as rows of plain floats (what the sliders start from)."""
    return rows_of(load_model(name).W.tolist())


@st.cache_resource(max_entries=EDITED_ENTRIES, show_spinner=False)
def load_edited_model(name: str, w: Weights, input_scale: float) -> rnnviz.NumpyRNN:
    """A copy of the shared model with W and the input scale as given; the shared model is never changed."""
    return load_model(name).with_weights(W=w, input_scale=input_scale)


@st.cache_data(max_entries=4 * EDITED_ENTRIES, show_spinner=False)
def load_edited_trace(name: str, w: Weights, input_scale: float, text: str, forget: bool) -> rnnviz.Trace:
    return rnnviz.trace(load_edited_model(name, w, input_scale), text, forget=forget)


def trace_loader(name: str, edit: Touched | None) -> Callable[[str, bool], rnnviz.Trace]:
    """(text, forget) -> the trace of the model shown: the trained one, or its copy with the reader's W."""
    if edit is None:
        return functools.partial(load_trace, name)
    return functools.partial(load_edited_trace, name, edit.W, edit.input_scale)


def shown_model(name: str, edit: Touched | None) -> tuple[str, rnnviz.NumpyRNN]:
    """(a cache key, the model) the views read: the trained model, or its copy with the reader's W."""
    if edit is None:
        return name, load_model(name)
    return f"{name} W={edit.W} x{edit.input_scale}", load_edited_model(name, edit.W, edit.input_scale)
