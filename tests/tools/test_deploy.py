"""The container flags (README, deploy/Dockerfile) start a server that answers its health check and serves the app."""

from __future__ import annotations

import json
import re
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


def test_dockerfile_runs_the_tested_flags_on_cpu_torch():
    docker = (ROOT / "deploy" / "Dockerfile").read_text(encoding="utf-8")
    cmd = json.loads(re.search(r"^CMD (\[.*\])$", docker, re.M).group(1))
    assert cmd == ["streamlit", "run", "streamlit_app.py", "--server.port", "8501", *CONTAINER_FLAGS]
    pin = re.search(r"^torch==\S+", (ROOT / "requirements.txt").read_text(encoding="utf-8"), re.M).group(0)
    cpu = f"pip install {pin} --index-url https://download.pytorch.org/whl/cpu"
    assert cpu in docker  # before requirements.txt, which would otherwise fetch the CUDA build
    assert docker.index(cpu) < docker.index("pip install -r requirements.txt")
    assert "/_stcore/health" in docker and re.search(r"^EXPOSE 8501$", docker, re.M)
