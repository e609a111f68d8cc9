"""The layering holds: model -> trace -> figures -> app; imports point only leftwards.

Read from the source (ast), so a lazy import inside a function counts too; imports under
`if TYPE_CHECKING:` are for annotations only and do not.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "rnnviz"

# The model layer's torch-free half: what the app's keystroke path runs (rnnviz.model re-exports it).
TORCH_FREE_MODEL = ("checkpoint.py", "infer.py", "vocab.py", "sst.py")
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


@pytest.mark.parametrize("name", [*TORCH_FREE_MODEL, "trace.py"])
def test_the_main_views_path_never_imports_torch(name):
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


@pytest.mark.parametrize("path", APP, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_app_has_no_torch_on_its_main_path_and_builds_no_figures(path):
    """Torch only inside a function (the explorer's tools load it when opened); figures come from rnnviz.figures."""
    found = imports(path)
    assert not found.get("torch", False), "torch imported at module level"
    if path.name != "explorer.py":
        assert "torch" not in found
    assert "go.Figure(" not in path.read_text(encoding="utf-8")


def test_the_live_charts_are_app_layer():
    path = PKG / "app" / "live_charts.py"
    assert path in APP and "streamlit" in roots(path)
    assert (PKG / "app" / "frontend" / "live_chart.js").is_file()
    assert not {"torch", "rnnviz.model", "rnnviz.trace"} & set(imports(path))
