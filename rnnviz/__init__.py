"""rnnviz: watch a recurrent neural network read, one word at a time."""

from __future__ import annotations

import importlib
from typing import Any

from rnnviz.checkpoint import SHIPPED, CheckpointError
from rnnviz.infer import NumpyRNN, load_inference_model
from rnnviz.trace import Trace, trace
from rnnviz.vocab import MAX_TOKENS, tokenize

# Loaded on first use: `import rnnviz` never imports torch (the app runs on NumpyRNN), and
# `python -m rnnviz.corpus` does not import itself twice.
_LAZY = {
    "Corpus": "rnnviz.corpus",
    "load_corpus": "rnnviz.corpus",
    "figures": "rnnviz.figures",
    "SentimentRNN": "rnnviz.model",
    "load_model": "rnnviz.model",
}

__all__ = [
    "MAX_TOKENS",
    "SHIPPED",
    "CheckpointError",
    "Corpus",
    "NumpyRNN",
    "SentimentRNN",
    "Trace",
    "figures",
    "load_corpus",
    "load_inference_model",
    "load_model",
    "tokenize",
    "trace",
]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'rnnviz' has no attribute {name!r}")
    module = importlib.import_module(_LAZY[name])
    return module if name == "figures" else getattr(module, name)
