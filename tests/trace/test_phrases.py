"""The neurons view's shipped sentences: small, true to the corpus states, rebuilt by their command."""

from __future__ import annotations

import json

import numpy as np
import pytest

import rnnviz
from rnnviz import phrases as P  # noqa: N812 - short name for the module under test
from rnnviz import sst
from rnnviz.checkpoint import CheckpointError


@pytest.mark.parametrize("name", rnnviz.SHIPPED)
def test_shipped_phrases_are_the_extremes_of_the_corpus_states(name):
    """Each unit's values are the corpus's N highest and lowest s_T[k]: a changed model or corpus fails here."""
    found, states = P.load_phrases(name), rnnviz.load_corpus(name).final_states  # (N, H)
    assert found.model == name and len(found.highest) == len(found.lowest) == states.shape[1]
    for k in range(states.shape[1]):
        column = np.sort(states[:, k])
        ranks = found.extremes(k)
        assert [v for _, v in ranks["highest"]] == pytest.approx(column[::-1][: P.N_PER_SIDE], abs=1e-4)
        assert [v for _, v in ranks["lowest"]] == pytest.approx(column[: P.N_PER_SIDE], abs=1e-4)
        assert all(0 < len(text) <= P.MAX_CHARS for side in ranks.values() for text, _ in side)


def test_shipped_phrases_are_small():
    sizes = [P.phrases_path(name).stat().st_size for name in rnnviz.SHIPPED]
    assert sum(sizes) < 200_000, sizes  # a few hundred sentences, never the treebank


def test_build_keeps_each_sentence_once_and_cuts_long_ones():
    states = np.array([[0.1, -0.5], [0.9, 0.2], [-0.3, 0.0]], dtype=np.float32)  # (N=3, H=2)
    texts = ["a", "b" * 300, "c"]
    content = P.build_phrases("m", states, texts, n=2)
    assert content["texts"] == ["b" * (P.MAX_CHARS - 1) + "…", "a", "c"]
    assert content["units"][0] == {"highest": [[0, 0.9], [1, 0.1]], "lowest": [[2, -0.3], [1, 0.1]]}
    assert content["units"][1]["highest"] == [[0, 0.2], [2, 0.0]]
    with pytest.raises(ValueError, match="rebuild the corpus"):
        P.build_phrases("m", states, texts[:2])


def test_missing_or_damaged_files_say_how_to_rebuild(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="unit must be"):
        P.load_phrases("rnn-2").extremes(2)
    monkeypatch.setattr(P, "phrases_path", lambda name: tmp_path / "m.phrases.json")
    with pytest.raises(CheckpointError, match=r"python -m rnnviz\.phrases"):
        P.load_phrases("m")
    (tmp_path / "m.phrases.json").write_text(json.dumps({"model": "m", "texts": [], "units": [{"highest": [[3, 1]]}]}))
    with pytest.raises(CheckpointError, match="damaged"):
        P.load_phrases("m")


@pytest.mark.parametrize("name", ["rnn-2", "gru-64"])
def test_command_rebuilds_the_shipped_files(sst_dir, tmp_path, monkeypatch, name):
    texts = [text for text, _ in sst.sentences(sst.load_split(sst_dir, "dev"))]
    content = P.build_phrases(name, rnnviz.load_corpus(name).final_states, texts)
    assert content == json.loads(P.phrases_path(name).read_text(encoding="utf-8"))
