"""The README's screenshots, taken from the real app: `python docs/screenshot.py [--part views|inside] [--out PNG]`.

Starts `streamlit run streamlit_app.py` on a free loopback port (tests/support.streamlit_server),
opens a link to one sentence in headless Chromium (Debian's /usr/bin/chromium, never `playwright
install`), waits until every chart of the part has drawn and Streamlit's running indicator is gone,
and saves a PNG of that part of the page, across the content column, at a desktop width:

- `--part views` (the default, docs/screenshot.png): from the text box down to the lowest of the four
  views (rolled loop, unrolled chain, projection, positivity).
- `--part inside` (docs/inside.png): rnn-2 against gru-64 on "this movie is not bad" at t = 5, from the
  top of the Compare section down to the bottom of "Inside the cell at this step", with the mouse on the
  W of one copy in the unrolled chain, so the shared W is lit on every copy and on the loop. Besides the
  four views it waits for the three Compare charts and the explainer's step chart, and for W to be lit.

The browser reaches the server as http://localhost:8501/, the address `streamlit run` prints by
default (Chromium maps it to the real port), so the share box in the picture shows the link a local
user would see and the picture does not change with the port the server happened to get.

Prints a one-line JSON report (the charts drawn, the positivity chart's words, the page's sentences
the part shows, any error, exception, warning or note on the page, the image's size). When the page
shows an error, an exception, a warning or a note (such as a link parameter it ignored), a chart is
missing, or (inside) W is not lit, nothing is written to --out and the exit status is 1: the README
must never show a broken app. tests/browser/test_screenshot.py runs this script for both parts on
every test run: under CI (CI=true) or with RNNVIZ_UPDATE_SCREENSHOT=1 it writes docs/screenshot.png and
docs/inside.png, so the README's pictures are always the current app; elsewhere it checks pictures in a
temporary folder and leaves the checkout alone.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import json
import math
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
import streamlit.logger  # noqa: E402
from support import chromium, missing_browser, streamlit_server  # noqa: E402

# The app's modules below cache with Streamlit, which warns once per cache that no server runs here: it need not.
streamlit.logger.set_log_level("error")
from rnnviz.app import CHART_KEYS, TEXT_KEY, ViewState, share_query  # noqa: E402
from rnnviz.app.compare import COMPARE_CHART_KEYS, COMPARE_SECTION_KEY, COMPARE_STORY_KEY  # noqa: E402
from rnnviz.app.explain import EXPLAIN_KEY, STEP_CHART_KEY, STORY_CLASS  # noqa: E402

WIDTH = 1400  # viewport width: the desktop layout, two views side by side
HEIGHT = 2400  # tall enough that nothing we capture needs scrolling (Streamlit scrolls its own container)
MARGIN = 24  # px kept around the captured part
TIMEOUT = 90  # s from opening the page to a complete render
ADDRESS = "localhost:8501"  # what the browser (and so the share box) calls the server, whatever its port


@dataclass(frozen=True)
class Part:
    """One picture: the link it opens, the charts it waits for, where it starts and ends, what it points at."""

    out: Path
    view: ViewState
    charts: dict[str, str]  # name -> widget key of every chart that must have drawn
    top: str  # CSS selector of the first element in the picture
    bottom: str | None = None  # CSS selector of the last element (None: the lowest chart)
    sentences: dict[str, str] = dataclasses.field(default_factory=dict)  # report name -> CSS selector of text
    point_at: tuple[str, str, int] | None = None  # (chart, weight, copy index) the mouse rests on; it must light


PARTS = {
    # The sentiment turns: o_t falls to 0.05 at "dull" and climbs to 0.94 at "wonderful" (rnn-2, the essay's
    # 2-neuron sketch: the projection shows the neurons themselves).
    "views": Part(
        out=ROOT / "docs" / "screenshot.png",
        view=ViewState(text="the plot was dull but the acting was wonderful", model="rnn-2"),
        charts=CHART_KEYS,
        top=f".st-key-{TEXT_KEY}",
    ),
    # The two models differ most at "bad": rnn-2 falls there while gru-64 rises (README, "Compare with").
    # The mouse rests on the W into copy 5, the selected step that the explainer opens.
    "inside": Part(
        out=ROOT / "docs" / "inside.png",
        view=ViewState(text="this movie is not bad", model="rnn-2", step=5, compare="gru-64"),
        charts={**CHART_KEYS, **{f"compare {k}": v for k, v in COMPARE_CHART_KEYS.items()}, "step": STEP_CHART_KEY},
        top=f".st-key-{COMPARE_SECTION_KEY}",
        bottom=f".st-key-{EXPLAIN_KEY}",
        sentences={"compare_story": f".st-key-{COMPARE_STORY_KEY}", "explainer": f".st-key-{STORY_CLASS} p"},
        point_at=(CHART_KEYS["unrolled"], "W", 4),
    ),
}

# What the page shows now: which charts have drawn, the words on the positivity axis, the part's sentences,
# problems shown, whether a script run is in progress, and where the part we capture sits.
STATE_JS = """([keys, topSel, bottomSel, sentences, positivity, rolled]) => {
    const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
    const charts = {};
    for (const [name, key] of Object.entries(keys)) {
        const gd = document.querySelector('.st-key-' + key + ' .js-plotly-plot');
        const ok = !!(gd && gd._fullLayout && gd.querySelector('.main-svg') && gd.textContent.trim());
        charts[name] = ok ? box(document.querySelector('.st-key-' + key)) : null;
    }
    const texts = sel => [...document.querySelectorAll(sel)].map(e => e.innerText.trim().slice(0, 300));
    const body = document.body.innerText;
    const errors = texts('[data-testid="stAlertContentError"]');
    if (body.includes('Connection error')) errors.push('Connection error');
    const first = document.querySelector(topSel);
    const last = bottomSel && document.querySelector(bottomSel);
    // The nearest page elements above the first element and below the last: the margins stop short of them.
    const drawn = Object.values(charts).filter(b => b);
    const low = last ? box(last)[3] : drawn.length ? Math.max(...drawn.map(b => b[3])) : Infinity;
    const blocks = '[data-testid="stElementContainer"], [data-testid="stLayoutWrapper"]';
    const others = [...document.querySelectorAll(blocks)].map(box).filter(b => b[2] > b[0] && b[3] > b[1]);
    const above = first ? Math.max(0, ...others.map(b => b[3]).filter(y => y <= box(first)[1] + 0.5)) : 0;
    const below = Math.min(...others.map(b => b[1]).filter(y => y >= low - 0.5));
    return {
        charts,
        words: [...document.querySelectorAll('.st-key-' + positivity + ' .xtick text')].map(e => e.textContent),
        title: (document.querySelector('.st-key-' + rolled + ' .gtitle') || {}).textContent || '',
        sentences: Object.fromEntries(Object.entries(sentences).map(([name, sel]) => [name, texts(sel).join(' ')])),
        errors,
        exceptions: texts('[data-testid="stException"]'),
        warnings: texts('[data-testid="stAlertContentWarning"]'),
        notes: texts('[data-testid="stAlertContentInfo"]'),  // e.g. a link parameter the app ignored
        share: texts('[data-testid="stCode"]').filter(t => t.includes('?text=')).join(' '),
        running: !!document.querySelector('[data-testid="stStatusWidget"]'),
        top: first ? box(first) : null,
        bottom: last ? box(last) : null,
        above,
        below: Number.isFinite(below) ? below : null,
    };
}"""

# The middle of the k-th label of weight `w` (U, W or V) in chart `key`: the text of the trace that draws its letters.
LABEL_JS = """([key, w, k]) => {
  const traces = document.querySelectorAll(`.st-key-${key} .rnnviz-chart .scatterlayer .trace`);
  const letters = [...traces].find((g) => (g.__data__[0].trace.meta || {}).weight === w);
  const r = letters.querySelectorAll('.textpoint text')[k].getBoundingClientRect();
  return [r.x + r.width / 2, r.y + r.height / 2];
}"""
# The weight lit now, and how many lit shapes the loop and the chain draw for it.
LIT_JS = """(keys) => [
  (window.__rnnvizPlayer || {}).lit || null,
  keys.map((k) => (document.querySelector(`.st-key-${k} .rnnviz-chart`).layout.shapes || [])
                    .filter((s) => (s.name || '').startsWith('lit ')).length),
]"""


def app_query(view: ViewState) -> str:
    return urlencode(share_query(view), quote_via=quote)


def problems(state: dict) -> list[str]:
    return [*state["errors"], *state["exceptions"], *state["warnings"], *state["notes"]]


def settled(page, part: Part, timeout: float) -> dict:
    """Poll until no script runs and the page is complete (every chart) or shows a problem, twice alike."""
    deadline = time.monotonic() + timeout
    last = None
    args = [part.charts, part.top, part.bottom, part.sentences, CHART_KEYS["positivity"], CHART_KEYS["rolled"]]
    while True:
        state = page.evaluate(STATE_JS, args)
        done = not state["running"] and (all(state["charts"].values()) or problems(state))
        if done and state == last:
            return state
        if time.monotonic() > deadline:
            state["timed_out"] = True
            return state
        last = state if done else None
        time.sleep(0.4)


def crop_box(state: dict, width: int) -> dict[str, int]:
    """From the first element down to the last (or the lowest chart), across the content column; half-way to any
    neighbour."""
    boxes = [b for b in (*state["charts"].values(), state["top"], state["bottom"]) if b]
    left = max(0, min(b[0] for b in boxes) - MARGIN)
    right = min(width, max(b[2] for b in boxes) + MARGIN)
    top, low = state["top"][1], max(b[3] for b in boxes)
    top -= min(MARGIN, (top - state["above"]) / 2)
    bottom = low + (MARGIN if state["below"] is None else min(MARGIN, (state["below"] - low) / 2))
    x, y = math.floor(left), math.floor(top)  # whole pixels: the PNG is exactly this size
    return {"x": x, "y": y, "width": math.ceil(right) - x, "height": math.ceil(bottom) - y}


def in_image(b: list[float], box: dict[str, int]) -> list[int]:
    """A page box [left, top, right, bottom] in the image's pixels."""
    return [round(b[0] - box["x"]), round(b[1] - box["y"]), round(b[2] - box["x"]), round(b[3] - box["y"])]


