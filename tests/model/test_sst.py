"""The treebank reader: trees, labels, prefixes, and the real files when present."""

from __future__ import annotations

import pytest

from rnnviz import sst


def test_parse_tree_and_prefixes():
    tree = sst.parse_tree("(3 (2 (2 not) (3 bad)) (2 .))")
    assert tree.words == ("not", "bad", ".")
    assert [n.label for n in tree.nodes()] == [3, 2, 2, 3, 2]
    assert tree.prefix_labels() == [(1, 2), (2, 2), (3, 3)]


def test_parse_keeps_non_breaking_space_inside_a_token():
    tree = sst.parse_tree("(2 (2 2\u00a01\\/2) (2 hours))")
    assert tree.words == ("2\u00a01\\/2", "hours")


def test_binary_label():
    assert [sst.binary_label(y) for y in range(5)] == [0, 0, None, 1, 1]


def test_missing_split_names_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"dev\.txt"):
        sst.load_split(tmp_path, "dev")


@pytest.mark.sst
def test_real_treebank_sizes(sst_dir):
    sizes = {s: (len(t := sst.load_split(sst_dir, s)), len(sst.sentences(t))) for s in sst.SPLITS}
    assert sizes == {"train": (8544, 6920), "dev": (1101, 872), "test": (2210, 1821)}
