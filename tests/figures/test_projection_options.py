"""The corpus map's options: prefix states in the corpus file, and the projection's components, colours and 3-D."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import plotly.graph_objects as go
import pytest
from support import by_name, make_corpus, make_trace

import rnnviz
import rnnviz.figures as F  # noqa: N812
from rnnviz.corpus import Corpus, load_corpus, save_corpus
from rnnviz.figures.style import NEGATIVE, POSITIVE


def with_prefix(corpus: Corpus, m: int = 50, seed: int = 2) -> Corpus:
    rng = np.random.default_rng(seed)
    return replace(
        corpus,
        prefix_states=np.tanh(rng.normal(0, 1, (m, corpus.H))).astype(np.float32),
        prefix_labels=(np.arange(m) % 2).astype(np.int8),
        prefix_outputs=rng.uniform(0, 1, m).astype(np.float32),
    )


# -- the corpus file ---------------------------------------------------------------------------------
@pytest.mark.parametrize("prefix", [False, True])
def test_corpus_round_trip(tmp_path, prefix):
    corpus = make_corpus(4)
    if prefix:
        corpus = with_prefix(corpus)
    path = save_corpus(corpus, tmp_path / "m.corpus.npz")
    back = load_corpus(tmp_path / "m.pt")  # the file beside the checkpoint
    assert path == tmp_path / "m.corpus.npz"
    np.testing.assert_allclose(back.final_states, corpus.final_states, atol=1e-3)  # stored as float16
    np.testing.assert_array_equal(back.components, corpus.components)
    if prefix:
        assert back.prefix_states is not None and back.prefix_labels is not None and back.prefix_outputs is not None
        assert back.prefix_states.shape == corpus.prefix_states.shape
        np.testing.assert_allclose(back.prefix_states, corpus.prefix_states, atol=1e-3)
        np.testing.assert_array_equal(back.prefix_labels, corpus.prefix_labels)
        np.testing.assert_allclose(back.prefix_outputs, corpus.prefix_outputs, atol=1e-3)
    else:
        assert back.prefix_states is None and back.prefix_labels is None and back.prefix_outputs is None


def test_an_older_file_without_prefix_states_loads(tmp_path):
    corpus = make_corpus(3)
    np.savez_compressed(  # the layout written before prefix states existed
        tmp_path / "old.corpus.npz",
        final_states=corpus.final_states.astype(np.float16),
        labels=corpus.labels,
        outputs=corpus.outputs.astype(np.float16),
        lengths=corpus.lengths,
        mean=corpus.mean,
        components=corpus.components,
        explained=corpus.explained,
    )
    back = load_corpus(tmp_path / "old.pt")
    assert back.prefix_states is None and back.H == 3


def test_prefix_arrays_are_checked():
    corpus = make_corpus(3)
    with pytest.raises(ValueError, match="together"):
        replace(corpus, prefix_states=np.zeros((4, 3), dtype=np.float32))
    with pytest.raises(ValueError, match=r"\(M, H\)"):
        replace(with_prefix(corpus), prefix_states=np.zeros((50, 2), dtype=np.float32))  # wrong H for this corpus


@pytest.mark.parametrize("name", rnnviz.SHIPPED)
def test_shipped_corpus_files_carry_a_small_prefix_sample(name):
    corpus = rnnviz.load_corpus(name)
    assert corpus.prefix_states is not None and corpus.prefix_outputs is not None
    assert 1000 <= len(corpus.prefix_states) <= 6000
    assert corpus.prefix_states.shape[1] == corpus.H
    assert set(np.unique(corpus.prefix_labels)) == {0, 1}
    assert ((corpus.prefix_outputs >= 0) & (corpus.prefix_outputs <= 1)).all()
    assert np.abs(corpus.prefix_states).max() <= 1.0 + 1e-3  # tanh states


# -- the projection's options --------------------------------------------------------------------------
NASTY = "<b>x</b>"


def nasty_trace(h: int = 6):
    tr = make_trace(5, h)
    return replace(tr, tokens=[NASTY, *tr.tokens[1:]])


def shown_text(fig) -> str:
    """Every label, hover text and name, as plain text (to_json escapes '<' itself)."""
    return json.dumps(fig.to_dict(), ensure_ascii=False)


def corpus_2() -> Corpus:
    """A corpus of a 2-unit model (two principal axes)."""
    c = make_corpus(3)
    return Corpus(
        final_states=c.final_states[:, :2],
        labels=c.labels,
        outputs=c.outputs,
        lengths=c.lengths,
        mean=c.mean[:2],
        components=np.array([[0.6, 0.8], [-0.8, 0.6]], dtype=np.float32),
        explained=np.array([0.7, 0.3], dtype=np.float32),
    )


def word_points(fig) -> np.ndarray:
    pts = [d for d in fig.data if d.name in ("words read", "words still to come")]
    axes = "xyz" if pts[0].type == "scatter3d" else "xy"
    return np.array([p for d in pts for p in zip(*(getattr(d, a) for a in axes), strict=True)])


@pytest.mark.parametrize("components", [(0, 1), (0, 2), (1, 2), (2, 0)])
def test_the_chosen_components_span_the_plane(components):
    tr, corpus = make_trace(5, 6), make_corpus(6)
    fig = F.projection(tr, 2, corpus=corpus, components=components)
    go.Figure(fig.to_dict())  # valid
    expected = (tr.hidden - corpus.mean) @ corpus.components[list(components)].T  # (T+1, 2)
    np.testing.assert_allclose(word_points(fig), expected[1:], rtol=1e-5, atol=1e-6)
    pct = (50, 20, 10)
    assert fig.layout.xaxis.title.text == f"PC{components[0] + 1} ({pct[components[0]]}% of variance)"
    assert fig.layout.yaxis.title.text == f"PC{components[1] + 1} ({pct[components[1]]}% of variance)"
    neg = by_name(fig, "negative reviews end")
    ends = (corpus.final_states - corpus.mean) @ corpus.components[list(components)].T
    np.testing.assert_allclose(neg.x, ends[corpus.labels == 0, 0], atol=1e-4)


def test_the_readout_in_another_plane_is_computed_the_same_way():
    from rnnviz.figures.space import plane_for

    tr, corpus = make_trace(5, 6), make_corpus(6)
    plane = plane_for(tr, corpus, (0, 2))
    basis = corpus.components[[0, 2]]
    if plane.readout is not None:
        w, b = plane.readout
        np.testing.assert_allclose(w, basis @ tr.V, rtol=1e-6)
        assert b == pytest.approx(float(tr.V @ corpus.mean + tr.c))
    # a V lying in the PC1/PC3 plane is drawn there, and its boundary is exact
    v = (corpus.components[0] + corpus.components[2]).astype(float)
    plane = plane_for(replace(tr, V=v), corpus, (0, 2))
    assert plane.readout is not None
    np.testing.assert_allclose(plane.readout[0], [1.0, 1.0], atol=1e-5)


def test_default_is_unchanged_by_the_new_options():
    tr, corpus = make_trace(5, 6), make_corpus(6)
    assert (
        F.projection(tr, 2, corpus=corpus).to_json()
        == F.projection(tr, 2, corpus=corpus, components=(0, 1), color_by="label", prefixes=False, dims=2).to_json()
    )


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"components": (0, 0)}, "different components"),
        ({"components": (0, 3)}, "PC1..PC3"),
        ({"components": (0, 1, 2)}, "takes 2 components"),
        ({"color_by": "size"}, "color_by"),
        ({"dims": 4}, "dims"),
    ],
)
def test_bad_options_say_what_to_pick(kwargs, match):
    with pytest.raises(ValueError, match=match):
        F.projection(make_trace(5, 6), 2, corpus=make_corpus(6), **kwargs)


def test_colour_by_o_uses_the_corpus_outputs():
    tr, corpus = make_trace(5, 6), make_corpus(6)
    fig = F.projection(tr, 2, corpus=corpus, color_by="o")
    go.Figure(fig.to_dict())
    ends = by_name(fig, "reviews end, coloured by o<sub>T</sub>")
    np.testing.assert_allclose(ends.marker.color, corpus.outputs, atol=1e-4)
    assert ends.marker.cmin == 0 and ends.marker.cmax == 1
    assert [d for d in fig.data if d.name == "negative reviews end"] == []


def test_colour_by_o_thins_the_same_way():
    from rnnviz.figures.space import MAX_CORPUS_POINTS

    corpus = make_corpus(6, n=1000)
    fig = F.projection(make_trace(5, 6), 2, corpus=corpus, color_by="o")
    ends = by_name(fig, "reviews end, coloured by o<sub>T</sub>")
    assert MAX_CORPUS_POINTS / 2 <= len(ends.x) <= MAX_CORPUS_POINTS
    np.testing.assert_allclose(ends.marker.color, corpus.outputs[:: -(-1000 // MAX_CORPUS_POINTS)], atol=1e-4)


@pytest.mark.parametrize("color_by", ["label", "o"])
def test_prefix_states_are_drawn_when_asked(color_by):
    tr, corpus = make_trace(5, 6), with_prefix(make_corpus(6))
    plain = F.projection(tr, 2, corpus=corpus, color_by=color_by)
    assert not [d for d in plain.data if d.name and "every prefix" in d.name]
    fig = F.projection(tr, 2, corpus=corpus, color_by=color_by, prefixes=True)
    go.Figure(fig.to_dict())
    drawn = [d for d in fig.data if d.name and "every prefix" in d.name]
    assert sum(len(d.x) for d in drawn) == len(corpus.prefix_states)
    pc = (corpus.prefix_states - corpus.mean) @ corpus.components[:2].T  # (M, 2)
    xs = np.sort(np.concatenate([d.x for d in drawn]))
    np.testing.assert_allclose(xs, np.sort(pc[:, 0]), atol=1e-4)
    if color_by == "o":
        np.testing.assert_allclose(drawn[0].marker.color, corpus.prefix_outputs, atol=1e-4)
    else:
        assert {d.marker.color for d in drawn} == {NEGATIVE, POSITIVE}
    # under the final states, so the ends stay visible
    names = [d.name for d in fig.data]
    assert names.index(drawn[0].name) < max(i for i, n in enumerate(names) if n and "reviews end" in n)


def test_prefix_states_are_thinned_and_a_corpus_without_them_still_draws():
    from rnnviz.figures.space import MAX_PREFIX_POINTS

    tr = make_trace(5, 6)
    fig = F.projection(tr, 2, corpus=with_prefix(make_corpus(6), m=5000), prefixes=True)
    drawn = [d for d in fig.data if d.name and "every prefix" in d.name]
    assert MAX_PREFIX_POINTS / 2 <= sum(len(d.x) for d in drawn) <= MAX_PREFIX_POINTS
    fig = F.projection(tr, 2, corpus=make_corpus(6), prefixes=True)  # an older corpus file
    assert not [d for d in fig.data if d.name and "every prefix" in d.name]


def test_3d_gives_a_scatter3d_in_pc1_to_pc3():
    tr, corpus = nasty_trace(), with_prefix(make_corpus(6))
    fig = F.projection(tr, 2, corpus=corpus, dims=3, prefixes=True)
    go.Figure(fig.to_dict())
    fig.to_json()
    types = {d.type for d in fig.data}
    assert "scatter3d" in types and "scatter" not in types
    scene = fig.layout.scene
    titles = [scene.xaxis.title.text, scene.yaxis.title.text, scene.zaxis.title.text]
    assert titles == ["PC1 (50% of variance)", "PC2 (20% of variance)", "PC3 (10% of variance)"]
    expected = (tr.hidden - corpus.mean) @ corpus.components[:3].T  # (T+1, 3)
    np.testing.assert_allclose(word_points(fig), expected[1:], rtol=1e-5, atol=1e-6)
    assert fig.layout.paper_bgcolor == "rgba(0,0,0,0)" and scene.bgcolor == "rgba(0,0,0,0)"
    assert [c[0] for d in fig.data if d.name in ("words read", "words still to come") for c in d.customdata] == [
        1,
        2,
        3,
        4,
        5,
    ]


def test_3d_escapes_the_words():
    fig = F.projection(nasty_trace(), 1, corpus=make_corpus(6), dims=3)
    text = shown_text(fig)
    assert NASTY not in text and "&lt;b&gt;x&lt;/b&gt;" in text


def test_2d_escapes_the_words_with_every_option():
    fig = F.projection(
        nasty_trace(), 1, corpus=with_prefix(make_corpus(6)), components=(1, 2), color_by="o", prefixes=True
    )
    text = shown_text(fig)
    assert NASTY not in text and "&lt;b&gt;x&lt;/b&gt;" in text


def test_3d_boundary_is_the_readout_plane():
    from rnnviz.figures.space import boundary_polygon

    tr, corpus = make_trace(5, 6), make_corpus(6)
    v = (corpus.components[0] + 0.5 * corpus.components[2]).astype(float)  # V inside PC1..PC3
    fig = F.projection(replace(tr, V=v), 2, corpus=corpus, dims=3)
    (mesh,) = [d for d in fig.data if d.type == "mesh3d"]
    pts = np.c_[mesh.x, mesh.y, mesh.z]  # (N, 3)
    w, b = np.array([1.0, 0.0, 0.5]), float(v @ corpus.mean + tr.c)
    np.testing.assert_allclose(pts @ w + b, 0, atol=1e-3)  # every corner has o = 0.5
    assert 3 <= len(pts) <= 6 and len(mesh.i) == len(pts) - 2
    # a plane through the middle of the unit cube, square to an axis: the four corners of that cut
    square = boundary_polygon(np.array([1.0, 0.0, 0.0]), 0.0, [[-1, 1], [-1, 1], [-1, 1]])
    assert len(square) == 4 and np.allclose(square[:, 0], 0)
    assert boundary_polygon(np.array([1.0, 0, 0]), 5.0, [[-1, 1], [-1, 1], [-1, 1]]).shape == (0, 3)


def test_3d_needs_three_units_and_three_axes():
    with pytest.raises(ValueError, match="at least 3 hidden units"):
        F.projection(make_trace(5, 2), 2, corpus=corpus_2(), dims=3)
    two_axes = replace(make_corpus(6), components=make_corpus(6).components[:2], explained=np.array([0.5, 0.2]))
    with pytest.raises(ValueError, match="holds 2 principal axes"):
        F.projection(make_trace(5, 6), 2, corpus=two_axes, dims=3)
    fig = F.projection(make_trace(5, 6), 2, dims=3)  # no corpus: the first three units
    assert fig.layout.scene.zaxis.title.text.startswith("neuron 3 (s<sub>t</sub>[3]")


def test_rnn_2_keeps_its_neurons_whatever_the_components():
    tr = make_trace(4, 2)
    fig = F.projection(tr, 2, corpus=corpus_2(), components=(1, 0))
    assert fig.layout.xaxis.title.text.startswith("neuron 1")
    np.testing.assert_allclose(word_points(fig), tr.hidden[1:], atol=1e-6)
