"""Play's frames: every view's change from the drawn step to each step t, which the browser applies by itself."""

from __future__ import annotations

import json

import numpy as np
import pytest
from support import make_corpus, make_trace

import rnnviz.figures as F  # noqa: N812 - the app's name for it
from rnnviz.figures.style import jsonable

CASES = [(h, arch, goldfish) for h in (2, 8) for arch in ("rnn", "gru") for goldfish in (False, True)]


def options(name: str, h: int, goldfish: bool, tokens: list[str]) -> dict:
    out = {"compare": make_trace(tokens, hidden=h, forget=True)} if goldfish else {}
    if name == "projection" and h > 2:
        out["corpus"] = make_corpus(h)
    return out


@pytest.mark.parametrize("name", list(F.SPECS))
@pytest.mark.parametrize(("h", "arch", "goldfish"), CASES)
def test_frame_t_draws_the_view_at_step_t(name, h, arch, goldfish):
    tokens = ["this", "movie", "is", "not", "good", "at", "all"]
    tr = make_trace(tokens, hidden=h, arch=arch)
    kw = options(name, h, goldfish, tokens)
    for drawn in (1, 4, tr.T):
        base, frames = F.step_frames(F.SPECS[name], tr, drawn, **kw)
        assert len(frames) == tr.T
        assert base == jsonable(F.SPECS[name](tr, drawn, **kw))
        json.dumps(frames, allow_nan=False)  # what the page is sent
        for t, frame in enumerate(frames, start=1):
            assert F.apply_frame(base, frame) == jsonable(F.SPECS[name](tr, t, **kw)), (drawn, t)
        assert frames[drawn - 1] == {"traces": [], "data": [], "layout": {}}


def test_a_frame_carries_only_what_the_step_changes():
    tr = make_trace(["a", "b", "c", "d", "e"], hidden=8)
    base, frames = F.step_frames(F.SPECS["unrolled"], tr, 5)
    assert frames[4] == {"traces": [], "data": [], "layout": {}}
    changed = frames[1]
    assert 0 < len(changed["traces"]) < len(base["data"])
    assert len(json.dumps(changed)) < len(json.dumps(base))


def test_a_layout_key_the_step_drops_comes_as_none_and_a_new_trace_count_sends_the_figure():
    base = {"data": [{"x": [1]}], "layout": {"title": "a", "shapes": [1]}}
    spec = {"data": [{"x": [2]}], "layout": {"title": "a"}}
    frame = F.frame_between(base, spec)
    assert frame == {"traces": [0], "data": [{"x": [2]}], "layout": {"shapes": None}}
    assert F.apply_frame(base, frame) == spec
    longer = {"data": [{"x": [1]}, {"x": [3]}], "layout": {"title": "a", "shapes": [1]}}
    assert F.frame_between(base, longer) == {"keep": 1, "rest": [{"x": [3]}], "layout": {}}  # the shared trace stays
    assert F.apply_frame(base, F.frame_between(base, longer)) == longer
    shorter = {"data": [], "layout": {}}
    assert F.apply_frame(longer, F.frame_between(longer, shorter)) == shorter


def test_the_rolled_message_comes_round_the_loop_to_where_it_re_enters_the_cell():
    tr = make_trace(["a", "b", "c", "d"], hidden=2)
    for t in (1, 3):
        spec = F.rolled_spec(tr, t)
        (message,) = [d for d in spec["data"] if d["name"] == "message s_{t-1}"]
        way = message["meta"]["along"]
        assert (way["x"][-1], way["y"][-1]) == (message["x"][0], message["y"][0])  # it ends where it is drawn
        assert len(way["x"]) >= 3 and way["x"][0] < max(way["x"])  # out of the cell to the right, and back
        assert message["marker"]["color"] == [pytest.approx(float(tr.hidden[t - 1].mean()))]  # coloured as s_{t-1}
    assert spec["data"][-1]["name"] == "hidden units"  # the units stay on top


@pytest.mark.parametrize("t", [1, 3, 5])
def test_the_projection_path_carries_a_numbered_arrowhead_halfway_along_each_step_read(t):
    tr = make_trace(["a", "b", "c", "d", "e"], hidden=2)
    spec = F.projection_spec(tr, t)
    (arrows,) = [d for d in spec["data"] if d["name"] == "path direction"]
    heads = [k for k, size in enumerate(arrows["marker"]["size"]) if size > 0]
    assert [arrows["text"][k] for k in heads] == [str(s) for s in range(1, t + 1)]
    assert arrows["marker"]["symbol"] == "arrow" and arrows["marker"]["angleref"] == "previous"
    for s, k in enumerate(heads, start=1):
        before = (arrows["x"][k - 1], arrows["y"][k - 1])
        assert before == pytest.approx(tuple(tr.hidden[s - 1]))  # points away from s_{t-1} ...
        mid = (tr.hidden[s - 1] + tr.hidden[s]) / 2
        assert (arrows["x"][k], arrows["y"][k]) == pytest.approx(tuple(mid))  # ... halfway to s_t


@pytest.mark.parametrize("t", [31, 120, 200])
def test_a_long_path_keeps_the_newest_arrowheads_that_do_not_crowd_each_other(t):
    from rnnviz.figures.mark import ARROW_GAP, MAX_ARROWS

    tr = make_trace(200, hidden=2)
    spec = F.projection_spec(tr, t)
    (arrows,) = [d for d in spec["data"] if d["name"] == "path direction"]
    heads = [k for k, size in enumerate(arrows["marker"]["size"]) if size > 0]
    steps = [int(arrows["text"][k]) for k in heads]
    assert 1 < len(steps) <= MAX_ARROWS and steps == sorted(set(steps)) and steps[-1] == t  # the newest step's
    p = tr.hidden[: t + 1]
    span = np.ptp(p, axis=0)
    mids = np.array([(arrows["x"][k], arrows["y"][k]) for k in heads])
    for s, k in zip(steps, heads, strict=True):  # each still halfway along its own step, pointing away from s_{t-1}
        assert mids[steps.index(s)] == pytest.approx((p[s - 1] + p[s]) / 2)
        assert (arrows["x"][k - 1], arrows["y"][k - 1]) == pytest.approx(tuple(p[s - 1]))
    gaps = np.hypot(*((mids[:, None] - mids[None]) / span).transpose(2, 0, 1))
    assert gaps[~np.eye(len(steps), dtype=bool)].min() >= ARROW_GAP - 1e-9  # none crowds another


@pytest.mark.parametrize(("t", "window"), [(1, 16), (4, 16), (12, 5)])
def test_the_unrolled_message_comes_along_the_w_arrow_into_the_selected_copy(t, window):
    tr = make_trace(12, hidden=3)
    spec = F.unrolled_spec(tr, t, window=window)
    (message,) = [d for d in spec["data"] if d["name"] == "message s_{t-1}"]
    copies = next(d for d in spec["data"] if d["name"] == "words x_t")
    x_sel = copies["x"][[c[0] for c in copies["customdata"]].index(t)]
    way = message["meta"]["along"]
    assert way["x"][0] < x_sel - 0.5 < way["x"][-1] < x_sel - 0.28  # from the left, up to the selected copy's box
    assert (way["x"][-1], way["y"][-1]) == (message["x"][0], message["y"][0])
    assert message["marker"]["color"] == [pytest.approx(float(tr.hidden[t - 1].mean()))]  # coloured as s_{t-1}
