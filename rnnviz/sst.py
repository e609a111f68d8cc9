"""Read the Stanford Sentiment Treebank (PTB tree format) into phrases with per-prefix labels."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

SPLITS = ("train", "dev", "test")
DATA_ENV = "RNNVIZ_SST"
DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "sst"


@dataclass(frozen=True)
class Tree:
    """One labelled node: its label (0..4), its words and its children."""

    label: int
    words: tuple[str, ...]
    children: tuple[Tree, ...]

    def nodes(self) -> list[Tree]:
        out = [self]
        for child in self.children:
            out.extend(child.nodes())
        return out

    def prefix_labels(self) -> list[tuple[int, int]]:
        """(length, label) of every constituent that is a prefix of this node: its left spine."""
        out = []
        node = self
        while True:
            out.append((len(node.words), node.label))
            if not node.children:
                break
            node = node.children[0]
        return sorted(out)


def parse_tree(line: str) -> Tree:
    """Parse '(3 (2 a) (4 b))'. Splits on plain spaces only: one SST token holds a non-breaking space."""
    pos = 0

    def parse() -> Tree:
        nonlocal pos
        if line[pos] != "(":
            raise ValueError(f"expected '(' at column {pos}")
        end = line.index(" ", pos)
        label = int(line[pos + 1 : end])
        pos = end + 1
        if line[pos] == "(":
            children = []
            while line[pos] == "(":
                children.append(parse())
                if line[pos] == " ":
                    pos += 1
            pos += 1  # ')'
            words = tuple(w for c in children for w in c.words)
            return Tree(label, words, tuple(children))
        end = line.index(")", pos)
        word = line[pos:end]
        pos = end + 1
        return Tree(label, (word,), ())

    return parse()


def binary_label(label: int) -> int | None:
    """SST-2: 0-1 negative (0), 3-4 positive (1), 2 neutral (None)."""
    return None if label == 2 else int(label > 2)


def find_data(path: str | os.PathLike[str] | None = None) -> Path | None:
    """The SST folder: an explicit path (only that), else $RNNVIZ_SST, else ../shared/data/sst."""
    candidates = [path] if path else [os.environ.get(DATA_ENV), DEFAULT_DATA]
    for candidate in candidates:
        if candidate and (Path(candidate) / "train.txt").is_file():
            return Path(candidate)
    return None


def load_split(data: str | os.PathLike[str], split: str) -> list[Tree]:
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, not {split!r}")
    file = Path(data) / f"{split}.txt"
    if not file.is_file():
        raise FileNotFoundError(f"{file} not found: pass the SST folder (it holds train.txt, dev.txt, test.txt)")
    with file.open(encoding="utf-8") as f:
        return [parse_tree(line.rstrip("\n")) for line in f if line.strip()]


def sentences(trees: list[Tree]) -> list[tuple[str, int]]:
    """SST-2 sentences: (text joined with spaces, binary label), neutral roots dropped."""
    out = []
    for t in trees:
        y = binary_label(t.label)
        if y is not None:
            out.append((" ".join(t.words), y))
    return out
