"""Reliability and safety without a browser: hostile text, markup, odd links, damaged assets, the shared model.

Issue 6. The app runs headless in AppTest (same process, so the cached model is the one these tests
inspect); the model, trace and tokenizer layers are fuzzed with hypothesis. Browser-only checks
(dialogs, requests, concurrent sessions, load, a long session) are in test_hostile_browser.py.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import random
import re
import shutil
import tomllib
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("streamlit")
import streamlit as st
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs
from streamlit.testing.v1 import AppTest
from support import MARKUP, ROOT
from support import run_app as run

import rnnviz
import rnnviz.figures as F  # noqa: N812 - short name for the views
from rnnviz.app import (
    CHART_KEYS,
    GOLDFISH_KEY,
    MAX_TEXT_CHARS,
    MODEL_KEY,
    PLAY_KEY,
    STEP_KEY,
    TEXT_KEY,
    md_escape,
    parse_params,
)
from rnnviz.app.live_charts import drawn_figures
from rnnviz.app.messages import LINK_BREAK
from rnnviz.model import ASSETS_ENV, CheckpointError
from rnnviz.vocab import MAX_TOKENS

ASSETS = ROOT / "assets"


def _unknown_words(n: int) -> str:
    rng = random.Random(6)
    return " ".join("".join(rng.choice("qxzjvkwy") for _ in range(7)) + str(i) for i in range(n))


# Each hostile text, and whether it has anything to read.
HOSTILE_TEXTS: dict[str, tuple[str, bool]] = {
    "empty": ("", False),
    "whitespace": (" \t  \u3000 ", False),
    "only_punctuation": ("!?.,;:--...", True),
    "one_character": ("a", True),
    "paste_10k": (("the plot is thin but the acting is wonderful , " * 250)[:10_000], True),
    "unknown_500": (_unknown_words(500), True),
    "emoji": ("this movie is 😀🔥 great 👍🏽 👨‍👩‍👧 🇫🇷", True),
    "cjk": ("这部电影很好看 映画はとても良かった 영화가 좋았다", True),
    "arabic_rtl": ("هذا الفيلم جيد جدا \u202ebut not good", True),
    "combining": ("e\u0301te\u0301 n\u0303o Z\u0351\u0352\u0353a\u0354\u0355l\u0356g\u0357o", True),
    "zero_width_and_control": ("good\u200bbad\u200c\u200d\ufeff\u2060 movie \x07\x1b[31m\x7f\r\n\t", True),
    "invisible_only": ("\u200b\u200c\ufeff\x07", False),
    "nul_byte": ("good\x00bad movie\x00", True),
    "identical_5000": (" ".join(["good"] * 5000), True),
}
# Markup that must never reach a page or a label unescaped.
RAW_MARKUP = ("<script", "<img", "<b>bold", "](javascript", "javascript:", "onerror=", "{{7")


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Each test sees the assets it sets up, not a model cached by an earlier test."""
    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    st.cache_resource.clear()
    st.cache_data.clear()


def type_text(at: AppTest, text: str) -> AppTest:
    return at.text_input(key=TEXT_KEY).set_value(text).run()


def charts(at: AppTest) -> dict[str, dict]:
    """Chart key -> the figure each of the four views was sent to draw (not the explainer panel's charts)."""
    return {k: f for k, f in drawn_figures(at.get("bidi_component")).items() if k in CHART_KEYS.values()}


def live_markup(markdown: str) -> list[str]:
    """The raw markup a markdown source would still render: backslash-escaped characters are literal."""
    unescaped_only = re.sub(r"\\.", "\ufffd", markdown)
    return [m for m in RAW_MARKUP if m in unescaped_only]


def page_text(at: AppTest) -> list[str]:
    return [str(e.value) for kind in ("markdown", "caption", "info", "warning", "error") for e in getattr(at, kind)]


