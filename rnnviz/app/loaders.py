"""The app's cached loaders: one shipped model, its traces and its corpus, shared by the page and the explorer."""

from __future__ import annotations

import streamlit as st

import rnnviz

# The trace cache is sized by memory, not by count: st.cache_data keeps each trace pickled, and the
# largest a shipped model makes (lstm-64, 200 tokens: states, gates and update parts) pickles to about
# 0.72 MB (tests/test_hostile.py measures it), so 128 entries stay under TRACE_CACHE_BYTES. Most
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
