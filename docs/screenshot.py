"""The README's screenshot, taken from the real app: `python docs/screenshot.py [--out docs/screenshot.png]`.

Starts `streamlit run streamlit_app.py` on a free loopback port (tests/support.streamlit_server),
opens a link to one sentence in headless Chromium (Debian's /usr/bin/chromium, never `playwright
install`), waits until all four views (rolled loop, unrolled chain, projection, positivity) have
drawn and Streamlit's running indicator is gone, and saves a PNG of the dashboard: from the text box
down to the projection, at a desktop width.

The browser reaches the server as http://localhost:8501/, the address `streamlit run` prints by
default (Chromium maps it to the real port), so the share box in the picture shows the link a local
user would see and the picture does not change with the port the server happened to get.

Prints a one-line JSON report (the charts drawn, the positivity chart's words, any error, exception,
warning or note on the page, the image's size). When the page shows an error, an exception, a
warning or a note (such as a link parameter it ignored), or fewer than four charts, nothing is
written to --out and the exit status is 1: the README must never show a broken app.
tests/browser/test_screenshot.py runs this script on every test run: under CI (CI=true) or with
RNNVIZ_UPDATE_SCREENSHOT=1 it writes docs/screenshot.png, so the README's picture is always the
current app; elsewhere it checks a picture in a temporary folder and leaves the checkout alone.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
from support import chromium, missing_browser, streamlit_server  # noqa: E402

from rnnviz.app import CHART_KEYS, TEXT_KEY, ViewState, share_query  # noqa: E402

OUT = ROOT / "docs" / "screenshot.png"
# The sentiment turns: o_t falls to 0.05 at "dull" and climbs to 0.94 at "wonderful" (rnn-2).
TEXT = "the plot was dull but the acting was wonderful"
MODEL = "rnn-2"  # the essay's 2-neuron sketch: the projection shows the neurons themselves
WIDTH = 1400  # viewport width: the desktop layout, two views side by side
HEIGHT = 2400  # tall enough that nothing we capture needs scrolling (Streamlit scrolls its own container)
MARGIN = 24  # px kept around the captured part
TIMEOUT = 90  # s from opening the page to a complete render
ADDRESS = "localhost:8501"  # what the browser (and so the share box) calls the server, whatever its port

# What the page shows now: which charts have drawn, the words on the positivity axis, problems shown,
# whether a script run is in progress, and where the part we capture sits.
STATE_JS = """([keys, textKey]) => {
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
    const input = document.querySelector('.st-key-' + textKey);
    // The nearest page elements above the text box and below the views: the margins stop short of them.
    const drawn = Object.values(charts).filter(b => b);
    const low = drawn.length ? Math.max(...drawn.map(b => b[3])) : Infinity;
    const blocks = '[data-testid="stElementContainer"], [data-testid="stLayoutWrapper"]';
    const others = [...document.querySelectorAll(blocks)].map(box);
    const above = input ? Math.max(0, ...others.map(b => b[3]).filter(y => y <= box(input)[1] + 0.5)) : 0;
    const below = Math.min(...others.map(b => b[1]).filter(y => y >= low - 0.5));
    return {
        charts,
        words: [...document.querySelectorAll('.st-key-' + keys.positivity + ' .xtick text')].map(e => e.textContent),
        title: (document.querySelector('.st-key-' + keys.rolled + ' .gtitle') || {}).textContent || '',
        errors,
        exceptions: texts('[data-testid="stException"]'),
        warnings: texts('[data-testid="stAlertContentWarning"]'),
        notes: texts('[data-testid="stAlertContentInfo"]'),  // e.g. a link parameter the app ignored
        share: texts('[data-testid="stCode"]').filter(t => t.includes('?text=')).join(' '),
        running: !!document.querySelector('[data-testid="stStatusWidget"]'),
        top: input ? box(input) : null,
        above,
        below: Number.isFinite(below) ? below : null,
    };
}"""


def app_query(text: str, model: str, step: int | None) -> str:
    return urlencode(share_query(ViewState(text=text, model=model, step=step)), quote_via=quote)


def problems(state: dict) -> list[str]:
    return [*state["errors"], *state["exceptions"], *state["warnings"], *state["notes"]]


def settled(page, timeout: float) -> dict:
    """Poll until no script runs and the page is complete (four charts) or shows a problem, twice alike."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        state = page.evaluate(STATE_JS, [CHART_KEYS, TEXT_KEY])
        done = not state["running"] and (all(state["charts"].values()) or problems(state))
        if done and state == last:
            return state
        if time.monotonic() > deadline:
            state["timed_out"] = True
            return state
        last = state if done else None
        time.sleep(0.4)


