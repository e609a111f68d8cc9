"""The container flags README gives start a server that answers its health check and serves the app."""

from __future__ import annotations

import urllib.request

from support import ROOT, streamlit_server

CONTAINER_FLAGS = ["--server.address", "0.0.0.0", "--server.headless", "true", "--browser.gatherUsageStats", "false"]


def get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as r:
        return r.status, r.read().decode("utf-8", "replace")


def test_container_flags_serve_health_and_page():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "streamlit run streamlit_app.py --server.port 8501 " + " ".join(CONTAINER_FLAGS) in readme
    with streamlit_server(flags=CONTAINER_FLAGS) as server:  # started: it answered its health check
        status, body = get(server.url + "_stcore/health")
        assert (status, body.strip()) == (200, "ok")
        status, page = get(server.url)
        assert status == 200 and "<title>" in page
