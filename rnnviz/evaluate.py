"""Accuracy of every shipped model on SST-2 dev and test, read exactly as the app reads text.

python -m rnnviz.evaluate --data ../shared/data/sst [--json] [--record]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import torch

from rnnviz import sst
from rnnviz.checkpoint import read_checkpoint, write_meta
from rnnviz.model import SHIPPED, SentimentRNN, load_model, resolve_checkpoint
from rnnviz.trace import trace


@dataclass(frozen=True)
class SplitScore:
    accuracy: float  # o_T > 0.5 against the SST-2 label, text joined with spaces and re-tokenized
    goldfish_accuracy: float  # the same with forget=True
    prefix_accuracy: float  # o_t > 0.5 at every non-neutral labelled prefix
    n_sentences: int
    n_prefixes: int


def score_split(model: SentimentRNN, trees: list[sst.Tree]) -> SplitScore:
    hits = goldfish_hits = prefix_hits = n = n_prefix = 0
    for tree in trees:
        label = sst.binary_label(tree.label)
        if label is None:
            continue
        text = " ".join(tree.words)
        tr = trace(model, text)
        n += 1
        hits += int((tr.final > 0.5) == bool(label))
        goldfish_hits += int((trace(model, text, forget=True).final > 0.5) == bool(label))
        if tr.tokens == [w.lower() for w in tree.words]:
            for length, y in tree.prefix_labels():
                yb = sst.binary_label(y)
                if yb is not None:
                    n_prefix += 1
                    prefix_hits += int((tr.outputs[length - 1] > 0.5) == bool(yb))
    return SplitScore(
        accuracy=round(hits / n, 4),
        goldfish_accuracy=round(goldfish_hits / n, 4),
        prefix_accuracy=round(prefix_hits / max(n_prefix, 1), 4),
        n_sentences=n,
        n_prefixes=n_prefix,
    )


def evaluate(name: str, data: str | os.PathLike[str]) -> dict[str, object]:
    model = load_model(name)
    start = time.perf_counter()
    scores = {split: asdict(score_split(model, sst.load_split(data, split))) for split in ("dev", "test")}
    return {
        "model": name,
        "arch": model.config.arch,
        "hidden": model.config.hidden,
        **scores,
        "seconds": round(time.perf_counter() - start, 1),
    }


def record(name: str, result: dict[str, object]) -> Path:
    """Write the evaluation into the checkpoint's metadata (tensors untouched)."""
    path = resolve_checkpoint(name)
    meta = read_checkpoint(path).meta
    meta["evaluation"] = {k: result[k] for k in ("dev", "test")}
    return write_meta(path, meta)


def table(results: list[dict[str, object]]) -> str:
    head = "| model | dev | test | goldfish test | prefix dev | prefix test |\n|---|---:|---:|---:|---:|---:|"
    rows = []
    for r in results:
        dev, test = r["dev"], r["test"]
        cells = (dev["accuracy"], test["accuracy"], test["goldfish_accuracy"])
        cells += (dev["prefix_accuracy"], test["prefix_accuracy"])
        rows.append(f"| {r['model']} | " + " | ".join(f"{v:.3f}" for v in cells) + " |")
    return "\n".join([head, *rows])


def main(argv: list[str] | None = None) -> list[dict[str, object]]:
    p = argparse.ArgumentParser(prog="python -m rnnviz.evaluate", description=__doc__.splitlines()[0])
    p.add_argument("models", nargs="*", default=list(SHIPPED), help="shipped names or checkpoint paths")
    p.add_argument("--data", default=None, help="SST folder (default: ../shared/data/sst)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--record", action="store_true", help="store the scores in each checkpoint's metadata")
    args = p.parse_args(argv)
    data = sst.find_data(args.data)
    if data is None:
        p.error(f"SST not found at {args.data or sst.DEFAULT_DATA}: pass --data or set ${sst.DATA_ENV}")
    torch.set_num_threads(1)
    results = [evaluate(name, data) for name in args.models]
    if args.record:
        for r in results:
            record(str(r["model"]), r)
    print(json.dumps(results, indent=2) if args.json else table(results))
    return results


if __name__ == "__main__":
    main()
