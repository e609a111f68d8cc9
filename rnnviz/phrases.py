"""Each hidden unit's top and bottom SST dev sentences, shipped so the neurons view works without the treebank.

`python -m rnnviz.phrases --data ../shared/data/sst` writes `assets/NAME.phrases.json` for every shipped model:
for unit k (from 0), the N dev sentences whose final state s_T[k] is highest and lowest, with that value,
read from the model's corpus file (`NAME.corpus.npz`, same sentence order). Only those sentences are stored
(a few hundred per model, each at most MAX_CHARS characters), never the treebank's files.

Plain Python and numpy (no torch): the app loads these files with `load_phrases`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rnnviz import sst
from rnnviz.checkpoint import SHIPPED, CheckpointError
from rnnviz.corpus import corpus_path, load_corpus

PHRASES_SUFFIX = ".phrases.json"
N_PER_SIDE = 5
MAX_CHARS = 160  # longer sentences are cut (with …): the view shows about 110 characters
FORMAT = 1


@dataclass(frozen=True)
class Phrases:
    """For each hidden unit: the dev sentences that leave it highest and lowest, as (text, s_T[k]) pairs."""

    model: str
    highest: list[list[tuple[str, float]]]  # [H][N]
    lowest: list[list[tuple[str, float]]]  # [H][N]

    def extremes(self, unit: int) -> dict[str, list[tuple[str, float]]]:
        """{"highest": [...], "lowest": [...]} for `unit` (from 0), as rnnviz.analysis.neuron_extremes returns."""
        if not 0 <= unit < len(self.highest):
            raise ValueError(f"unit must be 0..{len(self.highest) - 1}, not {unit}")
        return {"highest": self.highest[unit], "lowest": self.lowest[unit]}


def phrases_path(name_or_path: str | os.PathLike[str]) -> Path:
    corpus = corpus_path(name_or_path)
    return corpus.with_name(corpus.name.removesuffix(".corpus.npz") + PHRASES_SUFFIX)


def _cut(text: str) -> str:
    return text if len(text) <= MAX_CHARS else text[: MAX_CHARS - 1] + "…"


def build_phrases(model: str, final_states: np.ndarray, texts: list[str], n: int = N_PER_SIDE) -> dict:
    """The file's content: the sentences once each, then per unit the indices and values of its extremes."""
    if len(texts) != len(final_states):
        raise ValueError(f"{len(texts)} sentences for {len(final_states)} corpus states: rebuild the corpus first")
    order = np.argsort(final_states, axis=0, kind="stable")  # (N, H), lowest first
    keep: dict[int, int] = {}  # sentence index -> its place in the file's list
    units = []
    for k in range(final_states.shape[1]):
        sides = {"highest": order[::-1, k][:n], "lowest": order[:n, k]}
        units.append(
            {
                side: [[keep.setdefault(int(i), len(keep)), round(float(final_states[i, k]), 4)] for i in idx]
                for side, idx in sides.items()
            }
        )
    return {
        "format": FORMAT,
        "model": model,
        "source": "SST dev sentences (SST-2, neutral dropped); value: s_T[k], the unit at the last word",
        "command": "python -m rnnviz.phrases --data ../shared/data/sst",
        "texts": [_cut(texts[i]) for i in sorted(keep, key=keep.get)],
        "units": units,
    }


def load_phrases(name_or_path: str | os.PathLike[str]) -> Phrases:
    """The shipped phrases file beside a model's checkpoint. Raises CheckpointError if missing or broken."""
    path = phrases_path(name_or_path)
    if not path.is_file():
        raise CheckpointError(
            f"{path.name} is missing: build it with `python -m rnnviz.phrases --data ../shared/data/sst`."
        )
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        texts = raw["texts"]

        def side(unit: dict, name: str) -> list[tuple[str, float]]:
            return [(str(texts[i]), float(v)) for i, v in unit[name]]

        return Phrases(
            model=str(raw["model"]),
            highest=[side(u, "highest") for u in raw["units"]],
            lowest=[side(u, "lowest") for u in raw["units"]],
        )
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        raise CheckpointError(
            f"{path.name} is damaged ({type(exc).__name__}: {exc}). Rebuild it with "
            "`python -m rnnviz.phrases --data ../shared/data/sst`."
        ) from exc


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m rnnviz.phrases", description=__doc__.splitlines()[0])
    p.add_argument("models", nargs="*", default=list(SHIPPED), help="shipped names or checkpoint paths")
    p.add_argument("--data", default=None, help="SST folder (default: ../shared/data/sst)")
    p.add_argument("-n", type=int, default=N_PER_SIDE, help="sentences per unit and side")
    args = p.parse_args(argv)
    data = sst.find_data(args.data)
    if data is None:
        p.error(f"SST not found at {args.data or sst.DEFAULT_DATA}: pass --data or set ${sst.DATA_ENV}")
    texts = [text for text, _ in sst.sentences(sst.load_split(data, "dev"))]
    for name in args.models:
        content = build_phrases(Path(str(name)).stem, load_corpus(name).final_states, texts, args.n)
        out = phrases_path(name)
        out.write_text(json.dumps(content, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
        print(f"{name}: {len(content['texts'])} sentences for {len(content['units'])} units -> {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
