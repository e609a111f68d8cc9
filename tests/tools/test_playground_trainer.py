"""The training playground's model layer: generated tasks, the upload parser, the bounded trainer, its figures."""

from __future__ import annotations

import itertools
import re
import time
import uuid

import numpy as np
import pytest
import torch

import rnnviz
from rnnviz import playground as pg
from rnnviz.figures import training_curves_figure, training_space_figure


# -- tasks: labels correct by construction ----------------------------------------------------------
def _sentiment_score(tokens: tuple[str, ...]) -> int:
    """An independent reading of a toy review: clause values, 'and' sums, 'but' makes the second count 3x."""
    adjectives = [i for i, w in enumerate(tokens) if w in pg.POSITIVE_WORDS + pg.NEGATIVE_WORDS]
    assert len(adjectives) in (1, 2)
    ends = [-1, *adjectives]
    values = []
    for lo, hi in itertools.pairwise(ends):
        clause = tokens[lo + 1 : hi + 1]
        v = 1 if tokens[hi] in pg.POSITIVE_WORDS else -1
        v = -v if "not" in clause else v
        values.append(2 * v if "very" in clause else v)
    if len(values) == 1:
        return values[0]
    joint = tokens[adjectives[0] + 1]
    assert joint in ("and", "but")
    return values[0] + (3 if joint == "but" else 1) * values[1]


_ALT = "|".join
_CLAUSE = f"the ({_ALT(pg.NOUNS)}) ({_ALT(pg.VERBS)}) (not )?(very )?({_ALT(pg.POSITIVE_WORDS + pg.NEGATIVE_WORDS)})"
_TAIL = f"({_ALT(pg.TAIL_PHRASES)})"
ENGLISH = re.compile(f"{_CLAUSE}( (and|but) {_CLAUSE})? {_TAIL}( , {_TAIL})?")


def test_sentiment_labels_are_correct_by_construction():
    task = pg.make_task("sentiment", n_train=3000, n_test=10)
    for e in task.train:
        score = _sentiment_score(e.tokens)
        assert score != 0 and e.label == int(score > 0), e.text
        assert e.tokens[-1] not in pg.POSITIVE_WORDS + pg.NEGATIVE_WORDS  # neutral tail: memory matters
        assert ENGLISH.fullmatch(e.text), e.text  # reads as a sentence, not a bag of words
        assert len(e.prefix) == len(e.tokens) and e.prefix[-1] == e.label
    kinds = {w for e in task.train for w in e.tokens}
    assert {"not", "very", "but", "and"} <= kinds
    assert 0.4 < np.mean([e.label for e in task.train]) < 0.6


def test_counting_and_first_word_labels():
    for e in pg.make_task("counting", n_train=2000, n_test=10).train:
        assert e.label == int(e.tokens.count("a") > e.tokens.count("b"))
        assert all(
            p == int(e.tokens[: t + 1].count("a") > e.tokens[: t + 1].count("b")) for t, p in enumerate(e.prefix)
        )
    task = pg.make_task("first_word", n_train=2000, n_test=10)
    for e in task.train:
        assert e.label == int(e.tokens[0] == "yes") and e.tokens[0] in ("yes", "no")
        assert not set(e.tokens[1:]) & {"yes", "no"}
        sentences = " ".join(e.tokens[1:]).split(" , ")  # whole small sentences, never a word salad
        assert sentences[0] == "," or e.tokens[1] == ","
        assert all(s.strip(", ") in pg.DISTRACTOR_PHRASES for s in sentences), e.text
    lengths = [len(e.tokens) for e in task.train]
    assert min(lengths) <= 10 and max(lengths) >= 45  # distractors of growing length


def test_tasks_are_seeded():
    a, b = pg.make_task("sentiment", n_train=50, n_test=5), pg.make_task("sentiment", n_train=50, n_test=5)
    assert a.train == b.train and a.test == b.test
    assert pg.make_task("sentiment", n_train=50, n_test=5, seed=1).train != a.train
    with pytest.raises(ValueError, match="unknown task"):
        pg.make_task("poetry")  # type: ignore[arg-type]


# -- upload parser ---------------------------------------------------------------------------------
def _lines(n: int = 30) -> str:
    return "".join(f"{i % 2}\tsentence number {i} is {'fine' if i % 2 else 'poor'}\n" for i in range(n))