def crop_box(state: dict, width: int) -> dict[str, int]:
    """From the text box down to the lowest view, across the content column; half-way to any neighbour."""
    boxes = [b for b in state["charts"].values() if b] + [state["top"]]
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


def capture(out: Path, text: str, model: str, step: int | None, width: int) -> dict:
    t0 = time.monotonic()
    report: dict = {"ok": False, "out": str(out), "text": text, "model": model}
    with streamlit_server() as server, chromium_at(ADDRESS, server.url) as browser:
        url = f"http://{ADDRESS}/?{app_query(text, model, step)}"
        report["url"] = url
        context = browser.new_context(viewport={"width": width, "height": HEIGHT})
        try:
            page = context.new_page()
            response = page.goto(url)
            state = settled(page, TIMEOUT)
            box = None
            if all(state["charts"].values()) and state["top"]:
                box = crop_box(state, width)
                if box["y"] + box["height"] > HEIGHT:  # a taller page than planned: grow the window
                    page.set_viewport_size({"width": width, "height": int(box["y"] + box["height"] + 200)})
                    state = settled(page, TIMEOUT)
                    box = crop_box(state, width)
            port, served_by = urlsplit(server.url).port, response and (response.server_addr() or {}).get("port")
            if served_by != port:  # never a picture of another app that happens to answer at ADDRESS
                state["errors"].append(f"{ADDRESS} was answered from port {served_by}, not by our server on {port}")
            page.evaluate("document.fonts.ready.then(() => true)")
            report.update(
                charts=sorted(name for name, b in state["charts"].items() if b),
                words=state["words"],
                title=state["title"],
                share=state["share"],
                errors=state["errors"],
                exceptions=state["exceptions"],
                warnings=state["warnings"],
                notes=state["notes"],
                timed_out=state.get("timed_out", False),
            )
            complete = box is not None and len(report["charts"]) == len(CHART_KEYS) and not report["timed_out"]
            report["ok"] = complete and not problems(state)
            if report["ok"]:
                data = png(page.screenshot(clip=box, animations="disabled", caret="hide"))
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(data)
                report.update(size=[box["width"], box["height"]], kb=round(len(data) / 1024, 1))
                report["views"] = {name: in_image(b, box) for name, b in state["charts"].items()}
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
    ap.add_argument("--out", type=Path, default=OUT, help=f"PNG to write (default {OUT.relative_to(ROOT)})")
    ap.add_argument("--text", default=TEXT, help="the sentence (default: %(default)r)")
    ap.add_argument("--model", default=MODEL, help="default %(default)s")
    ap.add_argument("--step", type=int, default=None, help="step t to select (default: the last word)")
    ap.add_argument("--width", type=int, default=WIDTH, help="browser window width in px (default %(default)s)")
    args = ap.parse_args(argv)
    reason = missing_browser()
    if reason:
        print(f"screenshot: cannot run: {reason}", file=sys.stderr)
        return 2
    report = capture(args.out, args.text, args.model, args.step, args.width)
    print(json.dumps(report, ensure_ascii=False))
    if not report["ok"]:
        shown = problems(report) if "errors" in report else []
        print(
            f"screenshot: the page is not complete (charts {report.get('charts')}, problems {shown}); "
            f"{args.out} left as it was",
            file=sys.stderr,
        )
        return 1
    width, height = report["size"]
    print(f"screenshot: wrote {args.out} ({width}x{height} px, {report['kb']} KB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
