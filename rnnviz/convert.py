"""Turn an old `.pt` checkpoint into NAME.safetensors: `python -m rnnviz.convert OLD.pt [NEW.safetensors]`.

This is the only place in rnnviz that reads the legacy format. It uses torch.load(weights_only=True),
torch's own allow-listed unpickler (plain tensors and containers, never code), on a file you chose
yourself; the app and rnnviz.load_model never read a `.pt` and point here instead. The new file is
read back with rnnviz.checkpoint.read_checkpoint and compared with the old tensors before it is kept.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np
import torch

from rnnviz.checkpoint import (
    CHECKPOINT_FORMAT,
    CHECKPOINT_SUFFIX,
    WEIGHT_NAMES,
    CheckpointError,
    ModelConfig,
    read_checkpoint,
    write_checkpoint,
)
from rnnviz.vocab import Vocab

LEGACY_VERSION = 1


def read_legacy(path: str | os.PathLike[str]) -> tuple[ModelConfig, Vocab, dict[str, np.ndarray], dict]:
    """(config, vocab, tensors as numpy, meta) of a version-1 `.pt` checkpoint."""
    if not Path(path).is_file():
        raise CheckpointError(f"{path} is missing.")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many types for truncated or foreign files
        raise CheckpointError(f"{path} is not a readable torch.save file ({type(exc).__name__}).") from exc
    if not isinstance(payload, dict) or payload.get("format") != CHECKPOINT_FORMAT:
        raise CheckpointError(f"{path} is not an rnnviz checkpoint (no '{CHECKPOINT_FORMAT}' header).")
    if payload.get("version") != LEGACY_VERSION:
        raise CheckpointError(f"{path} is not a version-{LEGACY_VERSION} .pt checkpoint.")
    try:
        config = ModelConfig(**payload["config"])
        vocab = Vocab(list(payload["vocab"]["words"]), list(payload["vocab"]["ngrams"]))
        tensors = {k: payload["state"][k].detach().contiguous().numpy() for k in WEIGHT_NAMES}
        meta = dict(payload.get("meta") or {})
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise CheckpointError(f"{path} is damaged: {str(exc)[:120]}") from exc
    return config, vocab, tensors, meta


def convert(old: str | os.PathLike[str], new: str | os.PathLike[str] | None = None) -> Path:
    """Write the new checkpoint beside the old one (or at `new`) and check that it holds the same weights."""
    old = Path(old)
    new = Path(new) if new is not None else old.with_suffix(CHECKPOINT_SUFFIX)
    if new.suffix != CHECKPOINT_SUFFIX:
        raise CheckpointError(f"The new file must end in {CHECKPOINT_SUFFIX}, not {new.name[:80]!r}.")
    config, vocab, tensors, meta = read_legacy(old)
    if tensors["embedding.weight"].dtype not in (np.float16, np.float32):
        raise CheckpointError(f"{old} stores its embedding as {tensors['embedding.weight'].dtype}, not floats.")
    write_checkpoint(new, config, vocab, tensors, meta)
    try:
        back = read_checkpoint(new)
        same = back.config == config and back.vocab.words == vocab.words and back.vocab.ngrams == vocab.ngrams
        for key in WEIGHT_NAMES:
            stored = tensors[key].astype(back.tensors[key].dtype)
            same = same and back.tensors[key].shape == stored.shape and np.array_equal(back.tensors[key], stored)
        if not same:
            raise CheckpointError(f"{new} did not read back as {old}.")
    except CheckpointError as exc:
        new.unlink()
        raise CheckpointError(f"{exc} Nothing was kept.") from exc
    return new


def main(argv: list[str] | None = None) -> Path:
    p = argparse.ArgumentParser(prog="python -m rnnviz.convert", description=__doc__.splitlines()[0])
    p.add_argument("old", help="the .pt checkpoint")
    p.add_argument("new", nargs="?", default=None, help=f"the new file (default: OLD with {CHECKPOINT_SUFFIX})")
    args = p.parse_args(argv)
    try:
        new = convert(args.old, args.new)
    except CheckpointError as exc:
        p.exit(1, f"{exc}\n")
    print(f"{args.old} -> {new}", file=sys.stderr)
    return new


if __name__ == "__main__":
    main()
