"""The playground's bounded background trainer: a worker thread, its caps, snapshots, and what comes after.

A `Trainer` trains a small SentimentRNN on a `Task` in a worker thread, one torch thread, within a wall-clock and
step cap, at most MAX_CONCURRENT at once per process, and stops when nobody has called `heartbeat()` for a while
(the page closed). Each step is rnnviz.fit.train_step, the one `python -m rnnviz.train` takes. Every few steps
it records a `Snapshot` of plain numpy values for the figures.
"""

from __future__ import annotations

import os
import random
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Literal

import numpy as np
import torch

from rnnviz import fit
from rnnviz.analysis import (
    CellParams,
    FixedPoints,
    Flow,
    cell_params,
    default_starts,
    find_fixed_points,
    flow_field,
)
from rnnviz.fit import Example
from rnnviz.model import ARCHS, Arch, ModelConfig, SentimentRNN, save_checkpoint
from rnnviz.playground.task import Task
from rnnviz.trace import Trace, trace
from rnnviz.vocab import Vocab

# Hard limits: a shared demo must not be monopolised by one visitor.
MAX_SECONDS = 60.0  # wall clock per training
MAX_STEPS = 5000
MAX_HIDDEN = 16
MAX_CONCURRENT = 2  # trainings per server process
HEARTBEAT_TIMEOUT = 10.0  # seconds without a heartbeat from the page: the session is gone, stop
N_SHOWN = 48  # training sentences whose paths every snapshot records
PREFIX_WEIGHT = 0.25  # loss weight of a labelled prefix against the whole sequence's label ("o_t: the text so far")
CLIP = 5.0  # gradient norm

_SLOTS = threading.BoundedSemaphore(MAX_CONCURRENT)
# Trainings yield to the pages' keystrokes: the worker thread runs at a lower OS priority (Linux sets a
# thread's niceness by its id), and gives the GIL up after every step for YIELD_S.
NICENESS = 10
YIELD_S = 0.002


class BusyError(RuntimeError):
    """Every training slot on this server is taken."""


# -- training --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TrainConfig:
    """What the user picks. Limits are checked here so a bad value fails before any thread starts."""

    arch: Arch = "rnn"
    hidden: int = 2  # H
    embed: int = 16  # E
    lr: float = 0.01
    steps: int = 800
    batch: int = 32
    seed: int = 0
    snapshot_every: int = 10
    max_seconds: float = MAX_SECONDS
    heartbeat_timeout: float = HEARTBEAT_TIMEOUT

    def __post_init__(self) -> None:
        if self.arch not in ARCHS:
            raise ValueError(f"arch must be one of {ARCHS}, not {self.arch!r}")
        if not 1 <= self.hidden <= MAX_HIDDEN:
            raise ValueError(f"hidden units must be 1..{MAX_HIDDEN}, not {self.hidden}")
        if not 1 <= self.steps <= MAX_STEPS:
            raise ValueError(f"steps must be 1..{MAX_STEPS}, not {self.steps}")
        if not 0 < self.lr <= 1:
            raise ValueError(f"learning rate must be in (0, 1], not {self.lr}")
        if not 0 < self.max_seconds <= MAX_SECONDS:
            raise ValueError(f"max_seconds must be in (0, {MAX_SECONDS:.0f}], not {self.max_seconds}")
        if self.snapshot_every < 1 or self.batch < 1:
            raise ValueError("snapshot_every and batch must be positive")


@dataclass(frozen=True)
class Snapshot:
    """The model at one training step, as plain numpy: what the curves and the state-space figure draw.

    `paths[i]` is s_0..s_T of training sentence i (N_SHOWN of them, both labels); `flow` is the update's flow
    for the average input (2-unit RNN or GRU only); `params` lets fixed points be found later for any snapshot.
    """

    step: int
    seconds: float
    loss: float  # mean training loss since the previous snapshot
    train_accuracy: float  # on the batches since the previous snapshot
    test_accuracy: float  # held-out examples
    paths: list[np.ndarray]  # N x (T_i+1, H)
    labels: np.ndarray  # (N,)
    outputs: np.ndarray  # (N,) o_T of each shown sentence
    texts: list[str]
    V: np.ndarray  # (H,)
    c: float
    params: CellParams
    x_mean: np.ndarray  # (E,) the average input of the task's words
    flow: Flow | None = None

    @property
    def H(self) -> int:
        return int(self.V.shape[0])

    @property
    def finals(self) -> np.ndarray:
        return np.stack([p[-1] for p in self.paths])  # (N, H)


Status = Literal["idle", "running", "done", "stopped", "timed out", "abandoned", "failed"]
_STOP_NOTES: dict[str, str] = {
    "done": "finished all steps",
    "stopped": "stopped by you",
    "timed out": f"stopped at the {MAX_SECONDS:.0f} s time limit",
    "abandoned": "stopped: the page stopped checking in (closed or left)",
}


