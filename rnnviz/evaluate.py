"""How well every shipped model reads: SST-2 dev and test, o_t as positivity so far, and held-out sets of our own.

python -m rnnviz.evaluate --data ../shared/data/sst [--json] [--record]

Besides SST-2 accuracy (and the goldfish's), it reports the correlation of o_t with the gold sentiment of
every labelled prefix of the dev sentences, accuracy on short reviews from other kinds of site and on
negation / contrast / intensity probes (rnnviz/data/ood_reviews.tsv, probes.tsv, written for rnnviz), and
how often an opinion word SST never uses reads more positive when it is positive (rnnviz/data/unseen_words.tsv).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from rnnviz import sst
from rnnviz.checkpoint import read_checkpoint, write_meta
from rnnviz.model import SHIPPED, SentimentRNN, load_model, resolve_checkpoint
from rnnviz.trace import ReadingModel, trace

DATA = Path(__file__).resolve().parent / "data"
OOD_REVIEWS = DATA / "ood_reviews.tsv"
PROBES = DATA / "probes.tsv"
UNSEEN_WORDS = DATA / "unseen_words.tsv"
LABELS = {"neg": 0, "pos": 1}


@dataclass(frozen=True)
class Labelled:
    """One held-out text with its label (0 negative, 1 positive) and its group (site or probe kind)."""

    text: str
    label: int
    group: str


def load_labelled(path: str | os.PathLike[str]) -> list[Labelled]:
    """Read `label<TAB>[group<TAB>]text` lines (label pos or neg); lines starting with # are comments."""
    out = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if cells[0] not in LABELS or len(cells) not in (2, 3) or not cells[-1].strip():
            raise ValueError(f"{path}:{number}: expected 'pos|neg<TAB>[group<TAB>]text', got {line[:80]!r}")
        out.append(Labelled(cells[-1], LABELS[cells[0]], cells[1] if len(cells) == 3 else ""))
    return out


def held_out_accuracy(model: ReadingModel, items: list[Labelled]) -> dict[str, float]:
    """Share of texts whose o_T falls on the side of their label: "all" and per group."""
    hits: dict[str, list[bool]] = {}
    for item in items:
        hit = (trace(model, item.text).final > 0.5) == bool(item.label)
        hits.setdefault("all", []).append(hit)
        if item.group:
            hits.setdefault(item.group, []).append(hit)
    return {group: round(float(np.mean(h)), 4) for group, h in hits.items()}


def ranking_auc(positive: list[float], negative: list[float]) -> float:
    """Share of (positive, negative) pairs where the positive scores higher; ties count half (ROC AUC)."""
    if not positive or not negative:
        raise ValueError("ranking needs at least one positive and one negative score")
    pos, neg = np.asarray(positive)[:, None], np.asarray(negative)[None, :]
    return float((pos > neg).mean() + 0.5 * (pos == neg).mean())


def word_auc(model: ReadingModel, items: list[Labelled]) -> dict[str, float]:
    """AUC of o_T for opinion words read alone: "all", and "pieces" for those the model builds from n-grams."""
    finals = [(trace(model, item.text), item.label) for item in items]
    out = {}
    for key, keep in (("all", lambda tr: True), ("pieces", lambda tr: tr.kinds == ["pieces"])):
        pos = [tr.final for tr, y in finals if y == 1 and keep(tr)]
        neg = [tr.final for tr, y in finals if y == 0 and keep(tr)]
        if pos and neg:
            out[key] = round(ranking_auc(pos, neg), 4)
            out[f"n_{key}"] = len(pos) + len(neg)
    return out


def prefix_correlation(outputs: list[float], gold: list[float]) -> float:
    """Pearson correlation of o_t with the gold sentiment (SST label / 4) of the same prefixes."""
    if len(outputs) != len(gold) or len(outputs) < 2:
        raise ValueError("need two equally long lists of at least two values")
    return float(np.corrcoef(outputs, gold)[0, 1])


@dataclass(frozen=True)
class SplitScore:
    accuracy: float  # o_T > 0.5 against the SST-2 label, text joined with spaces and re-tokenized
    goldfish_accuracy: float  # the same with forget=True
    prefix_accuracy: float  # o_t > 0.5 at every non-neutral labelled prefix
    prefix_correlation: float  # Pearson r of o_t with label / 4 at every labelled prefix, neutral ones too
    n_sentences: int
    n_prefixes: int


