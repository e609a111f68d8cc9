"""Numpy path (rnnviz.load_inference_model) against the torch path (rnnviz.load_model): memory and time.

    python bench/infer.py            # about 10 seconds
    python bench/infer.py --reps 50  # steadier trace timings

Each path runs in its own fresh Python process (torch, once imported, cannot be unloaded), one after
the other in this run, with OMP_NUM_THREADS=1 as the app sets it:

- RSS (VmRSS from /proc) after `import rnnviz` + the figures, after loading all four models, and after a
  trace and the four main figures per model (rolled, positivity, unrolled, projection with the corpus,
  as streamlit_app.py's views() builds them); the peak (VmHWM) too;
- import time, load time per model, and rnnviz.trace time for T = 20 and T = 200 tokens (median);
- the main page in streamlit's AppTest (text "a fine film", default model): process RSS after the first
  render, the torch path being the same page with its loader pointed at rnnviz.load_model.

Prints a table with both paths and the ratio torch / numpy.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PATHS = ("numpy", "torch")
WORDS = (
    "the acting was wonderful and the story moved me but the ending felt rushed and the music was too "
    "loud for a film that wants to be quiet , yet i left the theatre smiling because every scene had "
    "something honest in it"
).split()


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident set size of this process, MB."""
    status = Path("/proc/self/status").read_text()
    fields = {line.split(":")[0]: line.split()[1] for line in status.splitlines() if line.startswith("Vm")}
    return int(fields["VmRSS"]) / 1024, int(fields["VmHWM"]) / 1024


def sentence(n_tokens: int) -> str:
    return " ".join(WORDS[i % len(WORDS)] for i in range(n_tokens))


def child_library(path: str, reps: int) -> dict[str, Any]:
    """One path, measured from a fresh process: imports, loads, traces, figures."""
    out: dict[str, Any] = {"rss_start": rss_mb()[0]}
    t0 = time.perf_counter()
    import rnnviz
    import rnnviz.figures as F  # noqa: N812

    if path == "torch":
        import torch  # what rnnviz.load_model imports on first use

        torch.set_num_threads(1)
    out["import_s"] = time.perf_counter() - t0
    out["rss_import"] = rss_mb()[0]
    load = rnnviz.load_inference_model if path == "numpy" else rnnviz.load_model
    models, out["load_s"] = {}, {}
    for name in rnnviz.SHIPPED:
        t = time.perf_counter()
        models[name] = load(name)
        out["load_s"][name] = time.perf_counter() - t
    out["rss_loaded"] = rss_mb()[0]
    for name, model in models.items():
        tr = rnnviz.trace(model, "a fine film")
        corpus = rnnviz.load_corpus(name)
        F.rolled(tr, tr.T), F.positivity(tr, tr.T), F.unrolled(tr, tr.T)
        F.projection(tr, tr.T, corpus=corpus).to_json()
    out["rss_figures"], out["rss_peak"] = rss_mb()
    out["torch_imported"] = "torch" in sys.modules
    out["trace_ms"] = {}
    for n_tokens in (20, 200):
        text = sentence(n_tokens)
        for name, model in models.items():
            rnnviz.trace(model, text)  # warm up
            times = []
            for _ in range(reps):
                t = time.perf_counter()
                tr = rnnviz.trace(model, text)
                times.append(time.perf_counter() - t)
            assert tr.T == n_tokens
            out["trace_ms"][f"{name} T={n_tokens}"] = 1000 * statistics.median(times)
    return out


def child_app(path: str) -> dict[str, Any]:
    """The main page once in AppTest: this process's RSS after the first render."""
    t0 = time.perf_counter()
    from streamlit.testing.v1 import AppTest

    import rnnviz
    from rnnviz.app.live_charts import drawn_figures

    if path == "torch":  # the page as it was: its cached loader returns the torch model
        rnnviz.load_inference_model = rnnviz.load_model  # type: ignore[assignment]
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    at.query_params["text"] = "a fine film"
    at.run()
    assert not at.exception and len(drawn_figures(at.get("bidi_component"))) == 4, [e.value for e in at.exception]
    current, peak = rss_mb()
    return {
        "app_first_render_s": time.perf_counter() - t0,
        "app_rss": current,
        "app_rss_peak": peak,
        "app_torch_imported": "torch" in sys.modules,
    }


def run_child(kind: str, path: str, reps: int) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", kind, path, "--reps", str(reps)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"},
        timeout=600,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"{kind} {path} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--reps", type=int, default=30, help="trace timings per model and length (median)")
    p.add_argument("--json", action="store_true", help="print the raw numbers as JSON as well")
    p.add_argument("--child", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        kind, path = args.child
        result = child_library(path, args.reps) if kind == "library" else child_app(path)
        print(json.dumps(result))
        return

    res = {path: run_child("library", path, args.reps) | run_child("app", path, args.reps) for path in PATHS}
    rows: list[tuple[str, float, float, str]] = [
        ("import rnnviz + figures (+ torch), s", res["numpy"]["import_s"], res["torch"]["import_s"], "{:.2f}"),
        ("RSS after import, MB", res["numpy"]["rss_import"], res["torch"]["rss_import"], "{:.0f}"),
        ("RSS after loading the 4 models, MB", res["numpy"]["rss_loaded"], res["torch"]["rss_loaded"], "{:.0f}"),
        ("RSS after trace + 4 figures each, MB", res["numpy"]["rss_figures"], res["torch"]["rss_figures"], "{:.0f}"),
        ("peak RSS (VmHWM), MB", res["numpy"]["rss_peak"], res["torch"]["rss_peak"], "{:.0f}"),
    ]
    for name, numpy_s in res["numpy"]["load_s"].items():
        rows.append((f"load {name}, ms", 1000 * numpy_s, 1000 * res["torch"]["load_s"][name], "{:.0f}"))
    for key in res["numpy"]["trace_ms"]:
        rows.append((f"trace {key}, ms", res["numpy"]["trace_ms"][key], res["torch"]["trace_ms"][key], "{:.2f}"))
    rows += [
        ("main page (AppTest) first render, s", res["numpy"]["app_first_render_s"], res["torch"]["app_first_render_s"],
         "{:.2f}"),
        ("main page (AppTest) RSS after it, MB", res["numpy"]["app_rss"], res["torch"]["app_rss"], "{:.0f}"),
    ]  # fmt: skip
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'numpy':>9}  {'torch':>9}  torch/numpy")
    for label, a, b, fmt in rows:
        print(f"{label:<{width}}  {fmt.format(a):>9}  {fmt.format(b):>9}  {b / a:>10.2f}x")
    print(
        f"torch imported: numpy path {res['numpy']['torch_imported']} (page {res['numpy']['app_torch_imported']}), "
        f"torch path {res['torch']['torch_imported']} (page {res['torch']['app_torch_imported']})"
    )
    if args.json:
        print(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