def png(data: bytes) -> bytes:
    """Re-encode with Pillow (a dependency of streamlit) at its best lossless compression."""
    from PIL import Image

    buf = io.BytesIO()
    Image.open(io.BytesIO(data)).convert("RGB").save(buf, "PNG", optimize=True)
    return buf.getvalue() if buf.tell() < len(data) else data


@contextmanager
def chromium_at(address: str, server_url: str) -> Iterator:
    """Headless Chromium that reaches the server at `server_url` whenever a page asks for `address` (host:port)."""
    with chromium(f"--host-resolver-rules=MAP {address} 127.0.0.1:{urlsplit(server_url).port}") as browser:
        yield browser


def point_at(page, part: Part) -> dict:
    """Rest the mouse on the part's weight label; what is lit then, on the loop and on the chain."""
    key, weight, k = part.point_at
    try:
        page.mouse.move(*page.evaluate(LABEL_JS, [key, weight, k]))
        page.wait_for_function("(w) => (window.__rnnvizPlayer || {}).lit === w", arg=weight, timeout=10_000)
        page.wait_for_timeout(300)  # the lit shapes are drawn a frame later
    except Exception as exc:  # no label, or nothing lit: reported, and no picture
        return {"lit": None, "lit_error": f"{type(exc).__name__}: {str(exc)[:200]}"}
    lit, (loop, chain) = page.evaluate(LIT_JS, [CHART_KEYS["rolled"], CHART_KEYS["unrolled"]])
    return {"lit": lit, "lit_shapes": {"rolled": loop, "unrolled": chain}}