class Trainer:
    """Train one model on one task in a background thread. Read `snapshots`/`status` from any thread."""

    def __init__(self, task: Task, config: TrainConfig | None = None) -> None:
        self.task = task
        self.config = config or TrainConfig()
        self.status: Status = "idle"
        self.error = ""
        self.step = 0
        self.started = 0.0
        self.finished = 0.0
        self._lock = threading.Lock()
        self._snapshots: list[Snapshot] = []
        self._stop = threading.Event()
        self._beat = time.monotonic()
        self._thread: threading.Thread | None = None
        self.id = uuid.uuid4().hex  # unlike id(self), never reused by a later trainer: caches key on it
        torch.manual_seed(self.config.seed)
        vocab = Vocab.build([e.tokens for e in task.train] * 2, max_ngrams=2000 if task.ngrams else 0)
        model_config = ModelConfig(self.config.arch, self.config.hidden, self.config.embed, vocab.size, dropout=0.0)
        self.model = SentimentRNN(model_config, vocab)
        self.model.name = f"playground-{task.name}-{self.config.arch}-{self.config.hidden}"
        self.table = fit.TypeTable(vocab)
        types = sorted({w for e in task.train + task.test for w in e.tokens})
        self.word_bags = [self.table.full[self.table.id(w)] for w in types]  # the task's words: x_mean averages them

    # -- control, from the page's thread --
    def start(self) -> Trainer:
        """Start the worker. Raises BusyError if MAX_CONCURRENT trainings already run on this server."""
        if self._thread is not None:
            raise RuntimeError("this trainer has already been started")
        if not _SLOTS.acquire(blocking=False):
            raise BusyError(
                f"The server is busy: {MAX_CONCURRENT} trainings are running already. Try again in a minute."
            )
        self.status = "running"
        self.started = time.monotonic()
        self._beat = self.started
        self._thread = threading.Thread(target=self._run, name="rnnviz-playground", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def heartbeat(self) -> None:
        """The page is still there: call this at least every HEARTBEAT_TIMEOUT seconds while training."""
        self._beat = time.monotonic()

    def join(self, timeout: float | None = None) -> bool:
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.running

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def snapshots(self) -> list[Snapshot]:
        with self._lock:
            return list(self._snapshots)

    @property
    def elapsed(self) -> float:
        if not self.started:
            return 0.0
        return (self.finished or time.monotonic()) - self.started

    @property
    def note(self) -> str:
        if self.status == "failed":
            return f"failed: {self.error}"
        return _STOP_NOTES.get(self.status, self.status)

    # -- the worker --
    def _run(self) -> None:
        try:
            torch.set_num_threads(1)  # tiny tensors: one thread, and the other core stays free
            lower_priority()
            self.status = self._train()
        except Exception as exc:  # the page shows it; the thread must not die silently
            self.error = f"{type(exc).__name__}: {exc}"
            self.status = "failed"
        finally:
            self.finished = time.monotonic()
            self.model.eval()
            for p in self.model.parameters():
                p.requires_grad_(False)
            _SLOTS.release()

    def _train(self) -> Status:
        cfg, task, model = self.config, self.task, self.model
        rng = random.Random(cfg.seed)
        table = self.table
        held_out = task.test or task.train
        shown = _pick_shown(task.train, N_SHOWN, cfg.seed)
        trainable = [p for p in model.parameters() if p.requires_grad]
        opt = torch.optim.Adam(trainable, lr=cfg.lr)
        losses: list[float] = []
        hits = seen = 0
        model.train()
        self._record(0, [], 0, 0, held_out, shown)
        deadline = self.started + cfg.max_seconds
        for step in range(1, cfg.steps + 1):
            if self._stop.is_set():
                return "stopped"
            now = time.monotonic()
            if now > deadline:
                return "timed out"
            if now - self._beat > cfg.heartbeat_timeout:
                return "abandoned"
            batch = [task.train[rng.randrange(len(task.train))] for _ in range(cfg.batch)]
            result = fit.train_step(model, opt, table, batch, prefix_weight=PREFIX_WEIGHT, clip=CLIP)
            losses.append(result.loss)
            hits += result.correct
            seen += len(batch)
            self.step = step
            if step % cfg.snapshot_every == 0 or step == cfg.steps:
                self._record(step, losses, hits, seen, held_out, shown)
                losses, hits, seen = [], 0, 0
            time.sleep(YIELD_S)  # let a page's run take the GIL between steps
        return "done"

    @torch.no_grad()
    def _record(
        self, step: int, losses: list[float], hits: int, seen: int, held_out: list[Example], shown: list[Example]
    ) -> None:
        model = self.model
        scores = fit.evaluate(model, self.table, held_out)
        if not losses:  # step 0: the loss and accuracy of the untrained model on held-out data
            loss, train_acc = scores.loss, scores.accuracy
        else:
            loss, train_acc = float(np.mean(losses)), hits / max(seen, 1)
        model.eval()
        x_mean = model.embed_bags(self.word_bags).mean(dim=0).double().numpy()  # (E,)
        paths, outputs = [], []
        for e in shown:
            steps = model.steps([self.table.full[t] for t in self.table.ids(e)])
            paths.append(steps.hidden.astype(np.float32))
            outputs.append(float(steps.outputs[-1]))
        params = cell_params(model)
        flow = None
        if params.H == 2 and params.arch != "lstm":
            flow = flow_field(params, x_mean, word="(average word)", n=15, lim=1.0)
        snap = Snapshot(
            step=step,
            seconds=time.monotonic() - self.started,
            loss=loss,
            train_accuracy=train_acc,
            test_accuracy=scores.accuracy,
            paths=paths,
            labels=np.array([e.label for e in shown]),
            outputs=np.array(outputs),
            texts=[e.text for e in shown],
            V=params.V.copy(),
            c=params.c,
            params=params,
            x_mean=x_mean,
            flow=flow,
        )
        with self._lock:
            self._snapshots.append(snap)
        model.train()


def _pick_shown(examples: list[Example], n: int, seed: int) -> list[Example]:
    """n training examples, half of each label where possible, shortest first within a fixed random draw."""
    rng = random.Random(seed + 1)
    by_label = [[e for e in examples if e.label == k] for k in (0, 1)]
    picked = []
    for group in by_label:
        picked += rng.sample(group, min(len(group), n // 2))
    return picked


# -- after training --------------------------------------------------------------------------------
def snapshot_fixed_points(snap: Snapshot, n_starts: int = 48) -> FixedPoints:
    """Fixed and slow points of one snapshot's update for the average input (a fraction of a second)."""
    around = np.concatenate(snap.paths).astype(np.float64)  # states the shown sentences reach
    starts = default_starts(snap.params, n_starts, seed=0, around=around)
    return find_fixed_points(snap.params, snap.x_mean, word="(average word)", starts=starts, n_steps=200)


def trace_text(trainer: Trainer, text: str) -> Trace:
    """The trained model reading `text`, for the main views. Only once training has ended."""
    if trainer.running:
        raise RuntimeError("the model is still training")
    return trace(trainer.model, text)


def checkpoint_meta(trainer: Trainer) -> dict[str, object]:
    """What the checkpoint records: the task and settings that train this model again, and how it did.

    `settings` are the TrainConfig fields with `steps` set to the steps actually taken (a stopped or timed-out run
    is reproduced by training that many steps); `command` is the Python that does it for a generated task.
    """
    snaps = trainer.snapshots
    last = snaps[-1] if snaps else None
    task = trainer.task
    settings = {f.name: getattr(trainer.config, f.name) for f in fields(trainer.config)} | {"steps": trainer.step}
    settings.pop("heartbeat_timeout")  # how long the page may be silent: not part of the model
    shown = ", ".join(f"{k}={v!r}" for k, v in settings.items())
    if task.name == "upload":
        made = f"make_task('upload', seed={task.seed}, text=open(YOUR_FILE, 'rb').read())"
    else:
        made = f"make_task({task.name!r}, n_train={len(task.train)}, n_test={len(task.test)}, seed={task.seed})"
    return {
        "source": "rnnviz training playground",
        "task": task.name,
        "task_seed": task.seed,
        "n_train": len(task.train),
        "n_test": len(task.test),
        "settings": settings,
        "command": (
            "from rnnviz.playground import Trainer, TrainConfig, make_task; "
            f"trainer = Trainer({made}, TrainConfig({shown}, heartbeat_timeout={settings['max_seconds']!r})); "
            "trainer.start().join(); trainer.model"
        ),
        "status": trainer.status,
        "steps": trainer.step,
        "lr": trainer.config.lr,
        "test_accuracy": last.test_accuracy if last else None,
        "label_names": list(task.label_names),
    }


def lower_priority(niceness: int = NICENESS) -> bool:
    """Lower the calling thread's scheduling priority (Linux: per thread); False where the OS does not allow it."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), os.getpriority(os.PRIO_PROCESS, 0) + niceness)
    except (AttributeError, OSError):
        return False
    return True


def save_trained(trainer: Trainer, directory: str | Path | None = None) -> Path:
    """Write the trained model as an ordinary rnnviz checkpoint (loadable with rnnviz.load_model)."""
    if trainer.running:
        raise RuntimeError("the model is still training")
    folder = Path(directory) if directory is not None else Path(tempfile.mkdtemp(prefix="rnnviz-playground-"))
    return save_checkpoint(trainer.model, folder / f"{trainer.model.name}.safetensors", meta=checkpoint_meta(trainer))


def checkpoint_file(trainer: Trainer) -> tuple[str, bytes]:
    """The checkpoint's file name and bytes, for a download or a hand-over to the main page."""
    with tempfile.TemporaryDirectory(prefix="rnnviz-playground-") as folder:
        path = save_trained(trainer, folder)
        return path.name, path.read_bytes()


def checkpoint_bytes(trainer: Trainer) -> bytes:
    """The checkpoint file's bytes, for a download."""
    return checkpoint_file(trainer)[1]
