"""Shared fixtures: a tiny random model per cell type, and the SST folder when it is there."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch

from rnnviz import sst
from rnnviz.model import ModelConfig, SentimentRNN
from rnnviz.vocab import Vocab

TINY_WORDS = ["this", "movie", "is", "not", "good", "bad", "but", "great", "."]


def tiny_model(arch: str = "rnn", hidden: int = 3, embed: int = 5, seed: int = 0) -> SentimentRNN:
    torch.manual_seed(seed)
    vocab = Vocab.build([TINY_WORDS, TINY_WORDS])  # twice: n-grams need two sightings
    model = SentimentRNN(ModelConfig(arch, hidden, embed, vocab.size), vocab)
    with torch.no_grad():  # non-zero biases, so tests see them used
        model.b.normal_(0, 0.5)
        if arch != "rnn":
            model.b_hh.normal_(0, 0.5)
        model.c.fill_(0.1)
    model.name = f"tiny-{arch}"
    return model.eval()


@pytest.fixture(params=["rnn", "gru", "lstm"])
def any_tiny(request: pytest.FixtureRequest) -> SentimentRNN:
    return tiny_model(request.param)


@pytest.fixture
def tiny_rnn() -> SentimentRNN:
    return tiny_model("rnn", hidden=2)


@pytest.fixture(scope="session")
def sst_dir() -> Path:
    """The SST folder; skipped with a reason where it is absent, a failure under CI."""
    found = sst.find_data()
    if found is None:
        reason = f"SST not found at {sst.DEFAULT_DATA} and ${sst.DATA_ENV} is unset"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}: CI must run the SST tests")
        pytest.skip(reason)
    return found


@pytest.fixture(scope="session")
def chromium_browser():
    """One Playwright and one Chromium for every browser test file: the sync API allows one per process."""
    from browser_util import chromium, missing_browser

    reason = missing_browser()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run under CI: {reason}")
        pytest.skip(reason)
    with chromium() as browser:
        yield browser
