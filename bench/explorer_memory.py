"""Server memory of the explorer and seconds per fixed-point search: prints the numbers, changes nothing.

    python bench/explorer_memory.py [--root PATH] [--only memory|fixed-points]

Memory: one fresh Python process runs streamlit_app.py under streamlit.testing.v1.AppTest. AppTest runs the
script in that same process (the script runner and the session state live there, as in `streamlit run`'s
server), so the process's own VmRSS / VmHWM from /proc/self/status is the server's memory. It reads the RSS
after the first render, then after opening the explorer on every shipped model and every tab, including
the fixed points for the average word and for "good" (the Dynamics tab's tool). Also whether torch was
imported. Fixed points: a fresh process per model times rnnviz.analysis.find_fixed_points with the app's
settings (128 starts near the corpus's final states), twice (the first call includes imports).
`--root` runs another checkout (e.g. the main branch) with the same measurements.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ("rnn-2", "rnn-64", "gru-64", "lstm-64")

MEMORY = """
import json, sys
from streamlit.testing.v1 import AppTest
from rnnviz.app import MODEL_KEY
from rnnviz.app.explorer import EXPLORER_KEY, TABS, TABS_KEY, WORD_KEY
try:  # the heavy tools run on a press (checkouts before that ran them on opening the tab)
    from rnnviz.app.explorer import EFFECTS_KEY, FIXED_POINTS_KEY
    PRESS = {"Dynamics": FIXED_POINTS_KEY, "Word effects": EFFECTS_KEY}
except ImportError:
    PRESS = {}

def press(at, tab):
    for start, key in PRESS.items():
        if tab.startswith(start):
            at.button(key=key).click().run()

def status():
    fields = dict(line.split(":", 1) for line in open("/proc/self/status"))
    return {k: int(fields[k].split()[0]) // 1024 for k in ("VmRSS", "VmHWM")}  # MB

out = {}
at = AppTest.from_file("streamlit_app.py", default_timeout=600)
at.query_params["text"] = "this movie is not good"
at.query_params["advanced"] = "1"  # the explorer opens with Advanced on
at.run()
assert not at.exception, at.exception
out["first render"] = status()
for name in SHIPPED:
    at.segmented_control(key=MODEL_KEY).set_value(name).run()
    at.session_state[EXPLORER_KEY] = True
    for tab in TABS:
        at.session_state[TABS_KEY] = tab
        at.run()
        press(at, tab)
        if tab.startswith("Dynamics"):
            at.text_input(key=WORD_KEY).set_value("good").run()
            press(at, tab)
            at.text_input(key=WORD_KEY).set_value("").run()
        assert not at.exception, (name, tab, at.exception)
        assert not at.error, (name, tab, [e.value for e in at.error])
    out[f"after every tab and tool, up to {name}"] = status()
out["torch imported"] = "torch" in sys.modules
print(json.dumps(out))
"""

FIXED_POINTS = """
import json, time
import rnnviz
from rnnviz import analysis as A
model = rnnviz.load_model(NAME)
params = A.cell_params(model)
x, _ = A.average_input(model), None
starts = A.default_starts(params, 128, around=rnnviz.load_corpus(NAME).final_states)
seconds = []
for _ in range(2):
    t0 = time.perf_counter()
    fp = A.find_fixed_points(params, x, starts=starts)
    seconds.append(time.perf_counter() - t0)
worst = float(fp.speed[fp.fixed].max()) if fp.fixed.any() else None
fixed, slow = int(fp.fixed.sum()), int((~fp.fixed).sum())
print(json.dumps({"seconds": [round(s, 2) for s in seconds], "fixed": fixed, "slow": slow, "max fixed speed": worst}))
"""


def run(code: str, root: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(root), "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", f"SHIPPED = {SHIPPED!r}\n" + textwrap.dedent(code)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    if done.returncode:
        raise SystemExit(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to measure (default: this one)")
    parser.add_argument("--only", choices=("memory", "fixed-points"))
    args = parser.parse_args()
    root = args.root.resolve()
    print(f"checkout: {root}")
    if args.only != "fixed-points":
        for what, value in run(MEMORY, root).items():
            print(f"server memory, {what}: {value}")
    if args.only != "memory":
        for name in SHIPPED:
            result = run(FIXED_POINTS.replace("NAME", repr(name)), root)
            print(f"fixed points, {name}: {result}")


if __name__ == "__main__":
    main()
