"""The guided tour's box stays in sight and brings the view it talks about into sight under it.

The box is pinned under the page's header while the tour is open (CSS), and each time the tour moves to a
step, the page scrolls just enough for the outlined view or section to lie whole between the box and the
bottom of the window (or, taller than that room, to start right under the box). Typing, the slider or Play
while a step is open never scroll: only a new step (or the tour opened anew) does. On a phone the box keeps
at most a third of the screen, its buttons first and its text scrolling inside it.
"""

from __future__ import annotations

import streamlit as st
import streamlit.components.v2 as components_v2

from rnnviz.figures.style import HIGHLIGHT

TOUR_BOX_KEY = "tour_box"  # the box's container (tests import it)
FOCUS_KEY = "tour_focus"  # the component that scrolls: it draws nothing
STUCK_TOP = "3.75rem"  # the height of Streamlit's header: the box sticks right under it


def tour_style(target: str) -> str:
    """CSS while the tour is open: the view `target` (a container key) outlined, the box pinned in sight."""
    box = f".st-key-{TOUR_BOX_KEY}"
    pin = f'[data-testid="stLayoutWrapper"]:has(> {box})'  # Streamlit wraps the box in a div of its own height
    return f"""<style>
.st-key-{target} {{ outline: 3px solid {HIGHLIGHT}; outline-offset: 4px; border-radius: 0.5rem; }}
{pin} {{ position: sticky; top: {STUCK_TOP}; z-index: 90; }}
{box} {{ box-shadow: 0 6px 12px -8px rgba(0, 0, 0, 0.35); }}
.st-key-{FOCUS_KEY} {{ display: none; }}
@media (max-width: 640px) {{
  {box} {{ max-height: 34vh; overflow-y: auto; }}
  {box} [data-testid="stColumn"]:last-child {{ order: -1; }}  /* Back / Next first, the text scrolls under them */
}}
</style>"""


# Runs in the page (components v2 mount no iframe). The mark (step and view) lives on the window, so a rerun
# of the same step (the reader typing) never scrolls; it is forgotten once the box has left the page.
_JS = """
const sel = (key) => document.querySelector('.st-key-' + key);
const bring = (el, box) => {
  const main = el.closest('[data-testid="stMain"]');
  if (!main) return;
  const view = main.getBoundingClientRect();
  const header = document.querySelector('[data-testid="stHeader"]')?.getBoundingClientRect().height || 0;
  const top = view.top + header + (box ? box.getBoundingClientRect().height : 0) + 12;
  const bottom = view.bottom - 12;
  const r = el.getBoundingClientRect();
  let dy = 0;
  if (r.height > bottom - top || r.top < top) dy = r.top - top;
  else if (r.bottom > bottom) dy = r.bottom - bottom;
  // Where the scroll will come to rest (tests wait for it: a smooth scroll takes a while).
  window.__rnnvizTourAim = Math.max(0, Math.min(main.scrollTop + dy, main.scrollHeight - main.clientHeight));
  if (Math.abs(dy) > 1) main.scrollBy({top: dy, behavior: 'smooth'});
  window.__rnnvizTourScrolled = (window.__rnnvizTourScrolled || 0) + 1;
};
export default ({data}) => {
  const box = sel(data.box);
  const app = document.querySelector('.stApp');
  if (box && app) {  // the page scrolls under the box: paint it, and the strip between it and the header's top
    const bg = getComputedStyle(app).backgroundColor;
    box.style.backgroundColor = bg;
    box.parentElement.style.boxShadow = `0 -${box.parentElement.offsetHeight}px 0 0 ${bg}`;
  }
  const mark = data.step + ':' + data.target;
  if (window.__rnnvizTourFocus === mark) return;
  window.__rnnvizTourFocus = mark;
  // Scroll once the page has settled (the view and everything above it still for 0.4 s), and again if it moves
  // within the next 3 s (a chart above it drawn late) unless the reader has touched the page meanwhile.
  let last = '', still = 0, tries = 0, done = null, touched = false;
  const touch = () => { touched = true; };
  const events = ['wheel', 'touchstart', 'keydown', 'pointerdown'];
  events.forEach((e) => window.addEventListener(e, touch, {capture: true, passive: true}));
  const since = performance.now();
  const timer = setInterval(() => {
    const el = sel(data.target);
    const main = el?.closest('[data-testid="stMain"]');
    const over = window.__rnnvizTourFocus !== mark || performance.now() - since > 30000;
    if (over || (done && (touched || tries - done.at > 30))) {
      clearInterval(timer);
      events.forEach((e) => window.removeEventListener(e, touch, {capture: true}));
      return;
    }
    if (!main) return;  // not drawn yet (a first visit loads the model first)
    ++tries;
    const r = el.getBoundingClientRect();
    const now = [Math.round(r.top + main.scrollTop), Math.round(r.height), main.scrollHeight].join();
    still = r.height > 40 && now === last ? still + 1 : 0;
    last = now;
    if (still === 4 && (done === null || now !== done.layout)) {
      bring(el, sel(data.box));
      done = {layout: now, at: done ? done.at : tries};
    }
  }, 100);
  return () => setTimeout(() => { if (!sel(data.box)) window.__rnnvizTourFocus = null; }, 300);
};
"""
_focus = components_v2.component("rnnviz_tour_focus", html="", js=_JS, isolate_styles=False)


def tour_focus(step: int, target: str) -> None:
    """Pin the tour box and, on a new step, scroll the view `target` (a container key) into sight under it."""
    st.html(tour_style(target))
    _focus(key=FOCUS_KEY, data={"step": step, "target": target, "box": TOUR_BOX_KEY}, height="content")
