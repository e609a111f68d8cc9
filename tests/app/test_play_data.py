"""What the script sends for Play: every step's frame while playing, and nothing more on the keystroke path."""

from __future__ import annotations

from support import run_app

from rnnviz.app import CHART_KEYS, PLAY_KEY
from rnnviz.app.live_charts import COMPONENT, chart_data

VIEWS = set(CHART_KEYS.values())


def charts(at) -> dict[str, dict]:
    out = {}
    for element in at.get("bidi_component"):
        proto = element.proto
        key = proto.id.split("-", 2)[-1]
        if proto.component_name == COMPONENT and key in VIEWS:
            out[key] = chart_data(proto)
    return out


def test_frames_go_to_the_page_only_while_playing():
    at = run_app({"text": "this movie is not good", "step": "5"})
    idle = charts(at)
    assert set(idle) == VIEWS
    assert all("play" not in d and (d["step"], d["n_steps"]) == (5, 5) for d in idle.values())
    at.button(key=PLAY_KEY).click().run()
    playing = charts(at)
    plays = [d["play"] for d in playing.values()]
    assert all(len(p["frames"]) == 5 and p["start"] == 1 for p in plays)
    assert len({p["token"] for p in plays}) == 1 and all(p["interval_ms"] > 0 for p in plays)  # one clock
    at.button(key=PLAY_KEY).click().run()  # pause: the browser reports where it is; nothing more is sent
    assert all("play" not in d for d in charts(at).values())
