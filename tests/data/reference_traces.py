"""Write tests/data/reference_traces.json: o_t and s_t of each shipped model, computed by PyTorch's own kernels.

Run from the repository root after retraining: `python tests/data/reference_traces.py`.

The values come from `torch.nn.RNN` / `GRU` / `LSTM` (the fused kernels training used) on the checkpoint's
weights, not from rnnviz.cell, so tests/model/test_checkpoint.py checks that what the app computes in numpy
from the shipped file is what the trained network computes. The goldfish run (forget) is each word read
alone from s_0. Numbers are written as the float32 values' shortest decimal form.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import torch
from torch.func import functional_call

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
import rnnviz  # noqa: E402  (after the path: runs from a checkout)

SENTENCES = [
    "a fine film",
    "this movie is not good",
    "disgustingly",
    "the acting was wonderful but the plot was terrible",
]
OUT = ROOT / "tests" / "data" / "reference_traces.json"


def f32(a: np.ndarray) -> list:
    return np.array([str(v) for v in np.asarray(a, dtype=np.float32).ravel()]).astype(float).reshape(a.shape).tolist()


@torch.no_grad()
def fused_run(model: rnnviz.SentimentRNN, text: str, forget: bool) -> dict[str, list]:
    x = model.embed_bags(model.vocab.encode(text).bags)  # (T, E)
    params = {"weight_ih_l0": model.U, "weight_hh_l0": model.W, "bias_ih_l0": model.b, "bias_hh_l0": model.b_hh}
    seqs = x[:, None, :] if forget else x[None]  # forget: T sequences of one word each, from s_0
    states, _ = functional_call(model._fast, params, (seqs,))
    states = states.reshape(len(x), -1)  # (T, H)
    hidden = torch.cat([torch.zeros(1, states.shape[1]), states])  # (T+1, H), row 0 = s_0
    outputs = torch.sigmoid(states @ model.V + model.c)  # (T,)
    return {"o_t": f32(outputs.numpy()), "s_t": f32(hidden.numpy())}


def main() -> None:
    reference = {}
    for name in rnnviz.SHIPPED:
        model = rnnviz.load_model(name)
        reference[name] = {s: {str(f).lower(): fused_run(model, s, f) for f in (False, True)} for s in SENTENCES}
    OUT.write_text(json.dumps(reference, separators=(",", ":")), encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
