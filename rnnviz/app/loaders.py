"""The app's cached loaders: one shipped model, its traces and its corpus, shared by the page and the explorer."""

from __future__ import annotations

import streamlit as st

import rnnviz


@st.cache_resource(max_entries=len(rnnviz.SHIPPED), show_spinner="Loading the model (once per server)…")
def load_model(name: str) -> rnnviz.NumpyRNN:
    """Shared by every session and every tool; never changed after loading. Numpy only: no torch."""
    return rnnviz.load_inference_model(name)


@st.cache_data(max_entries=512, show_spinner=False)
def load_trace(name: str, text: str, forget: bool) -> rnnviz.Trace:
    return rnnviz.trace(load_model(name), text, forget=forget)


@st.cache_resource(max_entries=len(rnnviz.SHIPPED), show_spinner="Loading the model's map of states (once)…")
def load_corpus(name: str) -> rnnviz.Corpus:
    """Shared by every session like the model (read-only arrays), not copied on every keystroke."""
    return rnnviz.load_corpus(name).read_only()
