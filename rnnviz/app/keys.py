"""The dashboard's widget keys (tests import them) and its fixed settings: default model, text limit, timers.

Plain Python (no streamlit). bench/floor_app.py reads TEXT_KEY from this file's source.
"""

from __future__ import annotations

from rnnviz.checkpoint import SHIPPED

# Widget keys (tests import these).
TEXT_KEY = "text"
MODEL_KEY = "model"
GOLDFISH_KEY = "goldfish"
STEP_KEY = "step"
PLAY_KEY = "play"
CHART_KEYS = {
    "rolled": "chart_rolled",
    "unrolled": "chart_unrolled",
    "projection": "chart_projection",
    "positivity": "chart_positivity",
}
EXAMPLE_KEY_PREFIX = "example_"
# The containers the guided tour outlines, by a step's `view` (explain.EXPLAIN_KEY, compare.COMPARE_SECTION_KEY).
TOUR_TARGETS = {**{name: f"view_{name}" for name in CHART_KEYS}, "explain": "explain", "compare": "compare_section"}

DEFAULT_MODEL = SHIPPED[0]
MAX_TEXT_CHARS = 2000  # a 200-token sentence is about 1,200 characters
PLAY_INTERVAL_S = 0.8  # seconds per word while playing
LIVE_DEBOUNCE = "0ms"  # the text box commits every change at once (runs asked for meanwhile merge)
