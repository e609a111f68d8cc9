"""The layering holds: model -> trace -> figures -> app; imports point only leftwards.

Read from the source (ast), so a lazy import inside a function counts too; imports under
`if TYPE_CHECKING:` are for annotations only and do not.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PKG = ROOT / "rnnviz"

# The model layer's torch-free half: what the app's keystroke path runs (rnnviz.model re-exports it).
TORCH_FREE_MODEL = ("checkpoint.py", "cell.py", "infer.py", "vocab.py", "sst.py")
# What the explorer's tools run on: numpy and scipy on the one cell, never torch.
TORCH_FREE_TOOLS = ("analysis.py", "dynamics.py")
MODEL = (*TORCH_FREE_MODEL, "model.py")
TRACE = ("trace.py", "corpus.py")
TOOLS = ("train.py", "evaluate.py", "convert.py")
FIGURES = sorted((PKG / "figures").glob("*.py"))
APP = sorted([ROOT / "streamlit_app.py", *(PKG / "app").glob("*.py"), *(ROOT / "pages").glob("*.py")])


def _is_type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def imports(path: Path) -> dict[str, bool]:
    """Every module `path` imports at run time -> whether at module level (False: inside a function).

    `from rnnviz import sst` counts as rnnviz.sst, so submodules are named whichever way they are imported.
    """
    found: dict[str, bool] = {}

    def visit(node: ast.AST, top: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if _is_type_checking(child):
                for orelse in child.orelse:
                    visit(orelse, top)
                continue
            names: list[str] = []
            if isinstance(child, ast.Import):
                names = [a.name for a in child.names]
            elif isinstance(child, ast.ImportFrom) and child.module and not child.level:
                names = [child.module]
                base = ROOT.joinpath(*child.module.split("."))
                names += [
                    f"{child.module}.{a.name}"
                    for a in child.names
                    if base.joinpath(a.name + ".py").is_file() or base.joinpath(a.name, "__init__.py").is_file()
                ]
            for name in names:
                found[name] = found.get(name, False) or top
            inner = isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            visit(child, top and not inner)

    visit(ast.parse(path.read_text(encoding="utf-8")), True)
    return found


def roots(path: Path) -> set[str]:
    return {name.split(".")[0] for name in imports(path)}


def rnnviz_modules(path: Path) -> set[str]:
    return {name for name in imports(path) if name.startswith("rnnviz.")}


def test_library_never_imports_streamlit():
    offenders = [p for p in PKG.rglob("*.py") if "app" not in p.parts and "streamlit" in roots(p)]
    assert not offenders


@pytest.mark.parametrize("path", FIGURES, ids=lambda p: p.name)
def test_figures_never_import_torch_or_streamlit(path):
    assert not {"torch", "streamlit"} & roots(path)


@pytest.mark.parametrize("name", [*MODEL, *TRACE, *TOOLS])
def test_model_and_trace_never_import_plotly_or_streamlit(name):
    assert not {"plotly", "streamlit"} & roots(PKG / name)


@pytest.mark.parametrize("name", [*TORCH_FREE_MODEL, "trace.py", *TORCH_FREE_TOOLS])
def test_the_views_and_the_tools_never_import_torch(name):
    """Not even lazily, and not through a module that does (rnnviz.model, the tools)."""
    with_torch = {f"rnnviz.{p.stem}" for p in PKG.glob("*.py") if "torch" in roots(p)}
    assert "rnnviz.model" in with_torch  # the check below means something
    assert not ({"torch", *with_torch} & (roots(PKG / name) | set(imports(PKG / name))))


@pytest.mark.parametrize("name", MODEL)
def test_the_model_layer_imports_only_the_model_layer(name):
    allowed = {f"rnnviz.{n.removesuffix('.py')}" for n in MODEL}
    assert rnnviz_modules(PKG / name) <= allowed


def test_nothing_left_of_the_app_imports_it():
    def imports_app(path: Path) -> bool:
        return any(n == "rnnviz.app" or n.startswith("rnnviz.app.") for n in imports(path))

    offenders = [p for p in PKG.rglob("*.py") if "app" not in p.parts and imports_app(p)]
    assert not offenders


@pytest.mark.parametrize("path", [p for p in APP if p.parent.name != "pages"], ids=lambda p: str(p.relative_to(ROOT)))
def test_the_app_never_imports_torch_and_builds_no_figures(path):
    """Not even inside a function (the explorer's tools run on numpy); figures come from rnnviz.figures.

    pages/ (the training playground) trains with torch and is left out of the torch check.
    """
    found = imports(path)
    assert "torch" not in found and "rnnviz.model" not in found
    assert "go.Figure(" not in path.read_text(encoding="utf-8")


def test_the_explorer_runs_every_tool_without_importing_torch():
    """In a fresh process: the page, the explorer opened, every tab and tool run (rnn-2 and a GRU), no torch."""
    code = """
        import sys
        from streamlit.testing.v1 import AppTest
        from rnnviz.app import MODEL_KEY
        from rnnviz.app.explorer import EFFECTS_KEY, EXPLORER_KEY, FIXED_POINTS_KEY, TABS, TABS_KEY, WORD_KEY

        PRESS = {"Dynamics & fixed points": FIXED_POINTS_KEY, "Word effects": EFFECTS_KEY}  # heavy tools: on a press

        at = AppTest.from_file("streamlit_app.py", default_timeout=300)
        at.query_params["text"] = "this movie is not good"
        at.query_params["advanced"] = "1"  # the explorer is an advanced tool
        at.run()
        assert "torch" not in sys.modules, "page"
        for name, tabs in (("rnn-2", TABS), ("gru-64", ("Dynamics & fixed points", "One step apart"))):
            at.segmented_control(key=MODEL_KEY).set_value(name).run()
            at.session_state[EXPLORER_KEY] = True
            for tab in tabs:
                at.session_state[TABS_KEY] = tab
                at.run()
                if tab == "Dynamics & fixed points":
                    at.text_input(key=WORD_KEY).set_value("good").run()
                if tab in PRESS:
                    at.button(key=PRESS[tab]).click().run()
                assert not at.exception and not at.error, (name, tab, at.exception, [e.value for e in at.error])
                assert at.get("plotly_chart") or tab == "Export", (name, tab)
        assert "rnnviz.dynamics" in sys.modules and "rnnviz.analysis" in sys.modules  # the tools did run
        assert "torch" not in sys.modules, sorted(m for m in sys.modules if m.startswith("torch"))[:5]
        print("ok")
    """
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0 and done.stdout.strip().endswith("ok"), done.stderr[-3000:]


def test_the_live_charts_are_app_layer():
    path = PKG / "app" / "live_charts.py"
    assert path in APP and "streamlit" in roots(path)
    assert (PKG / "app" / "frontend" / "live_chart.js").is_file()
    assert not {"torch", "rnnviz.model", "rnnviz.trace"} & set(imports(path))
