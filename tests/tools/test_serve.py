"""deploy/serve.sh refuses what it cannot do, with a message, before starting anything.

What it does when it runs (replicas behind nginx, sticky sessions, a dead replica) is checked through the
proxy by tests/browser/test_serve_browser.py.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
from pathlib import Path

import pytest
from support import IN_CI, ROOT

SERVE = str(ROOT / "deploy" / "serve.sh")


def serve(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", SERVE, *args], capture_output=True, text=True, timeout=60, cwd=ROOT)


@pytest.mark.parametrize(("args", "message"), [(["0"], "positive whole number"), (["--bogus"], "unknown argument")])
def test_bad_arguments_are_refused(args, message):
    done = serve(*args)
    assert done.returncode == 2 and message in done.stderr and "replica" not in done.stdout


@pytest.mark.skipif(
    not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists() or IN_CI), reason="nginx is not installed"
)
def test_a_port_in_use_is_refused_before_any_replica_starts():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = serve("1", "--first-port", str(port), "--listen", "127.0.0.1:1")
    assert done.returncode == 1 and f"port {port} is in use" in done.stderr
    assert "replica" not in done.stdout


def test_help_names_every_option():
    done = serve("--help")
    assert done.returncode == 0
    for option in ("--listen", "--first-port", "--no-limits", "--keep"):
        assert option in done.stdout