def capture(part: Part, out: Path, width: int) -> dict:
    t0 = time.monotonic()
    view = part.view
    report: dict = {"ok": False, "out": str(out), "text": view.text, "model": view.model, "compare": view.compare}
    with streamlit_server() as server, chromium_at(ADDRESS, server.url) as browser:
        url = f"http://{ADDRESS}/?{app_query(view)}"
        report["url"] = url
        context = browser.new_context(viewport={"width": width, "height": HEIGHT})
        try:
            page = context.new_page()
            response = page.goto(url)
            state = settled(page, part, TIMEOUT)
            box = None
            if all(state["charts"].values()) and state["top"] and (state["bottom"] or not part.bottom):
                box = crop_box(state, width)
                if box["y"] + box["height"] > HEIGHT:  # a taller page than planned: grow the window
                    page.set_viewport_size({"width": width, "height": int(box["y"] + box["height"] + 200)})
                    state = settled(page, part, TIMEOUT)
                    box = crop_box(state, width)
                if part.point_at:  # last: nothing moves the mouse after this
                    report.update(point_at(page, part))
                    state = settled(page, part, TIMEOUT)
                    box = crop_box(state, width)
            port, served_by = urlsplit(server.url).port, response and (response.server_addr() or {}).get("port")
            if served_by != port:  # never a picture of another app that happens to answer at ADDRESS
                state["errors"].append(f"{ADDRESS} was answered from port {served_by}, not by our server on {port}")
            page.evaluate("document.fonts.ready.then(() => true)")
            report.update(
                charts=sorted(name for name, b in state["charts"].items() if b),
                words=state["words"],
                title=state["title"],
                **state["sentences"],
                share=state["share"],
                errors=state["errors"],
                exceptions=state["exceptions"],
                warnings=state["warnings"],
                notes=state["notes"],
                timed_out=state.get("timed_out", False),
            )
            complete = box is not None and len(report["charts"]) == len(part.charts) and not report["timed_out"]
            lit = not part.point_at or (report.get("lit") == part.point_at[1] and report["lit_shapes"]["unrolled"] > 0)
            report["ok"] = complete and lit and not problems(state)
            if report["ok"]:
                data = png(page.screenshot(clip=box, animations="disabled", caret="hide"))
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(data)
                report.update(size=[box["width"], box["height"]], kb=round(len(data) / 1024, 1))
                shown = {name: in_image(b, box) for name, b in state["charts"].items()}
                report["views"] = {name: b for name, b in shown.items() if b[1] >= 0 and b[3] <= box["height"]}
            else:  # keep what the page showed, for whoever reads the failure; never over --out
                failed = Path(tempfile.gettempdir()) / "rnnviz-screenshot-failed.png"
                page.screenshot(path=failed)
                log = shutil.copyfile(server.log, failed.with_suffix(".log"))  # the server's goes with it
                report.update(failed_capture=str(failed), server_log=str(log))
        finally:
            context.close()
    report["seconds"] = round(time.monotonic() - t0, 1)
    return report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--part", choices=PARTS, default="views", help="which picture (default %(default)s)")
    ap.add_argument("--out", type=Path, help="PNG to write (default docs/screenshot.png, or docs/inside.png)")
    ap.add_argument("--text", help="the sentence (default: the part's)")
    ap.add_argument("--model", help="default: the part's (rnn-2)")
    ap.add_argument("--step", type=int, help="step t to select (default: the part's; views: the last word)")
    ap.add_argument("--width", type=int, default=WIDTH, help="browser window width in px (default %(default)s)")
    args = ap.parse_args(argv)
    part = PARTS[args.part]
    given = {k: v for k, v in {"text": args.text, "model": args.model, "step": args.step}.items() if v is not None}
    part = dataclasses.replace(part, view=dataclasses.replace(part.view, **given))
    out = args.out or part.out
    reason = missing_browser()
    if reason:
        print(f"screenshot: cannot run: {reason}", file=sys.stderr)
        return 2
    report = capture(part, out, args.width)
    print(json.dumps(report, ensure_ascii=False))
    if not report["ok"]:
        shown = problems(report) if "errors" in report else []
        print(
            f"screenshot: the page is not complete (charts {report.get('charts')}, lit {report.get('lit')}, "
            f"problems {shown}); {out} left as it was",
            file=sys.stderr,
        )
        return 1
    width, height = report["size"]
    print(f"screenshot: wrote {out} ({width}x{height} px, {report['kb']} KB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
