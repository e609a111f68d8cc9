"""Extra training signal beyond SST's phrases: a sentiment lexicon, negation and contrast, pretrained vectors.

Used only by `python -m rnnviz.train` (training time): the lexicon is VADER's (MIT licence, read from the
`vaderSentiment` package), the vectors are WordLlama's token embeddings (MIT licence, `wordllama` package,
with its Llama-2 tokenizer read by `tokenizers`). Nothing here ships with a model except what training
bakes into its embedding table.
"""

from __future__ import annotations

import importlib.util
import random
import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from rnnviz import sst

# Words that already negate or contrast: a phrase holding one is not negated again.
NEGATORS = {"not", "n't", "never", "no", "nothing", "none", "nobody", "neither", "nor", "hardly", "without"}
CONTRASTS = {"but", "yet", "although", "though", "however"}
# "{P}" is the labelled phrase; the template's own words carry no label of their own.
NEGATION_TEMPLATES = (
    "not {P}",
    "is not {P}",
    "it 's not {P}",
    "it is not {P}",
    "this movie is not {P}",
    "the film was not {P}",
    "it was n't {P}",
    "never {P}",
    "it is never {P}",
    "not at all {P}",
    "i did not find it {P}",
    "the story is not {P}",
)
CONTRAST_JOINS = ("but", ", but", "but", ", yet", "but overall")
VADER_MIN = 1.0  # |mean valence| at least this (VADER rates -4..4): weaker entries are dropped
_WORD = re.compile(r"[a-z][a-z'\-]*[a-z]")


def _package_file(package: str, *parts: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise RuntimeError(f"this needs the {package!r} package at training time: pip install {package}")
    return Path(spec.origin).parent.joinpath(*parts)


def vader_lexicon(min_valence: float = VADER_MIN) -> dict[str, int]:
    """word -> 1 (positive) or 0 (negative) for VADER's single words with |valence| >= min_valence."""
    out = {}
    text = _package_file("vaderSentiment", "vader_lexicon.txt").read_text(encoding="utf-8", errors="replace")
    for line in text.splitlines():
        cells = line.split("\t")
        if len(cells) < 2 or not _WORD.fullmatch(cells[0]):
            continue
        valence = float(cells[1])
        if abs(valence) >= min_valence:
            out[cells[0]] = int(valence > 0)
    return out


def strong_phrases(
    trees: list[sst.Tree], max_len: int = 3, labels: tuple[int, ...] = (0, 4)
) -> list[tuple[tuple[str, ...], int]]:
    """Distinct short phrases with one of SST's `labels` (0..4), as (words, 0 or 1), without negation or contrast."""
    seen: dict[tuple[str, ...], int] = {}
    for tree in trees:
        for node in tree.nodes():
            y = sst.binary_label(node.label)
            words = tuple(w.lower() for w in node.words)
            if node.label not in labels or y is None or len(words) > max_len or words in seen:
                continue
            if any(w in NEGATORS or w in CONTRASTS for w in words) or not all(_WORD.fullmatch(w) for w in words):
                continue
            seen[words] = y
    return sorted(seen.items())


def negations(phrases: list[tuple[tuple[str, ...], int]], n: int, rng: random.Random) -> list[tuple[list[str], int]]:
    """n texts 'not P' (in one of NEGATION_TEMPLATES) labelled the opposite of P."""
    out = []
    for _ in range(n):
        words, y = rng.choice(phrases)
        text = rng.choice(NEGATION_TEMPLATES).replace("{P}", " ".join(words))
        out.append((text.split(), 1 - y))
    return out


def contrasts(
    trees: list[sst.Tree], n: int, rng: random.Random, max_len: int = 12, same: float = 0.5
) -> list[tuple[list[str], int, int, int]]:
    """n texts 'A but B' from labelled phrases: (words, length of A, label of A, label of B).

    The label of the whole is B's: after "but" the writer's view is the second part's. B takes A's side in
    a share `same` of them and the other side in the rest; with same = 0, "flip after but" is a shortcut
    the examples reward, with 0.5 "but" alone says nothing and B must be read.
    """
    pools: dict[int, list[tuple[str, ...]]] = {0: [], 1: []}
    for words, y in strong_phrases(trees, max_len, labels=(0, 1, 3, 4)):
        if len(words) >= 2:
            pools[y].append(words)
    out = []
    for _ in range(n):
        ya = int(rng.random() < 0.5)
        yb = ya if same > 0 and rng.random() < same else 1 - ya  # same = 0 draws nothing here
        a, b = rng.choice(pools[ya]), rng.choice(pools[yb])
        words = [*a, *rng.choice(CONTRAST_JOINS).split(), *b]
        out.append((words, len(a), ya, yb))
    return out


def wordllama_vectors(words: Iterable[str]) -> np.ndarray:
    """(len(words), 256) float32: each word's mean WordLlama token embedding (Llama-2 tokenizer pieces)."""
    from safetensors.numpy import load_file
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(_package_file("wordllama", "tokenizers", "l2_supercat_tokenizer_config.json")))
    table = load_file(str(_package_file("wordllama", "weights", "l2_supercat_256.safetensors")))["embedding.weight"]
    table = table.astype(np.float32)
    words = list(words)
    out = np.zeros((len(words), table.shape[1]), dtype=np.float32)
    for i, word in enumerate(words):
        ids = tokenizer.encode(word, add_special_tokens=False).ids
        if ids:
            out[i] = table[ids].mean(axis=0)
    return out
