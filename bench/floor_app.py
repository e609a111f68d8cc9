"""The floor for bench/keystroke.py: the same live text box and one trivial Plotly chart, nothing else."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from rnnviz.app import LIVE_DEBOUNCE, TEXT_KEY

text = st.text_input("Type a sentence", "this movie is not good", key=TEXT_KEY, live=LIVE_DEBOUNCE)
words = text.split() or ["-"]
xs = list(range(1, len(words) + 1))
fig = go.Figure(go.Scatter(x=xs, y=[len(w) for w in words], mode="lines+markers"))
fig.update_xaxes(tickmode="array", tickvals=xs, ticktext=words)
st.plotly_chart(fig, key="chart_positivity")
