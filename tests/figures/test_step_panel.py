"""The explainer panel: one step's update with its numbers (figures.step), the shared parameters (figures.weights),
and the panel on the page under the views, following the selected step (AppTest, and one click in a browser)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from support import hand_params, hand_run

import rnnviz
from rnnviz.cell import cell_params
from rnnviz.figures import figure_from, step_figure, step_spec, weight_figure, weight_spec
from rnnviz.figures.style import DIVERGING, HIDDEN_SCALE
from rnnviz.narrate import step_update

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")
NAMES = {
    "rnn": ["s<sub>t-1</sub>", "Ws<sub>t-1</sub>", "Ux<sub>t</sub>", "b", "a", "s<sub>t</sub>"],
    "gru": ["s<sub>t-1</sub>", "r", "z", "n", "z·s<sub>t-1</sub>", "(1−z)·n", "s<sub>t</sub>"],
    "lstm": ["s<sub>t-1</sub>", "c<sub>t-1</sub>", "i", "f", "g", "o", "f·c<sub>t-1</sub>", "i·g", "c<sub>t</sub>",
             "s<sub>t</sub>"],
}  # fmt: skip
READOUT = ["Vs<sub>t</sub> + c", "o<sub>t</sub>"]


def columns(spec: dict) -> dict[str, np.ndarray]:
    """Column name -> its values, from the figure's heatmaps."""
    return {tr["name"]: np.array(tr["z"], dtype=float)[:, 0] for tr in spec["data"] if tr["type"] == "heatmap"}


def close(a, b) -> bool:
    """Equal to the 4 decimals the figure sends."""
    return np.allclose(a, b, rtol=0, atol=1e-4)


def texts(spec: dict) -> str:
    return json.dumps(spec, ensure_ascii=False)


# -- the step figure --------------------------------------------------------------------------------
@pytest.mark.parametrize("arch", ["rnn", "gru", "lstm"])
def test_each_column_is_the_cells_own_vector(arch):
    params = hand_params(arch, h=3, seed=4)
    tr = hand_run(params, ["a", "fine", "film", "indeed"])
    u = step_update(tr, 3, params)
    cols = columns(step_spec(tr, 3, params))
    assert list(cols) == NAMES[arch] + READOUT  # left to right
    assert all(len(v) == 3 for k, v in cols.items() if k not in READOUT)
    assert close(cols["s<sub>t-1</sub>"], tr.hidden[2]) and close(cols["s<sub>t</sub>"], tr.hidden[3])
    assert cols["o<sub>t</sub>"][0] == pytest.approx(tr.outputs[2], abs=1e-4)
    assert cols[READOUT[0]][0] == pytest.approx(tr.hidden[3] @ params.V + params.c, abs=1e-4)
    if arch == "rnn":
        assert close(cols["Ws<sub>t-1</sub>"], u.memory_part[0]) and close(cols["Ux<sub>t</sub>"], u.input_part[0])
        assert close(cols["b"], params.b + params.b_hh) and close(cols["a"], u.pre[0])
    else:
        for g, v in u.gates.items():
            assert close(cols[g], v[0])
        assert close(cols[NAMES[arch][-3 if arch == "gru" else -4]], u.kept[0])
    if arch == "lstm":
        assert close(cols["c<sub>t</sub>"], tr.gates["cell"][2]) and close(cols["c<sub>t-1</sub>"], tr.gates["cell"][1])


def test_gate_hover_gives_the_pieces_the_gate_received():
    params = hand_params("gru", h=2, seed=1)
    tr = hand_run(params, ["not", "bad"])
    u = step_update(tr, 2, params)
    z = next(t for t in step_spec(tr, 2, params)["data"] if t.get("name") == "z")
    assert f"Ux<sub>t</sub> {u.input_part[0, 2]:+.2f}" in z["text"][0][0]  # the z block of unit 1
    assert f"Ws<sub>t-1</sub> {u.memory_part[0, 2]:+.2f}" in z["text"][0][0]
    assert z["zmin"] == 0 and z["zmax"] == 1  # a gate's own range


def test_two_neurons_draw_the_update_as_arrows_on_their_plane_with_their_numbers():
    params = hand_params("rnn", h=2, seed=3)
    tr = hand_run(params, ["so", "very", "good"])
    spec = step_spec(tr, 2, params)
    plane = next(t for t in spec["data"] if t.get("xaxis") == "x2")
    u = step_update(tr, 2, params)
    assert close(np.c_[plane["x"], plane["y"]][1], u.memory_part[0])
    assert close(np.c_[plane["x"], plane["y"]][-1], tr.hidden[2])
    assert "arrow" in plane["marker"]["symbol"] and spec["layout"]["xaxis2"]["title"]["text"] == "neuron 1"
    heat = [t for t in spec["data"] if t["type"] == "heatmap"]
    assert all("texttemplate" in t for t in heat)  # two units: the numbers are written in the cells
    wide = step_spec(hand_run(hand_params("rnn", h=8), ["a", "b"]), 1, hand_params("rnn", h=8))
    assert "xaxis2" not in wide["layout"] and not any("texttemplate" in t for t in wide["data"][:6])