def test_upload_parses_labels_comments_and_bytes():
    text = "# a comment\n\npositive\tA Warm, funny film.\nNEG\tdull\n" + _lines()
    examples = pg.parse_labelled(text.encode("utf-8-sig"))
    assert examples[0].tokens == ("a", "warm", ",", "funny", "film", ".") and examples[0].label == 1
    assert examples[1].label == 0 and len(examples) == 32
    task = pg.make_task("upload", text=text)
    assert len(task.train) + len(task.test) == 32 and task.ngrams


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (_lines() + "1 no tab here\n", "Line 31: no TAB"),
        ("maybe\tsomething\n" + _lines(), "Line 1: the label 'maybe'"),
        (_lines() + "1\t   \n", "Line 31: the sentence after the TAB is empty"),
        ("1\tone\n0\ttwo\n", "training needs at least"),
        ("".join(f"1\tsame label {i}\n" for i in range(30)), "needs both labels"),
        (b"1\tcaf\xe9\n", "not UTF-8"),
        ("1\t" + "x" * 300_000, "the limit is 256 kB"),
    ],
)
def test_upload_errors_name_the_problem(text, message):
    with pytest.raises(ValueError, match=message):
        pg.parse_labelled(text)


# -- training --------------------------------------------------------------------------------------
def test_config_limits():
    for bad in ({"hidden": 0}, {"hidden": 17}, {"steps": pg.MAX_STEPS + 1}, {"lr": 0}, {"max_seconds": 61}):
        with pytest.raises(ValueError):
            pg.TrainConfig(**bad)  # type: ignore[arg-type]


def _wait(trainer: pg.Trainer, limit: float = 60) -> None:
    end = time.monotonic() + limit
    while trainer.running and time.monotonic() < end:
        trainer.heartbeat()
        time.sleep(0.05)
    assert not trainer.running


def test_short_training_improves_and_records_snapshots(tmp_path):
    task = pg.make_task("sentiment", n_train=1000, n_test=300)
    trainer = pg.Trainer(task, pg.TrainConfig(steps=250, snapshot_every=50)).start()
    _wait(trainer)
    assert trainer.status == "done", trainer.note
    snaps = trainer.snapshots
    assert [s.step for s in snaps] == [0, 50, 100, 150, 200, 250]
    first, last = snaps[0], snaps[-1]
    assert last.test_accuracy >= 0.85 and last.test_accuracy > first.test_accuracy + 0.25
    assert last.loss < first.loss
    assert last.flow is not None and last.flow.dx.shape == (15, 15)
    assert len(last.paths) == pg.N_SHOWN and last.paths[0].shape == (len(last.texts[0].split()) + 1, 2)
    assert set(last.labels.tolist()) == {0, 1}
    assert not any(p.requires_grad for p in trainer.model.parameters())

    fp = pg.snapshot_fixed_points(last, n_starts=16)
    assert fp.hidden.shape[1] == 2
    fig = training_space_figure(last, fixed_points=fp, label_names=task.label_names)
    names = [t.name for t in fig.data]
    assert any("flow" in (n or "") for n in names) and any("readout boundary" in (n or "") for n in names)
    assert any("fixed point" in (n or "") for n in names)
    fig.to_json()
    curves = training_curves_figure(snaps, total_steps=250, at_step=100)
    assert list(curves.data[2].x) == [0, 50, 100, 150, 200, 250]
    assert curves.layout.shapes[0].x0 == 100
    at_100 = next(s for s in snaps if s.step == 100)
    assert f"replay at step 100, held-out accuracy {at_100.test_accuracy:.0%}" in curves.layout.title.text
    assert "replay" not in training_curves_figure(snaps, total_steps=250).layout.title.text
    curves.to_json()

    tr = pg.trace_text(trainer, "the plot was very good in the end")
    assert tr.T == 8 and tr.final > 0.5  # a plain positive review, read by the trained model
    path = pg.save_trained(trainer, tmp_path)
    loaded = rnnviz.load_model(path)
    assert loaded.meta["task"] == "sentiment" and abs(rnnviz.trace(loaded, tr.text).final - tr.final) < 1e-3
    assert path.suffix == ".safetensors" and rnnviz.load_inference_model(path).meta == loaded.meta
    assert pg.checkpoint_bytes(trainer)[8:9] == b"{"  # a safetensors header, not a pickle
    name, data = pg.checkpoint_file(trainer)
    (tmp_path / "download").mkdir()
    download = tmp_path / "download" / name
    download.write_bytes(data)
    assert abs(rnnviz.trace(rnnviz.load_model(download), tr.text).final - tr.final) < 1e-3


