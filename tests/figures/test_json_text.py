"""What the live charts send: each view's spec encoded to JSON in one pass, the same data as the careful way."""

from __future__ import annotations

import json

import numpy as np
import pytest

import rnnviz
import rnnviz.figures as F  # noqa: N812
from rnnviz.figures.style import json_text, jsonable


def _refuse(constant: str) -> None:
    raise ValueError(f"{constant} is not JSON: a browser would reject it")


@pytest.mark.parametrize("model", ["rnn-2", "lstm-64"])
def test_every_view_encodes_to_the_same_strict_json_as_jsonable(model):
    m, corpus = rnnviz.load_inference_model(model), rnnviz.load_corpus(model)
    tr = rnnviz.trace(m, "NaN is a word too , but the ending felt rushed")
    for name, build in F.SPECS.items():
        for step in (1, tr.T):
            spec = build(tr, step, **({"corpus": corpus} if name == "projection" else {}))
            text = json_text(spec)
            assert json.loads(text, parse_constant=_refuse) == jsonable(spec), (name, step)


def test_gaps_in_arrays_and_lists_become_null():
    spec = {"z": np.array([[0.5, np.nan], [np.inf, -1.0]]), "x": [1.0, float("nan")], "y": np.float32(2)}
    assert json.loads(json_text(spec), parse_constant=_refuse) == {"z": [[0.5, None], [None, -1.0]], "x": [1.0, None],
                                                                  "y": 2.0}  # fmt: skip
    assert json_text({"word": "NaN"}) == '{"word":"NaN"}'  # a typed word is text, not a gap
