"""The floor for bench/run.py: the same live text box and one trivial Plotly chart, nothing else.

It reads the text box's key and debounce from rnnviz/app/keys.py without importing rnnviz (which
would import torch): the floor pays only for Streamlit, Plotly and one chart.
"""

from __future__ import annotations

import ast
from pathlib import Path

import plotly.graph_objects as go
import streamlit as st


def app_constants(*names: str) -> dict[str, str]:
    source = (Path(__file__).resolve().parent.parent / "rnnviz" / "app" / "keys.py").read_text()
    found = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            if node.targets[0].id in names:
                found[node.targets[0].id] = ast.literal_eval(node.value)
    return found


const = app_constants("TEXT_KEY", "LIVE_DEBOUNCE")
text = st.text_input("Type a sentence", "this movie is not good", key=const["TEXT_KEY"], live=const["LIVE_DEBOUNCE"])
words = text.split() or ["-"]
xs = list(range(1, len(words) + 1))
fig = go.Figure(go.Scatter(x=xs, y=[len(w) for w in words], mode="lines+markers"))
fig.update_xaxes(tickmode="array", tickvals=xs, ticktext=words)
st.plotly_chart(fig, key="chart_positivity")
