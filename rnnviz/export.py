"""Figures written as HTML pages: each standalone, or many pages sharing one copy of plotly.js."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import plotly
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from rnnviz.figures.style import figure_from

PlotlyJs = Literal["shared", "inline"]


def shared_plotlyjs_name() -> str:
    """The file name of the shared plotly.js: versioned, so pages never load another plotly's copy."""
    return f"plotly-{plotly.__version__}.min.js"


def write_html(
    figures: Mapping[str, go.Figure | dict[str, Any]], folder: str | Path, plotlyjs: PlotlyJs = "shared"
) -> dict[str, Path]:
    """Write each figure (a Figure or a spec from rnnviz.figures.SPECS) to FOLDER/NAME.html; return the paths.

    plotlyjs="shared": the pages load one plotly.js written beside them (plotly-VERSION.min.js, about 4.8 MB,
    written once and reused by later calls), so each page is only its figure's data; keep the folder
    together when copying it. plotlyjs="inline": every page carries its own plotly.js and opens alone.
    Both work offline.
    """
    if plotlyjs not in ("shared", "inline"):
        raise ValueError(f"plotlyjs must be 'shared' or 'inline', not {plotlyjs!r}")
    bad = [name for name in figures if not name or "/" in name or "\\" in name or name.startswith(".")]
    if bad:
        raise ValueError(f"figure names become file names and cannot be empty, hidden or contain a slash: {bad}")
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    include: str | bool = True
    if plotlyjs == "shared":
        include = shared_plotlyjs_name()
        bundle = out / include
        if not bundle.exists():
            bundle.write_text(get_plotlyjs(), encoding="utf-8")
    paths = {}
    for name, figure in figures.items():
        fig = figure if isinstance(figure, go.Figure) else figure_from(figure)
        paths[name] = out / f"{name}.html"
        fig.write_html(paths[name], include_plotlyjs=include, full_html=True)
    return paths
