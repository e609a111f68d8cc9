"""deploy/serve.sh 2: two Streamlit processes behind Debian's nginx, driven through the proxy.

The script is started as a user would start it (with --no-limits: both browsers share one address, whose
per-client limits tests/browser/test_public_demo_server.py checks). Which process served a request is read
from nginx's access log in the run folder (upstream=...). Skipped where nginx is missing, except under CI.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from support import IN_CI, ROOT, needs_browser, open_app, wait_idle

import rnnviz
from rnnviz.app import CHART_KEYS, DEFAULT_TEXT, TEXT_KEY

pytestmark = [pytest.mark.browser, needs_browser]

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
DOWN = "Server restarting: reload this page in a minute."  # deploy/nginx.conf's body when no process answers


def free_ports(n: int) -> int:
    """The first of n consecutive free ports on 127.0.0.1."""
    for _ in range(200):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            first = s.getsockname()[1]
        if first + n > 65535:
            continue
        try:
            held = []
            for port in range(first, first + n):
                s = socket.socket()
                held.append(s)
                s.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue
        finally:
            for s in held:
                s.close()
    raise RuntimeError("no free ports")


@dataclass
class Served:
    url: str
    replicas: dict[int, int]  # port -> pid
    run: Path
    proc: subprocess.Popen

    def upstream(self, cookie: str) -> int:
        """The port of the process that served this browser's latest request (nginx's access log)."""
        lines = [line for line in (self.run / "access.log").read_text().splitlines() if f"cookie={cookie}" in line]
        tried = lines[-1].split("upstream=", 1)[1].split(" cookie=")[0]  # "a" or, after a failover, "a, b"
        return int(re.findall(r"127\.0\.0\.1:(\d+)", tried)[-1])

    def streams(self, cookie: str) -> list[str]:
        """The websocket requests of this browser that have ended (nginx logs a request when it ends)."""
        log = (self.run / "access.log").read_text().splitlines()
        return [line for line in log if "/_stcore/stream" in line and f"cookie={cookie}" in line]


@pytest.fixture
def served(tmp_path) -> Iterator[Served]:
    if NGINX is None:
        if IN_CI:
            pytest.fail("nginx is missing under CI (tests/run.sh installs it)")
        pytest.skip("nginx is not installed (Debian: apt-get install nginx)")
    first = free_ports(3)
    listen = f"127.0.0.1:{first}"
    proc = subprocess.Popen(
        [
            "bash",
            str(ROOT / "deploy" / "serve.sh"),
            "2",
            "--listen",
            listen,
            "--first-port",
            str(first + 1),
            "--no-limits",
            "--keep",
        ],
        cwd=ROOT,
        env={**os.environ, "TMPDIR": str(tmp_path)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    replicas: dict[int, int] = {}
    run = None
    out = []
    deadline = time.monotonic() + 150
    try:
        for line in proc.stdout:
            out.append(line)
            if m := re.match(r"replica \d+: port (\d+) pid (\d+)", line):
                replicas[int(m.group(1))] = int(m.group(2))
            if m := re.match(r"ready: (\S+) .*run folder (\S+)\)", line):
                run = Path(m.group(2))
                break
            assert time.monotonic() < deadline, "".join(out)
        assert run is not None and len(replicas) == 2, "".join(out)
        yield Served(f"http://{listen}/", replicas, run, proc)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    assert not any(Path(f"/proc/{pid}").exists() for pid in replicas.values()), "a replica outlived serve.sh"


def replica_cookie(page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == "rnnviz_replica")


def type_word(page, word: str) -> None:
    """Type ' word' at the end of the text box, key by key, and wait until the positivity view ends with it."""
    box = page.locator(f".st-key-{TEXT_KEY} input")
    box.click()
    box.press("End")
    page.keyboard.type(" " + word, delay=40)
    page.wait_for_function(
        "([sel, w]) => [...document.querySelectorAll(sel)].map(e => e.textContent).at(-1) === w",
        arg=[f".st-key-{CHART_KEYS['positivity']} .xtick text", word],
    )
    wait_idle(page)


def test_health_and_sticky_cookie_through_the_proxy(served):
    with urllib.request.urlopen(served.url + "_stcore/health", timeout=10) as r:
        assert (r.status, r.read()) == (200, b"ok")
        cookie = re.search(r"rnnviz_replica=(\w+)", ", ".join(r.headers.get_all("Set-Cookie"))).group(1)
    for _ in range(6):  # the same cookie, the same process
        req = urllib.request.Request(served.url + "_stcore/health", headers={"Cookie": f"rnnviz_replica={cookie}"})
        with urllib.request.urlopen(req, timeout=10) as r:
            assert r.status == 200 and "rnnviz_replica" not in str(r.headers.get_all("Set-Cookie"))
    log = [line for line in (served.run / "access.log").read_text().splitlines() if f"cookie={cookie}" in line]
    assert len(log) == 6 and len({line.split("upstream=")[1] for line in log}) == 1
    with pytest.raises(urllib.error.HTTPError) as hidden:
        urllib.request.urlopen(served.url + "_stcore/metrics", timeout=10)
    assert hidden.value.code == 404


def test_a_dead_replica_loses_only_its_own_sessions(served, new_page):
    # Open tabs until two sit on different processes (each first request is hashed on a random key).
    pages: dict[int, object] = {}
    for _ in range(12):
        page = new_page(height=900, timeout_ms=40_000)
        open_app(page, served.url)
        pages.setdefault(served.upstream(replica_cookie(page)), page)
        if len(pages) == 2:
            break
    assert len(pages) == 2, "twelve tabs all landed on one process"
    (victim, doomed), (survivor, kept) = sorted(pages.items())
    for page in (doomed, kept):  # a keystroke works on each, through the proxy
        type_word(page, "wonderful")
    for page, port in ((doomed, victim), (kept, survivor)):
        assert served.upstream(replica_cookie(page)) == port  # every request stuck to its process

    os.kill(served.replicas[victim], signal.SIGKILL)
    deadline = time.monotonic() + 30
    while not served.streams(replica_cookie(doomed)):  # its websocket closed with the process
        assert time.monotonic() < deadline, "the dead process's websocket did not close"
        time.sleep(0.2)
    # The tab on the dead process reconnects through the proxy to the other one and carries on from its text.
    type_word(doomed, "again")
    ticks = doomed.locator(f".st-key-{CHART_KEYS['positivity']} .xtick text").all_text_contents()
    assert ticks == rnnviz.tokenize(DEFAULT_TEXT + " wonderful again")
    assert served.upstream(replica_cookie(doomed)) == survivor
    # The other tab never lost its websocket (nginx logs a websocket when it closes) and still works.
    assert served.streams(replica_cookie(kept)) == []
    type_word(kept, "still")
    assert served.streams(replica_cookie(kept)) == []

    os.kill(served.replicas[survivor], signal.SIGKILL)
    # With no process left, the page's connection error box says what to do.
    dialog = kept.get_by_role("dialog")
    dialog.wait_for(timeout=40_000)
    assert "Connection error" in dialog.inner_text() and DOWN in dialog.inner_text()
