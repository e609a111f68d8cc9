"""Issue 17, a public demo under attack, without a browser: each attack reproduced and shown bounded.

The loaders' half of points 1, 3 and 4 (crafted checkpoints) is in tests/model/test_checkpoint.py; here: the
app's half and points 2 and 5-8. Crafted inputs are built in the tests, never committed. The browser
and live-server half (links in the page, floods, the proxy) is in tests/browser/test_hostile_browser.py and
tests/browser/test_public_demo_server.py.
"""

from __future__ import annotations

import os
import pickle
import re
import tempfile
import threading
import tomllib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from support import playground_with_upload

import rnnviz
from rnnviz.app import MODEL_KEY, TEXT_KEY, loaders
from rnnviz.app import custom_model as cm
from rnnviz.app import explorer as ex
from rnnviz.app import live_charts as lc
from rnnviz.app.messages import LINK_BREAK, md_escape, md_message
from rnnviz.app.session import STATE_KEY
from rnnviz.app.state import PageState
from rnnviz.vocab import MAX_TOKENS

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "streamlit_app.py")
PLAYGROUND = ROOT / "pages" / "1_Training_playground.py"
EVIL = "evil.example"
PLANTED = [f"https://{EVIL}/login", f"www.{EVIL}", f"bob@{EVIL}", f"HTTP://{EVIL}", f"WWW.{EVIL}/x", f"mailto:a@{EVIL}"]
# GitHub-flavoured markdown's autolink literals (micromark / mdast-util-gfm-autolink-literal), run on the text
# a markdown source shows, after its backslash escapes are read: what Streamlit's markdown turns into links.
GFM_AUTOLINKS = [
    re.compile(r"(https?://|www(?=\.))([-.\w]+)", re.IGNORECASE),
    re.compile(r"([-.+\w]+)@([-\w]+(?:\.[-\w]+)+)"),
]


def autolinks(markdown: str) -> list[str]:
    """The links GitHub-flavoured markdown would make of a source's text (backslash escapes read first)."""
    shown = re.sub(r"\\(.)", r"\1", markdown)
    return [m.group(0) for rx in GFM_AUTOLINKS for m in rx.finditer(shown)]


def shown(markdown: str) -> str:
    """What a markdown source shows (escapes read, the invisible LINK_BREAK dropped)."""
    return re.sub(r"\\(.)", r"\1", markdown).replace(LINK_BREAK, "")


def page_messages(at: AppTest) -> list[str]:
    kinds = ("markdown", "caption", "info", "warning", "error", "success", "title", "subheader")
    return [str(e.value) for kind in kinds for e in getattr(at, kind)]


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


# -- 5. no links planted by a URL ------------------------------------------------------------------
@pytest.mark.parametrize("planted", PLANTED)
def test_md_escape_and_md_message_make_no_link(planted):
    text = f"see {planted} now"
    for source in (md_escape(text), md_message(text), md_message(f"`code` then {text}")):
        assert not autolinks(source), source
        assert re.sub(r"\\(.)", r"\1", source).replace(LINK_BREAK, "").endswith(text)  # shown as typed


def test_the_gfm_patterns_here_do_find_links_in_raw_text():
    """The check above can fail: the same patterns find every planted link in unescaped text."""
    for planted in PLANTED:
        assert autolinks(planted), planted


def test_a_link_plants_no_link_in_any_message():
    at = AppTest.from_file(APP, default_timeout=60)
    for name in ("model", "step", "goldfish"):
        at.query_params[name] = f"https://{EVIL}/{name}"
    at.query_params[f"www.{EVIL}"] = f"bob@{EVIL}"
    at.query_params["text"] = f"read https://{EVIL}/a or www.{EVIL} and mail bob@{EVIL} today"
    at.run()
    assert_clean(at)
    messages = page_messages(at)
    assert any(EVIL in shown(m) for m in messages)  # the notes quote the values ...
    assert all(not autolinks(m) for m in messages), [m for m in messages if autolinks(m)]  # ... as inert text
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["tour"] = f"www.{EVIL}"
    at.run()
    assert_clean(at)
    assert all(not autolinks(m) for m in page_messages(at))


