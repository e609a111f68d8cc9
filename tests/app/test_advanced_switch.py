"""The advanced switch on the page (issue 14, point 8): jargon only with it on, each term with a tooltip."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest
from support import run_app as run

from rnnviz.app import CHART_KEYS
from rnnviz.app.controls import ADVANCED_KEY, GLOSSARY
from rnnviz.app.keys import TOUR_TARGETS
from rnnviz.app.live_charts import drawn_figures
from rnnviz.app.tour import TOUR

JARGON = re.compile(r"jacobian|principal component|eigenvalue|\bnorms?\b|\bPCA\b|\bPC\d", re.IGNORECASE)


def visible_text(at: AppTest) -> str:
    """What a reader sees without pointing at anything: text, labels, and the views' titles and axes."""
    parts = [e.value for kind in ("title", "markdown", "caption", "info", "warning", "error", "success")
             for e in getattr(at, kind)]  # fmt: skip
    for kind in ("button", "toggle", "text_input", "slider", "expander", "tabs", "selectbox"):
        parts += [getattr(e, "label", "") for e in getattr(at, kind)]
    for key, fig in drawn_figures(at.get("bidi_component")).items():
        if key in CHART_KEYS.values():
            layout = fig["layout"]
            parts += [str(layout.get("title", "")), str(layout.get("xaxis", {})), str(layout.get("yaxis", {}))]
    return "\n".join(str(p) for p in parts)


@pytest.mark.parametrize("model", ["rnn-2", "rnn-64"])
def test_with_the_switch_off_no_jargon_is_on_the_page(model: str):
    at = run({"text": "not bad at all", "model": model})
    assert not at.exception, at.exception
    assert at.toggle(key=ADVANCED_KEY).value is False
    assert JARGON.findall(visible_text(at)) == []


def test_with_the_switch_on_the_terms_show_each_with_a_plain_tooltip():
    at = run({"text": "not bad at all", "model": "rnn-64"})
    at.toggle(key=ADVANCED_KEY).set_value(True).run()
    assert not at.exception, at.exception
    text = visible_text(at)
    assert {w.lower() for w in JARGON.findall(text)} >= {"jacobian", "eigenvalue", "principal component", "norm"}
    assert "PC1" in text  # the projection's axes take their expert names
    terms = {e.value: e.help for e in at.caption if e.help}
    for term, plain in GLOSSARY.items():
        assert terms[f"**{term}**"] == plain and not JARGON.search(plain.split(".")[0]), term
    assert at.query_params.get("advanced") in ("1", ["1"])
    at.toggle(key=ADVANCED_KEY).set_value(False).run()
    assert JARGON.findall(visible_text(at)) == [] and "advanced" not in at.query_params


def test_a_link_with_advanced_1_opens_with_the_switch_on():
    at = run({"text": "good", "model": "rnn-64", "advanced": "1"})
    assert at.toggle(key=ADVANCED_KEY).value is True
    assert "PC1" in visible_text(at)


def test_the_tour_names_its_view_instead_of_a_direction():
    for step in TOUR:
        assert step.view in TOUR_TARGETS  # a view, or a section (the explainer, Compare)
        assert not re.search(r"\b(top|bottom|left|right|middle)\b", step.look), step.look
