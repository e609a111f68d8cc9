"""Two models reading one sentence (rnnviz.figures.compare): both o_t curves in one chart, told apart and named after
their models, the selected step ringed on both, the largest difference marked; each model's own projection."""

from __future__ import annotations

import json

import numpy as np
import pytest
from support import hand_params, hand_run, make_corpus

import rnnviz.figures as F  # noqa: N812
from rnnviz.figures.compare import model_projection_spec, pair_positivity_figure, pair_positivity_spec
from rnnviz.figures.projection import projection_spec
from rnnviz.figures.style import HIGHLIGHT, NEGATIVE, POSITIVE

TOKENS = ["this", "movie", "is", "not", "bad"]


@pytest.fixture(scope="module")
def runs():
    """The same five words read by a plain RNN (H = 2) and a GRU (H = 4)."""
    return hand_run(hand_params("rnn", h=2, seed=1), TOKENS), hand_run(hand_params("gru", h=4, seed=2), TOKENS)


def by_name(spec: dict, name: str) -> dict:
    found = [t for t in spec["data"] if t.get("name") == name]
    assert len(found) == 1, [t.get("name") for t in spec["data"]]
    return found[0]


def test_both_curves_are_drawn_named_after_their_models_and_told_apart(runs):
    a, b = runs
    spec = pair_positivity_spec(a, 3, other=b, names=("rnn-2", "gru-64"))
    one, two = by_name(spec, "rnn-2"), by_name(spec, "gru-64")
    np.testing.assert_allclose(one["y"], a.outputs)
    np.testing.assert_allclose(two["y"], b.outputs)
    assert one["x"] == two["x"] == [1, 2, 3, 4, 5]
    looks = [(c["line"]["color"], c["line"]["dash"], c["marker"]["symbol"]) for c in (one, two)]
    assert looks[0] != looks[1] and all(len(set(pair)) == 2 for pair in zip(*looks, strict=True))
    # sentiment's colours (and the selected step's) keep their meaning: no model curve wears them
    assert not {NEGATIVE, POSITIVE, HIGHLIGHT} & {look[0] for look in looks}
    assert spec["layout"]["showlegend"] and one.get("showlegend", True) and two.get("showlegend", True)
    assert "rnn-2" in spec["layout"]["title"]["text"] and "gru-64" in spec["layout"]["title"]["text"]


def test_the_selected_step_is_ringed_on_both_curves_and_every_mark_selects_its_step(runs):
    a, b = runs
    spec = pair_positivity_spec(a, 4, other=b, names=("rnn-2", "gru-64"))
    rings = [t for t in spec["data"] if t.get("name") == "selected step"]
    assert sorted(r["y"][0] for r in rings) == sorted([float(a.outputs[3]), float(b.outputs[3])])
    assert all(r["x"] == [4] and r["customdata"] == [[4]] for r in rings)
    for name in ("rnn-2", "gru-64"):
        assert by_name(spec, name)["customdata"] == [[t] for t in range(1, 6)]
    ticks = spec["layout"]["xaxis"]
    assert ticks["tickvals"] == [1, 2, 3, 4, 5] and ticks["ticktext"][3] == "<b>not</b>"


def test_the_largest_difference_is_marked_where_the_curves_are_furthest_apart(runs):
    a, b = runs
    spec = pair_positivity_spec(a, None, other=b, names=("rnn-2", "gru-64"))
    t = 1 + int(np.argmax(np.abs(a.outputs - b.outputs)))
    gap = by_name(spec, f"largest difference (t = {t})")
    assert set(gap["x"]) == {t} and "largest<br>difference" in gap["text"]
    np.testing.assert_allclose([min(gap["y"]), max(gap["y"])], sorted([a.outputs[t - 1], b.outputs[t - 1]]))
    assert [d["name"] for d in spec["data"] if d.get("showlegend", True)] == ["rnn-2", "gru-64"]  # one legend row


def test_goldfish_runs_and_other_sentences_are_refused(runs):
    a, _ = runs
    with pytest.raises(ValueError, match="different words"):
        pair_positivity_spec(a, other=hand_run(hand_params("gru", h=4, seed=2), TOKENS[:4]), names=("x", "y"))
    with pytest.raises(ValueError, match="goldfish"):
        pair_positivity_spec(a, other=hand_run(hand_params("gru", h=4), TOKENS, forget=True), names=("x", "y"))


def test_names_and_words_are_escaped():
    nasty = ["<b>x</b>", "<script>alert(1)</script>"]
    a, b = hand_run(hand_params("rnn", seed=3), nasty), hand_run(hand_params("lstm", h=3, seed=4), nasty)
    fig = pair_positivity_figure(a, other=b, names=("<i>mine</i>", "gru-64"))
    text = fig.to_json()
    assert "<script>" not in text and "<i>mine</i>" not in text and "&lt;i&gt;mine" in text
    spec = model_projection_spec(b, name="<i>mine</i>")
    assert "<i>" not in json.dumps(spec["layout"]["title"])


@pytest.mark.parametrize("corpus", [None, "corpus"])
def test_each_projection_is_the_projection_view_itself_with_the_models_name(runs, corpus):
    _, b = runs
    options = {"corpus": make_corpus(4) if corpus else None, "advanced": False}
    spec = model_projection_spec(b, 2, name="gru-64", **options)
    plain = projection_spec(b, 2, **options)
    assert spec["data"] == plain["data"]  # the same builder, not a copy
    assert {k: v for k, v in spec["layout"].items() if k != "title"} == {
        k: v for k, v in plain["layout"].items() if k != "title"
    }
    title = spec["layout"]["title"]["text"]
    assert title.startswith("Projection of gru-64") and "t = 2" in title and "“movie”" in title
    F.figure_from(spec).to_json()


def test_the_pair_plays_frame_by_frame(runs):
    """Play sends every step's frame once; the frame for step t rings step t on both curves."""
    a, b = runs
    base, frames = F.step_frames(pair_positivity_spec, a, 5, other=b, names=("rnn-2", "gru-64"))
    assert len(frames) == a.T
    at_two = F.apply_frame(base, frames[1])
    rings = [t for t in at_two["data"] if t.get("name") == "selected step"]
    assert [r["x"] for r in rings] == [[2], [2]]
