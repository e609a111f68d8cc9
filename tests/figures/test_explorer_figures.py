"""The explorer's figures, checked on the figure dict: traces, labels, escaping."""

from __future__ import annotations

import numpy as np
import pytest
from support import tiny_model

import rnnviz
import rnnviz.figures as F  # noqa: N812
from rnnviz import analysis as A  # noqa: N812

NASTY = "this <b>movie</b> is not <script>good</script>"


def names(fig) -> list[str]:
    return [t.name for t in fig.data]


def all_text(fig) -> str:
    return fig.to_json()


@pytest.fixture(scope="module")
def rnn2():
    model = tiny_model("rnn", hidden=2)
    p = A.cell_params(model)
    x, word = A.word_input(model, None)
    fp = A.find_fixed_points(p, x, n_starts=16, n_steps=80)
    return model, p, fp, A.flow_field(p, x, word=word, n=7)


def test_dynamics_shows_flow_fixed_points_and_the_path(rnn2):
    model, _, fp, flow = rnn2
    tr = rnnviz.trace(model, NASTY)
    fig = F.dynamics_figure(tr, 2, fixed_points=fp, flow=flow)
    fig.to_json()
    assert any(n.startswith("flow") for n in names(fig))
    assert any("fixed point" in n for n in names(fig))
    words = next(t for t in fig.data if t.name == "words of the sentence")
    assert len(words.x) == tr.T and [c[0] for c in words.customdata] == list(range(1, tr.T + 1))
    assert "<" not in "".join(words.text) and "&lt;" in "".join(words.text)  # the tokens '<' and '>' escaped
    stable = [t for t in fig.data if t.name == "stable fixed point"]
    assert sum(len(t.x) for t in stable) == int((fp.fixed & fp.stable).sum())


def test_dynamics_without_analysis_still_draws():
    model = tiny_model("gru", hidden=3)
    fig = F.dynamics_figure(rnnviz.trace(model, "good"))
    assert "words of the sentence" in names(fig)


def test_dynamics_draws_a_line_of_slow_points_in_the_pca_plane():
    model = tiny_model("gru", hidden=3)
    tr = rnnviz.trace(model, "this movie is good")
    line = np.stack([np.linspace(-0.5, 0.5, 6), np.zeros(6), np.zeros(6)], axis=1)
    fp = A.FixedPoints(
        word="<i>x</i>",
        states=line,
        hidden=line,
        speed=np.full(6, 1e-3),
        eigenvalues=np.full((6, 3), 0.99 + 0j),
        stable=np.ones(6, bool),
        fixed=np.zeros(6, bool),
        outputs=np.full(6, 0.5),
        line=line,
        n_starts=6,
        seconds=0.0,
    )
    corpus = rnnviz.Corpus(
        final_states=np.random.default_rng(0).uniform(-1, 1, (20, 3)).astype(np.float32),
        labels=np.array([0, 1] * 10, dtype=np.int8),
        outputs=np.full(20, 0.5, dtype=np.float32),
        lengths=np.full(20, 4, dtype=np.int16),
        mean=np.zeros(3, dtype=np.float32),
        components=np.eye(3, dtype=np.float32),
        explained=np.array([0.6, 0.3, 0.1], dtype=np.float32),
    )
    fig = F.dynamics_figure(tr, corpus=corpus, fixed_points=fp)
    assert any(n.startswith("line of slow points (not a line attractor)") for n in names(fig))
    assert "slow point (not converged: no stability)" in names(fig)  # stability is a fixed point's alone
    assert "&lt;i&gt;x&lt;/i&gt;" in fig.layout.title.text
    assert "PC1" in fig.layout.xaxis.title.text


def test_word_effects_labels_both_measures_and_escapes_words():
    model = tiny_model("rnn")
    tr = rnnviz.trace(model, NASTY)
    we = A.word_effects(model, tr)
    fig = F.word_effects_figure(tr, we)
    fig.to_json()
    heat, at_bar, out_bar = fig.data
    assert heat.type == "heatmap" and list(heat.y) == ["if left out", "at its step"]
    assert "at its step" in at_bar.name and "left out" in out_bar.name
    np.testing.assert_allclose(at_bar.y, we.at_step, atol=1e-4)
    np.testing.assert_allclose(out_bar.y, we.left_out, atol=1e-4)
    assert "&lt;" in heat.text[0] and "<" not in "".join(heat.text[0]) and "<" not in "".join(fig.layout.xaxis.ticktext)
    with pytest.raises(ValueError, match="words"):
        F.word_effects_figure(rnnviz.trace(model, "good"), we)


def test_anatomy_arrows_walk_from_s_prev_to_s_t(rnn2):
    model, p, _, _ = rnn2
    tr = rnnviz.trace(model, "this movie is not good")
    parts = A.anatomy(tr, 3, p)
    fig = F.anatomy_figure(tr, parts)
    pts = fig.data[0]
    np.testing.assert_allclose([pts.x[0], pts.y[0]], tr.hidden[2], atol=1e-4)
    np.testing.assert_allclose([pts.x[-1], pts.y[-1]], tr.hidden[3], atol=1e-4)
    arrows = [a for a in fig.layout.annotations if a.showarrow]
    assert len(arrows) == 4


@pytest.mark.parametrize("arch", ["gru", "lstm"])
def test_gates_figure_stacks_kept_and_written(arch):
    model = tiny_model(arch, hidden=3)
    tr = rnnviz.trace(model, NASTY)
    fig = F.gates_figure(tr, A.gate_anatomy(tr, 2))
    kept, written, after = fig.data
    assert kept.name.startswith("kept") and written.name.startswith("written")
    np.testing.assert_allclose(np.add(kept.y, written.y), after.y, atol=1e-3)
    assert fig.layout.barmode == "relative" and "&lt;" in fig.layout.title.text
    assert sorted(kept.x) == ["neuron 1", "neuron 2", "neuron 3"]  # numbered from 1, as in every view


def test_compare_marks_where_paths_part():
    model = tiny_model("rnn", hidden=3)
    traces = [rnnviz.trace(model, t) for t in ("this movie is good", "this movie is not good")]
    traces.append(rnnviz.trace(model, "this movie is not good", forget=True))
    assert F.compare.parting_step(traces[0], traces[1]) == 3  # s_0..s_3 shared
    assert F.compare.parting_step(traces[1], traces[2]) == 1  # the goldfish forgets after one word
    fig = F.compare_figure(traces)
    fig.to_json()
    star = next(t for t in fig.data if t.name == "where two paths part")
    assert len(star.x) == 2
    curves = [t for t in fig.data if t.yaxis == "y2"]
    assert len(curves) == 3 and "(goldfish)" in curves[2].name
    with pytest.raises(ValueError):
        F.compare_figure([])


def test_compare_escapes_pinned_text():
    model = tiny_model("rnn", hidden=3)
    fig = F.compare_figure([rnnviz.trace(model, NASTY)])
    assert "<script>" not in fig.to_json()


def test_neuron_figure_follows_one_unit():
    model = tiny_model("lstm", hidden=3)
    tr = rnnviz.trace(model, NASTY)
    fig = F.neuron_figure(tr, 2, 1)
    np.testing.assert_allclose(fig.data[0].y, tr.hidden[:, 2], atol=1e-4)
    assert fig.data[0].name == "neuron 3" and fig.layout.title.text.startswith("Neuron 3 of 3: s<sub>t</sub>[3]")
    assert "<b>" not in "".join(fig.layout.xaxis.ticktext)
    with pytest.raises(ValueError, match="unit"):
        F.neuron_figure(tr, 3)
