"""Figures: what each view shows, asserted on fig.data / fig.layout, built from hand-made traces."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import plotly.graph_objects as go
import pytest
from support import by_name, make_corpus, make_trace

import rnnviz.figures as F  # noqa: N812 - the app's name for it
from rnnviz.figures.style import BACKGROUND, esc
from rnnviz.figures.unrolled import window_range
from rnnviz.trace import Trace

ASSETS = Path(__file__).resolve().parents[2] / "assets"
NASTY = ["<b>x</b>", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]


def labels(fig: go.Figure) -> str:
    """Every label a view writes: its annotations and its text traces named "labels"."""
    texts = [a.text for a in fig.layout.annotations]
    texts += [text for tr in fig.data if tr.name == "labels" for text in tr.text]
    return " ".join(texts)


def strings(obj: Any) -> list[str]:
    """Every string inside a figure's JSON, keys excluded."""
    if isinstance(obj, str):
        return [obj]
    if isinstance(obj, dict):
        return [s for v in obj.values() for s in strings(v)]
    if isinstance(obj, list):
        return [s for v in obj for s in strings(v)]
    return []


def all_figures(tr: Trace, step: int | None = None, **kw: Any) -> dict[str, go.Figure]:
    compare = kw.get("compare")
    return {
        "rolled": F.rolled(tr, step, compare=compare),
        "unrolled": F.unrolled(tr, step, compare=compare),
        "projection": F.projection(tr, step, corpus=kw.get("corpus"), compare=compare),
        "positivity": F.positivity(tr, step, compare=compare),
    }


# -- the contract ----------------------------------------------------------------------------------
def test_api_names_and_style_aliases():
    assert F.rolled is F.rolled_figure
    assert F.unrolled is F.unrolled_figure
    assert F.projection is F.projection_figure
    assert F.positivity is F.positivity_figure


@pytest.mark.parametrize("arch,hidden", [("rnn", 2), ("rnn", 5), ("gru", 8), ("lstm", 64)])
def test_every_figure_is_valid_plotly_and_serialises(arch: str, hidden: int):
    tr = make_trace(7, hidden, arch)
    goldfish = make_trace(7, hidden, arch, seed=3, forget=True)
    corpus = make_corpus(hidden) if hidden > 2 else None
    for name, fig in all_figures(tr, 3, compare=goldfish, corpus=corpus).items():
        go.Figure(fig.to_dict())  # full validation: the builders skip it for speed
        assert json.loads(fig.to_json())["data"], name
        assert 280 <= fig.layout.height <= 440, name
        assert fig.layout.autosize, name


@pytest.mark.parametrize("step,expected", [(None, 6), (0, 1), (-5, 1), (1, 1), (4, 4), (6, 6), (7, 6), (999, 6)])
def test_step_is_clamped_into_1_to_T(step: int | None, expected: int):
    tr = make_trace(6)
    figs = all_figures(tr, step)
    assert f"Step t = {expected} of 6" in figs["rolled"].layout.title.text
    assert by_name(figs["positivity"], "selected step").customdata[0][0] == expected
    assert by_name(figs["projection"], "selected step").customdata[0][0] == expected
    assert f"t = {expected} selected" in figs["unrolled"].layout.title.text


def test_clickable_marks_carry_their_step():
    tr = make_trace(9, 2)
    goldfish = make_trace(9, 2, seed=3, forget=True)
    figs = all_figures(tr, 4, compare=goldfish)
    for name in ("unrolled", "projection", "positivity"):
        with_data = [d for d in figs[name].data if d.customdata is not None]
        assert with_data, name
        for d in with_data:
            # Plotly can select scatter points and bars, not heatmap cells; the positivity view's words are bars
            assert d.type == ("bar" if (name, d.name) == ("positivity", "words x_t") else "scatter"), (name, d.name)
            assert all(isinstance(row[0], int) and 1 <= row[0] <= tr.T for row in d.customdata), (name, d.name)
    assert [row[0] for row in by_name(figs["unrolled"], "words x_t").customdata] == list(range(1, 10))
    assert [row[0] for row in by_name(figs["unrolled"], "copies of the cell").customdata] == list(range(1, 10))
    assert [row[0] for row in by_name(figs["positivity"], "o_t (with memory)").customdata] == list(range(1, 10))
    assert [row[0] for row in by_name(figs["positivity"], "words x_t").customdata] == list(range(1, 10))
    points = [d for d in figs["projection"].data if d.name in ("words read", "words still to come")]
    assert [row[0] for d in points for row in d.customdata] == list(range(1, 10))


