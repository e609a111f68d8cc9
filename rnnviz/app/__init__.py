"""The dashboard's plain-Python parts, importable without a server: keys, URL, presets and messages in one place.

keys (widget keys, settings), params (the URL), presets (preset sentences, captions), messages (escaping,
notes). Imported by their own module names: state (PageState, the page's state and its transitions), tour
(the guided tour), custom_model, and the modules that draw with streamlit (controls, share, session,
live_charts, explorer).
"""

from __future__ import annotations

from rnnviz.app.keys import (
    CHART_KEYS,
    DEFAULT_MODEL,
    EXAMPLE_KEY_PREFIX,
    GOLDFISH_KEY,
    LIVE_DEBOUNCE,
    MAX_TEXT_CHARS,
    MODEL_KEY,
    PLAY_INTERVAL_S,
    PLAY_KEY,
    STEP_KEY,
    TEXT_KEY,
)
from rnnviz.app.messages import md_escape, md_message, shorten, token_notes, truncation_note
from rnnviz.app.params import (
    PARAM_GOLDFISH,
    PARAM_MODEL,
    PARAM_STEP,
    PARAM_TEXT,
    PARAM_TOUR,
    PARAMS,
    ViewState,
    clamp_step,
    clean_text,
    parse_params,
    share_link,
    share_query,
)
from rnnviz.app.presets import CAPTIONS, DEFAULT_TEXT, EXAMPLES, GOLDFISH_CAPTION, Example, Preset

__all__ = [
    "CAPTIONS",
    "CHART_KEYS",
    "DEFAULT_MODEL",
    "DEFAULT_TEXT",
    "EXAMPLES",
    "EXAMPLE_KEY_PREFIX",
    "GOLDFISH_CAPTION",
    "GOLDFISH_KEY",
    "LIVE_DEBOUNCE",
    "MAX_TEXT_CHARS",
    "MODEL_KEY",
    "PARAMS",
    "PARAM_GOLDFISH",
    "PARAM_MODEL",
    "PARAM_STEP",
    "PARAM_TEXT",
    "PARAM_TOUR",
    "PLAY_INTERVAL_S",
    "PLAY_KEY",
    "STEP_KEY",
    "TEXT_KEY",
    "Example",
    "Preset",
    "ViewState",
    "clamp_step",
    "clean_text",
    "md_escape",
    "md_message",
    "parse_params",
    "share_link",
    "share_query",
    "shorten",
    "token_notes",
    "truncation_note",
]