def assert_no_traceback(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def expected_steps(text: str) -> int:
    """What the app should read: the text box keeps MAX_TEXT_CHARS characters, the trace MAX_TOKENS tokens."""
    return min(len(rnnviz.tokenize(text[:MAX_TEXT_CHARS])), MAX_TOKENS)


def readout(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("t = "))


def assert_drawn(at: AppTest, n_steps: int) -> None:
    assert_no_traceback(at)
    assert len(charts(at)) == 4
    assert f"of {n_steps} ·" in readout(at)


# -- text ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", HOSTILE_TEXTS)
def test_hostile_text_draws_or_explains_and_the_session_recovers(name):
    text, readable = HOSTILE_TEXTS[name]
    at = type_text(run(), text)
    if readable:
        assert_drawn(at, expected_steps(text))
    else:
        assert_no_traceback(at)
        assert len(charts(at)) == 0
        assert any("Type a sentence" in i.value for i in at.info), page_text(at)
    # never a frozen session: the next sentence draws as usual
    at = type_text(at, "this movie is not good")
    assert_drawn(at, 5)


def test_a_long_paste_says_how_much_it_reads():
    text = HOSTILE_TEXTS["paste_10k"][0]
    at = type_text(run(), text)
    assert len(at.text_input(key=TEXT_KEY).value) == MAX_TEXT_CHARS
    total = len(rnnviz.tokenize(text[:MAX_TEXT_CHARS]))
    warning = " ".join(w.value for w in at.warning)
    assert f"Reading the first {MAX_TOKENS} of {total:,} tokens" in warning
    assert f"keeps the first {MAX_TEXT_CHARS:,} characters" in warning
    assert at.slider(key=STEP_KEY).max == MAX_TOKENS


@pytest.mark.parametrize("name", ["gru-64", "lstm-64"])
def test_hostile_text_on_gated_models_with_goldfish(name):
    at = run({"model": name, "goldfish": "1"})
    for text, readable in HOSTILE_TEXTS.values():
        at = type_text(at, text)
        assert not at.exception, (text[:40], [e.value for e in at.exception])
        assert len(charts(at)) == (4 if readable else 0), text[:40]


# -- markup ----------------------------------------------------------------------------------------
# the figures' own formatting, and plotly's <extra></extra> (a hovertemplate directive hiding the trace name box)
ALLOWED_TAG = r"</?(?:b|i|br|sub|sup|em|extra)>"


def _strings(obj) -> list[str]:
    if isinstance(obj, str):
        return [obj]
    if isinstance(obj, dict):
        return [s for v in obj.values() for s in _strings(v)]
    if isinstance(obj, list | tuple):
        return [s for v in obj for s in _strings(v)]
    return []


def _unsafe_strings(fig_json: dict) -> list[str]:
    """Strings in a figure that would render user markup: any tag besides the figures' own formatting."""
    bad = []
    for s in _strings(fig_json):
        rest = re.sub(ALLOWED_TAG, "", s)
        if "<" in rest:  # escaped text (&lt;b&gt;) and plain words such as javascript: or {{7*7}} are literal
            bad.append(s)
    return bad


@pytest.mark.parametrize("markup", MARKUP)
def test_typed_markup_is_literal_in_every_element(markup):
    at = type_text(run(), markup)
    assert_drawn(at, len(rnnviz.tokenize(markup)))
    for value in page_text(at):
        assert not live_markup(value), value
    for key, figure in charts(at).items():
        assert not _unsafe_strings(figure), key
    # the share link is a code block (shown verbatim) holding the URL-encoded text
    assert all("<" not in c.value for c in at.code)


@pytest.mark.parametrize("markup", MARKUP)
def test_linked_markup_is_literal(markup):
    at = run({"text": markup, "model": markup, "step": markup, "goldfish": markup, markup: markup})
    assert not at.exception
    assert len(charts(at)) == 4
    notes = " ".join(i.value for i in at.info)
    assert "does not exist" in notes and "not a whole number" in notes and "does not use" in notes
    for value in page_text(at):
        assert not live_markup(value), value
    assert at.text_input(key=TEXT_KEY).value == markup


@pytest.mark.parametrize("model_name", ["rnn-2", "lstm-64"])
def test_every_view_escapes_tokens_that_are_whole_markup(model_name):
    """The tokenizer splits < and >, so the app never hands a view a whole tag: build such a trace by hand."""
    model = rnnviz.load_model(model_name)
    base = rnnviz.trace(model, " ".join(["word"] * len(MARKUP)))
    evil = dataclasses.replace(base, tokens=list(MARKUP), text=" ".join(MARKUP))
    compare = dataclasses.replace(evil, forget=True)
    corpus = rnnviz.load_corpus(model_name)
    for step in (1, len(MARKUP)):
        figs = {
            "rolled": F.rolled(evil, step, compare=compare),
            "positivity": F.positivity(evil, step, compare=compare),
            "unrolled": F.unrolled(evil, step, compare=compare),
            "projection": F.projection(evil, step, corpus=corpus, compare=compare),
        }
        for name, fig in figs.items():
            assert not _unsafe_strings(fig.to_plotly_json()), (name, _unsafe_strings(fig.to_plotly_json())[:3])


# -- URL parameters --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("query", "expect"),
    [
        ({"model": "gpt-5"}, "does not exist"),
        ({"model": "<b>x</b>"}, "does not exist"),
        ({"model": ""}, None),
        ({"step": "-3"}, "outside"),
        ({"step": "0"}, "outside"),
        ({"step": "9" * 5000}, "outside"),
        ({"step": "99999999999999999999"}, "outside"),
        ({"step": "abc"}, "not a whole number"),
        ({"step": "2.5"}, "not a whole number"),
        ({"step": "\x00"}, "not a whole number"),
        ({"step": "1e3"}, "not a whole number"),
        ({"step": "150"}, "past the last word"),
        ({"goldfish": "maybe"}, "not on/off"),
        ({"step": ["1", "3"], "model": ["rnn-2", "gpt-5"]}, "more than once"),
        ({"text": ["good", "bad"]}, "more than once"),
        ({"text": "x" * 100_000}, "kept the first"),
        ({"text": "good movie " * 10_000}, "kept the first"),
        ({"text": "good\x00movie"}, None),
        ({"utm_source": "mail", "foo": "bar"}, "does not use"),
        ({"x" * 500: "y" * 500}, "does not use"),
    ],
)
def test_odd_links_fall_back_with_a_note(query, expect):
    at = run(query)
    assert not at.exception, at.exception
    notes = " ".join(i.value for i in at.info).replace("\\", "")
    if expect:
        assert expect in notes
    assert len(charts(at)) == 4
    assert at.segmented_control(key=MODEL_KEY).value in rnnviz.SHIPPED
    assert len(at.text_input(key=TEXT_KEY).value) <= MAX_TEXT_CHARS
    step = int(at.query_params["step"])
    assert 1 <= step <= MAX_TOKENS