def test_typed_html_is_escaped_everywhere():
    tokens = ["a", *NASTY, "b"]
    tr = make_trace(tokens, 3, "gru")
    goldfish = make_trace(tokens, 3, "gru", seed=2, forget=True)
    for step in (2, 3, 4):  # each nasty token once selected (titles, bold labels)
        for name, fig in all_figures(tr, step, compare=goldfish, corpus=make_corpus(3)).items():
            texts = strings(json.loads(fig.to_json()))
            joined = "\n".join(texts)
            for raw in NASTY:
                assert raw not in joined, (name, raw)
            assert "<script" not in joined and "<img" not in joined, name
            assert esc(tokens[step - 1][:10]) in joined, name  # shown, as text


def test_views_show_tokens_as_a_person_reads_them():
    tokens = ["-lrb-", "on\\/off", "``", "good", "''", "-rrb-"]
    tr = make_trace(tokens, 2)
    assert tr.labels == ["(", "on/off", "“", "good", "”", ")"]
    figs = all_figures(tr, 2)
    ticks = [t.replace("<b>", "").replace("</b>", "") for t in figs["positivity"].layout.xaxis.ticktext]
    assert ticks == tr.labels
    words = by_name(figs["unrolled"], "words x_t")
    assert [t.replace("<b>", "").replace("</b>", "") for t in words.text] == [
        "(",
        "on/off",
        "“",
        "good",
        "”",
        ")",
    ]
    assert "“on/off”" in figs["rolled"].layout.title.text
    assert "on/off" in figs["projection"].layout.title.text
    for name, fig in figs.items():
        joined = "\n".join(strings(json.loads(fig.to_json())))
        for raw in ("-lrb-", "-rrb-", "``", "\\/"):
            assert raw not in joined, (name, raw)


# -- positivity ------------------------------------------------------------------------------------
def test_positivity_ticks_are_the_tokens_and_y_is_o_t():
    tr = make_trace(["this", "movie", "is", "not", "good", "."], 2)
    fig = F.positivity(tr, 2)
    line = by_name(fig, "o_t")
    assert list(fig.layout.xaxis.tickvals) == [1, 2, 3, 4, 5, 6]
    assert [t.replace("<b>", "").replace("</b>", "") for t in fig.layout.xaxis.ticktext] == tr.labels
    assert list(line.x) == [1, 2, 3, 4, 5, 6]
    np.testing.assert_allclose(line.y, tr.outputs)
    lo, hi = fig.layout.yaxis.range
    assert lo <= 0 and hi >= 1 and hi - lo <= 1.2
    assert any(s.type == "line" and s.y0 == s.y1 == 0.5 for s in fig.layout.shapes), "the 0.5 line"
    sel = by_name(fig, "selected step")
    assert list(sel.x) == [2] and sel.y[0] == pytest.approx(tr.outputs[1])


@pytest.mark.parametrize("n", [5, 30])
def test_positivity_words_are_clickable_under_the_axis(n: int):
    """The word ticks hang into a strip of their own (y2) covered by one clear bar per step, carrying its step."""
    fig = F.positivity(make_trace(n), 2)
    words = by_name(fig, "words x_t")
    assert (words.type, words.yaxis, list(words.x), words.width) == ("bar", "y2", list(range(1, n + 1)), 1)
    assert [row[0] for row in words.customdata] == list(range(1, n + 1))
    assert "click to select step 2" in words.hovertext[1]
    strip, plot = fig.layout.yaxis2.domain, fig.layout.yaxis.domain
    assert strip[0] == 0 and strip[1] == plot[0] > 0  # right under the plot, where the x ticks are written
    assert fig.layout.margin.b < 10  # so the ticks fall on the strip, not in the margin
    assert fig.layout.yaxis2.visible is False and words.marker.color == "rgba(0,0,0,0)"


def test_positivity_long_text_labels_a_readable_subset():
    tr = make_trace(200, 2)
    fig = F.positivity(tr, 120)
    ticks = list(fig.layout.xaxis.tickvals)
    assert 120 in ticks and len(ticks) <= 40
    assert ticks == sorted(set(ticks))
    assert min(b - a for a, b in itertools.pairwise(ticks)) >= 3
    assert len(by_name(fig, "o_t").y) == 200  # every step is still drawn and hoverable


