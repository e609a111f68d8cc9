"""Hidden states of real sentences (SST dev), computed once per model and shipped beside it.

python -m rnnviz.corpus --data ../shared/data/sst            # every shipped model
python -m rnnviz.corpus --data ../shared/data/sst path/to/model.safetensors
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from rnnviz import sst
from rnnviz.checkpoint import SHIPPED, CheckpointError, resolve_checkpoint
from rnnviz.trace import trace

if TYPE_CHECKING:  # loading a corpus needs no torch; building one (main) loads the torch model
    from rnnviz.model import SentimentRNN

CORPUS_SUFFIX = ".corpus.npz"
N_COMPONENTS = 3
MAX_PREFIX_STATES = 6000  # per model: ~0.7 MB as float16 for H = 64, and plenty for a map
PREFIX_SEED = 0  # the same subsample on every rebuild


@dataclass(frozen=True)
class Corpus:
    """Final hidden states of the SST-2 dev sentences and a PCA basis fitted on every prefix state.

    The basis is fitted once per model, so projected axes never move while someone types. Optionally
    a subsample of the prefix states s_1..s_T of those sentences too, with each one's sentence label
    and o_t (files written before these existed load with all three None).
    """

    final_states: np.ndarray  # (N, H) s_T of each sentence
    labels: np.ndarray  # (N,) 0 negative, 1 positive
    outputs: np.ndarray  # (N,) o_T of each sentence
    lengths: np.ndarray  # (N,) T of each sentence
    mean: np.ndarray  # (H,) mean of all prefix states
    components: np.ndarray  # (K, H) principal axes, unit rows
    explained: np.ndarray  # (K,) share of variance along each axis
    prefix_states: np.ndarray | None = None  # (M, H) s_t after some prefix of a sentence
    prefix_labels: np.ndarray | None = None  # (M,) the label of that prefix's sentence
    prefix_outputs: np.ndarray | None = None  # (M,) o_t at that prefix

    def __post_init__(self) -> None:
        n, h = self.final_states.shape
        if self.labels.shape != (n,) or self.outputs.shape != (n,) or self.lengths.shape != (n,):
            raise ValueError("labels, outputs and lengths must be (N,)")
        if self.mean.shape != (h,) or self.components.ndim != 2 or self.components.shape[1] != h:
            raise ValueError("mean must be (H,) and components (K, H)")
        if self.explained.shape != (self.components.shape[0],):
            raise ValueError("explained must be (K,)")
        prefix = (self.prefix_states, self.prefix_labels, self.prefix_outputs)
        if any(a is not None for a in prefix):
            if any(a is None for a in prefix):
                raise ValueError("prefix_states, prefix_labels and prefix_outputs come together or not at all")
            assert self.prefix_states is not None and self.prefix_labels is not None
            assert self.prefix_outputs is not None
            m = self.prefix_states.shape[0]
            if self.prefix_states.shape != (m, h):
                raise ValueError("prefix_states must be (M, H)")
            if self.prefix_labels.shape != (m,) or self.prefix_outputs.shape != (m,):
                raise ValueError("prefix_labels and prefix_outputs must be (M,)")

    def read_only(self) -> Corpus:
        """This corpus with every array locked against writes (for one copy shared by many sessions)."""
        for value in vars(self).values():
            if isinstance(value, np.ndarray):
                value.flags.writeable = False
        return self

    @property
    def H(self) -> int:
        return int(self.final_states.shape[1])


def fit_pca(states: np.ndarray, k: int = N_COMPONENTS) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mean (H,), components (K, H), explained variance ratio (K,)); signs fixed for stability."""
    mean = states.mean(axis=0)
    centred = states - mean
    _, sing, vt = np.linalg.svd(centred, full_matrices=False)
    k = min(k, vt.shape[0])
    components = vt[:k]
    # A deterministic sign: the largest-magnitude coefficient of each axis is positive.
    signs = np.sign(components[np.arange(k), np.abs(components).argmax(axis=1)])
    components = components * signs[:, None]
    var = sing**2
    return mean, components, (var[:k] / var.sum()) if var.sum() > 0 else np.zeros(k)