def test_typed_links_show_as_words_not_links():
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.text_input(key=TEXT_KEY).set_value(f"www.{EVIL} bob@{EVIL} https://{EVIL}/x").run()
    assert_clean(at)
    assert all(not autolinks(m) for m in page_messages(at))


def test_tsv_examples_with_links_show_as_text():
    from rnnviz.app.playground import TASK_KEY

    rows = "".join(
        f"{i % 2}\t{'a fine film' if i % 2 else 'a dull film'} see www.{EVIL} or bob@{EVIL} https://{EVIL}/{i}\n"
        for i in range(40)
    )
    at = playground_with_upload(rows.encode()).run()
    at.selectbox(key=TASK_KEY).set_value("upload").run()
    assert_clean(at)
    messages = page_messages(at)
    assert any(EVIL in shown(m) for m in messages), messages  # the examples are shown ...
    assert all(not autolinks(m) for m in messages), [m for m in messages if autolinks(m)]  # ... without links
    bad = playground_with_upload(f"1\tok film\nwww.{EVIL} no tab https://{EVIL}\n".encode()).run()
    bad.selectbox(key=TASK_KEY).set_value("upload").run()
    assert_clean(bad)
    assert bad.error and all(not autolinks(m) for m in page_messages(bad))


# -- 4. short messages ------------------------------------------------------------------------------
HUGE = 100_000


@pytest.mark.parametrize("name", ["model", "step", "goldfish", "tour", "unknown"])
def test_huge_link_values_are_quoted_short_and_kept_short(name):
    at = AppTest.from_file(APP, default_timeout=60)
    value = "x" * HUGE
    at.query_params[value if name == "unknown" else name] = value
    at.run()
    assert_clean(at)
    notes = [m for m in page_messages(at) if "link" in m.lower()]
    assert notes, page_messages(at)
    assert all(len(m) < 600 for m in notes), [len(m) for m in notes]
    state = at.session_state[STATE_KEY]
    assert sum(map(len, state.notes)) < 600  # what stays in session state for later reruns


def test_an_upload_with_a_huge_name_is_refused_in_a_short_message():
    with pytest.raises(cm.UploadError) as info:
        cm.load_upload("a" * HUGE + ".safetensors", b"\0" * 64)
    assert len(str(info.value)) < 600


# -- 3. a custom model that fails while tracing: a note --------------------------------------------
class _Failing:
    """A loaded model whose cell fails on every text (as weights that pass the checks may still do)."""

    def __init__(self, model: rnnviz.NumpyRNN, exc: Exception) -> None:
        self._model, self._exc = model, exc

    def __getattr__(self, name: str):
        return getattr(self._model, name)

    def steps(self, *args, **kwargs):
        raise self._exc


def own_model(exc: Exception | None = None) -> cm.CustomModel:
    own = cm.load_upload("mine.safetensors", (ROOT / "assets" / "rnn-2.safetensors").read_bytes())
    if exc is not None:
        own.model = _Failing(own.model, exc)  # type: ignore[assignment]
    return own


@pytest.mark.parametrize(
    "exc", [RuntimeError("boom " * 10_000), FloatingPointError("overflow"), TypeError("x"), RecursionError()]
)
def test_a_custom_model_that_fails_while_tracing_shows_a_note(exc):
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state[STATE_KEY] = PageState(text="this movie is good", model=cm.CUSTOM_MODEL, own=own_model(exc))
    at.session_state[TEXT_KEY] = "this movie is good"
    at.run()
    assert_clean(at)
    assert at.segmented_control(key=MODEL_KEY).value == cm.CUSTOM_MODEL
    notes = [i.value for i in at.info if "could not read this text" in i.value]
    assert notes and all(len(n) < 600 for n in notes), [i.value for i in at.info]
    at.text_input(key=TEXT_KEY).set_value("another try").run()  # every rerun: a note again, never a crash
    assert_clean(at)
    assert any("could not read this text" in i.value for i in at.info)


def test_an_empty_text_on_a_custom_model_keeps_the_usual_note():
    own = own_model()
    with pytest.raises(ValueError) as info:
        own.trace("   ")
    assert not isinstance(info.value, cm.TraceError)