@pytest.mark.parametrize("o", [0.001, 0.5, 0.999])
def test_positivity_side_labels_sit_outside_the_plot(o: float):
    tr = make_trace(4)
    object.__setattr__(tr, "outputs", np.full(4, o))
    notes = {a.text: a for a in F.positivity(tr).layout.annotations}
    for text in ("positive ↑", "↓ negative"):
        note = notes[text]
        assert note.xref == "paper" and note.x == 1 and note.xanchor == "left", text  # in the right margin


def test_positivity_draws_the_goldfish():
    tr, goldfish = make_trace(5), make_trace(5, seed=4, forget=True)
    fig = F.positivity(tr, compare=goldfish)
    np.testing.assert_allclose(by_name(fig, "goldfish (no memory)").y, goldfish.outputs)
    assert fig.layout.showlegend


# -- unrolled --------------------------------------------------------------------------------------
def test_unrolled_one_copy_per_token_with_shared_weights():
    tr = make_trace(["this", "movie", "is", "not", "good", "."], 2)
    fig = F.unrolled(tr, 4)
    words = by_name(fig, "words x_t")
    assert [t.replace("<b>", "").replace("</b>", "") for t in words.text] == tr.labels
    assert words.text[3] == "<b>not</b>"
    assert len(set(words.x)) == 6
    strips = by_name(fig, "hidden state s_t")
    z = np.array(strips.z, dtype=float)  # (H, 2T-1), gaps are NaN
    assert z.shape == (2, 11)
    np.testing.assert_allclose(z[::-1, ::2].T, tr.hidden[1:])  # neuron 1 on top (the last row)
    assert np.isnan(z[:, 1::2]).all()
    for w in "UVW":  # written identically on every copy (W also brings s_0 in)
        shared = by_name(fig, f"shared weight {w}")
        assert shared.text == f"<b>{w}</b>" and len(shared.x) == 6
    np.testing.assert_allclose(by_name(fig, "o_t").marker.color, tr.outputs)
    highlight = fig.layout.shapes[0]
    assert highlight.x0 < words.x[3] < highlight.x1
    assert not highlight.x0 < words.x[2] < highlight.x1


def test_unrolled_long_text_shows_a_window_without_overlap():
    tr = make_trace(60, 4)
    fig = F.unrolled(tr, 30, window=16)
    words = by_name(fig, "words x_t")
    steps = [row[0] for row in words.customdata]
    assert len(steps) == 16 and 30 in steps and steps == list(range(steps[0], steps[0] + 16))
    positions = list(zip(words.x, words.y, strict=True))
    assert len(set(positions)) == 16
    for (x0, y0), (x1, y1) in itertools.pairwise(positions):  # neighbours alternate rows
        assert x1 > x0 and y1 != y0
    notes = labels(fig)
    assert f"… {steps[0] - 1}<br>earlier" in notes
    assert f"{60 - steps[-1]}<br>later …" in notes
    assert f"steps {steps[0]}–{steps[-1]} of 60" in fig.layout.title.text


@pytest.mark.parametrize("step,first,last", [(1, 1, 16), (8, 1, 16), (30, 22, 37), (59, 45, 60), (60, 45, 60)])
def test_unrolled_window_stays_inside_the_text(step: int, first: int, last: int):
    assert window_range(60, step, 16) == (first, last)
    fig = F.unrolled(make_trace(60), step)
    assert [row[0] for row in by_name(fig, "words x_t").customdata] == list(range(first, last + 1))


def test_unrolled_marks_word_pieces_and_unknown_words():
    tr = make_trace(["good", "disgustingly", "zzqx"], 2, kinds=["known", "pieces", "unknown"])
    words = by_name(F.unrolled(tr, 1), "words x_t")
    assert words.text[1] == "<i>disgustingly</i>"
    assert words.text[2] == "zzqx?"


def test_unrolled_draws_the_goldfish_row():
    tr, goldfish = make_trace(5), make_trace(5, seed=4, forget=True)
    fig = F.unrolled(tr, compare=goldfish)
    assert by_name(fig, "goldfish o_t").text == tuple(f"{o:.2f}" for o in goldfish.outputs)
    assert "goldfish" in fig.layout.yaxis.ticktext


