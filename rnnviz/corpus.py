"""Hidden states of real sentences (SST dev), computed once per model and shipped beside it.

python -m rnnviz.corpus --data ../shared/data/sst            # every shipped model
python -m rnnviz.corpus --data ../shared/data/sst path/to/model.pt
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rnnviz import sst
from rnnviz.model import SHIPPED, CheckpointError, SentimentRNN, load_model, resolve_checkpoint
from rnnviz.trace import trace

CORPUS_SUFFIX = ".corpus.npz"
N_COMPONENTS = 3


@dataclass(frozen=True)
class Corpus:
    """Final hidden states of the SST-2 dev sentences and a PCA basis fitted on every prefix state.

    The basis is fitted once per model, so projected axes never move while someone types.
    """

    final_states: np.ndarray  # (N, H) s_T of each sentence
    labels: np.ndarray  # (N,) 0 negative, 1 positive
    outputs: np.ndarray  # (N,) o_T of each sentence
    lengths: np.ndarray  # (N,) T of each sentence
    mean: np.ndarray  # (H,) mean of all prefix states
    components: np.ndarray  # (K, H) principal axes, unit rows
    explained: np.ndarray  # (K,) share of variance along each axis

    def __post_init__(self) -> None:
        n, h = self.final_states.shape
        if self.labels.shape != (n,) or self.outputs.shape != (n,) or self.lengths.shape != (n,):
            raise ValueError("labels, outputs and lengths must be (N,)")
        if self.mean.shape != (h,) or self.components.ndim != 2 or self.components.shape[1] != h:
            raise ValueError("mean must be (H,) and components (K, H)")
        if self.explained.shape != (self.components.shape[0],):
            raise ValueError("explained must be (K,)")

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


def build_corpus(model: SentimentRNN, data: str | os.PathLike[str]) -> Corpus:
    """Run the model over every SST-2 dev sentence (written-out cells, as the app does)."""
    finals, labels, outputs, lengths, every = [], [], [], [], []
    for text, label in sst.sentences(sst.load_split(data, "dev")):
        tr = trace(model, text)
        finals.append(tr.hidden[-1])
        every.append(tr.hidden[1:])
        labels.append(label)
        outputs.append(tr.final)
        lengths.append(tr.T)
    mean, components, explained = fit_pca(np.concatenate(every))
    return Corpus(
        final_states=np.asarray(finals, dtype=np.float32),
        labels=np.asarray(labels, dtype=np.int8),
        outputs=np.asarray(outputs, dtype=np.float32),
        lengths=np.asarray(lengths, dtype=np.int16),
        mean=mean.astype(np.float32),
        components=components.astype(np.float32),
        explained=explained.astype(np.float32),
    )


def corpus_path(name_or_path: str | os.PathLike[str]) -> Path:
    checkpoint = resolve_checkpoint(name_or_path)
    return checkpoint.with_name(checkpoint.stem + CORPUS_SUFFIX)


def save_corpus(corpus: Corpus, path: str | os.PathLike[str]) -> Path:
    path = Path(path)
    np.savez_compressed(
        path,
        final_states=corpus.final_states.astype(np.float16),
        labels=corpus.labels,
        outputs=corpus.outputs.astype(np.float16),
        lengths=corpus.lengths,
        mean=corpus.mean,
        components=corpus.components,
        explained=corpus.explained,
    )
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
        )
    except Exception as exc:  # zipfile, zlib and numpy raise many types for truncated or corrupt files
        raise CheckpointError(
            f"Corpus file {path} is damaged ({type(exc).__name__}: {exc}). Restore it from git or rebuild it "
            "with `python -m rnnviz.corpus --data ../shared/data/sst`."
        ) from exc


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m rnnviz.corpus", description=__doc__.splitlines()[0])
    p.add_argument("models", nargs="*", default=list(SHIPPED), help="shipped names or checkpoint paths")
    p.add_argument("--data", default=None, help="SST folder (default: ../shared/data/sst)")
    args = p.parse_args(argv)
    data = sst.find_data(args.data)
    if data is None:
        p.error(f"SST not found at {args.data or sst.DEFAULT_DATA}: pass --data or set ${sst.DATA_ENV}")
    for name in args.models:
        corpus = build_corpus(load_model(name), data)
        out = save_corpus(corpus, corpus_path(name))
        print(
            f"{name}: {len(corpus.labels)} sentences, PCA explained {np.round(corpus.explained, 3).tolist()} -> {out}",
            file=sys.stderr,
        )


if __name__ == "__main__":
    main()
