"""README's notebook example runs as written and its figures render to standalone HTML."""

from __future__ import annotations

import re
from pathlib import Path

import plotly.graph_objects as go

ROOT = Path(__file__).resolve().parents[2]


def readme_block(heading: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split(f"## {heading}", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_notebook_example_runs_and_writes_html(tmp_path, monkeypatch):
    shown: list[Path] = []

    def show(fig: go.Figure, *args: object, **kwargs: object) -> None:  # headless stand-in for Jupyter
        path = tmp_path / f"figure{len(shown)}.html"
        fig.write_html(path, include_plotlyjs=True)
        shown.append(path)

    monkeypatch.setattr(go.Figure, "show", show)
    code = readme_block("In a notebook")
    assert len(code.strip().splitlines()) <= 6
    exec(compile(code, "README.md", "exec"), {})
    assert len(shown) == 2
    for path in shown:
        html = path.read_text(encoding="utf-8")
        assert "plotly" in html and len(html) > 100_000  # plotly.js inlined: works offline


def test_readme_gives_the_two_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "pip install -r requirements.txt && streamlit run streamlit_app.py" in text
    assert "bash tests/run.sh" in text
    assert "bash tests/run.sh" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
