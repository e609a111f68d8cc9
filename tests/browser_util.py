"""Live-server helpers for the reliability tests: a `streamlit run` server, Debian's Chromium, a protocol session.

Servers listen on loopback, on a free port in 8800-8899, and stop when their `with` block ends.
Chromium is /usr/bin/chromium (never `playwright install`); without it the tests skip, except
under CI (CI=true), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("RNNVIZ_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PORTS = range(8800, 8900)


def missing_browser() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install playwright)"
    if not Path(CHROMIUM).is_file():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium, or set RNNVIZ_CHROMIUM)"
    return None


def free_port(ports: Sequence[int] = PORTS) -> int:
    for port in ports:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {ports}")


@dataclass
class Server:
    url: str
    proc: subprocess.Popen
    log: Path

    def rss_mb(self) -> float:
        """Resident memory of the server process (Linux /proc)."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS")

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def streamlit_server(env: dict[str, str] | None = None, timeout: float = 60) -> Iterator[Server]:
    """`streamlit run streamlit_app.py` on loopback with the repository's .streamlit/config.toml."""
    port = free_port()
    log = Path(tempfile.gettempdir()) / f"rnnviz-reliability-{port}.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [
                sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
                "--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1",
                "--browser.gatherUsageStats", "false",
            ],
            cwd=ROOT, env={**os.environ, "OMP_NUM_THREADS": "1", **(env or {})}, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                base = (env or {}).get("STREAMLIT_SERVER_BASE_URL_PATH", "").strip("/")
                with urllib.request.urlopen(url + (base + "/" if base else "") + "_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not start; see {log}")
            time.sleep(0.3)
        yield Server(url, proc, log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def chromium() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


# -- a session that speaks Streamlit's websocket protocol, no browser ----------------------------
@dataclass
class Run:
    """What one script run sent: its elements in order and how it finished."""

    elements: list = field(default_factory=list)  # streamlit.proto.Element_pb2.Element
    status: int = 0

    def of(self, kind: str) -> list:
        return [getattr(e, kind) for e in self.elements if e.WhichOneof("type") == kind]

    def widget_id(self, kind: str, key: str) -> str:
        return next(w.id for w in self.of(kind) if w.id.endswith("-" + key))


class ProtocolSession:
    """One browser tab's worth of server work (rerun requests with widget values), without rendering.

    Cheap enough to drive a thousand reruns in a test. Speaks the same BackMsg/ForwardMsg protobufs
    as Streamlit's frontend over /_stcore/stream.
    """

    def __init__(self, server: Server, query: str = "") -> None:
        from websockets.sync.client import connect

        ws_url = server.url.replace("http://", "ws://") + "_stcore/stream"
        self._ws = connect(ws_url, subprotocols=["streamlit"], origin=server.url.rstrip("/"), max_size=None)
        self.query = query

    def rerun(self, widgets: dict[str, object] | None = None, timeout: float = 60) -> Run:
        """Ask for a rerun with these widget values (by widget id); return when the script finished.

        A text box takes a str, a slider a list of floats, a segmented control a list of option strings.
        """
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query
        for wid, value in (widgets or {}).items():
            w = state.widget_states.widgets.add()
            w.id = wid
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                w.string_array_value.data.extend(value)
            elif isinstance(value, list):
                w.double_array_value.data.extend(float(v) for v in value)
            elif isinstance(value, bool):
                w.bool_value = value
            elif isinstance(value, str):
                w.string_value = value
            elif isinstance(value, int):
                w.int_value = value
            else:
                w.double_value = value
        self._ws.send(msg.SerializeToString())
        run = Run()
        deadline = time.monotonic() + timeout
        while True:
            fm = ForwardMsg()
            fm.ParseFromString(self._ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            kind = fm.WhichOneof("type")
            if kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                run.elements.append(fm.delta.new_element)
            elif kind == "script_finished":
                run.status = fm.script_finished
                return run

    def close(self) -> None:
        self._ws.close()
