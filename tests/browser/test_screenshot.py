"""The README's screenshots are taken from the real app on every test run, and only from a working app.

Runs `python docs/screenshot.py` (its own `streamlit run` server and headless Chromium) and checks
what a reader of the README relies on: the first picture shows the dashboard with all four views drawn
for the example sentence; the second (--part inside) shows two models compared on one sentence, the
shared W lit on every copy of the chain, and one step's update with its numbers; no error on the page,
at a desktop size, small enough for a README, and the same whatever port the server got. Under CI
(CI=true) or with RNNVIZ_UPDATE_SCREENSHOT=1 the pictures are docs/screenshot.png and docs/inside.png,
regenerated; elsewhere they go to a temporary folder, so a local test run leaves the checkout clean.
When the app shows an error, the script must say so, exit non-zero and leave the picture alone.
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
from rnnviz.app.compare import COMPARE_CHART_KEYS
from rnnviz.vocab import display_token, tokenize

pytestmark = [pytest.mark.browser, needs_browser]

SCRIPT = ROOT / "docs" / "screenshot.py"
PNG = ROOT / "docs" / "screenshot.png"
INSIDE_PNG = ROOT / "docs" / "inside.png"
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
    check_picture(out, report, heights=(1000, 2400), view_size=(400, 250))
    assert sorted(report["views"]) == sorted(CHART_KEYS)

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "](docs/screenshot.png)" in readme and "python docs/screenshot.py" in readme
    assert readme.index("docs/screenshot.png") < readme.index("## Quick start")  # near the top


def check_picture(out: Path, report: dict, heights: tuple[int, int], view_size: tuple[int, int]) -> None:
    """A PNG of the report's size across the content column, small enough for a README, each view in it drawn."""
    with Image.open(out) as im:
        assert im.format == "PNG"
        image = im.convert("RGB")
    assert list(image.size) == report["size"]
    width, height = image.size
    assert 0.8 * WIDTH <= width <= WIDTH and heights[0] <= height <= heights[1], image.size
    assert out.stat().st_size < 400 * 1024, f"{out.stat().st_size / 1024:.0f} KB: too big for a README"
    assert len(image.getcolors(maxcolors=1 << 20) or []) > 1000  # not blank: plots, shading, text
    for name, (left, top, right, bottom) in report["views"].items():
        assert 0 <= left < right <= width and 0 <= top < bottom <= height, (name, report["views"][name])
        assert right - left > view_size[0] and bottom - top > view_size[1], (name, report["views"][name])
        view = image.crop((left, top, right, bottom))
        colours = view.getcolors(maxcolors=1 << 20) or []
        background = max(colours)[0] / (view.width * view.height)
        assert len(colours) > 100 and background < 0.98, f"{name}: {len(colours)} colours, {background:.0%} plain"


def test_the_inside_picture_shows_compare_the_lit_w_and_one_step_with_its_numbers(tmp_path: Path):
    out = INSIDE_PNG if UPDATE else tmp_path / "inside.png"
    code, report, err = screenshot("--part", "inside", "--out", str(out), "--width", str(WIDTH))
    assert code == 0 and report["ok"], f"{report}\n{err[-3000:]}"

    # The page at capture time: rnn-2 compared with gru-64 on "this movie is not bad" at t = 5, nothing wrong.
    compare = [f"compare {name}" for name in COMPARE_CHART_KEYS]
    assert sorted(report["charts"]) == sorted([*CHART_KEYS, *compare, "step"])
    assert report["words"] == ["this", "movie", "is", "not", "bad"]
    assert report["title"].endswith("“bad”") and "t = 5" in report["title"]
    assert report["errors"] == report["exceptions"] == report["warnings"] == report["notes"] == []
    assert report["url"].startswith(ADDRESS + "/?") and report["url"].endswith("&compare=gru-64")
    assert "compare=gru-64" in report["share"], report["share"]
    # The sentences the picture shows: the comparison names both models, the explainer tells step 5.
    story = report["compare_story"]
    assert "rnn-2" in story and "gru-64" in story and "“bad”" in story, story
    assert "rnn-2 fell" in story and "gru-64 rose" in story, story  # as the README's alt text says
    assert "“bad”" in report["explainer"] and "t = 5" in report["explainer"], report["explainer"]
    # The mouse rests on one W of the chain: W is lit on the loop (its three pieces and a disc behind its W)
    # and on every copy (five memory links and a disc behind every W).
    assert report["lit"] == "W"
    assert report["lit_shapes"] == {"rolled": 3 + 1, "unrolled": 5 + 5}

    # The picture: from the Compare section to the explainer, the chain and the step's figure between.
    check_picture(out, report, heights=(1000, 2400), view_size=(300, 200))
    assert sorted(report["views"]) == sorted([*compare, "unrolled", "step"])
    top = {name: box[1] for name, box in report["views"].items()}
    assert max(top[name] for name in compare) < top["unrolled"] < top["step"]  # in the page's order

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "](docs/inside.png)" in readme and "python docs/screenshot.py --part inside" in readme
    assert readme.index("**Inside the cell at this step**") < readme.index("docs/inside.png")
    assert readme.index("docs/inside.png") < readme.index("## Python API")  # in "Using the app"


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


def test_the_inside_picture_is_refused_when_the_comparison_cannot_be_drawn(tmp_path: Path):
    """Only rnn-2 ships: the four views draw, but Compare says gru-64 cannot be compared. No picture of that."""
    assets = tmp_path / "assets"
    assets.mkdir()
    for shipped in (ROOT / "assets").glob("rnn-2.*"):
        (assets / shipped.name).symlink_to(shipped)
    out = tmp_path / "inside.png"
    code, report, err = screenshot("--part", "inside", "--out", str(out), env={"RNNVIZ_ASSETS": str(assets)})
    assert code == 1 and not report["ok"], report
    assert not any(name.startswith("compare ") for name in report["charts"]), report["charts"]
    assert any("gru-64 cannot be compared here" in w for w in report["warnings"]), report["warnings"]
    assert not out.exists()
    assert "not complete" in err and "cannot be compared" in err
