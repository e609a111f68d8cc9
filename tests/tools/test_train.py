"""Training runs end to end on a tiny treebank, learns, is reproducible, and records what it did.

Also the one step both trainers take (rnnviz.fit): its example type, loss, step and evaluation.
"""

from __future__ import annotations

import math
import random
import time

import numpy as np
import pytest
import torch

import rnnviz
from rnnviz import fit, train
from rnnviz import playground as pg
from rnnviz.model import ModelConfig, SentimentRNN
from rnnviz.vocab import Vocab

POSITIVE = ["good", "great", "fine", "lovely"]
NEGATIVE = ["bad", "awful", "dull", "weak"]


def tiny_tree(rng: random.Random) -> str:
    """(label (2 subject) (label (2 is) (label adjective))) with an optional 'not' flipping the label."""
    positive = rng.random() < 0.5
    word = rng.choice(POSITIVE if positive else NEGATIVE)
    adj = f"({4 if positive else 0} {word})"
    if rng.random() < 0.3:
        positive = not positive
        adj = f"({4 if positive else 0} (1 not) {adj})"
    label = 4 if positive else 0
    return f"({label} (2 (2 the) (2 movie)) ({label} (2 is) {adj}))"


@pytest.fixture(scope="module")
def tiny_sst(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sst")
    rng = random.Random(0)
    for split, n in (("train", 300), ("dev", 60), ("test", 60)):
        (folder / f"{split}.txt").write_text("\n".join(tiny_tree(rng) for _ in range(n)) + "\n", encoding="utf-8")
    return folder


def run(tiny_sst, out, seed=0):
    argv = ["--arch", "gru", "--hidden", "4", "--embed", "8", "--data", str(tiny_sst), "--out", str(out)]
    argv += ["--epochs", "15", "--batch", "4", "--seed", str(seed), "--lr", "0.01", "--ema", "0"]
    argv += ["--dropout", "0", "--patience", "30"]
    return train.main(argv)


def test_training_learns_and_records(tiny_sst, tmp_path):
    path = run(tiny_sst, tmp_path / "a.safetensors")
    model = rnnviz.load_model(path)
    meta = model.meta
    assert meta["metrics"]["dev_accuracy"] >= 0.9
    assert meta["command"].startswith("python -m rnnviz.train --arch gru --hidden 4")
    assert meta["seed"] == 0 and meta["history"]
    assert rnnviz.trace(model, "the movie is great").final > 0.5
    assert rnnviz.trace(model, "the movie is awful").final < 0.5


def weights(path) -> dict[str, torch.Tensor]:
    """The weights a checkpoint holds (not the unused shell of the fast torch RNN the model carries)."""
    return {k: v for k, v in rnnviz.load_model(path).state_dict().items() if not k.startswith("_fast.")}


def test_training_is_reproducible_from_its_seed(tiny_sst, tmp_path):
    a = weights(run(tiny_sst, tmp_path / "a.safetensors"))
    b = weights(run(tiny_sst, tmp_path / "b.safetensors"))
    c = weights(run(tiny_sst, tmp_path / "c.safetensors", seed=1))
    assert {"U", "W", "V", "embedding.weight"} <= set(a)
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert not all(torch.equal(a[k], c[k]) for k in a)


def test_the_recorded_command_trains_the_same_model_again(tiny_sst, tmp_path):
    path = run(tiny_sst, tmp_path / "a.safetensors")
    meta = rnnviz.load_model(path).meta
    command = meta["command"].removeprefix("python -m rnnviz.train ").split()
    assert meta["hyperparameters"]["seed"] == 0 and meta["hyperparameters"]["lr"] == 0.01
    command[command.index("--out") + 1] = str(tmp_path / "again.safetensors")
    first, again = weights(path), weights(train.main(command))
    assert all(torch.equal(v, again[k]) for k, v in first.items())


def test_the_cli_and_the_playground_take_the_same_step(tiny_sst, tmp_path, monkeypatch):
    callers = []
    real = fit.train_step

    def spy(*args, **kwargs):
        callers.append(type(args[0]).__name__)
        return real(*args, **kwargs)

    monkeypatch.setattr(fit, "train_step", spy)
    argv = ["--hidden", "2", "--embed", "4", "--data", str(tiny_sst), "--out", str(tmp_path / "cli.safetensors")]
    train.main([*argv, "--epochs", "1", "--batch", "10"])
    cli_steps = len(callers)
    assert cli_steps == 5  # the tiny treebank's 49 distinct labelled phrases in batches of 10: one epoch
    trainer = pg.Trainer(pg.make_task("counting", n_train=50, n_test=10), pg.TrainConfig(steps=4)).start()
    end = time.monotonic() + 30
    while trainer.running and time.monotonic() < end:
        trainer.heartbeat()
        time.sleep(0.02)
    assert trainer.status == "done" and len(callers) == cli_steps + 4
    assert set(callers) == {"SentimentRNN"}


# -- rnnviz.fit -------------------------------------------------------------------------------------
def test_an_example_knows_its_targets():
    assert fit.Example(("a", "b"), 1).targets[-1] == 1.0 and math.isnan(fit.Example(("a", "b"), 1).targets[0])
    assert fit.Example(("a", "b"), 0, (0.5, 0)).targets == [0.5, 0.0]
    assert fit.Example(("a", "b"), 0, (None, 0)).text == "a b"
    for bad in (lambda: fit.Example(("a",), 2), lambda: fit.Example(("a", "b"), 1, (1,)), lambda: fit.Example((), 1)):
        with pytest.raises(ValueError):
            bad()
    assert pg.Example is fit.Example and train.Example is fit.Example  # one labelled-example type


def _tiny(seed: int = 0) -> tuple[SentimentRNN, fit.TypeTable]:
    torch.manual_seed(seed)
    vocab = Vocab.build([["good", "bad", "film"]] * 2, max_ngrams=0)
    return SentimentRNN(ModelConfig("gru", 3, 4, vocab.size, 0.0), vocab), fit.TypeTable(vocab)


def test_the_loss_weighs_prefixes_against_the_last_step():
    logits = torch.tensor([[0.0, 2.0, -1.0], [1.0, 3.0, 0.0]])
    targets = torch.tensor([[1.0, math.nan, 0.0], [0.0, 1.0, math.nan]])
    lengths = torch.tensor([3, 2])
    bce = torch.nn.functional.binary_cross_entropy_with_logits
    finals = bce(torch.tensor([-1.0, 3.0]), torch.tensor([0.0, 1.0]))
    assert torch.isclose(fit.sequence_loss(logits, targets, lengths, prefix_weight=0.0), finals)
    everything = bce(torch.tensor([0.0, -1.0, 1.0, 3.0]), torch.tensor([1.0, 0.0, 0.0, 1.0]))
    assert torch.isclose(fit.sequence_loss(logits, targets, lengths, prefix_weight=1.0), everything)


def test_evaluate_scores_what_the_model_reads():
    model, table = _tiny()
    examples = [fit.Example(("good", "film"), 1, (None, 1)), fit.Example(("bad",), 0), fit.Example(("film",), 1)]
    scores = fit.evaluate(model, table, examples, chunk=2)
    finals = [float(model.steps([table.full[t] for t in table.ids(e)]).outputs[-1]) for e in examples]
    assert scores.accuracy == sum((o > 0.5) == bool(e.label) for o, e in zip(finals, examples, strict=True)) / 3
    expected = -sum(math.log(o if e.label else 1 - o) for o, e in zip(finals, examples, strict=True)) / 3
    assert scores.loss == pytest.approx(expected, rel=1e-4) and scores.n == 3
    model.train()  # evaluation reads without dropout and gives the model back in the mode it found it
    fit.evaluate(model, table, examples)
    assert model.training


def test_a_step_lowers_the_loss_of_its_batch():
    model, table = _tiny()
    batch = [fit.Example(("good", "film"), 1), fit.Example(("bad", "film"), 0)] * 4
    opt = torch.optim.Adam(model.parameters(), lr=0.05)
    first = fit.train_step(model, opt, table, batch)
    for _ in range(30):
        last = fit.train_step(model, opt, table, batch)
    assert last.loss < first.loss and last.correct == len(batch)


def test_missing_data_is_a_clear_error(tmp_path, capsys):
    with pytest.raises(SystemExit):
        train.main(["--data", str(tmp_path / "nowhere"), "--out", str(tmp_path)])
    assert "SST not found" in capsys.readouterr().err


# -- extra training signal (rnnviz.augment) -----------------------------------------------------------
def test_attached_vectors_read_the_same_once_baked_into_the_table():
    model, table = _tiny()
    vectors = torch.randn(model.config.vocab_size, 6)
    vectors[0] = 0.0  # the unknown row has no vector
    model.attach_vectors(vectors)
    bags = [table.full[table.id(w)] for w in ("good", "bad", "film")] + [[0]]
    before = model.embed_bags(bags)
    good = table.vocab.word_id("good")
    assert torch.allclose(before[0], vectors[good] @ model.project.T, atol=1e-6)  # a word starts as its projection
    opt = torch.optim.Adam([q for q in model.parameters() if q.requires_grad], lr=0.05)
    fit.train_step(model, opt, table, [fit.Example(("good", "film"), 1), fit.Example(("bad",), 0)])
    trained = model.embed_bags(bags)
    assert not torch.allclose(trained, before)
    model.bake()
    assert not hasattr(model, "project") and torch.allclose(model.embed_bags(bags), trained, atol=1e-6)


def test_extra_examples_negate_contrast_and_add_lexicon_words():
    from rnnviz import augment, sst

    rng = random.Random(0)
    trees = [sst.parse_tree(tiny_tree(rng)) for _ in range(200)]
    table = fit.TypeTable(Vocab.build([["good"]] * 2))
    phrases = dict(augment.strong_phrases(trees))
    extra = train.extra_examples(trees, table, {"superb": 1, "dreck": 0}, 30, 20, seed=0)
    assert [(e.tokens, e.label) for e in extra[:2]] == [(("dreck",), 0), (("superb",), 1)]
    negated, contrasted = extra[2:32], extra[32:]
    for e in negated:
        assert any(w in augment.NEGATORS for w in e.tokens)
        phrase = next(p for p in phrases if e.tokens[-len(p) :] == p)
        assert e.label == 1 - phrases[phrase], e.text
    assert len(contrasted) == 20
    turns = 0
    for e in contrasted:
        assert {"but", "yet"} & set(e.tokens)
        labelled = [y for y in e.prefix if y is not None]
        assert len(labelled) == 2 and labelled[1] == e.label  # A's side so far, then B's for the whole
        turns += labelled[0] != labelled[1]
    assert 5 <= turns <= 15  # "but" turns the reading in about half: B must be read


def test_training_with_lexicon_vectors_negations_and_contrasts(tiny_sst, tmp_path):
    argv = ["--arch", "gru", "--hidden", "4", "--embed", "8", "--data", str(tiny_sst), "--epochs", "2"]
    argv += ["--lexicon", "vader", "--vectors", "wordllama", "--negations", "50", "--contrasts", "50"]
    model = rnnviz.load_model(train.main([*argv, "--out", str(tmp_path / "x.safetensors")]))
    assert model.vocab.word_id("superb") is None  # a lexicon word is read from its n-grams
    assert model.meta["hyperparameters"]["vectors"] == "wordllama"
    assert "--negations 50" in model.meta["command"]


def test_distilled_targets_move_toward_the_teachers_reading():
    model, _ = _tiny()
    examples = [fit.Example(("good", "film"), 1, (0.5, 1)), fit.Example(("bad",), 0)]
    outputs = train.teacher_outputs([model, model], examples, chunk=1)
    for e, o in zip(examples, outputs, strict=True):
        expected = rnnviz.trace(model, e.text).outputs
        np.testing.assert_allclose(o, expected, atol=1e-5)
    mixed = train.distilled(examples, outputs, 0.25)
    assert mixed[0].label == 1 and mixed[0].prefix[-1] == pytest.approx(0.75 + 0.25 * outputs[0][-1])
    assert mixed[0].prefix[0] == pytest.approx(0.375 + 0.25 * outputs[0][0])
    assert mixed[1].prefix == (pytest.approx(0.25 * outputs[1][0]),)  # only the whole was labelled
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        fit.Example(("a",), 1, (1.5,))
