"""Reliability and safety on a real server: hostile pages in Chromium, concurrent sessions, load, a long session.

Issue 6. Every server here is `streamlit run streamlit_app.py` on loopback (ports 8800-8899) with
the repository's config, started and stopped by these tests. The load and long-session tests are
marked `slow` but run by default (CI runs them); each is bounded in time and stops by itself.
"""

from __future__ import annotations

import os
import random
import time
from urllib.parse import quote, urlsplit

import pytest
from support import MARKUP, ProtocolSession, needs_browser, open_context, streamlit_server, wait_idle

import rnnviz
from rnnviz.app import CHART_KEYS, GOLDFISH_KEY, MAX_TEXT_CHARS, MODEL_KEY, TEXT_KEY
from rnnviz.app.explain import EXPLAIN_CHARTS
from rnnviz.app.live_charts import drawn_figures
from rnnviz.vocab import MAX_TOKENS, display_token

pytestmark = [pytest.mark.browser]

TICKS = f".st-key-{CHART_KEYS['positivity']} .xtick text"
PAGE_STATE_JS = """() => ({
    text: document.body.innerText,
    exceptions: document.querySelectorAll('[data-testid="stException"]').length,
    errors: [...document.querySelectorAll('[data-testid="stAlertContentError"]')].map(e => e.innerText),
    jsLinks: document.querySelectorAll('a[href^="javascript:" i]').length,
    injected: [...document.querySelectorAll('img[src="x"], script, b, iframe, a[href]')].filter(
        e => /alert|bold|javascript/i.test(e.outerHTML)).length,
})"""


@pytest.fixture(scope="module")
def server(app_server):
    return app_server  # the module's `streamlit run` (tests/conftest.py)


@pytest.fixture(scope="module")
def hostile_browser(chromium_browser):
    return chromium_browser  # the session's one Chromium (tests/conftest.py)


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    """Screenshots of what the pages showed, for a person to look at: in pytest's temporary folder."""
    return tmp_path_factory.mktemp("shots")


def new_page(browser, height: int = 1100):
    # 60 s: a shared 2-core machine can be slow to draw the first page
    return open_context(browser, height, 60_000, permissions=["clipboard-read", "clipboard-write"])