# -- projection ------------------------------------------------------------------------------------
def test_projection_two_neurons_on_their_own_axes_with_the_readout():
    tr = make_trace(6, 2)
    fig = F.projection(tr, 3)
    assert "neuron 1" in fig.layout.xaxis.title.text and "neuron 2" in fig.layout.yaxis.title.text
    assert list(fig.layout.xaxis.range) == [-1.1, 1.1]
    bands = [d for d in fig.data if d.name and d.name.startswith("readout o")]
    assert 2 <= len(bands) <= 6 and all(d.fill == "toself" for d in bands)
    area = 0.0
    for band in bands:  # every corner of a band lies between its two readout levels
        lo, hi = (float(v) for v in band.name.split(" in ")[1].split("–"))
        xy = np.c_[band.x, band.y]  # (N+1, 2), closed
        o = 1 / (1 + np.exp(-(xy @ tr.V + tr.c)))
        assert (o >= lo - 1e-4).all() and (o <= hi + 1e-4).all(), band.name  # corners rounded to 1e-5
        x, y = xy[:, 0], xy[:, 1]
        area += 0.5 * abs(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1]))
    assert area == pytest.approx(2.2 * 2.2)  # the bands tile the whole plot box
    boundary = by_name(fig, "o = 0.5")
    for x, y in zip(boundary.x, boundary.y, strict=True):
        assert tr.V @ np.array([x, y]) + tr.c == pytest.approx(0, abs=1e-9)
    points = [d for d in fig.data if d.name in ("words read", "words still to come")]
    xy = np.array([(x, y) for d in points for x, y in zip(d.x, d.y, strict=True)])
    np.testing.assert_allclose(xy, tr.hidden[1:])
    shown = [t for d in points for t in d.text]
    assert all(s in ("", label) for s, label in zip(shown, tr.labels, strict=True))
    assert shown[2] == tr.labels[2]  # the selected word always keeps its label
    s0 = by_name(fig, "s_0")
    assert (s0.x[0], s0.y[0]) == (0.0, 0.0)
    sel = by_name(fig, "selected step")
    assert (sel.x[0], sel.y[0]) == pytest.approx(tuple(tr.hidden[3]))


def test_projection_uses_the_corpus_pca_basis():
    tr = make_trace(5, 6)
    corpus = make_corpus(6)
    fig = F.projection(tr, 2, corpus=corpus)
    assert fig.layout.xaxis.title.text == "PC1 (50% of variance)"
    assert fig.layout.yaxis.title.text == "PC2 (20% of variance)"
    expected = (tr.hidden - corpus.mean) @ corpus.components[:2].T  # (T+1, 2)
    points = [d for d in fig.data if d.name in ("words read", "words still to come")]
    xy = np.array([(x, y) for d in points for x, y in zip(d.x, d.y, strict=True)])
    np.testing.assert_allclose(xy, expected[1:], rtol=1e-5, atol=1e-6)
    neg, pos = by_name(fig, "negative reviews end"), by_name(fig, "positive reviews end")
    assert len(neg.x) == (corpus.labels == 0).sum() and len(pos.x) == (corpus.labels == 1).sum()


def test_projection_draws_at_most_a_few_hundred_corpus_states():
    from rnnviz.figures.space import MAX_CORPUS_POINTS

    corpus = make_corpus(6, n=1000)
    fig = F.projection(make_trace(5, 6), 2, corpus=corpus)
    neg, pos = by_name(fig, "negative reviews end"), by_name(fig, "positive reviews end")
    assert MAX_CORPUS_POINTS / 2 <= len(neg.x) + len(pos.x) <= MAX_CORPUS_POINTS
    assert abs(len(neg.x) - len(pos.x)) <= 1  # both kinds of review, as in the corpus
    lo, hi = fig.layout.xaxis.range  # the axes still fit every corpus state
    px = (corpus.final_states - corpus.mean) @ corpus.components[0]
    assert lo <= px.min() and px.max() <= hi


def test_projection_without_corpus_says_so():
    fig = F.projection(make_trace(5, 6), 2)
    assert "no corpus" in fig.layout.xaxis.title.text
    assert not [d for d in fig.data if d.name and d.name.startswith("readout")]


