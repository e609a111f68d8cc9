"""bench/run.py's server-side timer: every script run's duration, appended to $RNNVIZ_RUN_LOG.

Python imports `sitecustomize` at start-up from the path; bench/run.py puts this folder on PYTHONPATH for the
servers it starts, and only then (with RNNVIZ_RUN_LOG set) does this wrap the one call in which Streamlit runs the
script or a fragment (`exec_func_with_error_handling` in its script runner). One line per run: the wall time at
its end, its seconds, "fragment" or "page", and "rerun" if a newer rerun request stopped it. The app's code is
untouched, and a server started without these variables is not changed at all.

With RNNVIZ_PROFILE set as well (bench/profile.py), each run that starts while the file RNNVIZ_PROFILE.on exists is also
profiled with cProfile, and the profiled runs' stats so far are written to RNNVIZ_PROFILE after each of them.
"""

from __future__ import annotations

import os
import time

LOG = os.environ.get("RNNVIZ_RUN_LOG")
PROFILE = os.environ.get("RNNVIZ_PROFILE")


def _install(path: str) -> None:
    from streamlit.runtime.scriptrunner import script_runner

    run = script_runner.exec_func_with_error_handling
    profile = None
    if PROFILE:
        import cProfile

        profile = cProfile.Profile()

    def timed(func, ctx):  # Streamlit's own signature
        profiled = profile is not None and os.path.exists(PROFILE + ".on")
        t0 = time.perf_counter()
        if profiled:
            profile.enable()  # the script runner's thread only
        result = run(func, ctx)
        if profiled:
            profile.disable()
        seconds = time.perf_counter() - t0
        kind = "fragment" if ctx.fragment_ids_this_run else "page"
        stopped = "rerun" if result[2] else "done"
        with open(path, "a") as out:
            out.write(f"{time.time():.3f} {seconds:.6f} {kind} {stopped}\n")
        if profiled:
            profile.dump_stats(PROFILE)
        return result

    script_runner.exec_func_with_error_handling = timed


if LOG:
    _install(LOG)

# A variant of the dashboard for bench/run.py --variant: another debounce for its text box (set before the app's
# controls import it).
if os.environ.get("RNNVIZ_BENCH_LIVE"):
    import rnnviz.app.keys

    rnnviz.app.keys.LIVE_DEBOUNCE = os.environ["RNNVIZ_BENCH_LIVE"]
