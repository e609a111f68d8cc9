"""README's notebook example runs as written and its figures render to standalone HTML."""

from __future__ import annotations

import importlib.util
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


def _span(values: list[float]) -> str:
    return f"{min(values):.2f} to {max(values):.2f}"


def test_readme_says_what_the_shipped_models_do_with_the_numbers_they_give():
    """Each sentence of README that describes the models' behaviour, measured again: a changed model fails here."""
    import rnnviz

    text = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())  # line breaks aside
    models = {name: rnnviz.load_inference_model(name) for name in rnnviz.SHIPPED}
    memory = [rnnviz.trace(m, "this movie is not good").final for m in models.values()]
    goldfish = [rnnviz.trace(m, "this movie is not good", forget=True).final for m in models.values()]
    assert max(memory) < 0.5 < min(goldfish)
    said = f'negative (o_T = {_span(memory)}), and as the goldfish, which reads "good" alone, as positive'
    assert f"{said} ({_span(goldfish)})" in text
    alone = [rnnviz.trace(m, "disgustingly").final for m in models.values()]
    assert max(alone) < 0.5 and f"still reads as negative (o = {_span(alone)} on the four models)" in text
    hero = rnnviz.trace(models["gru-64"], "the plot was dull but the acting was wonderful").final
    assert hero < 0.5 and f"as negative, o_T = {hero:.2f})" in text
    seconds = {name: m.meta["train_seconds"] for name, m in models.items()}
    fastest, slowest = min(seconds, key=seconds.get), max(seconds, key=seconds.get)
    others = ", ".join(f"{n} {seconds[n]:.0f} s" for n in rnnviz.SHIPPED if n not in (fastest, slowest))
    assert (
        f"Training took {seconds[fastest]:.0f} s ({fastest}) to {seconds[slowest]:.0f} s ({slowest}), as each "
        f'checkpoint records in `meta["train_seconds"]` ({others}).'
    ) in text


def test_readme_unseen_word_numbers_are_what_bench_measures():
    spec = importlib.util.spec_from_file_location("unseen_words", ROOT / "bench" / "unseen_words.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    text = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    ranked = {group: [r for r, _ in row.values()] for group, row in bench.table().items()}
    assert f"typos {_span(ranked['typos'])}" in text
    assert f"new forms of known words (mostly -ly adverbs) {_span(ranked['new forms of known words'])}" in text
    assert f'new words (slang such as "snoozefest" or "bingeable") only {_span(ranked["new words"])}' in text