def test_repeated_keys_use_the_last_value():
    at = run({"step": ["1", "3"], "model": ["gru-64", "rnn-2"], "text": ["bad", "this movie is not good"]})
    assert_drawn(at, 5)
    assert at.segmented_control(key=MODEL_KEY).value == "rnn-2"
    assert at.slider(key=STEP_KEY).value == 3


def test_a_link_note_shows_once():
    at = run({"model": "gpt-5"})
    assert at.info
    at = type_text(at, "good")
    assert not at.info


# -- damaged assets --------------------------------------------------------------------------------
def _damage(path: Path, how: str) -> None:
    if how == "missing":
        path.unlink()
    elif how == "truncated":
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 3])
    elif how == "corrupted":  # bytes flipped in the middle: inside a tensor / a compressed array
        data = bytearray(path.read_bytes())
        mid = len(data) // 2
        data[mid : mid + 64] = bytes(b ^ 0xFF for b in data[mid : mid + 64])
        path.write_bytes(bytes(data))
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "foreign":
        path.write_text("<html>404 not found</html>")


@pytest.fixture
def damaged_assets(tmp_path, monkeypatch):
    """A copy of assets/ (symlinks, except the damaged file) that the app reads through $RNNVIZ_ASSETS."""

    def make(filename: str, how: str) -> Path:
        for src in ASSETS.iterdir():
            (tmp_path / src.name).symlink_to(src)
        target = tmp_path / filename
        target.unlink()
        shutil.copyfile(ASSETS / filename, target)
        _damage(target, how)
        monkeypatch.setenv(ASSETS_ENV, str(tmp_path))
        return target

    return make


DAMAGE = ["missing", "truncated", "corrupted", "empty", "foreign"]