def score_split(model: SentimentRNN, trees: list[sst.Tree]) -> SplitScore:
    hits = goldfish_hits = prefix_hits = n = n_prefix = 0
    outputs: list[float] = []
    gold: list[float] = []
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
                outputs.append(float(tr.outputs[length - 1]))
                gold.append(y / 4)
                yb = sst.binary_label(y)
                if yb is not None:
                    n_prefix += 1
                    prefix_hits += int((tr.outputs[length - 1] > 0.5) == bool(yb))
    return SplitScore(
        accuracy=round(hits / n, 4),
        goldfish_accuracy=round(goldfish_hits / n, 4),
        prefix_accuracy=round(prefix_hits / max(n_prefix, 1), 4),
        prefix_correlation=round(prefix_correlation(outputs, gold), 4),
        n_sentences=n,
        n_prefixes=n_prefix,
    )


def held_out(model: ReadingModel) -> dict[str, dict[str, Any]]:
    """The sets of our own: reviews from other sites, probes, and opinion words SST never uses."""
    return {
        "ood": held_out_accuracy(model, load_labelled(OOD_REVIEWS)),
        "probes": held_out_accuracy(model, load_labelled(PROBES)),
        "unseen_words": word_auc(model, load_labelled(UNSEEN_WORDS)),
    }


def evaluate(name: str, data: str | os.PathLike[str], splits: tuple[str, ...] = ("dev", "test")) -> dict[str, object]:
    model = load_model(name)
    start = time.perf_counter()
    scores = {split: asdict(score_split(model, sst.load_split(data, split))) for split in splits}
    return {
        "model": name,
        "arch": model.config.arch,
        "hidden": model.config.hidden,
        **scores,
        **held_out(model),
        "seconds": round(time.perf_counter() - start, 1),
    }


def record(name: str, result: dict[str, object]) -> Path:
    """Write the evaluation into the checkpoint's metadata (tensors untouched)."""
    path = resolve_checkpoint(name)
    meta = read_checkpoint(path).meta
    meta["evaluation"] = {k: result[k] for k in ("dev", "test", "ood", "probes", "unseen_words") if k in result}
    return write_meta(path, meta)


def table(results: list[dict[str, Any]]) -> str:
    head = (
        "| model | dev | test | goldfish test | prefix corr dev | other sites | probes | unseen-word AUC |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|"
    )
    rows = []
    for r in results:
        dev, test = r["dev"], r.get("test", r["dev"])
        cells = (dev["accuracy"], test["accuracy"], test["goldfish_accuracy"], dev["prefix_correlation"])
        cells += (r["ood"]["all"], r["probes"]["all"], r["unseen_words"]["all"])
        rows.append(f"| {r['model']} | " + " | ".join(f"{v:.3f}" for v in cells) + " |")
    detail = [
        f"{r['model']}: sites "
        + ", ".join(f"{k} {v:.2f}" for k, v in r["ood"].items() if k != "all")
        + "; probes "
        + ", ".join(f"{k} {v:.2f}" for k, v in r["probes"].items() if k != "all")
        + (f"; AUC, words read from pieces {r['unseen_words']['pieces']:.3f}" if "pieces" in r["unseen_words"] else "")
        for r in results
    ]
    return "\n".join([head, *rows, "", *detail])


def main(argv: list[str] | None = None) -> list[dict[str, object]]:
    p = argparse.ArgumentParser(prog="python -m rnnviz.evaluate", description=__doc__.splitlines()[0])
    p.add_argument("models", nargs="*", default=list(SHIPPED), help="shipped names or checkpoint paths")
    p.add_argument("--data", default=None, help="SST folder (default: ../shared/data/sst)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--record", action="store_true", help="store the scores in each checkpoint's metadata")
    p.add_argument("--dev-only", action="store_true", help="skip SST-2 test (for choosing recipes)")
    args = p.parse_args(argv)
    data = sst.find_data(args.data)
    if data is None:
        p.error(f"SST not found at {args.data or sst.DEFAULT_DATA}: pass --data or set ${sst.DATA_ENV}")
    torch.set_num_threads(1)
    splits = ("dev",) if args.dev_only else ("dev", "test")
    if args.record and args.dev_only:
        p.error("--record stores dev and test: drop --dev-only")
    results = [evaluate(name, data, splits) for name in args.models]
    if args.record:
        for r in results:
            record(str(r["model"]), r)
    print(json.dumps(results, indent=2) if args.json else table(results))
    return results


if __name__ == "__main__":
    main()
