"""The corpus map's options: prefix states in the corpus file, and the projection's components, colours and 3-D."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

import rnnviz
from rnnviz.corpus import Corpus, load_corpus, save_corpus
from tests.test_figures import make_corpus


def with_prefix(corpus: Corpus, m: int = 50, seed: int = 2) -> Corpus:
    rng = np.random.default_rng(seed)
    return replace(
        corpus,
        prefix_states=np.tanh(rng.normal(0, 1, (m, corpus.H))).astype(np.float32),
        prefix_labels=(np.arange(m) % 2).astype(np.int8),
        prefix_outputs=rng.uniform(0, 1, m).astype(np.float32),
    )


# -- the corpus file ---------------------------------------------------------------------------------
@pytest.mark.parametrize("prefix", [False, True])
def test_corpus_round_trip(tmp_path, prefix):
    corpus = make_corpus(4)
    if prefix:
        corpus = with_prefix(corpus)
    path = save_corpus(corpus, tmp_path / "m.corpus.npz")
    back = load_corpus(tmp_path / "m.pt")  # the file beside the checkpoint
    assert path == tmp_path / "m.corpus.npz"
    np.testing.assert_allclose(back.final_states, corpus.final_states, atol=1e-3)  # stored as float16
    np.testing.assert_array_equal(back.components, corpus.components)
    if prefix:
        assert back.prefix_states is not None and back.prefix_labels is not None and back.prefix_outputs is not None
        assert back.prefix_states.shape == corpus.prefix_states.shape
        np.testing.assert_allclose(back.prefix_states, corpus.prefix_states, atol=1e-3)
        np.testing.assert_array_equal(back.prefix_labels, corpus.prefix_labels)
        np.testing.assert_allclose(back.prefix_outputs, corpus.prefix_outputs, atol=1e-3)
    else:
        assert back.prefix_states is None and back.prefix_labels is None and back.prefix_outputs is None


def test_an_older_file_without_prefix_states_loads(tmp_path):
    corpus = make_corpus(3)
    np.savez_compressed(  # the layout written before prefix states existed
        tmp_path / "old.corpus.npz",
        final_states=corpus.final_states.astype(np.float16),
        labels=corpus.labels,
        outputs=corpus.outputs.astype(np.float16),
        lengths=corpus.lengths,
        mean=corpus.mean,
        components=corpus.components,
        explained=corpus.explained,
    )
    back = load_corpus(tmp_path / "old.pt")
    assert back.prefix_states is None and back.H == 3


def test_prefix_arrays_are_checked():
    corpus = make_corpus(3)
    with pytest.raises(ValueError, match="together"):
        replace(corpus, prefix_states=np.zeros((4, 3), dtype=np.float32))
    with pytest.raises(ValueError, match=r"\(M, H\)"):
        replace(with_prefix(corpus), prefix_states=np.zeros((50, 2), dtype=np.float32))  # wrong H for this corpus


@pytest.mark.parametrize("name", rnnviz.SHIPPED)
def test_shipped_corpus_files_carry_a_small_prefix_sample(name):
    corpus = rnnviz.load_corpus(name)
    assert corpus.prefix_states is not None and corpus.prefix_outputs is not None
    assert 1000 <= len(corpus.prefix_states) <= 6000
    assert corpus.prefix_states.shape[1] == corpus.H
    assert set(np.unique(corpus.prefix_labels)) == {0, 1}
    assert ((corpus.prefix_outputs >= 0) & (corpus.prefix_outputs <= 1)).all()
    assert np.abs(corpus.prefix_states).max() <= 1.0 + 1e-3  # tanh states