@pytest.mark.parametrize("how", DAMAGE)
def test_a_damaged_checkpoint_is_named_and_the_other_models_work(damaged_assets, how):
    broken = damaged_assets("gru-64.safetensors", how)
    at = run({"model": "gru-64"})
    assert not at.exception, at.exception
    assert len(charts(at)) == 0
    message = " ".join(e.value for e in at.error).replace("\\", "")
    assert str(broken) in message and "gru-64" in message
    assert "Restore" in message or "restore" in message or "retrain" in message
    for other in ("rnn-2", "rnn-64", "lstm-64"):
        at.segmented_control(key=MODEL_KEY).set_value(other).run()
        assert_drawn(at, 5)


@pytest.mark.parametrize("how", DAMAGE)
def test_a_damaged_corpus_is_named_and_the_views_still_draw(damaged_assets, how):
    broken = damaged_assets("rnn-64.corpus.npz", how)
    at = run({"model": "rnn-64"})
    assert_drawn(at, 5)
    message = " ".join(w.value for w in at.warning).replace("\\", "")
    assert str(broken) in message and "rnnviz.corpus" in message
    at.segmented_control(key=MODEL_KEY).set_value("gru-64").run()
    assert_drawn(at, 5)
    assert not at.warning


@pytest.mark.parametrize("how", DAMAGE)
def test_the_loaders_name_the_damaged_file(tmp_path, monkeypatch, how):
    """Flipped bytes inside a tensor used to load silently as garbage; a bad deflate stream raised zlib.error."""
    monkeypatch.setenv(ASSETS_ENV, str(tmp_path))
    for name, load in (
        ("rnn-2.safetensors", rnnviz.load_model),
        ("rnn-2.safetensors", rnnviz.load_inference_model),
        ("rnn-2.corpus.npz", rnnviz.load_corpus),
    ):
        shutil.copyfile(ASSETS / name, tmp_path / name)
        _damage(tmp_path / name, how)
        with pytest.raises(CheckpointError, match=str(tmp_path / name)):
            load("rnn-2")


# -- the shared model ------------------------------------------------------------------------------
def fingerprint(model: rnnviz.NumpyRNN) -> str:
    """Everything a session could change on the shared model: weights (still read-only), vocabulary, config,
    name, meta, and any attribute set on it."""
    h = hashlib.sha256()
    for name, value in sorted(vars(model).items()):
        h.update(name.encode())
        if isinstance(value, np.ndarray | np.generic):
            array = np.asarray(value)
            h.update(array.tobytes())
            h.update(repr((array.dtype.str, array.shape, array.flags.writeable)).encode())
    h.update(json.dumps([model.vocab.words, model.vocab.ngrams, dataclasses.asdict(model.config)]).encode())
    h.update(json.dumps([model.name, model.meta], sort_keys=True, default=str).encode())
    return h.hexdigest()


def test_the_shared_model_is_never_changed_by_traffic(monkeypatch):
    """Record every model the app's cached loader gets, hash it, send a burst of sessions, hash again.

    AppTest runs the script in this process, so the recorded objects are the very ones the
    st.cache_resource loader shares between sessions (the numpy model: the page never loads torch).
    """
    loaded: dict[str, tuple[rnnviz.NumpyRNN, str]] = {}
    real_load = rnnviz.load_inference_model

    def recording_load(name):
        model = real_load(name)
        loaded[str(name)] = (model, fingerprint(model))
        return model

    monkeypatch.setattr(rnnviz, "load_inference_model", recording_load)
    texts = [t for t, _ in HOSTILE_TEXTS.values()] + MARKUP + ["this movie is not good", "disgustingly"]
    rng = random.Random(0)
    for session in range(4):
        at = run({"model": rnnviz.SHIPPED[session % 4], "goldfish": str(session % 2)})
        for text in rng.sample(texts, 5):
            at = type_text(at, text)
            assert not at.exception
            if any(s.key == STEP_KEY for s in at.slider):
                at.slider(key=STEP_KEY).set_value(1).run()
            at.segmented_control(key=MODEL_KEY).set_value(rng.choice(rnnviz.SHIPPED)).run()
            at.toggle(key=GOLDFISH_KEY).set_value(rng.random() < 0.5).run()
        if any(b.key == PLAY_KEY and not b.disabled for b in at.button):
            at.button(key=PLAY_KEY).click().run()
        assert not at.exception
    assert set(loaded) == set(rnnviz.SHIPPED)
    for name, (model, before) in loaded.items():
        assert fingerprint(model) == before, f"{name} changed while serving"
        assert fingerprint(model) == fingerprint(real_load(name)), f"{name} differs from disk"