def open_app(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(f".st-key-{TEXT_KEY} input")
    wait_idle(page)


def text_box(page):
    return page.locator(f".st-key-{TEXT_KEY} input")


def retype(page, text: str, delay: float = 0) -> None:
    """Select all and type `text` key by key (delay in ms), or paste it from the clipboard (delay 0)."""
    box = text_box(page)
    box.click()
    box.press("ControlOrMeta+a")
    if delay:
        box.press("Backspace")
        page.keyboard.type(text, delay=delay)
    else:
        page.evaluate("t => navigator.clipboard.writeText(t)", text)
        box.press("ControlOrMeta+v")


def labels(text: str) -> list[str]:
    return [display_token(t) for t in rnnviz.tokenize(text)][:MAX_TOKENS]


def wait_for_view(page, text: str, timeout: float = 60_000) -> None:
    """The views show `text`: the step readout says T steps, and (up to 40 words) one tick per token."""
    n = len(labels(text))
    page.wait_for_function(
        "([sel, n]) => document.querySelectorAll(sel).length === (n > 40 ? document.querySelectorAll(sel).length : n)"
        " && document.body.innerText.includes(`of ${n} ·`)",
        arg=[TICKS, n],
        timeout=timeout,
    )


def ticks(page) -> list[str]:
    """Positivity tick labels as drawn: unknown words carry a trailing '?'."""
    return page.locator(TICKS).all_text_contents()


def same_words(drawn: list[str], text: str) -> bool:
    return [t[:-1] if t.endswith("?") and len(t) > 1 else t for t in drawn] == labels(text)


def assert_page_ok(page) -> dict:
    state = page.evaluate(PAGE_STATE_JS)
    assert "Cached ForwardMsg MISS" not in state["text"]
    assert "Connection error" not in state["text"]
    assert "Traceback" not in state["text"]
    assert state["exceptions"] == 0, state["text"][-2000:]
    assert state["errors"] == [], state["errors"]
    return state


def watch(page, origin: str) -> tuple[list[str], list[str]]:
    """Record every dialog, and every request that leaves the app's own origin."""
    dialogs: list[str] = []
    foreign: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    def on_request(req) -> None:
        parts = urlsplit(req.url)
        if parts.scheme in ("data", "blob"):
            return
        if f"{parts.scheme}://{parts.netloc}".replace("ws://", "http://") != origin:
            foreign.append(req.url)

    page.on("request", on_request)
    page.on("websocket", lambda ws: on_request(type("R", (), {"url": ws.url})))
    return dialogs, foreign


# -- markup ----------------------------------------------------------------------------------------
@needs_browser
def test_markup_typed_or_linked_never_runs_and_nothing_is_fetched(hostile_browser, server, shots):
    ctx, page = new_page(hostile_browser, height=2200)
    origin = server.url.rstrip("/")
    dialogs, foreign = watch(page, origin)
    evil = " ".join(MARKUP)
    query = (
        f"?text={quote(evil)}&model={quote(MARKUP[1])}&step={quote(MARKUP[0])}&goldfish={quote(MARKUP[2])}"
        f"&{quote(MARKUP[3])}={quote(MARKUP[4])}"
    )
    try:
        open_app(page, server.url + query)
        wait_for_view(page, evil)
        state = assert_page_ok(page)
        assert "does not exist" in state["text"] and "does not use" in state["text"]
        assert MARKUP[1] in state["text"]  # the note quotes the link's model name literally
        for markup in MARKUP:
            retype(page, markup, delay=20)
            wait_for_view(page, markup)
            wait_idle(page)
            state = assert_page_ok(page)
            assert text_box(page).input_value() == markup
            assert state["jsLinks"] == 0 and state["injected"] == 0
            drawn = "".join(ticks(page))
            assert all(ch in drawn for ch in "<>" if ch in markup), (markup, drawn)  # literal, not markup
            # the step readout names the last token literally
            assert f"= {labels(markup)[-1]} ·" in state["text"].replace("\n", " ")
        # a hover label shows its token as text
        retype(page, "<b>bold</b> <img src=x onerror=alert(1)>")
        wait_for_view(page, "<b>bold</b> <img src=x onerror=alert(1)>")
        point = page.locator(f".st-key-{CHART_KEYS['positivity']} .js-plotly-plot").evaluate(
            """(gd) => { const tr = gd._fullData.find(t => t.mode && t.mode.includes('markers') && t.customdata);
                const xa = gd._fullLayout[tr.xaxis.replace('x', 'xaxis')];
                const ya = gd._fullLayout[tr.yaxis.replace('y', 'yaxis')];
                const r = gd.querySelector('.nsewdrag').getBoundingClientRect();
                return {x: r.left + xa.d2p(tr.x[0]), y: r.top + ya.d2p(tr.y[0])}; }"""
        )
        page.mouse.move(point["x"], point["y"])
        page.wait_for_selector(".hoverlayer .hovertext", timeout=10_000)
        hover = page.locator(".hoverlayer .hovertext").first.text_content()
        assert "“<”" in hover, hover
        page.screenshot(path=str(shots / "markup.png"), full_page=True)
        assert_page_ok(page)
        assert dialogs == []
        assert foreign == []
    finally:
        ctx.close()


# -- hostile text and links --------------------------------------------------------------------------
HOSTILE_BROWSER = {
    "paste_10k": ("the plot is thin but the acting is wonderful , " * 250)[:10_000],
    "emoji": "this movie is 😀🔥 great 👍🏽 👨‍👩‍👧",
    "cjk_rtl": "这部电影很好看 هذا الفيلم جيد جدا",
    "combining_zero_width": "e\u0301te\u0301 good\u200bbad\ufeff movie\u2060",
    "identical_5000": " ".join(["good"] * 5000),
}


@needs_browser
def test_hostile_text_in_the_browser(hostile_browser, server, shots):
    ctx, page = new_page(hostile_browser, height=2200)
    try:
        open_app(page, server.url)
        for name, text in HOSTILE_BROWSER.items():
            retype(page, text)
            kept = text[:MAX_TEXT_CHARS]
            wait_for_view(page, kept)
            wait_idle(page)
            state = assert_page_ok(page)
            assert text_box(page).input_value() == kept, name
            if len(rnnviz.tokenize(kept)) > MAX_TOKENS:
                assert f"Reading the first {MAX_TOKENS} of" in state["text"], name
            if len(text) > MAX_TEXT_CHARS:  # a long paste is cut, not dropped, and the page says so
                assert f"keeps the first {MAX_TEXT_CHARS:,} characters" in state["text"], name
            page.screenshot(path=str(shots / f"text-{name}.png"), full_page=True)
        retype(page, "   ")
        page.wait_for_function("() => document.body.innerText.includes('Type a sentence')")
        assert_page_ok(page)
        retype(page, "this movie is not good", delay=20)  # the session still follows
        wait_for_view(page, "this movie is not good")
    finally:
        ctx.close()


ODD_LINKS = {
    "nul_and_bad_utf8": ("?text=good%00movie%FF%FE&step=%00", "good\x00movie\ufffd\ufffd"),
    "huge_text": ("?text=" + "bad%20" * 20_000 + "&model=rnn-2", "bad " * 20_000),
    "repeated_and_unknown": ("?step=1&step=99999999999999&model=nope&model=gru-64&utm=x&%3Cb%3E=1", None),
    "negative_step": ("?step=-7&goldfish=perhaps", None),
}


@needs_browser
@pytest.mark.parametrize("name", ODD_LINKS)
def test_odd_links_open_a_working_page(hostile_browser, server, name):
    query, sent_text = ODD_LINKS[name]
    ctx, page = new_page(hostile_browser)
    dialogs, foreign = watch(page, server.url.rstrip("/"))
    try:
        open_app(page, server.url + query)
        page.wait_for_selector(TICKS, state="attached")
        wait_idle(page)
        state = assert_page_ok(page)
        assert page.locator(".rnnviz-chart.js-plotly-plot:not(.st-key-explain *)").count() == 4
        if sent_text is not None:
            kept = " ".join("".join(" " if ord(c) < 32 else c for c in sent_text)[:MAX_TEXT_CHARS].split())
            assert " ".join(text_box(page).input_value().split()) == kept
        else:
            assert "does not" in state["text"] or "outside" in state["text"] or "not on/off" in state["text"]
        # the address bar holds a clean link: one value per parameter
        page.wait_for_function("() => new URL(location.href).searchParams.getAll('step').length === 1")
        assert dialogs == [] and foreign == []
    finally:
        ctx.close()


# -- links planted by a URL (issue 17) ---------------------------------------------------------------
EVIL = "evil.example"
PLANTED_LINKS = {
    "values": {
        "model": f"https://{EVIL}/login",
        "text": f"go to www.{EVIL} or mail bob@{EVIL} at https://{EVIL}/x now",
        "step": f"www.{EVIL}",
        "goldfish": f"bob@{EVIL}",
        f"https://{EVIL}/p": "1",
        f"www.{EVIL}": f"mailto:bob@{EVIL}",
    },
    "tour": {"tour": f"https://{EVIL}/tour"},
}
# Links that lead to the attacker's host (a mailto: names it after the @); our own links carry the page's query.
LINKS_JS = """(host) => [...document.querySelectorAll('a[href]')].map(a => new URL(a.href))
    .filter(u => u.host.includes(host) || (u.protocol !== 'http:' && u.protocol !== 'https:' && u.href.includes(host)))
    .map(u => u.href)"""


@needs_browser
@pytest.mark.parametrize("name", PLANTED_LINKS)
def test_a_link_plants_no_clickable_link(hostile_browser, server, name):
    """Quoted values (notes, the words read, the readout) show the attacker's URLs as text, never as links."""
    from urllib.parse import urlencode

    ctx, page = new_page(hostile_browser)
    try:
        open_app(page, server.url + "?" + urlencode(PLANTED_LINKS[name]))
        page.wait_for_selector(TICKS, state="attached")
        wait_idle(page)
        state = assert_page_ok(page)
        shown = state["text"].replace("\u2060", "")
        assert EVIL in shown  # quoted in the notes, as text
        assert page.evaluate(LINKS_JS, EVIL) == []
        retype(page, f"visit www.{EVIL} or write to bob@{EVIL} or https://{EVIL}/y")  # typed, too
        wait_for_view(page, f"visit www.{EVIL} or write to bob@{EVIL} or https://{EVIL}/y")
        wait_idle(page)
        assert page.evaluate(LINKS_JS, EVIL) == []
    finally:
        ctx.close()


# -- isolation -------------------------------------------------------------------------------------
@needs_browser
def test_two_sessions_typing_at_once_each_see_their_own(hostile_browser, server):
    texts = ["the acting was wonderful but the plot was terrible", "this movie is not good at all"]
    pages = [new_page(hostile_browser) for _ in texts]
    try:
        for _, page in pages:
            open_app(page, server.url)
            text_box(page).click()
            text_box(page).press("ControlOrMeta+a")
            text_box(page).press("Backspace")
        for i in range(max(map(len, texts))):  # one key each, in turn
            for (_, page), text in zip(pages, texts, strict=True):
                if i < len(text):
                    page.keyboard.type(text[i])
            time.sleep(0.03)
        for (_, page), text in zip(pages, texts, strict=True):
            wait_for_view(page, text)
            assert text_box(page).input_value() == text
            page.wait_for_function("(t) => new URL(location.href).searchParams.get('text') === t", arg=text)
            assert same_words(ticks(page), text), ticks(page)
            assert_page_ok(page)
    finally:
        for ctx, _ in pages:
            ctx.close()


# -- load ------------------------------------------------------------------------------------------
LOAD_SESSIONS = 20
LOAD_SECONDS = 60
LOAD_MIN_KEYS = 20  # keys per session
WORDS = (
    "the movie film plot acting was is not very good bad great terrible wonderful boring but and "
    "funny dull moving slow story cast i loved hated it"
).split()


@needs_browser
@pytest.mark.slow
def test_twenty_sessions_typing_for_a_minute(hostile_browser, shots):
    """20 tabs type different sentences, a key each in turn, for 60 s; then each shows its own last text."""
    rng = random.Random(20)
    with streamlit_server() as srv:
        pages = [new_page(hostile_browser, height=900) for _ in range(LOAD_SESSIONS)]
        try:
            boxes = []
            for _, page in pages:
                open_app(page, srv.url)
                boxes.append(text_box(page))
                boxes[-1].fill("")
            typed = [""] * LOAD_SESSIONS
            plans = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 12))) for _ in range(LOAD_SESSIONS)]
            keys = 0
            start = time.monotonic()
            # type for a minute, and on a machine busy with other work go on (up to four) until each
            # session has had LOAD_MIN_KEYS keys: the test is about sessions kept apart, not speed
            while time.monotonic() < start + LOAD_SECONDS or (
                keys < LOAD_SESSIONS * LOAD_MIN_KEYS and time.monotonic() < start + 4 * LOAD_SECONDS
            ):
                for i in range(LOAD_SESSIONS):
                    if typed[i] == plans[i]:  # sentence done: select all and start another
                        boxes[i].press("ControlOrMeta+a")
                        plans[i] = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 12)))
                        typed[i] = ""
                    ch = plans[i][len(typed[i])]
                    boxes[i].press(ch)  # the box keeps the focus through reruns; press() also checks that
                    typed[i] += ch
                    keys += 1
                time.sleep(0.02)
            for i, box in enumerate(boxes):
                if not typed[i].strip():  # just cleared: give it a word to read
                    box.press_sequentially("good")
                    typed[i] += "good"
            finals = typed
            for i, ((_, page), final) in enumerate(zip(pages, finals, strict=True)):
                try:
                    wait_for_view(page, final, timeout=90_000)
                    page.wait_for_function("(t) => new URL(location.href).searchParams.get('text') === t", arg=final)
                except Exception:
                    page.screenshot(path=str(shots / f"load-{i}.png"), full_page=True)
                    box, drawn = text_box(page).input_value(), ticks(page)
                    raise AssertionError(f"session {i}: typed {final!r}, box {box!r}, ticks {drawn}") from None
                wait_idle(page)
                assert text_box(page).input_value() == final
                assert same_words(ticks(page), final), (ticks(page), final)
                assert_page_ok(page)
            assert keys >= LOAD_SESSIONS * LOAD_MIN_KEYS, f"only {keys} keys typed in {LOAD_SECONDS * 4} s"
            log = srv.log_text()
            assert "Traceback" not in log and "Error" not in log, log[-3000:]
        finally:
            for ctx, _ in pages:
                ctx.close()