def test_projection_draws_the_goldfish_path():
    tr, goldfish = make_trace(5), make_trace(5, seed=4, forget=True)
    path = by_name(F.projection(tr, compare=goldfish), "goldfish (no memory)")
    np.testing.assert_allclose(np.c_[path.x, path.y], goldfish.hidden[1:])
    assert path.line.dash == "dash"


def test_projection_long_text_labels_only_words_near_the_step():
    tr = make_trace(60)
    fig = F.projection(tr, 30)
    labelled = [
        row[0]
        for d in fig.data
        if d.name and d.name.startswith("words")
        for row, s in zip(d.customdata, d.text, strict=True)
        if s
    ]
    assert 30 in labelled and len(labelled) <= 9


def label_boxes(fig: go.Figure) -> list[tuple[float, float, float, float]]:
    """Pixel boxes of the projection's word labels, as label_positions estimates them."""
    from rnnviz.figures.mark import CHAR_PX, LINE_PX, MARKER_PX, PLOT_PX

    xr, yr = fig.layout.xaxis.range, fig.layout.yaxis.range
    s = min(PLOT_PX[0] / (xr[1] - xr[0]), PLOT_PX[1] / (yr[1] - yr[0]))
    r = MARKER_PX / 2
    boxes = []
    for d in fig.data:
        if not ((d.name and d.name.startswith("words")) or d.name == "s_0"):
            continue
        positions = [d.textposition] * len(d.x) if isinstance(d.textposition, str) else d.textposition
        for x, y, text, pos in zip(d.x, d.y, d.text, positions, strict=True):
            if not text:
                continue
            text = "s0" if d.name == "s_0" else text
            x, y = (x - xr[0]) * s, (y - yr[0]) * s
            w, v_pos, u_pos = CHAR_PX * len(text) + 2, *pos.split()
            bx = {"center": x - w / 2, "right": x + r, "left": x - r - w}[u_pos]
            by = {"top": y + r, "bottom": y - r - LINE_PX, "middle": y - LINE_PX / 2}[v_pos]
            boxes.append((bx, by, bx + w, by + LINE_PX))
    return boxes


@pytest.mark.parametrize("seed", range(6))
def test_projection_labels_do_not_pile_up_near_s0(seed: int):
    tr = make_trace(["a", "very", "short", "one"], 2, seed=seed)
    object.__setattr__(tr, "hidden", tr.hidden * 0.08)  # every state crowded around s_0
    fig = F.projection(tr, 2)
    boxes = label_boxes(fig)
    for a, b in itertools.combinations(boxes, 2):
        assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (a, b)
    points = [d for d in fig.data if d.name in ("words read", "words still to come")]
    shown = [t for d in points for t in d.text]
    assert shown[1] == "very"  # the selected word is always labelled
    hovered = [h for d in points for h in d.hovertext]
    assert len(hovered) == 4 and all(w in h for w, h in zip(tr.labels, hovered, strict=True))  # hover for all


# -- rolled ----------------------------------------------------------------------------------------
def test_rolled_draws_the_cell_the_loop_and_one_trace_of_neurons():
    tr = make_trace(["this", "movie", "is", "not", "good", "."], 2)
    goldfish = make_trace(6, 2, seed=4, forget=True)
    fig = F.rolled(tr, 4, compare=goldfish)
    assert all(t.type == "scatter" for t in fig.data)
    assert not fig.layout.annotations  # labels and arrows are traces: Plotly draws annotations twice per redraw
    neurons = by_name(fig, "hidden units")
    assert fig.data[-1] is neurons  # on top of the labels, so hovering a unit finds it
    heads = by_name(fig, "arrowheads")
    assert list(heads.marker.symbol) == ["triangle-up", "triangle-left", "triangle-up"]  # x in, memory back, o out
    np.testing.assert_allclose(neurons.marker.color[:2], tr.hidden[4])  # s_4 in the cell
    np.testing.assert_allclose(neurons.marker.color[2:], tr.hidden[3])  # s_3 coming round the loop
    assert neurons.text[:2] == tuple(f"{v:+.2f}" for v in tr.hidden[4])
    assert fig.layout.title.text == "Step t = 4 of 6: “not”"
    notes = labels(fig)
    for needed in ("x<sub>4</sub> = “not”", f"{tr.outputs[3]:.3f}"):
        assert needed in notes
    assert [by_name(fig, f"shared weight {w}").text for w in "UVW"] == ["<b>U</b>", "<b>V</b>", "<b>W</b>"]
    assert f"goldfish o<sub>4</sub> = {goldfish.outputs[3]:.3f}" in notes
    assert any(s.type == "path" for s in fig.layout.shapes), "the loop"