# -- fuzzing ---------------------------------------------------------------------------------------
ANY_TEXT = hs.text(alphabet=hs.characters(codec=None, exclude_categories=()), max_size=300)
WORDY_TEXT = hs.lists(
    hs.one_of(ANY_TEXT, hs.sampled_from(["good", "not", "bad", " ", "<b>", "don't", "(", "...", "—"])),
    max_size=40,
).map("".join)
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(ANY_TEXT)
def test_fuzz_tokenize_never_raises(text):
    tokens = rnnviz.tokenize(text)
    assert all(isinstance(t, str) and t and not any(c.isspace() for c in t) for t in tokens)
    assert rnnviz.tokenize(text) == tokens


@FUZZ
@given(WORDY_TEXT, hs.sampled_from(rnnviz.SHIPPED), hs.booleans())
def test_fuzz_trace_is_valid_or_a_documented_error(text, name, forget):
    model = _shipped(name)
    try:
        tr = rnnviz.trace(model, text, forget=forget)
    except ValueError as exc:
        assert not rnnviz.tokenize(text)
        assert "text" in str(exc).lower()
        return
    n_total = len(rnnviz.tokenize(text))
    assert tr.T == min(n_total, MAX_TOKENS) == len(tr.tokens) == len(tr.kinds) == len(tr.labels)
    assert tr.truncated == (n_total > MAX_TOKENS) and tr.n_tokens_total == n_total
    assert tr.hidden.shape == (tr.T + 1, model.config.hidden) and not tr.hidden[0].any()
    assert np.isfinite(tr.hidden).all() and (np.abs(tr.hidden) <= 1).all()
    assert tr.outputs.shape == (tr.T,) and ((tr.outputs >= 0) & (tr.outputs <= 1)).all()
    for gate, values in tr.gates.items():
        low = -1 if gate in ("n", "g", "cell") else 0
        assert values.shape == (tr.T, tr.H) and np.isfinite(values).all()
        if gate != "cell":
            assert ((values >= low) & (values <= 1)).all(), gate


@FUZZ
@given(hs.dictionaries(ANY_TEXT, hs.one_of(ANY_TEXT, hs.lists(ANY_TEXT, max_size=3)), max_size=6))
def test_fuzz_parse_params_never_raises(params):
    view, notes = parse_params(params)
    assert view.model in rnnviz.SHIPPED
    assert len(view.text) <= MAX_TEXT_CHARS
    assert view.step is None or 1 <= view.step <= MAX_TOKENS
    assert all(isinstance(n, str) for n in notes)


@FUZZ
@given(ANY_TEXT)
def test_fuzz_md_escape_shows_the_text_literally(text):
    escaped = md_escape(text)
    shown = re.sub(r"\\(.)", r"\1", escaped).replace(LINK_BREAK, "")  # LINK_BREAK: invisible, no autolinks
    assert shown == " ".join(text.split())
    assert not re.search(r"(?<!\\)[<>\[\]`*_$]", escaped.replace("\\\\", ""))


_MODELS: dict[str, rnnviz.SentimentRNN] = {}


def _shipped(name: str) -> rnnviz.SentimentRNN:
    if name not in _MODELS:
        _MODELS[name] = rnnviz.load_model(name)
    return _MODELS[name]


# -- deployment config -----------------------------------------------------------------------------
def test_public_deployment_config():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    client, server = config.get("client", {}), config.get("server", {})
    assert client.get("showErrorDetails") == "type", "visitors see an exception's type, never its details"
    assert client.get("showErrorLinks") is False
    assert server.get("enableXsrfProtection", True) is True
    assert server.get("enableCORS", True) is True
    assert server.get("maxUploadSize", 200) <= 5  # the app takes no uploads
    assert server.get("maxMessageSize", 200) <= 50
