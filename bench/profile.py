"""Where a keystroke's server time goes: the dashboard's script runs under cProfile inside a real server.

    python bench/profile.py                 # T=20, 14 keystrokes timed, then the same 14 profiled; top 25 by own time
    python bench/profile.py --size 50 --top 40 --sort cumulative --out /tmp/keys.prof

Starts `streamlit run streamlit_app.py` on loopback with bench/timing/sitecustomize.py on its PYTHONPATH (the
same timer bench/run.py uses), opens the page in headless Chromium and types the last word of a sentence of
`--size` tokens and erases it, key by key (14 keys), waiting each time until every view shows the new word
(bench/run.py's test): once to warm the caches, once with the runs only timed, once with cProfile on in the
script runner's thread. Prints the median run time of each pass, the runs per keystroke, and the profiled runs' top
functions (per run: ms of own time and ms including callees). The app's code is untouched.
"""

from __future__ import annotations

import argparse
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
import run as bench  # noqa: E402 - bench/run.py: the sentence, the keystrokes, "every view shows it"
from support import Server, launch_options  # noqa: E402

from rnnviz.app import TEXT_KEY  # noqa: E402


def type_keys(page, text: str, keys: list[str]) -> str:
    """Each key, then wait until every view shows the text it makes and the run has ended."""
    for key in keys:
        text = text[:-1] if key == "Backspace" else text + key
        page.evaluate("() => { window.__seen = {}; }")
        page.keyboard.press(key)
        want = bench.expected(bench.OURS, text)
        try:
            page.wait_for_function(bench.DONE_JS, arg=[bench.OURS, want], polling="raf", timeout=20_000)
        except Exception:
            print("stuck at", repr(text), want, page.evaluate("() => window.__seen"), file=sys.stderr)
            raise
        page.wait_for_function(bench.IDLE_JS, polling="raf")
        page.wait_for_timeout(bench.SETTLE_MS)
    return text


def runs_between(log: Path, start: float, end: float) -> list[float]:
    return [1000 * r[0] for r in bench.script_runs(log, start, end)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=20, help="tokens in the sentence (default 20)")
    parser.add_argument("--top", type=int, default=25, help="functions to print (default 25)")
    parser.add_argument("--sort", default="tottime", help="pstats order: tottime (default) or cumulative")
    parser.add_argument("--out", help="keep the profile here (pstats file) for snakeviz or pstats")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    folder = Path(tempfile.mkdtemp(prefix="rnnviz-profile-"))
    log, prof = folder / "runs.log", Path(args.out or folder / "runs.prof")
    env = {"PYTHONPATH": f"{bench.ROOT}:{bench.TIMING}", "RNNVIZ_RUN_LOG": str(log), "RNNVIZ_PROFILE": str(prof)}
    server = Server.start(env=env, ports=bench.PORTS, timeout=90, poll=0.05)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(**launch_options())
            page = browser.new_context(viewport=bench.VIEWPORT).new_page()
            page.set_default_timeout(60_000)
            page.goto(server.url)
            page.wait_for_function(bench.IDLE_JS, polling="raf")
            box = page.locator(f".st-key-{TEXT_KEY} input")
            text = bench.sentence(args.size)
            box.fill(text)
            box.press("End")
            keys = bench.keystrokes(2 * len(bench.LAST_WORD))  # the last word typed, then erased
            text = type_keys(page, text, keys)  # warm: the caches hold these texts' traces
            passes = {}
            for name in ("timed", "profiled"):
                if name == "profiled":
                    Path(str(prof) + ".on").touch()
                start = time.time()
                text = type_keys(page, text, keys)
                passes[name] = runs_between(log, start, time.time())
            browser.close()
    finally:
        server.stop()
    for name, ms in passes.items():
        print(f"{name}: {len(ms)} runs for {len(keys)} keys, median {statistics.median(ms):.1f} ms, "
              f"min {min(ms):.1f} ms, max {max(ms):.1f} ms")  # fmt: skip
    n = len(passes["profiled"])
    stats = pstats.Stats(str(prof))
    stats.sort_stats(args.sort)
    print(f"\ntop {args.top} by {args.sort}, ms per run (own, with callees), over {n} profiled runs:")
    rows = []
    for func in stats.fcn_list[: args.top]:
        _, calls, own, cum, _ = stats.stats[func]
        path, line, name = func
        where = name if path == "~" else f"{Path(path).name}:{line}({name})"
        if "site-packages/" in path:
            where = path.split("site-packages/")[1] + f":{line}({name})"
        elif str(bench.ROOT) in path:
            where = str(Path(path).relative_to(bench.ROOT)) + f":{line}({name})"
        rows.append(f"{1000 * own / n:8.2f} {1000 * cum / n:8.2f} {calls / n:8.1f}  {where}")
    print(f"{'own ms':>8} {'cum ms':>8} {'calls':>8}  function")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
