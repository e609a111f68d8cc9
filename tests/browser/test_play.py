"""Play in a real browser: the page moves every view on by itself (no script run per word), and the arrow keys step.

Drives Debian's /usr/bin/chromium with Playwright (never `playwright install`). Prints the frame rate measured
from requestAnimationFrame timestamps while playing (no timing assertion: the machine may be loaded).
"""

from __future__ import annotations

import itertools
import time
from urllib.parse import quote

import pytest
from support import needs_browser, open_app, slider_value, wait_idle

from rnnviz.app import CHART_KEYS, PLAY_KEY

pytestmark = [pytest.mark.browser, needs_browser]
VIEWS = ("rolled", "positivity", "unrolled", "projection")
SENTENCE = "this movie is not good at all"  # T = 7

# The step each view's chart shows, and a fingerprint of what its plot draws.
SHOWN_JS = """(keys) => keys.map((k) => {
  const gd = document.querySelector(`.st-key-${k} .rnnviz-chart`);
  if (!gd) return [null, ''];
  const marks = gd.data.map((t) => [t.x, t.y, t.marker, t.text]);
  return [gd.__rnnvizShown ?? null, JSON.stringify([marks, gd.layout.shapes, gd.layout.title])];
})"""


@pytest.fixture
def app_page(new_page):
    return new_page(height=900, timeout_ms=30_000)


def shown(page) -> list[tuple[int | None, str]]:
    return [tuple(v) for v in page.evaluate(SHOWN_JS, [CHART_KEYS[v] for v in VIEWS])]


def play_button(page):
    return page.locator(f".st-key-{PLAY_KEY} button:visible")