def test_rolled_large_cell_is_a_compact_grid():
    tr = make_trace(4, 64, "lstm")
    neurons = by_name(F.rolled(tr, 2), "hidden units")
    assert len(neurons.x) == 64 and not any(neurons.text)
    assert len(set(zip(neurons.x, neurons.y, strict=True))) == 64


@pytest.mark.parametrize("arch", ["gru", "lstm"])
def test_rolled_shows_the_gates(arch: str):
    tr = make_trace(5, 8, arch)
    notes = labels(F.rolled(tr, 2))
    for name in tr.gates:
        mean = float(np.mean(tr.gates[name][1]))
        assert f"{name} " in notes and f"{mean:+.2f}" in notes, name
    assert "tanh" not in notes  # the plain cell's equation makes way for the gates
    # The LSTM's c is its cell state, not a gate: the panel's heading says so.
    assert ("gates and cell state" in notes) == (arch == "lstm") and ("cell" in tr.gates) == (arch == "lstm")


def test_rolled_plain_cell_shows_its_equation():
    notes = labels(F.rolled(make_trace(3), 1))
    assert "tanh(U x<sub>t</sub>" in notes and "gates" not in notes


def test_rolled_goldfish_run_draws_a_broken_loop():
    fig = F.rolled(make_trace(4, forget=True), 2)
    loop = next(s for s in fig.layout.shapes if s.type == "path")
    assert loop.line.dash == "dot"
    assert "goldfish: reset to s<sub>0</sub>" in labels(fig)


def test_callers_can_still_restyle_and_are_validated():
    fig = F.positivity(make_trace(4))
    fig.update_layout(template="plotly_dark", xaxis_title="words")
    fig.to_html(include_plotlyjs=False)
    assert fig.layout.xaxis.title.text == "words"
    with pytest.raises(ValueError):
        fig.update_layout(xaxis_bogus=1)


def test_tiny_edge_cases_do_not_raise():
    for tr in (make_trace(1, 1), make_trace(1, 2), make_trace(2, 3, "gru")):
        for fig in all_figures(tr, 5).values():
            fig.to_json()


# -- the shipped models, when they are there ------------------------------------------------------
@pytest.mark.parametrize("name", ["rnn-2", "rnn-64", "gru-64", "lstm-64"])
def test_shipped_model_traces(name: str):
    if not (ASSETS / f"{name}.safetensors").is_file():
        pytest.skip(f"assets/{name}.safetensors not shipped yet")
    import rnnviz

    model = rnnviz.load_model(name)
    text = "This movie is not good."
    tr, goldfish = rnnviz.trace(model, text), rnnviz.trace(model, text, forget=True)
    corpus = rnnviz.load_corpus(name) if (ASSETS / f"{name}.corpus.npz").is_file() else None
    figs = all_figures(tr, 4, compare=goldfish, corpus=corpus)
    ticks = [t.replace("<b>", "").replace("</b>", "") for t in figs["positivity"].layout.xaxis.ticktext]
    assert ticks == tr.labels
    axis = figs["projection"].layout.xaxis.title.text
    if tr.H == 2:
        assert axis.startswith("neuron 1")
    elif corpus is not None:
        assert axis.startswith("PC1 (")
    notes = labels(figs["rolled"])
    assert all(f"{g} " in notes for g in tr.gates)
    for fig in figs.values():
        go.Figure(fig.to_dict())


# -- one convention for neurons --------------------------------------------------------------------
ZERO_BASED = re.compile(r"s<sub>[^<]*</sub>\[0\]|\bunit \d")  # s_t[0], or "unit 3" where views say "neuron 3"


