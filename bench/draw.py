"""Browser drawing time of each view, without Streamlit: Plotly.newPlot (a remount) vs Plotly.react.

    python bench/draw.py [--tokens 20] [--model rnn-64] [--reps 15]

Builds each view for two texts that differ in their last word (a keystroke), then, in headless
Chromium with plotly.js from the plotly package, times drawing the second figure from scratch
(newPlot into a fresh div, as Streamlit does when a chart's figure changes) and in place (react
on the div showing the first). A quick way to try a figure-level lever before `bench/run.py`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

import plotly
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench"), str(ROOT / "tests")]
from run import LAST_WORD, sentence  # noqa: E402
from support import CHROMIUM, launch_options  # noqa: E402

import rnnviz  # noqa: E402
import rnnviz.figures as F  # noqa: E402, N812

WIDTHS = {"rolled": 640, "positivity": 640, "unrolled": 1340, "projection": 640}  # the app's columns at 1400 px

PAGE = """<!doctype html><html><head><meta charset="utf-8"><script src="{plotly}"></script></head>
<body><script>
window.timeDraw = async (specs, reps) => {{
  const out = {{}};
  for (const [name, [a, b, width]] of Object.entries(specs)) {{
    const fresh = [], inplace = [];
    for (let r = 0; r < reps; r++) {{
      const div = document.createElement('div');
      div.style.width = width + 'px';
      document.body.appendChild(div);
      const A = JSON.parse(a), B = JSON.parse(b);
      await Plotly.newPlot(div, A.data, A.layout, {{displayModeBar: false}});
      const B2 = JSON.parse(b);
      let t = performance.now();
      await Plotly.react(div, B2.data, B2.layout, {{displayModeBar: false}});
      inplace.push(performance.now() - t);
      const div2 = document.createElement('div');
      div2.style.width = width + 'px';
      document.body.appendChild(div2);
      t = performance.now();
      await Plotly.newPlot(div2, B.data, B.layout, {{displayModeBar: false}});
      fresh.push(performance.now() - t);
      Plotly.purge(div); Plotly.purge(div2); div.remove(); div2.remove();
    }}
    out[name] = [fresh, inplace];
  }}
  return out;
}};
</script></body></html>"""


def time_specs(specs: dict[str, list], reps: int, chromium: str = CHROMIUM) -> dict[str, list]:
    """{name: [json_a, json_b, width]} -> {name: [newPlot ms list, react ms list]}."""
    js = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    with tempfile.TemporaryDirectory(prefix="rnnviz-draw-") as folder, sync_playwright() as pw:
        html = Path(folder) / "draw.html"
        html.write_text(PAGE.format(plotly=js.as_uri()))
        browser = pw.chromium.launch(**launch_options("--allow-file-access-from-files", executable=chromium))
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(html.as_uri())
        result = page.evaluate("([s, r]) => window.timeDraw(s, r)", [specs, reps])
        browser.close()
    return result


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tokens", type=int, default=20)
    p.add_argument("--model", default="rnn-2")
    p.add_argument("--reps", type=int, default=15)
    p.add_argument("--chromium", default=CHROMIUM)
    args = p.parse_args()

    model = rnnviz.load_model(args.model)
    corpus = rnnviz.load_corpus(args.model)
    base = sentence(args.tokens)
    a, b = rnnviz.trace(model, base + LAST_WORD[:3]), rnnviz.trace(model, base + LAST_WORD[:4])
    build = {
        "rolled": lambda tr: F.rolled(tr),
        "positivity": lambda tr: F.positivity(tr),
        "unrolled": lambda tr: F.unrolled(tr),
        "projection": lambda tr: F.projection(tr, corpus=corpus),
    }
    specs = {name: [fn(a).to_json(), fn(b).to_json(), WIDTHS[name]] for name, fn in build.items()}
    result = time_specs(specs, args.reps, args.chromium)
    print(f"{args.model}, T = {args.tokens}: median ms over {args.reps} (first dropped)")
    print(f"{'view':12s} {'newPlot':>8s} {'react':>8s} {'bytes':>8s}")
    for name, (fresh, inplace) in result.items():
        print(
            f"{name:12s} {statistics.median(fresh[1:]):8.1f} {statistics.median(inplace[1:]):8.1f} "
            f"{len(specs[name][1]):8d}"
        )
    print(json.dumps({k: [statistics.median(f[1:]), statistics.median(i[1:])] for k, (f, i) in result.items()}))


if __name__ == "__main__":
    main()