def test_play_moves_every_view_in_the_browser_with_no_server_message_per_step(app_page, app_url):
    page = app_page
    received: list[tuple[float, int]] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda f: received.append((time.monotonic(), len(f)))))
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    open_app(page, app_url, "?text=" + quote(SENTENCE) + "&step=7")
    play_button(page).click()
    page.wait_for_function("() => window.__rnnvizPlayer && window.__rnnvizPlayer.clock !== null")
    wait_idle(page)  # the one run that sent every step's frame
    page.wait_for_timeout(400)  # its last messages may come after the running indicator has gone
    before = len(received)
    steps: list[list[int | None]] = []
    drawn: list[set[str]] = [set() for _ in VIEWS]
    started = last = time.monotonic()
    while page.evaluate("() => window.__rnnvizPlayer.clock !== null"):
        last = time.monotonic()  # still playing here: any message from the server so far came during play
        now = shown(page)
        steps.append([s for s, _ in now])
        for seen, (_, fingerprint) in zip(drawn, now, strict=True):
            seen.add(fingerprint)
        page.wait_for_timeout(60)
    during = [n for t, n in received[before:] if t <= last]
    times = page.evaluate("() => window.__rnnvizPlayer.frameTimes")
    gaps = sorted(b - a for a, b in itertools.pairwise(times))
    fps = 1000 / gaps[len(gaps) // 2]
    p95 = gaps[int(0.95 * (len(gaps) - 1))]
    frames = f"{len(times)} animation frames, median {1000 / fps:.1f} ms ({fps:.0f} fps), p95 {p95:.1f} ms"
    print(f"\nplay: {last - started:.1f} s, {frames}")
    distinct = {tuple(row) for row in steps}
    assert len(distinct) >= 4, distinct  # the views moved on word by word
    assert all(len(set(row)) == 1 for row in steps[2:]), steps  # on one clock: every view shows the same step
    assert all(len(seen) >= 4 for seen in drawn), [len(s) for s in drawn]  # the plots themselves changed
    assert during == [], f"{len(during)} websocket messages from the server while {len(distinct)} steps played"
    assert len(times) > 20
    # At the end the page tells the script, which agrees: the slider at the last word, Play back.
    page.wait_for_function(f"() => document.querySelector('.st-key-{PLAY_KEY}').innerText.includes('Play')")
    wait_idle(page)
    assert slider_value(page) == 7
    assert [s for s, _ in shown(page)] == [7] * 4
    assert errors == []


def test_pause_leaves_every_view_and_the_slider_at_the_step_the_page_showed(app_page, app_url):
    page = app_page
    open_app(page, app_url, "?text=" + quote(SENTENCE) + "&step=7")
    play_button(page).click()
    page.wait_for_function("() => window.__rnnvizPlayer && window.__rnnvizPlayer.step >= 3")
    play_button(page).click()  # Pause
    page.wait_for_function(f"() => document.querySelector('.st-key-{PLAY_KEY}').innerText.includes('Play')")
    page.wait_for_function("() => window.__rnnvizPlayer.clock === null && window.__rnnvizPlayer.awaiting === null")
    wait_idle(page)
    steps = {s for s, _ in shown(page)}
    at = slider_value(page)
    assert 3 <= at < 7 and steps == {at}, (steps, at)


# Where the moving marks are drawn now: the selected step (positivity, projection), s_{t-1} (rolled, unrolled).
MOVING_JS = """(keys) => keys.map(([k, name]) => {
  const gd = document.querySelector(`.st-key-${k} .rnnviz-chart`);
  const i = gd ? gd.data.findIndex((d) => d.name === name) : -1;
  const group = [...gd.querySelectorAll('.scatterlayer .trace')].find((g) => g.__data__[0].trace.index === i);
  const point = group && group.querySelector('path.point');
  return point ? point.getAttribute('transform') : null;
})"""
MOVING = (
    ("positivity", "selected step"),
    ("projection", "selected step"),
    ("rolled", "message s_{t-1}"),
    ("unrolled", "message s_{t-1}"),
)


def test_while_playing_the_point_the_state_and_the_message_glide_between_their_places(app_page, app_url):
    page = app_page
    open_app(page, app_url, "?text=" + quote(SENTENCE) + "&step=7&model=rnn-2")
    keys = [[CHART_KEYS[view], name] for view, name in MOVING]
    rest = page.evaluate(MOVING_JS, keys)  # at the last word, before playing
    play_button(page).click()
    page.wait_for_function("() => window.__rnnvizPlayer && window.__rnnvizPlayer.clock !== null")
    seen: list[set[str]] = [set() for _ in MOVING]
    while page.evaluate("() => window.__rnnvizPlayer.clock !== null"):
        for places, at in zip(seen, page.evaluate(MOVING_JS, keys), strict=True):
            places.add(at)
        page.wait_for_timeout(25)
    # Seven steps, but many more places: the marks were caught on their way, not only where they stop.
    assert all(len(places) > 10 for places in seen), [len(p) for p in seen]
    wait_idle(page)
    # and they end where the script draws the last word (the charts draw it in the browser's next frame)
    page.wait_for_function(
        f"([keys, rest]) => JSON.stringify(({MOVING_JS})(keys)) === JSON.stringify(rest)",
        arg=[keys, rest],
        timeout=5000,
    )


def test_arrow_keys_step_every_view_and_the_slider(app_page, app_url):
    page = app_page
    open_app(page, app_url, "?text=" + quote(SENTENCE) + "&step=4")
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    for key, want in (("ArrowLeft", 3), ("ArrowLeft", 2), ("ArrowRight", 3)):
        page.keyboard.press(key)
        page.wait_for_function(
            "([keys, want]) => keys.every((k) => document.querySelector(`.st-key-${k} .rnnviz-chart`).__rnnvizShown"
            " === want)",
            arg=[[CHART_KEYS[v] for v in VIEWS], want],
        )
        wait_idle(page)
        assert slider_value(page) == want
    # Keys typed in the text box move its caret, not the step.
    page.locator("input[type=text]").first.click()
    page.keyboard.press("ArrowLeft")
    page.wait_for_timeout(500)
    wait_idle(page)
    assert slider_value(page) == 3