@pytest.mark.parametrize("arch,hidden", [("rnn", 2), ("gru", 3), ("lstm", 5)])
def test_neurons_are_numbered_from_1_in_every_label_and_hover(arch: str, hidden: int):
    tr = make_trace(5, hidden, arch)
    goldfish = make_trace(5, hidden, arch, seed=3, forget=True)
    figs = {**all_figures(tr, 3, compare=goldfish), "neuron": F.neuron_figure(tr, 0, 3)}
    figs["projection (no corpus)"] = F.projection(make_trace(5, 4), 2)
    for name, fig in figs.items():
        text = fig.to_json()
        assert not ZERO_BASED.search(text), (name, ZERO_BASED.search(text))
    assert "neuron 1: s<sub>3</sub>[1] = " in by_name(figs["rolled"], "hidden units").hovertext[0]
    assert "neuron 1 (s<sub>t</sub>[1])" == figs["projection"].layout.xaxis.title.text or hidden != 2
    assert figs["projection (no corpus)"].layout.xaxis.title.text.startswith("neuron 1 (s<sub>t</sub>[1];")
    one = F.neuron_figure(tr, hidden - 1, 3)
    assert one.data[0].name == f"neuron {hidden}" and f"s<sub>t</sub>[{hidden}]" in one.layout.title.text


def test_neuron_1_leads_in_the_loop_the_chain_and_the_projection():
    tr = make_trace(5, 4)
    rolled = by_name(F.rolled(tr, 3), "hidden units")
    cell, loop = slice(0, 4), slice(4, 8)
    assert [h.split(":")[0] for h in rolled.hovertext[cell]] == [f"neuron {k}" for k in range(1, 5)]
    assert list(rolled.x[cell]) == sorted(rolled.x[cell]) and len(set(rolled.y[cell])) == 1  # one row, left to right
    grid = by_name(F.rolled(make_trace(5, 16), 3), "hidden units")  # 4 x 4, read like text
    xs, ys = np.array(grid.x), np.array(grid.y)
    assert xs[0] < xs[1] < xs[3] and ys[0] == ys[3] > ys[4] and xs[4] == xs[0]
    assert list(rolled.y[loop]) == sorted(rolled.y[loop], reverse=True)  # the memory on the loop: neuron 1 on top
    assert rolled.hovertext[4].startswith("neuron 1's memory")
    notes = [(text, x) for d in F.rolled(tr, 3).data if d.name == "labels" for text, x in zip(d.text, d.x, strict=True)]
    numbers = {text: x for text, x in notes if text in ("1", "2", "3", "4")}
    assert list(numbers) == ["1", "2", "3", "4"] and list(numbers.values()) == list(rolled.x[cell])
    two_notes = [t for d in F.rolled(make_trace(5, 2), 3).data if d.name == "labels" for t in d.text]
    assert "neuron 1" in two_notes and "neuron 2" in two_notes
    strips = by_name(F.unrolled(tr, 3), "hidden state s_t")
    z = np.array(strips.z, dtype=float)  # (H, 2T-1), Plotly draws row 0 at the bottom
    np.testing.assert_allclose(z[-1, ::2], tr.hidden[1:, 0])  # the top row is neuron 1
    assert "neuron 1: s<sub>1</sub>[1]" in strips.hovertext[-1][0] and "neuron 4:" in strips.hovertext[0][0]
    two = make_trace(5, 2)
    proj = F.projection(two, 3)
    sel = by_name(proj, "selected step")
    assert (sel.x[0], sel.y[0]) == pytest.approx(tuple(two.hidden[3]))  # x is neuron 1
    assert proj.layout.xaxis.title.text.startswith("neuron 1")


def test_hidden_values_have_a_colour_scale_of_their_own():
    from rnnviz.figures.style import DIVERGING, HIDDEN_SCALE, NEGATIVE, POSITIVE, hidden_colour

    hidden_colours = {c for _, c in HIDDEN_SCALE}
    assert not hidden_colours & {c for _, c in DIVERGING} and not hidden_colours & {NEGATIVE, POSITIVE}
    assert hidden_colour(-1).replace(" ", "") == HIDDEN_SCALE[0][1] == "rgb(64,0,75)"  # purple
    assert hidden_colour(1).replace(" ", "") == HIDDEN_SCALE[-1][1] == "rgb(0,68,27)"  # green
    tr = make_trace(5, 3, "gru")

    def scale(trace: Any) -> list[list[Any]]:
        raw = trace.colorscale if trace.type == "heatmap" else trace.marker.colorscale
        return [[float(at), c] for at, c in raw]

    hidden_scale = [[float(at), c] for at, c in HIDDEN_SCALE]
    sentiment = [[float(at), c] for at, c in DIVERGING]
    assert scale(by_name(F.rolled(tr, 2), "hidden units")) == hidden_scale
    assert scale(by_name(F.unrolled(tr, 2), "hidden state s_t")) == hidden_scale
    assert scale(F.neuron_figure(tr, 1, 2).data[0]) == hidden_scale
    assert scale(by_name(F.unrolled(tr, 2), "o_t")) == sentiment  # o_t keeps the sentiment colours
    gate_bars = [s.fillcolor for s in F.rolled(tr, 2).layout.shapes if s.fillcolor and s.fillcolor.startswith("rgb(")]
    assert gate_bars and all(c not in {colour for _, colour in DIVERGING} for c in gate_bars)


