"""Text in, ids out: an SST-style tokenizer and a vocabulary of words plus character n-grams."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

MAX_TOKENS = 200
NGRAM_MIN, NGRAM_MAX = 3, 5
UNK = "<unk>"

TokenKind = Literal["known", "pieces", "unknown"]

# Abbreviations whose period SST keeps inside the token.
_ABBREVIATIONS = {"mr.", "mrs.", "ms.", "dr.", "vs.", "jr.", "st.", "u.s.", "no.", "bros.", "inc.", "co.", "mt."}
_CONTRACTION_SUFFIXES = ("n't", "'s", "'re", "'ve", "'ll", "'d", "'m")
_SPECIAL_SPLITS = {"cannot": ["can", "not"]}
_TRANSLATE = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u2032": "'",
        "\u00b4": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2013": " -- ",
        "\u2014": " -- ",
        "\u2026": "...",
    }
)
_BRACKETS = {"(": "-lrb-", "[": "-lrb-", "{": "-lrb-", ")": "-rrb-", "]": "-rrb-", "}": "-rrb-"}
# One token: a treebank bracket or quote typed as such, an ellipsis, a double dash, a run of
# !/?, an apostrophe piece ('s, 're, '70s), a word (inner hyphens, apostrophes, slashes and
# periods allowed, one trailing period for abbreviations), or any other visible character.
_TOKEN_RE = re.compile(
    r"""-[lr][rsc]b-|``|''|\.\.\.+|--+|[!?]+|'[^\W_]+|\w(?:[\w'.\-/]*\w)?(?:\.(?!\.))?|[^\w\s]""",
    re.UNICODE,
)
_APOSTROPHE_TOKENS = {"'s", "'re", "'ve", "'ll", "'d", "'m", "'em", "'n", "'70s", "'60s", "'80s", "'90s", "'50s"}


def _clean(text: str) -> str:
    """Normalise Unicode forms and drop control and zero-width characters."""
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
    text = text.replace("\\/", "/").replace("\\*", "*")
    return "".join(
        " " if ch.isspace() else ch
        for ch in text
        if ch.isspace() or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn")
    )


def _split_word(word: str) -> list[str]:
    """Split one lower-cased word the way the Penn Treebank does (don't -> do n't)."""
    if word in _SPECIAL_SPLITS:
        return list(_SPECIAL_SPLITS[word])
    if word.endswith(".") and word not in _ABBREVIATIONS and not re.fullmatch(r"(\w\.)+", word):
        return [*_split_word(word[:-1]), "."] if len(word) > 1 else ["."]
    for suffix in _CONTRACTION_SUFFIXES:
        if word.endswith(suffix) and len(word) > len(suffix):
            return [*_split_word(word[: -len(suffix)]), suffix]
    if word.startswith("'") and len(word) > 1 and word not in _APOSTROPHE_TOKENS:
        return ["'", *_split_word(word[1:])]
    if word.endswith("'") and len(word) > 1:
        return [*_split_word(word[:-1]), "'"]
    return [word]


def tokenize(text: str) -> list[str]:
    """Turn free text into lower-cased SST tokens. Never raises; may return []."""
    tokens: list[str] = []
    open_quote = True
    for piece in _TOKEN_RE.findall(_clean(text).lower()):
        if piece == '"':
            tokens.append("``" if open_quote else "''")
            open_quote = not open_quote
        elif piece in ("``", "''"):
            tokens.append(piece)
        elif piece in _BRACKETS:
            tokens.append(_BRACKETS[piece])
        elif piece == "/":
            tokens.append("\\/")
        elif piece == "*":
            tokens.append("\\*")
        elif piece.startswith(".."):
            tokens.append("...")
        elif piece.startswith("--"):
            tokens.append("--")
        elif piece[0] == "'" and len(piece) > 1:
            tokens.extend(_split_word(piece))
        elif piece[0].isalnum() or piece[0] == "_":
            tokens.extend(t.replace("/", "\\/") for t in _split_word(piece))
        else:
            tokens.append(piece)
    return tokens


_DISPLAY = {"-lrb-": "(", "-rrb-": ")", "``": "\u201c", "''": "\u201d", "\\/": "/", "\\*": "*"}


def display_token(token: str) -> str:
    """How a treebank token reads to a person: -lrb- -> (, `` -> “, writer\\/director -> writer/director."""
    return _DISPLAY.get(token) or token.replace("\\/", "/").replace("\\*", "*")


def char_ngrams(word: str) -> list[str]:
    """fastText-style character n-grams of '<word>'."""
    w = f"<{word}>"
    return [w[i : i + n] for n in range(NGRAM_MIN, NGRAM_MAX + 1) for i in range(len(w) - n + 1)]


@dataclass(frozen=True)
class Encoded:
    """Ids for one text: a bag of embedding rows per token, and how each token was read."""

    tokens: list[str]
    bags: list[list[int]]  # one list of embedding-row ids per token
    kinds: list[TokenKind]
    truncated: bool
    n_tokens_total: int


@dataclass
class Vocab:
    """Words and character n-grams sharing one embedding table: words first, then n-grams.

    Row 0 is the unknown vector, used only when a token has no known word and no known n-gram.
    """

    words: list[str]
    ngrams: list[str]
    _word_index: dict[str, int] = field(init=False, repr=False)
    _ngram_index: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if not self.words or self.words[0] != UNK:
            raise ValueError(f"vocabulary must start with {UNK!r}")
        self._word_index = {w: i for i, w in enumerate(self.words)}
        offset = len(self.words)
        self._ngram_index = {g: offset + i for i, g in enumerate(self.ngrams)}

    @property
    def size(self) -> int:
        return len(self.words) + len(self.ngrams)

    @classmethod
    def build(cls, sentences: Iterable[Sequence[str]], max_ngrams: int = 20000) -> Vocab:
        word_counts: Counter[str] = Counter(w for s in sentences for w in s)
        words = sorted(word_counts, key=lambda w: (-word_counts[w], w))
        ngram_counts: Counter[str] = Counter()
        for w, c in word_counts.items():
            for g in set(char_ngrams(w)):
                ngram_counts[g] += c
        ngrams = sorted((g for g in ngram_counts if ngram_counts[g] >= 2), key=lambda g: (-ngram_counts[g], g))
        return cls([UNK, *words], ngrams[:max_ngrams])

    def word_id(self, token: str) -> int | None:
        return self._word_index.get(token)

    def ngram_ids(self, token: str) -> list[int]:
        return [i for g in char_ngrams(token) if (i := self._ngram_index.get(g)) is not None]

    def bag(self, token: str) -> tuple[list[int], TokenKind]:
        """Embedding rows of one token (their mean is x_t) and how it was read."""
        pieces = self.ngram_ids(token)
        wid = self.word_id(token)
        if wid is not None:
            return [wid, *pieces], "known"
        if pieces:
            return pieces, "pieces"
        return [0], "unknown"

    def encode(self, text: str, max_tokens: int = MAX_TOKENS) -> Encoded:
        """Tokenize and look up text. Raises ValueError for text with nothing to read."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, not {type(text).__name__}")
        tokens = tokenize(text)
        if not tokens:
            if text.strip():
                raise ValueError("The text has no readable characters (only control or invisible ones).")
            raise ValueError("The text is empty: type a sentence, for example 'this movie is not good'.")
        total = len(tokens)
        tokens = tokens[:max_tokens]
        looked_up = [self.bag(t) for t in tokens]
        return Encoded(
            tokens=tokens,
            bags=[b for b, _ in looked_up],
            kinds=[k for _, k in looked_up],
            truncated=total > len(tokens),
            n_tokens_total=total,
        )
