"""The README's screenshot is taken from the real app on every test run, and only from a working app.

Runs `python docs/screenshot.py` (its own `streamlit run` server and headless Chromium) and checks
what a reader of the README relies on: the picture shows the dashboard with all four views drawn
for the example sentence, no error on the page, at a desktop size, small enough for a README, and
the same whatever port the server got. Under CI (CI=true) or with RNNVIZ_UPDATE_SCREENSHOT=1 the
picture is docs/screenshot.png, regenerated; elsewhere it goes to a temporary folder, so a local
test run leaves the checkout clean. When the app shows an error, the script must say so, exit
non-zero and leave the picture alone.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from support import IN_CI, ROOT, needs_browser

from rnnviz.app import CHART_KEYS
from rnnviz.vocab import display_token, tokenize

pytestmark = [pytest.mark.browser, needs_browser]

SCRIPT = ROOT / "docs" / "screenshot.py"
PNG = ROOT / "docs" / "screenshot.png"
UPDATE = IN_CI or os.environ.get("RNNVIZ_UPDATE_SCREENSHOT") == "1"  # write the README's picture
ADDRESS = "http://localhost:8501"  # what `streamlit run` prints; the picture's share link, whatever the port
TEXT = "the plot was dull but the acting was wonderful"  # the script's default sentence
WIDTH = 1400


@pytest.fixture(autouse=True)
def _script_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The script's temporary files (a failed capture, the server's log) go to tmp_path, not /tmp."""
    monkeypatch.setenv("TMPDIR", str(tmp_path))


def screenshot(*args: str, env: dict[str, str] | None = None) -> tuple[int, dict, str]:
    """Run the script; its exit status, its JSON report (the last line of stdout) and its stderr."""
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        cwd=ROOT, env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    lines = proc.stdout.strip().splitlines()
    assert lines, f"no report (exit {proc.returncode}):\n{proc.stderr[-3000:]}"
    return proc.returncode, json.loads(lines[-1]), proc.stderr


def test_the_readme_screenshot_is_regenerated_from_the_working_app(tmp_path: Path):
    out = PNG if UPDATE else tmp_path / "screenshot.png"
    code, report, err = screenshot("--out", str(out), "--width", str(WIDTH))
    assert code == 0 and report["ok"], f"{report}\n{err[-3000:]}"

    # The page at capture time: all four views, for the example sentence, nothing wrong.
    assert sorted(report["charts"]) == sorted(CHART_KEYS)
    words = [display_token(t) for t in tokenize(TEXT)]
    assert report["words"] == words  # the positivity chart reads the link's sentence, word by word
    assert report["title"].endswith(f"“{words[-1]}”")  # the last word is the selected step
    assert report["errors"] == report["exceptions"] == report["warnings"] == report["notes"] == []
    # The share box in the picture names a fixed address, not the port this server happened to get.
    assert report["url"].startswith(ADDRESS + "/?")
    assert report["share"].startswith(ADDRESS) and "model=rnn-2" in report["share"], report["share"]

    # The picture: the dashboard's content column at a desktop width, all four views inside it.
    with Image.open(out) as im:
        assert im.format == "PNG"
        image = im.convert("RGB")
    assert list(image.size) == report["size"]
    width, height = image.size
    assert 0.8 * WIDTH <= width <= WIDTH and 1000 <= height <= 2400, image.size
    assert out.stat().st_size < 400 * 1024, f"{out.stat().st_size / 1024:.0f} KB: too big for a README"
    assert len(image.getcolors(maxcolors=1 << 20) or []) > 1000  # not blank: plots, shading, text
    for name, (left, top, right, bottom) in report["views"].items():
        assert 0 <= left < right <= width and 0 <= top < bottom <= height, (name, report["views"][name])
        assert right - left > 400 and bottom - top > 250, (name, report["views"][name])
        view = image.crop((left, top, right, bottom))
        colours = view.getcolors(maxcolors=1 << 20) or []
        background = max(colours)[0] / (view.width * view.height)
        assert len(colours) > 100 and background < 0.98, f"{name}: {len(colours)} colours, {background:.0%} plain"

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "](docs/screenshot.png)" in readme and "python docs/screenshot.py" in readme
    assert readme.index("docs/screenshot.png") < readme.index("## Quick start")  # near the top


def test_an_app_error_is_reported_and_leaves_the_picture_alone(tmp_path: Path):
    """No models: the app says so in an error box. The script must not save that as the README's picture."""
    empty = tmp_path / "assets"
    empty.mkdir()
    out = tmp_path / "screenshot.png"
    out.write_bytes(b"the previous picture")
    code, report, err = screenshot("--out", str(out), env={"RNNVIZ_ASSETS": str(empty)})
    assert code == 1 and not report["ok"], report
    assert report["charts"] == []
    assert any("rnn-2" in e and "not available" in e for e in report["errors"]), report["errors"]
    assert out.read_bytes() == b"the previous picture"
    assert "not complete" in err and "not available" in err
