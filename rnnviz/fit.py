"""The one training step and evaluation shared by `python -m rnnviz.train` and the training playground.

An `Example` is a token sequence with its label and, where known, the label of the text so far at each
step. A `TypeTable` gives every token type its bag of embedding rows (full, or n-grams only for word
dropout); `run_batch` reads a batch into (B, T) logits of o_t, `train_step` takes one optimiser step on
the loss at every labelled prefix, and `evaluate` scores a list of examples.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

import torch
from torch import nn

from rnnviz.model import SentimentRNN
from rnnviz.vocab import Vocab


@dataclass(frozen=True)
class Example:
    """One token sequence and its label; `prefix` is the target of the text so far at each step.

    `prefix` is (T,) with None where that prefix carries no label (a float in [0, 1] otherwise, 0.5 for
    neutral), and ends with the target of the whole: the label, or a soft target near it when distilling;
    empty when only the label of the whole sequence is known.
    """

    tokens: tuple[str, ...]
    label: int  # 0 or 1
    prefix: tuple[float | None, ...] = ()

    def __post_init__(self) -> None:
        if self.label not in (0, 1):
            raise ValueError(f"label must be 0 or 1, not {self.label!r}")
        if not self.tokens:
            raise ValueError("an example needs at least one token")
        if self.prefix and (len(self.prefix) != len(self.tokens) or self.prefix[-1] is None):
            raise ValueError("prefix labels must be one per token and end with a target for the whole")
        if any(y is not None and not 0 <= y <= 1 for y in self.prefix):
            raise ValueError("prefix targets must lie in [0, 1]")

    @property
    def text(self) -> str:
        return " ".join(self.tokens)

    @cached_property  # read at every step it is drawn in: built once
    def targets(self) -> list[float]:
        """(T,) target per step, NaN where the prefix carries no label."""
        if not self.prefix:
            return [math.nan] * (len(self.tokens) - 1) + [float(self.label)]
        return [math.nan if y is None else float(y) for y in self.prefix]


class TypeTable:
    """Every token type seen, numbered in order of first sight, with its full bag and its pieces-only bag."""

    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab
        self.index: dict[str, int] = {}
        self.full: list[list[int]] = []
        self.pieces: list[list[int]] = []

    def id(self, token: str) -> int:
        if token not in self.index:
            self.index[token] = len(self.full)
            bag, _ = self.vocab.bag(token)
            self.full.append(bag)
            self.pieces.append(self.vocab.ngram_ids(token) or [0])
        return self.index[token]

    def ids(self, example: Example) -> list[int]:
        return [self.id(w) for w in example.tokens]


def batches(examples: list[Example], size: int, rng: random.Random) -> list[list[Example]]:
    """Length-bucketed batches in random order (little padding, still shuffled)."""
    order = sorted(examples, key=lambda e: (len(e.tokens), rng.random()))
    chunks = [order[i : i + size] for i in range(0, len(order), size)]
    rng.shuffle(chunks)
    return chunks


def run_batch(
    model: SentimentRNN,
    table: TypeTable,
    batch: list[Example],
    word_dropout: float = 0.0,
    unk_dropout: float = 0.0,
    rng: random.Random | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """(B, T) logits of o_t and (B, T) targets (NaN = no label) for one batch, right-padded.

    With `rng`, each token type of the batch is read from its n-grams only (share `word_dropout`) or as the
    unknown vector (share `unk_dropout`), the same way at every occurrence in the batch.
    """
    rows = [table.ids(e) for e in batch]
    t_max = max(len(r) for r in rows)
    types = sorted({t for r in rows for t in r})
    local = {t: i for i, t in enumerate(types)}
    bags = []
    for t in types:
        r = rng.random() if rng else 1.0
        if r < unk_dropout:
            bags.append([0])
        elif r < unk_dropout + word_dropout:
            bags.append(table.pieces[t])
        else:
            bags.append(table.full[t])
    emb = model.embed_bags(bags)  # (n_types, E)
    pad = [t_max - len(ids) for ids in rows]
    idx = torch.tensor([[local[t] for t in ids] + [0] * k for ids, k in zip(rows, pad, strict=True)])  # (B, T)
    targets = torch.tensor([e.targets + [math.nan] * k for e, k in zip(batch, pad, strict=True)])  # (B, T)
    return model(emb[idx]), targets


def lengths_of(batch: list[Example]) -> torch.Tensor:
    return torch.tensor([len(e.tokens) for e in batch])  # (B,)


def sequence_loss(
    logits: torch.Tensor, targets: torch.Tensor, lengths: torch.Tensor, prefix_weight: float = 1.0
) -> torch.Tensor:
    """Binary cross-entropy at every labelled step: the last step weighs 1, a labelled prefix `prefix_weight`."""
    mask = ~torch.isnan(targets)
    is_final = torch.arange(targets.shape[1])[None] == (lengths - 1)[:, None]  # (B, T)
    weight = torch.where(is_final, 1.0, prefix_weight)[mask]
    per_step = nn.functional.binary_cross_entropy_with_logits(logits[mask], targets[mask], reduction="none")
    return (per_step * weight).sum() / weight.sum()


class StepResult(NamedTuple):
    loss: float
    correct: int  # examples whose o_T falls on the side of their label


def train_step(
    model: SentimentRNN,
    optimizer: torch.optim.Optimizer,
    table: TypeTable,
    batch: list[Example],
    *,
    prefix_weight: float = 1.0,
    clip: float = 5.0,
    word_dropout: float = 0.0,
    unk_dropout: float = 0.0,
    rng: random.Random | None = None,
) -> StepResult:
    """One optimiser step on one batch: loss at every labelled prefix, gradient norm clipped to `clip`."""
    logits, targets = run_batch(model, table, batch, word_dropout, unk_dropout, rng)
    lengths = lengths_of(batch)
    loss = sequence_loss(logits, targets, lengths, prefix_weight)
    optimizer.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_([q for g in optimizer.param_groups for q in g["params"]], clip)
    optimizer.step()
    rows = torch.arange(len(batch))
    last = lengths - 1
    correct = int(((logits[rows, last] > 0) == (targets[rows, last] > 0.5)).sum())
    return StepResult(float(loss.detach()), correct)


@dataclass(frozen=True)
class Evaluation:
    accuracy: float  # o_T on the side of the label
    prefix_accuracy: float  # o_t on the side of the target at every labelled prefix (neutral 0.5 counts as positive)
    loss: float  # binary cross-entropy of o_T against the label
    n: int


@torch.no_grad()
def evaluate(model: SentimentRNN, table: TypeTable, examples: list[Example], chunk: int = 256) -> Evaluation:
    """Score `examples` in eval mode (no dropout); the model's train/eval mode is restored afterwards."""
    if not examples:
        raise ValueError("nothing to evaluate: the list of examples is empty")
    was_training = model.training
    model.eval()
    final_hits = prefix_hits = prefix_n = 0
    loss_sum = 0.0
    for i in range(0, len(examples), chunk):
        part = examples[i : i + chunk]
        logits, targets = run_batch(model, table, part)  # padding is NaN: no label
        rows, last = torch.arange(len(part)), lengths_of(part) - 1
        final, y = logits[rows, last], targets[rows, last]  # (B,)
        final_hits += int(((final > 0) == (y > 0.5)).sum())
        mask = ~torch.isnan(targets)
        prefix_hits += int(((logits[mask] > 0) == (targets[mask] > 0.5)).sum())
        prefix_n += int(mask.sum())
        loss_sum += float(nn.functional.binary_cross_entropy_with_logits(final, y, reduction="sum"))
    model.train(was_training)
    n = len(examples)
    return Evaluation(final_hits / n, prefix_hits / max(prefix_n, 1), loss_sum / n, n)
