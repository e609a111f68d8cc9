"""rnnviz.export.write_html: pages that share one plotly.js are small and load it from beside them."""

from __future__ import annotations

import re

import plotly
import pytest
from support import ROOT, make_trace

import rnnviz
from rnnviz.export import shared_plotlyjs_name, write_html

MB = 1_000_000


def views(tr):
    return {name: build(tr) for name, build in rnnviz.figures.SPECS.items()}


def script_sources(html: str) -> list[str]:
    return re.findall(r'<script[^>]*src="([^"]+)"', html)


def test_shared_pages_are_small_and_load_the_one_plotlyjs_beside_them(tmp_path):
    tr = make_trace()
    paths = write_html(views(tr), tmp_path)
    bundle = tmp_path / shared_plotlyjs_name()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([bundle.name, *(f"{n}.html" for n in paths)])
    assert bundle.stat().st_size > 3 * MB and plotly.__version__ in bundle.name
    for name, path in paths.items():
        html = path.read_text(encoding="utf-8")
        assert path.stat().st_size < 0.2 * MB, name  # the figure's data only
        assert script_sources(html) == [bundle.name]
        assert "Plotly.newPlot" in html
    # a second call reuses the bundle instead of writing another
    before = bundle.stat().st_mtime_ns
    write_html({"again": rnnviz.figures.rolled(tr)}, tmp_path)
    assert bundle.stat().st_mtime_ns == before
    assert script_sources((tmp_path / "again.html").read_text()) == [bundle.name]


def test_inline_pages_stand_alone(tmp_path):
    paths = write_html({"positivity": rnnviz.figures.positivity(make_trace())}, tmp_path, plotlyjs="inline")
    html = paths["positivity"].read_text(encoding="utf-8")
    assert paths["positivity"].stat().st_size > 3 * MB and script_sources(html) == []
    assert not list(tmp_path.glob("*.js"))


@pytest.mark.parametrize("names", [{"": 1}, {"../up": 1}, {".hidden": 1}])
def test_names_that_are_not_plain_file_names_are_refused(tmp_path, names):
    with pytest.raises(ValueError, match="file names"):
        write_html(dict.fromkeys(names, rnnviz.figures.rolled(make_trace())), tmp_path)
    assert not list(tmp_path.iterdir())


def test_an_unknown_plotlyjs_mode_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="'shared' or 'inline'"):
        write_html({}, tmp_path, plotlyjs="cdn")


def test_readme_example_writes_four_pages_and_one_plotlyjs(tmp_path, monkeypatch):
    text = (ROOT / "README.md").read_text(encoding="utf-8").split("## In a notebook", 1)[1].split("\n## ", 1)[0]
    code = next(b for b in re.findall(r"```python\n(.*?)```", text, re.S) if "write_html" in b)
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md", "exec"), {"rnnviz": rnnviz, "tr": make_trace()})
    assert sorted(p.name for p in (tmp_path / "views").iterdir()) == sorted(
        [shared_plotlyjs_name(), *(f"{name}.html" for name in rnnviz.figures.SPECS)]
    )