# -- 2. your own model: bounded per session ---------------------------------------------------------
def test_a_custom_models_traces_are_bounded_in_bytes(tmp_path):
    try:  # tests/support.py since the tests moved into folders, tests/conftest.py before
        from support import tiny_model
    except ImportError:
        from conftest import tiny_model

    from rnnviz.model import save_checkpoint

    path = save_checkpoint(tiny_model("lstm", hidden=256, embed=8), tmp_path / "big.safetensors")
    own = cm.load_upload("big.safetensors", path.read_bytes())
    text = " ".join(["good"] * MAX_TOKENS)
    one = cm.trace_bytes(own.trace(text))
    assert one > cm.MAX_TRACE_BYTES / 8  # the cap matters for this model
    for i in range(20):
        own.trace(f"{i} {text}")
    held = sum(map(cm.trace_bytes, own._traces.values()))
    assert held <= cm.MAX_TRACE_BYTES and len(own._traces) < 20


# -- 6. CPU per visitor -------------------------------------------------------------------------------
def opened(tab: str, model: str = "rnn-64", text: str = "this movie is not good") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["model"] = model
    at.query_params["text"] = text
    at.query_params["advanced"] = "1"  # the explorer is an advanced tool
    at.run()
    at.session_state[ex.EXPLORER_KEY] = True
    at.session_state[ex.TABS_KEY] = tab
    return at.run()


@pytest.fixture
def counted(monkeypatch):
    """Counts the heavy computations (fixed points, word effects) the page asks rnnviz.analysis for."""
    from rnnviz import analysis

    calls = {"fixed points": [], "word effects": []}
    real_fp, real_we = analysis.find_fixed_points, analysis.word_effects

    def find_fixed_points(*args, **kwargs):
        calls["fixed points"].append(kwargs.get("word"))
        return real_fp(*args, **kwargs)

    def word_effects(model, tr):
        calls["word effects"].append(tr.text)
        return real_we(model, tr)

    monkeypatch.setattr(analysis, "find_fixed_points", find_fixed_points)
    monkeypatch.setattr(analysis, "word_effects", word_effects)
    ex.load_fixed_points.clear()
    ex.load_effects.clear()
    yield calls
    ex.load_fixed_points.clear()
    ex.load_effects.clear()


def test_fixed_points_run_on_a_press_once_per_lower_cased_word(counted):
    at = opened("Dynamics & fixed points")
    at.text_input(key=ex.WORD_KEY).set_value("good").run()
    assert_clean(at)
    assert counted["fixed points"] == []  # typing a word computes nothing
    assert not any("“good”" in c.value for c in at.caption)
    at.button(key=ex.FIXED_POINTS_KEY).click().run()
    assert_clean(at)
    assert any("“good”" in c.value for c in at.caption)
    for word in ("Good", "GOOD", " good "):  # the same token: shown at once, found once
        at.text_input(key=ex.WORD_KEY).set_value(word).run()
        assert_clean(at)
        assert at.button(key=ex.FIXED_POINTS_KEY).disabled
        assert any("“good”" in c.value for c in at.caption)
    at.text_input(key=ex.WORD_KEY).set_value("bad").run()  # another word: asked for again
    assert not at.button(key=ex.FIXED_POINTS_KEY).disabled
    assert counted["fixed points"] == ["good"]


def test_word_effects_run_on_a_press_only(counted):
    at = opened("Word effects")
    for n in range(3):  # typing new texts with the tab open computes nothing
        at.text_input(key=TEXT_KEY).set_value(f"a film {n} " * 60).run()
        assert_clean(at)
    assert counted["word effects"] == []
    at.button(key=ex.EFFECTS_KEY).click().run()
    assert_clean(at)
    assert len(counted["word effects"]) == 1 and len(at.get("plotly_chart")) == 1


def test_heavy_tools_wait_for_a_free_slot_and_say_so(counted, monkeypatch):
    monkeypatch.setattr(ex, "HEAVY_WAIT_S", 0.5)
    at = opened("Word effects")
    for _ in range(ex.HEAVY_SLOTS):  # every slot taken by other visitors
        assert ex._HEAVY.acquire(timeout=5)
    try:
        at.button(key=ex.EFFECTS_KEY).click().run()
        assert_clean(at)
        assert any("busy" in i.value for i in at.info), [i.value for i in at.info]
        assert counted["word effects"] == []
    finally:
        for _ in range(ex.HEAVY_SLOTS):
            ex._HEAVY.release()
    at.run()  # a slot is free again: it computes (a busy answer was not cached)
    assert_clean(at)
    assert len(counted["word effects"]) == 1