def build_corpus(model: SentimentRNN, data: str | os.PathLike[str], *, max_prefix: int = MAX_PREFIX_STATES) -> Corpus:
    """Run the model over every SST-2 dev sentence (written-out cells, as the app does)."""
    finals, labels, outputs, lengths, every, every_o = [], [], [], [], [], []
    for text, label in sst.sentences(sst.load_split(data, "dev")):
        tr = trace(model, text)
        finals.append(tr.hidden[-1])
        every.append(tr.hidden[1:])
        every_o.append(tr.outputs)
        labels.append(label)
        outputs.append(tr.final)
        lengths.append(tr.T)
    states = np.concatenate(every)  # (M, H) every prefix state
    mean, components, explained = fit_pca(states)
    # A seeded subsample, kept in corpus order, so the shipped file stays small.
    rng = np.random.default_rng(PREFIX_SEED)
    keep = np.sort(rng.choice(len(states), size=min(max_prefix, len(states)), replace=False))  # (M',)
    prefix_labels = np.repeat(np.asarray(labels), lengths)  # (M,)
    return Corpus(
        final_states=np.asarray(finals, dtype=np.float32),
        labels=np.asarray(labels, dtype=np.int8),
        outputs=np.asarray(outputs, dtype=np.float32),
        lengths=np.asarray(lengths, dtype=np.int16),
        mean=mean.astype(np.float32),
        components=components.astype(np.float32),
        explained=explained.astype(np.float32),
        prefix_states=states[keep].astype(np.float32),
        prefix_labels=prefix_labels[keep].astype(np.int8),
        prefix_outputs=np.concatenate(every_o)[keep].astype(np.float32),
    )


def corpus_path(name_or_path: str | os.PathLike[str]) -> Path:
    checkpoint = resolve_checkpoint(name_or_path)
    return checkpoint.with_name(checkpoint.stem + CORPUS_SUFFIX)


def save_corpus(corpus: Corpus, path: str | os.PathLike[str]) -> Path:
    path = Path(path)
    arrays = {
        "final_states": corpus.final_states.astype(np.float16),
        "labels": corpus.labels,
        "outputs": corpus.outputs.astype(np.float16),
        "lengths": corpus.lengths,
        "mean": corpus.mean,
        "components": corpus.components,
        "explained": corpus.explained,
    }
    if corpus.prefix_states is not None:
        assert corpus.prefix_labels is not None and corpus.prefix_outputs is not None
        arrays["prefix_states"] = corpus.prefix_states.astype(np.float16)
        arrays["prefix_labels"] = corpus.prefix_labels.astype(np.int8)
        arrays["prefix_outputs"] = corpus.prefix_outputs.astype(np.float16)
    np.savez_compressed(path, **arrays)
    return path


def load_corpus(name_or_path: str | os.PathLike[str]) -> Corpus:
    """The shipped corpus file beside a model's checkpoint. Raises CheckpointError if missing or broken."""
    path = corpus_path(name_or_path)
    if not path.is_file():
        raise CheckpointError(
            f"Corpus file {path} is missing. Restore it from git or rebuild it with "
            "`python -m rnnviz.corpus --data ../shared/data/sst`."
        )
    try:
        with np.load(path, allow_pickle=False) as f:
            arrays = {k: f[k] for k in f.files}
        return Corpus(
            final_states=arrays["final_states"].astype(np.float32),
            labels=arrays["labels"].astype(np.int8),
            outputs=arrays["outputs"].astype(np.float32),
            lengths=arrays["lengths"].astype(np.int16),
            mean=arrays["mean"].astype(np.float32),
            components=arrays["components"].astype(np.float32),
            explained=arrays["explained"].astype(np.float32),
            **_prefix(arrays),
        )
    except Exception as exc:  # zipfile, zlib and numpy raise many types for truncated or corrupt files
        raise CheckpointError(
            f"Corpus file {path} is damaged ({type(exc).__name__}: {exc}). Restore it from git or rebuild it "
            "with `python -m rnnviz.corpus --data ../shared/data/sst`."
        ) from exc


def _prefix(arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The optional prefix arrays of a loaded file ({} for files written before they existed)."""
    if "prefix_states" not in arrays:
        return {}
    return {
        "prefix_states": arrays["prefix_states"].astype(np.float32),
        "prefix_labels": arrays["prefix_labels"].astype(np.int8),
        "prefix_outputs": arrays["prefix_outputs"].astype(np.float32),
    }


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m rnnviz.corpus", description=__doc__.splitlines()[0])
    p.add_argument("models", nargs="*", default=list(SHIPPED), help="shipped names or checkpoint paths")
    p.add_argument("--data", default=None, help="SST folder (default: ../shared/data/sst)")
    args = p.parse_args(argv)
    data = sst.find_data(args.data)
    if data is None:
        p.error(f"SST not found at {args.data or sst.DEFAULT_DATA}: pass --data or set ${sst.DATA_ENV}")
    from rnnviz.model import load_model

    for name in args.models:
        corpus = build_corpus(load_model(name), data)
        out = save_corpus(corpus, corpus_path(name))
        n_prefix = 0 if corpus.prefix_states is None else len(corpus.prefix_states)
        print(
            f"{name}: {len(corpus.labels)} sentences, {n_prefix} prefix states, "
            f"PCA explained {np.round(corpus.explained, 3).tolist()} -> {out}",
            file=sys.stderr,
        )


if __name__ == "__main__":
    main()
