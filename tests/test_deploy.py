"""The container flags README gives start a server that answers its health check and serves the app."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONTAINER_FLAGS = ["--server.address", "0.0.0.0", "--server.headless", "true", "--browser.gatherUsageStats", "false"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as r:
        return r.status, r.read().decode("utf-8", "replace")


def test_container_flags_serve_health_and_page():
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.port", str(port), *CONTAINER_FLAGS]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "streamlit run streamlit_app.py --server.port 8501 " + " ".join(CONTAINER_FLAGS) in readme
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, body = get(f"http://127.0.0.1:{port}/_stcore/health")
                break
            except OSError:
                assert proc.poll() is None, proc.stderr.read().decode()
                assert time.monotonic() < deadline, "server did not answer its health check in 60 s"
                time.sleep(0.5)
        assert (status, body.strip()) == (200, "ok")
        status, page = get(f"http://127.0.0.1:{port}/")
        assert status == 200 and "<title>" in page
    finally:
        proc.terminate()
        proc.wait(timeout=20)
