"""The floors for bench/run.py: the fastest Streamlit page that shows the typed text, and the old chart floor.

RNNVIZ_FLOOR=text (the default, "floor"): the dashboard's text box with `live="0ms"` (Streamlit commits every
change at once: the fastest it can respond) and `st.text` of the text, inside a container the benchmark finds by
its key. Nothing else: no fragment, no callbacks, no imports beyond streamlit.

RNNVIZ_FLOOR=chart ("old floor"): what bench/run.py compared against before: the same text box with a 120 ms
debounce and one Plotly line chart of word lengths, one tick per word (st.plotly_chart remounts it per keystroke).

The text box's key comes from rnnviz/app/keys.py, read without importing rnnviz (which would import numpy and
the app's modules): the floor pays only for Streamlit (and Plotly, in the chart floor).
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

import streamlit as st

TEXT_FLOOR, CHART_FLOOR = "text", "chart"
VIEW_KEY = "floor_view"
OLD_DEBOUNCE = "120ms"


def app_constant(name: str) -> str:
    source = (Path(__file__).resolve().parent.parent / "rnnviz" / "app" / "keys.py").read_text()
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            if node.targets[0].id == name:
                return ast.literal_eval(node.value)
    raise KeyError(name)


kind = os.environ.get("RNNVIZ_FLOOR", TEXT_FLOOR)
live = "0ms" if kind == TEXT_FLOOR else OLD_DEBOUNCE
text = st.text_input("Type a sentence", "this movie is not good", key=app_constant("TEXT_KEY"), live=live)
if kind == TEXT_FLOOR:
    with st.container(key=VIEW_KEY):
        st.text(text)
else:
    import plotly.graph_objects as go

    words = text.split() or ["-"]
    xs = list(range(1, len(words) + 1))
    fig = go.Figure(go.Scatter(x=xs, y=[len(w) for w in words], mode="lines+markers"))
    fig.update_xaxes(tickmode="array", tickvals=xs, ticktext=words)
    st.plotly_chart(fig, key="chart_positivity")