def test_the_state_space_view_is_called_the_projection_as_in_the_essay():
    from rnnviz.app.presets import CAPTIONS

    assert F.projection(make_trace(4, 2), 2).layout.title.text.startswith("Projection: ")
    tr = make_trace(4, 3)
    assert F.projection(tr, 2, corpus=make_corpus(3), dims=3).layout.title.text.startswith("Projection in 3-D")
    assert CAPTIONS["projection"].startswith("**Projection.**")


# -- the essay's words (issue 14, point 7) --------------------------------------------------------
def _links_into_copies(fig) -> list[tuple[float, float]]:
    """(x0, x1) of each horizontal arrow at the state row: the memory links s_{t-1} -> s_t."""
    lines = by_name(fig, "arrows")
    xs, ys = list(lines.x), list(lines.y)
    segs = [(xs[i], xs[i + 1]) for i in range(0, len(xs), 3) if ys[i] == ys[i + 1] == 0.5]
    return segs


def test_unrolled_cuts_the_memory_links_when_the_goldfish_is_on():
    tr, goldfish = make_trace(5), make_trace(5, seed=4, forget=True)
    with_memory = F.unrolled(tr)
    assert len(_links_into_copies(with_memory)) == 5  # s_0 -> s_1 and s_{t-1} -> s_t
    assert "memory links cut" not in with_memory.layout.title.text
    assert not [d for d in with_memory.data if d.name == "memory links cut (goldfish)"]
    cut = F.unrolled(tr, compare=goldfish)
    assert _links_into_copies(cut) == []  # no arrow from s_{t-1} to s_t
    assert len(by_name(cut, "arrowheads").x) == 2 * 5
    stubs = by_name(cut, "memory links cut (goldfish)")
    assert stubs.line.dash == "dot" and len([x for x in stubs.x if x is None]) == 2 * 5  # two stubs a link
    assert "memory links cut" in cut.layout.title.text


def test_projection_legend_names_the_goldfish_path_beside_the_real_one():
    tr, goldfish = make_trace(5), make_trace(5, seed=4, forget=True)
    fig = F.projection(tr, compare=goldfish)
    assert fig.layout.showlegend
    # Live charts draw the legend with the background traces only: the two runs' entries must be there.
    shown = [d.name for d in fig.data if d.showlegend and d.meta == BACKGROUND]
    assert "goldfish path (no memory)" in shown and "with memory (path so far)" in shown
    assert by_name(fig, "goldfish path (no memory)").line.dash == by_name(fig, "goldfish (no memory)").line.dash
    assert not by_name(fig, "goldfish (no memory)").showlegend  # one entry each
    assert not [d for d in F.projection(tr).data if d.name == "with memory (path so far)"]


@pytest.mark.parametrize(("arch", "hidden"), [("rnn", 2), ("rnn", 5), ("gru", 3), ("lstm", 3)])
def test_a_one_word_sentence_draws_one_sensible_cell_in_every_view(arch: str, hidden: int):
    tr, goldfish = make_trace(1, hidden, arch), make_trace(1, hidden, arch, seed=4, forget=True)
    figs = all_figures(tr, None, compare=goldfish)
    unrolled = figs["unrolled"]
    assert len(by_name(unrolled, "copies of the cell").x) == 1
    assert len(by_name(unrolled, "o_t").x) == 1
    xr = unrolled.layout.xaxis.range
    assert xr[0] < -0.52 and xr[1] > 0.28  # s_0 coming in and the one copy both inside the canvas
    pos = figs["positivity"]
    xr = pos.layout.xaxis.range
    assert xr[0] < 1 < xr[1]  # the one point, not on the edge
    path = by_name(figs["projection"], "path so far")
    assert len(path.x) == 2  # s_0 -> s_1: one step
    for fig in figs.values():
        assert "t = 1" in fig.layout.title.text or "o<sub>T</sub>" in fig.layout.title.text
