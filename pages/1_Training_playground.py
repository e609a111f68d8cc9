"""Training playground: train a tiny RNN here and watch its state space form.

Wiring only, top to bottom: page config -> controls (task, model, run) -> a background trainer -> live curves
and state space while it trains -> replay and the trained model once it has ended (rnnviz.app.playground).
"""

from __future__ import annotations

import contextlib
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # must precede the torch import (see streamlit_app.py)

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

st.set_page_config(page_title="rnnviz: training playground", page_icon="🏋️", layout="wide")
st.title("Training playground: train a tiny RNN and watch it learn")
with contextlib.suppress(StreamlitPageNotFoundError):  # run on its own (as AppTest does), it has no main page
    st.page_link("streamlit_app.py", label="Watch an RNN read", icon=":material/arrow_back:")
st.caption(
    "Pick a task made up on the spot, train a small recurrent network on it and watch its state space form: "
    "where the examples end up, the readout's boundary, and for 2 hidden units the flow and fixed points of its update."
)
with st.spinner("Loading the playground (PyTorch)…"):  # the first visit imports torch: a few seconds
    from rnnviz.app import playground as ui

task, problem = ui.task_controls()
ui.task_problem(task, problem)
config = ui.model_controls()
ui.task_examples(task)
trainer = ui.run_controls(task, config)
ui.training_sections(trainer)
