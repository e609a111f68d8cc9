"""The layering holds: model -> trace -> figures -> app; imports point only leftwards."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_library_never_imports_streamlit():
    offenders = [
        p for p in (ROOT / "rnnviz").rglob("*.py") if "app" not in p.parts and "streamlit" in imported_modules(p)
    ]
    assert not offenders


def test_figures_never_import_torch():
    offenders = [p for p in (ROOT / "rnnviz" / "figures").rglob("*.py") if "torch" in imported_modules(p)]
    assert not offenders


def test_model_and_trace_never_import_plotly():
    for name in ("model.py", "vocab.py", "trace.py", "corpus.py", "train.py", "evaluate.py", "sst.py"):
        assert not {"plotly", "streamlit"} & imported_modules(ROOT / "rnnviz" / name), name


def test_app_script_has_no_torch_and_no_figure_building():
    source = (ROOT / "streamlit_app.py").read_text(encoding="utf-8")
    assert "torch" not in imported_modules(ROOT / "streamlit_app.py")
    assert "go.Figure(" not in source