def test_the_checkpoint_records_the_settings_that_train_it_again(tmp_path):
    task = pg.make_task("counting", n_train=200, n_test=40, seed=3)
    trainer = pg.Trainer(task, pg.TrainConfig(arch="gru", hidden=3, steps=300, lr=0.03, seed=5)).start()
    time.sleep(0.2)
    trainer.stop()  # stopped part-way: the record says how many steps were taken
    _wait(trainer)
    meta = pg.checkpoint_meta(trainer)
    assert meta["settings"]["steps"] == trainer.step < 300 and meta["task_seed"] == 3
    namespace: dict = {}
    exec(meta["command"], namespace)  # what the record says to run
    again = namespace["trainer"]
    assert again.status == "done" and again.step == trainer.step
    for (name, a), b in zip(trainer.model.state_dict().items(), again.model.state_dict().values(), strict=True):
        assert torch.equal(a, b), name


def test_each_trainer_has_an_identity_that_is_never_reused():
    """A uuid, not id(): CPython hands a freed trainer's id() to the next object, and the page's caches key on it."""
    task = pg.make_task("counting", n_train=20, n_test=5)
    trainers = [pg.Trainer(task, pg.TrainConfig(steps=1)) for _ in range(3)]
    assert len({t.id for t in trainers}) == 3
    for t in trainers:
        assert uuid.UUID(t.id).version == 4 and str(id(t)) not in t.id


def test_the_default_training_finishes_inside_the_time_cap():
    """The page's defaults (TrainConfig()) on the default task end by finishing every step, not by the time cap."""
    trainer = pg.Trainer(pg.make_task(pg.TASKS[0]), pg.TrainConfig()).start()
    _wait(trainer, pg.MAX_SECONDS + 10)
    assert trainer.status == "done", trainer.note
    assert trainer.step == pg.TrainConfig().steps and trainer.snapshots[-1].test_accuracy >= 0.85


def test_stop_time_cap_and_heartbeat_end_a_run():
    task = pg.make_task("counting", n_train=300, n_test=50)
    stopped = pg.Trainer(task, pg.TrainConfig(steps=pg.MAX_STEPS)).start()
    time.sleep(0.3)
    stopped.stop()
    _wait(stopped, 10)
    assert stopped.status == "stopped" and stopped.step < pg.MAX_STEPS

    capped = pg.Trainer(task, pg.TrainConfig(steps=pg.MAX_STEPS, max_seconds=1.0)).start()
    _wait(capped, 15)
    assert capped.status == "timed out" and capped.elapsed < 6

    orphan = pg.Trainer(task, pg.TrainConfig(steps=pg.MAX_STEPS, heartbeat_timeout=0.5)).start()
    orphan.join(15)  # nobody calls heartbeat(): the page is gone
    assert orphan.status == "abandoned"


def test_global_cap_says_busy():
    task = pg.make_task("counting", n_train=100, n_test=20)
    running = [pg.Trainer(task, pg.TrainConfig(steps=pg.MAX_STEPS)).start() for _ in range(pg.MAX_CONCURRENT)]
    try:
        with pytest.raises(pg.BusyError, match="busy"):
            pg.Trainer(task, pg.TrainConfig(steps=10)).start()
    finally:
        for t in running:
            t.stop()
        for t in running:
            _wait(t, 10)
    again = pg.Trainer(task, pg.TrainConfig(steps=5)).start()  # the slots are free again
    _wait(again, 20)
    assert again.status == "done"


def test_training_figures_escape_text_and_handle_other_sizes():
    task = pg.Task("upload", [pg.Example(("<b>x</b>", "good"), 1), pg.Example(("bad",), 0)] * 10, [], ("0", "1"))
    task = pg.Task("upload", task.train, task.train[:4], ("<i>no</i>", "yes"))
    for hidden in (1, 4):
        trainer = pg.Trainer(task, pg.TrainConfig(hidden=hidden, steps=10, snapshot_every=5)).start()
        _wait(trainer)
        snap = trainer.snapshots[-1]
        assert snap.flow is None
        fig = training_space_figure(snap, label_names=task.label_names)
        text = fig.to_json()
        assert "<b>x" not in text and "&lt;b&gt;x&lt;" in text and "&lt;i&gt;no" in text