def test_the_trainer_thread_runs_at_a_lower_priority():
    from rnnviz.playground import trainer

    seen = {}

    def worker():
        seen["before"] = os.getpriority(os.PRIO_PROCESS, 0)
        seen["lowered"] = trainer.lower_priority()
        seen["after"] = os.getpriority(os.PRIO_PROCESS, 0)

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert seen["lowered"] and seen["after"] == min(19, seen["before"] + trainer.NICENESS)
    assert os.getpriority(os.PRIO_PROCESS, 0) == seen["before"]  # only that thread: the page keeps its priority


# -- 8. hygiene -------------------------------------------------------------------------------------
def test_the_trace_cache_is_bounded_by_memory():
    """The largest trace a shipped model makes, times the cache's entries, fits TRACE_CACHE_BYTES."""
    text = " ".join(["not", "good", "but", "the", "cast", "was", "wonderful"] * 40)
    largest = max(
        len(pickle.dumps(rnnviz.trace(rnnviz.load_inference_model(name), text, forget=forget)))
        for name in rnnviz.SHIPPED
        for forget in (False, True)
    )
    assert largest <= loaders.LARGEST_TRACE_BYTES
    assert loaders.TRACE_CACHE_ENTRIES * loaders.LARGEST_TRACE_BYTES <= loaders.TRACE_CACHE_BYTES <= 128 * 2**20
    assert loaders.load_trace._info.max_entries == loaders.TRACE_CACHE_ENTRIES  # type: ignore[attr-defined]


def _bytes(size: str) -> int:
    number, unit = re.fullmatch(r"(\d+)\s*(kb|mb|gb)", size.lower()).groups()  # type: ignore[union-attr]
    return int(number) * 2 ** {"kb": 10, "mb": 20, "gb": 30}[unit]


def test_public_demo_config():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    server, runner = config["server"], config["runner"]
    assert server["disconnectedSessionTTL"] <= 60  # a closed tab's own model and traces go soon
    assert loaders.TRACE_CACHE_BYTES <= _bytes(server["maxCacheDataSize"]) <= 256 * 2**20
    assert runner["fastReruns"] is False  # floods of rerun requests merge into one run
    assert server["enableStaticServing"] is False and server["enableAgentApi"] is False


def test_only_plotly_min_js_is_in_the_served_folder(tmp_path, monkeypatch):
    monkeypatch.setenv(lc.CACHE_ENV, str(tmp_path))
    lc.plotly_js_dir.cache_clear()
    try:
        folder = lc.plotly_js_dir()
        assert [p.name for p in folder.iterdir()] == [lc.PLOTLY_JS]
        assert (folder / lc.PLOTLY_JS).read_bytes() == (lc.PLOTLY_DIR / lc.PLOTLY_JS).read_bytes()
        assert len(list(lc.PLOTLY_DIR.iterdir())) > 1  # what the old route served besides it
        assert lc.plotly_js_dir() == folder  # made once
    finally:
        lc.plotly_js_dir.cache_clear()


def test_reading_the_trained_model_leaves_no_folder_and_shows_no_path():
    import time

    from rnnviz.app import playground as ui

    before = set(Path(tempfile.gettempdir()).glob("rnnviz-playground-*"))
    at = AppTest.from_file(str(PLAYGROUND), default_timeout=60).run()
    at.select_slider(key=ui.STEPS_KEY).set_value(50).run()
    at.button(key=ui.TRAIN_KEY).click().run()
    trainer = at.session_state[ui.TRAINER]
    end = time.monotonic() + 120
    while trainer.running and time.monotonic() < end:
        trainer.heartbeat()
        time.sleep(0.1)
    at.run()
    at.button(key=ui.EXPLORE_KEY).click().run()
    assert_clean(at)
    assert at.text_input(key=ui.EXPLORE_TEXT_KEY)  # the model reads a sentence here
    assert set(Path(tempfile.gettempdir()).glob("rnnviz-playground-*")) == before
    assert not [m for m in page_messages(at) if tempfile.gettempdir() in m or "/home" in m or "/root" in m]
