"""The tokenizer turns typed text into SST's tokens; unseen words are built from their pieces."""

from __future__ import annotations

import pytest

from rnnviz.vocab import MAX_TOKENS, Vocab, char_ngrams, display_token, tokenize


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("This movie is not good.", ["this", "movie", "is", "not", "good", "."]),
        ("I don't like it", ["i", "do", "n't", "like", "it"]),
        ("It's fine, isn't it?", ["it", "'s", "fine", ",", "is", "n't", "it", "?"]),
        ("can't won't cannot", ["ca", "n't", "wo", "n't", "can", "not"]),
        ('a "great" (really) film...', ["a", "``", "great", "''", "-lrb-", "really", "-rrb-", "film", "..."]),
        ("writer/director -- wow!", ["writer\\/director", "--", "wow", "!"]),
        ("Mr. Smith’s U.S. debut", ["mr.", "smith", "'s", "u.s.", "debut"]),
        ("coming-of-age tale", ["coming-of-age", "tale"]),
        ("they're we've you'll i'd i'm", ["they", "'re", "we", "'ve", "you", "'ll", "i", "'d", "i", "'m"]),
    ],
)
def test_tokenize_like_sst(text, tokens):
    assert tokenize(text) == tokens


def test_sst_tokens_survive_a_round_trip():
    text = "-LRB- The film -RRB- is n't `` great '' , it 's ... fine \\/ ok"
    assert tokenize(text) == text.lower().split()


@pytest.mark.parametrize(
    "text", ["😀😀", "日本語のテキスト", "مرحبا بالعالم", "e\u0301te\u0301", "a\x00b", "\u200b\u200bx"]
)
def test_any_unicode_is_accepted(text):
    assert isinstance(tokenize(text), list)


def test_control_and_zero_width_characters_are_dropped():
    assert tokenize("go\u200bod\x00") == ["good"]


def test_char_ngrams_fasttext_style():
    grams = char_ngrams("bad")
    assert "<ba" in grams and "ad>" in grams and "<bad>" in grams and "<b" not in grams


@pytest.fixture
def vocab():
    return Vocab.build([["disgusting", "good", "bad", "movie", "the"], ["disgusting", "goodness"]])


def test_known_pieces_unknown(vocab):
    assert vocab.bag("good")[1] == "known"
    bag, kind = vocab.bag("disgustingly")
    assert kind == "pieces" and len(bag) > 3
    assert vocab.bag("😀")[1] == "unknown"
    assert vocab.bag("😀")[0] == [0]


def test_encode_flags_and_ids(vocab):
    enc = vocab.encode("The disgustingly good 😀 movie")
    assert enc.tokens == ["the", "disgustingly", "good", "😀", "movie"]
    assert enc.kinds == ["known", "pieces", "known", "unknown", "known"]
    assert enc.bags[0][0] == vocab.word_id("the")
    assert not enc.truncated


@pytest.mark.parametrize("text", ["", "   ", "\n\t ", "\u200b\u200b"])
def test_nothing_to_read_is_a_clear_value_error(vocab, text):
    with pytest.raises(ValueError, match=r"empty|no readable"):
        vocab.encode(text)


def test_long_text_is_cut_and_says_so(vocab):
    enc = vocab.encode("good " * 250)
    assert len(enc.tokens) == MAX_TOKENS
    assert enc.truncated and enc.n_tokens_total == 250


def test_punctuation_only_is_read(vocab):
    assert vocab.encode("?!").tokens == ["?!"]


def test_non_string_is_a_type_error(vocab):
    with pytest.raises(TypeError):
        vocab.encode(None)  # type: ignore[arg-type]


def test_display_token_reads_like_text():
    tokens = tokenize('a "great" (really) writer/director')
    assert [display_token(t) for t in tokens] == ["a", "“", "great", "”", "(", "really", ")", "writer/director"]
