"""rnnviz.evaluate's measures on a tiny model and hand-made data: no SST needed."""

from __future__ import annotations

import numpy as np
import pytest
from support import TINY_WORDS, tiny_model

from rnnviz import evaluate, sst
from rnnviz.trace import trace


def test_load_labelled_reads_labels_groups_and_comments(tmp_path):
    f = tmp_path / "set.tsv"
    f.write_text("# a comment\npos\tapp\tworks well\n\nneg\tawful\n", encoding="utf-8")
    items = evaluate.load_labelled(f)
    assert items == [evaluate.Labelled("works well", 1, "app"), evaluate.Labelled("awful", 0, "")]
    f.write_text("good\tapp\tworks well\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"set\.tsv:1: expected 'pos\|neg"):
        evaluate.load_labelled(f)


@pytest.mark.parametrize("path", [evaluate.OOD_REVIEWS, evaluate.PROBES, evaluate.UNSEEN_WORDS])
def test_the_shipped_sets_are_balanced_enough_and_unique(path):
    items = evaluate.load_labelled(path)
    labels = [i.label for i in items]
    assert len(items) >= 100 and 0.4 <= np.mean(labels) <= 0.6
    assert len({i.text.lower() for i in items}) == len(items), "a text appears twice"


def test_ranking_auc_counts_pairs_and_ties():
    assert evaluate.ranking_auc([0.9, 0.8], [0.1, 0.2]) == 1.0
    assert evaluate.ranking_auc([0.1], [0.9]) == 0.0
    assert evaluate.ranking_auc([0.5, 0.9], [0.5]) == 0.75  # one tie (half) and one win
    with pytest.raises(ValueError, match="at least one positive"):
        evaluate.ranking_auc([], [0.3])


def test_prefix_correlation_is_pearson_r():
    assert evaluate.prefix_correlation([0.1, 0.5, 0.9], [0.0, 0.5, 1.0]) == pytest.approx(1.0)
    assert evaluate.prefix_correlation([0.9, 0.5, 0.1], [0.0, 0.5, 1.0]) == pytest.approx(-1.0)
    with pytest.raises(ValueError):
        evaluate.prefix_correlation([0.5], [0.5])


def test_held_out_accuracy_scores_each_group_by_the_models_reading():
    model = tiny_model()
    words = TINY_WORDS[:4]
    finals = [trace(model, w).final for w in words]
    items = [evaluate.Labelled(w, int(o > 0.5), "right") for w, o in zip(words[:2], finals[:2], strict=True)]
    items += [evaluate.Labelled(w, int(o <= 0.5), "wrong") for w, o in zip(words[2:], finals[2:], strict=True)]
    assert evaluate.held_out_accuracy(model, items) == {"all": 0.5, "right": 1.0, "wrong": 0.0}


def test_word_auc_ranks_words_read_alone_and_separates_those_read_from_pieces():
    model = tiny_model()
    known = sorted(TINY_WORDS[:6], key=lambda w: trace(model, w).final)
    items = [evaluate.Labelled(w, int(i >= 3), "") for i, w in enumerate(known)]
    assert evaluate.word_auc(model, items)["all"] == 1.0
    flipped = [evaluate.Labelled(i.text, 1 - i.label, "") for i in items]
    assert evaluate.word_auc(model, flipped)["all"] == 0.0
    assert "pieces" not in evaluate.word_auc(model, items)  # every word is known whole


def test_score_split_correlates_o_t_with_every_labelled_prefix():
    model = tiny_model()
    a, b = TINY_WORDS[:2]
    trees = [sst.parse_tree(f"(4 (3 {a}) (1 {b}))"), sst.parse_tree(f"(0 (1 {b}) (4 {a}))")]
    score = evaluate.score_split(model, trees)
    ab, ba = trace(model, f"{a} {b}").outputs, trace(model, f"{b} {a}").outputs
    expected = evaluate.prefix_correlation([ab[0], ab[1], ba[0], ba[1]], [3 / 4, 4 / 4, 1 / 4, 0 / 4])
    assert score.prefix_correlation == pytest.approx(expected, abs=1e-4)
    assert score.n_sentences == 2 and score.n_prefixes == 4


@pytest.mark.sst
def test_the_unseen_words_are_absent_from_sst(sst_dir):
    words = {w.lower() for split in sst.SPLITS for tree in sst.load_split(sst_dir, split) for w in tree.words}
    present = [i.text for i in evaluate.load_labelled(evaluate.UNSEEN_WORDS) if i.text in words]
    assert not present, f"these words occur in SST: {present}"


def test_the_unseen_words_are_not_in_the_training_lexicon():
    from rnnviz import augment

    lexicon = augment.vader_lexicon(min_valence=0.0)
    present = [i.text for i in evaluate.load_labelled(evaluate.UNSEEN_WORDS) if i.text in lexicon]
    assert not present, f"these words are in VADER's lexicon, which --lexicon vader trains on: {present}"