# -- a long session ----------------------------------------------------------------------------------
LONG_RERUNS = int(os.environ.get("RNNVIZ_LONG_RERUNS", "1000"))  # the issue asks for 1,000
WARM_UP = 150


@pytest.mark.slow
def test_a_thousand_reruns_in_one_session_keep_memory_flat():
    """One session reruns the page 1,000 times (new text, another step, another model, goldfish);
    the server's resident memory grows by less than 10% after warm-up.

    Driven over Streamlit's own websocket protocol (the messages a tab sends), not a browser, so a
    thousand reruns fit in the test budget; every run's elements are checked for errors.
    """
    rng = random.Random(1000)
    sentences = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 12))) for _ in range(60)]
    with streamlit_server() as srv:
        session = ProtocolSession(srv)
        try:
            first = session.rerun()
            ids = {
                "text": first.widget_id("text_input", TEXT_KEY),
                "model": first.widget_id("button_group", MODEL_KEY),
                "goldfish": first.widget_id("checkbox", GOLDFISH_KEY),
            }
            rss = {}
            for n in range(1, LONG_RERUNS + 1):
                text = rng.choice(sentences)
                widgets: dict[str, object] = {ids["text"]: text}
                if n % 25 == 0:  # another model and switch now and then; the warm-up sees them all
                    widgets[ids["model"]] = [rnnviz.SHIPPED[(n // 25) % len(rnnviz.SHIPPED)]]
                    widgets[ids["goldfish"]] = bool(n // 25 % 2)
                run = session.rerun(widgets)
                assert run.status in (0, 3), f"rerun {n} ended with status {run.status}"
                assert not run.of("exception"), (n, run.of("exception"))
                assert len(drawn_figures(run.of("bidi_component")).keys() - EXPLAIN_CHARTS) == 4, n
                readout = [m.body for m in run.of("markdown") if m.body.startswith("t = ")]
                assert readout and f"of {len(labels(text))} ·" in readout[0], (n, text, readout)
                if n == WARM_UP:
                    rss["warm"] = srv.rss_mb()
            rss["end"] = srv.rss_mb()
            growth = rss["end"] / rss["warm"] - 1
            print(f"server RSS {rss['warm']:.0f} MB after {WARM_UP} reruns, {rss['end']:.0f} MB after {n}")
            assert growth < 0.10, f"RSS {rss['warm']:.0f} MB after {WARM_UP} reruns -> {rss['end']:.0f} MB"
            assert "Traceback" not in srv.log_text()
        finally:
            session.close()