def test_on_a_narrow_page_the_plane_is_left_out_and_the_title_is_short():
    params = hand_params("rnn", h=2, seed=3)
    spec = step_spec(hand_run(params, ["so", "very", "good"]), 2, params)
    narrow = spec["layout"]["meta"]["narrow"]  # what live_chart.js merges over the layout below `below` px
    assert 300 < narrow["below"] < 700 and narrow["hide"] == "x2"
    assert narrow["layout"]["title"]["text"] == "Step t = 2, “very”"
    assert narrow["layout"]["xaxis"]["domain"] == [0, 1] and narrow["layout"]["xaxis2"]["visible"] is False
    # Everything on the plane is on axis x2 (so leaving x2's traces out leaves nothing of it); the columns are not.
    on_plane = [t for t in spec["data"] if t.get("xaxis") == "x2"]
    assert on_plane and all(t.get("yaxis") == "y2" for t in on_plane)
    assert all(t.get("xaxis", "x") == "x" for t in spec["data"] if t["type"] == "heatmap")
    gru = hand_params("gru", h=8)
    wide = step_spec(hand_run(gru, ["a", "b"]), 1, gru)["layout"]["meta"]["narrow"]["layout"]
    assert set(wide) == {"title"}  # no plane: only the shorter title


def test_the_goldfish_step_reads_s0():
    params = hand_params("rnn", h=2, seed=7)
    tr = hand_run(params, ["not", "good", "at", "all"], forget=True)
    cols = columns(step_spec(tr, 3, params))
    assert np.all(cols["s<sub>0</sub>"] == 0) and np.all(cols["Ws<sub>0</sub>"] == 0)
    assert close(cols["s<sub>t</sub>"], tr.hidden[3])
    lstm = hand_params("lstm", h=2)
    cols = columns(step_spec(hand_run(lstm, ["a", "b", "c"], forget=True), 3, lstm))
    assert np.all(cols["c<sub>0</sub>"] == 0) and np.all(cols["f·c<sub>0</sub>"] == 0)


def test_typed_tokens_are_escaped_and_the_step_is_clamped():
    params = hand_params("rnn", h=2)
    tr = hand_run(params, ["<script>alert(1)</script>", "<b>bold</b>"])
    spec = step_spec(tr, 99, params)
    assert "Step t = 2" in spec["layout"]["title"]["text"]
    assert "<b>bold" not in texts(spec) and "&lt;b&gt;bold" in spec["layout"]["title"]["text"]
    assert "Step t = 2" in step_spec(tr, None, params)["layout"]["title"]["text"]
    spec = step_spec(tr, 1, params)
    assert "<script>" not in texts(spec) and "&lt;script&gt;" in texts(spec)
    assert step_figure(tr, 1, params).to_json()


@pytest.mark.parametrize("name", rnnviz.SHIPPED)
def test_shipped_models_draw_their_step_and_parameters(name):
    model = rnnviz.load_inference_model(name)
    params = cell_params(model)
    tr = rnnviz.trace(model, "this movie is not good")
    cols = columns(step_spec(tr, 4, params))
    assert cols["o<sub>t</sub>"][0] == pytest.approx(tr.outputs[3], abs=1e-4)
    assert close(cols["s<sub>t</sub>"], tr.hidden[4])
    assert figure_from(step_spec(tr, 4, params)).to_json() and weight_figure(params).to_json()


# -- the parameters ---------------------------------------------------------------------------------
def test_weights_are_drawn_with_their_numbers():
    params = hand_params("rnn", h=2, e=5)
    spec = weight_spec(params)
    heat = {t["name"]: t for t in spec["data"]}
    assert list(heat) == ["W", "|U| rows", "b", "V", "c"]
    assert close(heat["W"]["z"], params.W) and heat["W"]["texttemplate"] == "%{z:+.2f}"  # 2x2, four numbers
    assert close(np.array(heat["|U| rows"]["z"])[:, 0], np.linalg.norm(params.U, axis=1))
    assert close(np.array(heat["b"]["z"])[:, 0], params.b + params.b_hh)
    assert close(np.array(heat["V"]["z"])[:, 0], params.V) and heat["c"]["z"] == [[round(params.c, 4)]]
    assert heat["W"]["colorscale"] == HIDDEN_SCALE and heat["W"]["zmin"] == -heat["W"]["zmax"]
    assert "E = 5" in heat["|U| rows"]["hovertemplate"] and "every step" in spec["layout"]["title"]["text"]


def test_gated_weights_name_their_blocks_and_hide_numbers_for_many_units():
    params = hand_params("lstm", h=8)
    spec = weight_spec(params)
    w = spec["data"][0]
    assert np.array(w["z"]).shape == (32, 8) and "texttemplate" not in w
    assert spec["layout"]["yaxis"]["ticktext"] == ["i", "f", "g", "o"]
    assert "rows: i 1–8, f 9–16, g 17–24, o 25–32" in w["hovertemplate"] and "W[%{y}, %{x}]" in w["hovertemplate"]


def test_hidden_vectors_use_the_hidden_scale_and_only_the_readout_the_sentiment_colours():
    params = hand_params("rnn", h=3)
    tr = hand_run(params, ["a", "b", "c"])
    spec = step_spec(tr, 2, params)
    scales = {t["name"]: t["colorscale"] for t in spec["data"] if t.get("type") == "heatmap" and "name" in t}
    sentiment = {k for k, v in scales.items() if v == DIVERGING}
    assert sentiment and all(k.startswith(("V", "o")) for k in sentiment), scales
    assert any(v == HIDDEN_SCALE for v in scales.values())
