"""The training playground: tasks the project generates itself, and a bounded background trainer with snapshots.

Tasks are lists of (tokens, label) with labels correct by construction from a fixed seed. A `Trainer` trains a
small SentimentRNN in a worker thread, one torch thread, within a wall-clock and step cap, at most
MAX_CONCURRENT at once per process, and stops when nobody has called `heartbeat()` for a while (the page
closed). Every few steps it records a `Snapshot` of plain numpy values for the figures.
"""

from __future__ import annotations

import random
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import torch
from torch import nn

from rnnviz.analysis import (
    CellParams,
    FixedPoints,
    Flow,
    cell_params,
    default_starts,
    find_fixed_points,
    flow_field,
)
from rnnviz.model import ARCHS, Arch, ModelConfig, SentimentRNN, save_checkpoint
from rnnviz.trace import Trace, trace
from rnnviz.vocab import Vocab, tokenize

TaskName = Literal["sentiment", "counting", "first_word", "upload"]
TASKS: tuple[TaskName, ...] = ("sentiment", "counting", "first_word", "upload")
TASK_TITLES: dict[TaskName, str] = {
    "sentiment": "Toy sentiment",
    "counting": "Counting: more a than b?",
    "first_word": "Remember the first word",
    "upload": "Your own data",
}
TASK_NOTES: dict[TaskName, str] = {
    "sentiment": "Short reviews from a small vocabulary. 'not' flips the adjective after it, 'very' makes it count "
    "twice, and after 'but' the second half decides. Neutral words follow the verdict, so a model that forgets "
    "(a goldfish) cannot tell.",
    "counting": "A string of a's and b's: positive when there are more a's than b's. The state has to count: "
    "an integrator, a line attractor in its purest form.",
    "first_word": "The first word is 'yes' or 'no' and is the label; distractor words of growing number follow. "
    "Shows how far back a plain RNN can remember compared with a gated one.",
    "upload": "A text file with one example per line: a label (0/1 or negative/positive), a TAB, the sentence.",
}
LABEL_NAMES: dict[TaskName, tuple[str, str]] = {
    "sentiment": ("negative", "positive"),
    "counting": ("more b (or equal)", "more a"),
    "first_word": ("first word 'no'", "first word 'yes'"),
    "upload": ("label 0", "label 1"),
}

# Hard limits: a shared demo must not be monopolised by one visitor.
MAX_SECONDS = 60.0  # wall clock per training
MAX_STEPS = 5000
MAX_HIDDEN = 16
MAX_CONCURRENT = 2  # trainings per server process
HEARTBEAT_TIMEOUT = 10.0  # seconds without a heartbeat from the page: the session is gone, stop
MAX_UPLOAD_BYTES = 256_000
MAX_UPLOAD_LINES = 5000
MAX_UPLOAD_TOKENS = 60  # per sentence; longer ones are cut
MIN_UPLOAD_EXAMPLES = 20
N_SHOWN = 48  # training sentences whose paths every snapshot records

_SLOTS = threading.BoundedSemaphore(MAX_CONCURRENT)


class BusyError(RuntimeError):
    """Every training slot on this server is taken."""


@dataclass(frozen=True)
class Example:
    """One sequence and its label; `prefix` is the label of the text so far at each step (-1: not yet defined)."""

    tokens: tuple[str, ...]
    label: int  # 0 or 1
    prefix: tuple[int, ...] = ()  # (T,) or empty: only the final label is known

    def __post_init__(self) -> None:
        if self.label not in (0, 1):
            raise ValueError(f"label must be 0 or 1, not {self.label!r}")
        if self.prefix and (len(self.prefix) != len(self.tokens) or self.prefix[-1] != self.label):
            raise ValueError("prefix labels must be one per token and end with the label")

    @property
    def text(self) -> str:
        return " ".join(self.tokens)


@dataclass(frozen=True)
class Task:
    """A binary sequence task: training and held-out examples, and how to talk about it."""

    name: TaskName
    train: list[Example]
    test: list[Example]
    label_names: tuple[str, str] = ("negative", "positive")
    ngrams: bool = False  # build the vocabulary with character n-grams (uploaded text), or words only

    @property
    def title(self) -> str:
        return TASK_TITLES[self.name]


# -- task generators -------------------------------------------------------------------------------
POSITIVE_WORDS = ("good", "great", "fun", "lovely", "superb", "clever")
NEGATIVE_WORDS = ("bad", "awful", "dull", "boring", "poor", "clumsy")
NOUNS = ("movie", "film", "plot", "acting", "story", "cast", "script", "music")
VERBS = ("was", "is", "felt", "seemed")
TAIL_WORDS = ("in", "the", "end", "for", "most", "of", "it", "to", "me", "and", "on", "whole", "at", "times", "really")
NOT_RATE = 0.1  # a 2-neuron plain RNN rarely learns 'not' (an XOR): kept rare enough that it still reaches 0.9
DISTRACTORS = ("the", "a", "cat", "sat", "on", "mat", "and", "then", "it", "ran", "far", "away", "blue", "sky", "so")


def _sign(score: int) -> int:
    return -1 if score == 0 else int(score > 0)


def _clause(rng: random.Random) -> tuple[list[str], int]:
    """'the plot was not very good' -> (tokens, value): +-1 per polarity, x2 for 'very', sign flipped by 'not'."""
    positive = rng.random() < 0.5
    words = ["the", rng.choice(NOUNS), rng.choice(VERBS)]
    value = 1 if positive else -1
    if rng.random() < NOT_RATE:
        words.append("not")
        value = -value
    if rng.random() < 0.3:
        words.append("very")
        value *= 2
    words.append(rng.choice(POSITIVE_WORDS if positive else NEGATIVE_WORDS))
    return words, value


def sentiment_example(rng: random.Random) -> Example:
    """One toy review. Score: one clause alone; 'A and B' sums them; 'A but B' counts B three times (so B decides).

    Ties ('good and bad') are drawn again. A tail of 2..7 neutral words follows, so the verdict must be remembered.
    """
    while True:
        first, v1 = _clause(rng)
        prefix = [-1] * (len(first) - 1) + [_sign(v1)]
        r = rng.random()
        if r < 0.5:
            tokens, score = first, v1
        else:
            second, v2 = _clause(rng)
            joint = "and" if r < 0.7 else "but"
            tokens = [*first, joint, *second]
            score = v1 + v2 if joint == "and" else v1 + 3 * v2
            prefix += [_sign(v1)] * len(second) + [_sign(score)]  # the verdict so far holds until B's adjective
        if score != 0:
            break
    tail = [rng.choice(TAIL_WORDS) for _ in range(rng.randint(2, 7))]
    label = int(score > 0)
    return Example(tuple(tokens + tail), label, tuple(prefix + [label] * len(tail)))


def counting_example(rng: random.Random, min_len: int = 3, max_len: int = 20) -> Example:
    """A string of 'a' and 'b'; label 1 when there are more a's than b's (ties are label 0)."""
    n = rng.randint(min_len, max_len)
    p = rng.uniform(0.25, 0.75)  # some strings lopsided, many close
    tokens = tuple("a" if rng.random() < p else "b" for _ in range(n))
    lead = np.cumsum([1 if w == "a" else -1 for w in tokens])  # (T,) a's minus b's so far
    return Example(tokens, int(lead[-1] > 0), tuple(int(d > 0) for d in lead))


def first_word_example(rng: random.Random, min_distractors: int = 5, max_distractors: int = 50) -> Example:
    """'yes' or 'no', then min..max_distractors distractor words; the label is the first word."""
    first = rng.choice(("yes", "no"))
    n = rng.randint(min_distractors, max_distractors)
    # Only the final label: the gradient has to travel back over every distractor (where a plain RNN's fades).
    return Example((first, *(rng.choice(DISTRACTORS) for _ in range(n))), int(first == "yes"))


_GENERATORS = {"sentiment": sentiment_example, "counting": counting_example, "first_word": first_word_example}


def make_task(name: TaskName, *, n_train: int = 2000, n_test: int = 500, seed: int = 0, text: str | bytes = "") -> Task:
    """A task by name. Generated tasks are the same for the same seed; 'upload' parses `text` (see parse_labelled)."""
    if name == "upload":
        examples = parse_labelled(text)
        rng = random.Random(seed)
        rng.shuffle(examples)
        n_test = max(1, len(examples) // 5)
        return Task("upload", examples[n_test:], examples[:n_test], LABEL_NAMES["upload"], ngrams=True)
    if name not in _GENERATORS:
        raise ValueError(f"unknown task {name!r}: pick one of {', '.join(TASKS)}")
    rng = random.Random(seed)
    gen = _GENERATORS[name]
    train = [gen(rng) for _ in range(n_train)]
    test = [gen(rng) for _ in range(n_test)]
    return Task(name, train, test, LABEL_NAMES[name])


_LABELS = {"0": 0, "1": 1, "neg": 0, "pos": 1, "negative": 0, "positive": 1}


def parse_labelled(text: str | bytes, *, max_bytes: int = MAX_UPLOAD_BYTES) -> list[Example]:
    """Parse `label<TAB>sentence` lines (blank lines and lines starting with # are skipped).

    Raises ValueError naming the first bad line, or saying what is missing (too few examples, one label only).
    """
    size = len(text.encode("utf-8") if isinstance(text, str) else text)
    if size > max_bytes:
        raise ValueError(
            f"The file is {size / 1000:.0f} kB; the limit is {max_bytes / 1000:.0f} kB. Send a shorter one."
        )
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValueError(f"The file is not UTF-8 text (byte {exc.start} cannot be read).") from exc
    lines = text.splitlines()
    if len(lines) > MAX_UPLOAD_LINES:
        raise ValueError(f"The file has {len(lines):,} lines; the limit is {MAX_UPLOAD_LINES:,}.")
    examples = []
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if "\t" not in line:
            raise ValueError(
                f"Line {number}: no TAB between the label and the sentence (expected e.g. '1<TAB>a fine film')."
            )
        raw_label, sentence = line.split("\t", 1)
        label = _LABELS.get(raw_label.strip().lower())
        if label is None:
            shown = raw_label.strip()[:20] or "(empty)"
            raise ValueError(f"Line {number}: the label '{shown}' is not one of 0, 1, negative, positive.")
        tokens = tokenize(sentence)
        if not tokens:
            raise ValueError(f"Line {number}: the sentence after the TAB is empty.")
        examples.append(Example(tuple(tokens[:MAX_UPLOAD_TOKENS]), label))
    if len(examples) < MIN_UPLOAD_EXAMPLES:
        raise ValueError(f"The file has {len(examples)} examples; training needs at least {MIN_UPLOAD_EXAMPLES}.")
    counts = np.bincount([e.label for e in examples], minlength=2)
    if counts.min() == 0:
        raise ValueError(f"Every example has label {int(counts.argmax())}: the file needs both labels.")
    return examples


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


def _targets(task: Task, vocab: Vocab) -> tuple[list[list[int]], dict[str, int]]:
    """Every word type of the task, and its bag of embedding rows."""
    types = sorted({w for e in task.train + task.test for w in e.tokens})
    return [vocab.bag(w)[0] for w in types], {w: i for i, w in enumerate(types)}


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
        torch.manual_seed(self.config.seed)
        vocab = Vocab.build([e.tokens for e in task.train] * 2, max_ngrams=2000 if task.ngrams else 0)
        model_config = ModelConfig(self.config.arch, self.config.hidden, self.config.embed, vocab.size, dropout=0.0)
        self.model = SentimentRNN(model_config, vocab)
        self.model.name = f"playground-{task.name}-{self.config.arch}-{self.config.hidden}"

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
        assert model.vocab is not None
        rng = random.Random(cfg.seed)
        bags, type_index = _targets(task, model.vocab)
        train_ids = [[type_index[w] for w in e.tokens] for e in task.train]
        train_targets = [list(e.prefix) or [-1] * (len(e.tokens) - 1) + [e.label] for e in task.train]
        test_ids = [[type_index[w] for w in e.tokens] for e in task.test]
        test_y = np.array([e.label for e in task.test])
        shown = _pick_shown(task.train, N_SHOWN, cfg.seed)
        trainable = [p for p in model.parameters() if p.requires_grad]
        opt = torch.optim.Adam(trainable, lr=cfg.lr)
        losses: list[float] = []
        hits = seen = 0
        model.train()
        self._record(0, [], 0, 0, bags, test_ids, test_y, shown)
        deadline = self.started + cfg.max_seconds
        for step in range(1, cfg.steps + 1):
            if self._stop.is_set():
                return "stopped"
            now = time.monotonic()
            if now > deadline:
                return "timed out"
            if now - self._beat > cfg.heartbeat_timeout:
                return "abandoned"
            rows = [rng.randrange(len(train_ids)) for _ in range(cfg.batch)]
            logits, lengths = _logits(model, bags, [train_ids[r] for r in rows])  # (B, T), (B,)
            targets = torch.full(logits.shape, -1.0)
            for i, r in enumerate(rows):
                targets[i, : lengths[i]] = torch.tensor(train_targets[r], dtype=torch.float32)
            final = logits[torch.arange(len(rows)), lengths - 1]  # (B,)
            y = targets[torch.arange(len(rows)), lengths - 1]
            mask = targets >= 0  # labelled prefixes: "o_t is the verdict on the text so far"
            prefix_loss = nn.functional.binary_cross_entropy_with_logits(logits[mask], targets[mask])
            loss = 0.5 * prefix_loss + 0.5 * nn.functional.binary_cross_entropy_with_logits(final, y)
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(trainable, 5.0)
            opt.step()
            losses.append(float(loss.detach()))
            hits += int(((final > 0).float() == y).sum())
            seen += len(rows)
            self.step = step
            if step % cfg.snapshot_every == 0 or step == cfg.steps:
                self._record(step, losses, hits, seen, bags, test_ids, test_y, shown)
                losses, hits, seen = [], 0, 0
        return "done"

    @torch.no_grad()
    def _record(
        self,
        step: int,
        losses: list[float],
        hits: int,
        seen: int,
        bags: list[list[int]],
        test_ids: list[list[int]],
        test_y: np.ndarray,
        shown: list[Example],
    ) -> None:
        model = self.model
        model.eval()
        test_logits = _final_logits(model, bags, test_ids).numpy()
        test_acc = float(((test_logits > 0).astype(int) == test_y).mean())
        if not losses:  # step 0: the loss and accuracy of the untrained model on held-out data
            loss = float(
                nn.functional.binary_cross_entropy_with_logits(
                    torch.tensor(test_logits), torch.tensor(test_y, dtype=torch.float32)
                )
            )
            train_acc = test_acc
        else:
            loss, train_acc = float(np.mean(losses)), hits / max(seen, 1)
        emb = model.embed_bags(bags)  # (n_types, E)
        x_mean = emb.mean(dim=0).double().numpy()
        paths, outputs = [], []
        for e in shown:
            steps = model.steps([model.vocab.bag(w)[0] for w in e.tokens])  # type: ignore[union-attr]
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
            test_accuracy=test_acc,
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


def _logits(model: SentimentRNN, bags: list[list[int]], rows: list[list[int]]) -> tuple[torch.Tensor, torch.Tensor]:
    """(B, T) logits of o_t and (B,) lengths for rows of word-type ids (right-padded; the RNN never looks ahead)."""
    emb = model.embed_bags(bags)  # (n_types, E)
    lengths = torch.tensor([len(r) for r in rows])
    idx = torch.zeros(len(rows), int(lengths.max()), dtype=torch.long)
    for i, r in enumerate(rows):
        idx[i, : len(r)] = torch.tensor(r)
    return model(emb[idx]), lengths


def _final_logits(model: SentimentRNN, bags: list[list[int]], rows: list[list[int]]) -> torch.Tensor:
    """(B,) logits of o_T."""
    logits, lengths = _logits(model, bags, rows)
    return logits[torch.arange(len(rows)), lengths - 1]


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
    snaps = trainer.snapshots
    last = snaps[-1] if snaps else None
    return {
        "source": "rnnviz training playground",
        "task": trainer.task.name,
        "steps": trainer.step,
        "lr": trainer.config.lr,
        "test_accuracy": last.test_accuracy if last else None,
        "label_names": list(trainer.task.label_names),
    }


def save_trained(trainer: Trainer, directory: str | Path | None = None) -> Path:
    """Write the trained model as an ordinary rnnviz checkpoint (loadable with rnnviz.load_model)."""
    if trainer.running:
        raise RuntimeError("the model is still training")
    folder = Path(directory) if directory is not None else Path(tempfile.mkdtemp(prefix="rnnviz-playground-"))
    return save_checkpoint(trainer.model, folder / f"{trainer.model.name}.safetensors", meta=checkpoint_meta(trainer))


def checkpoint_bytes(trainer: Trainer) -> bytes:
    """The checkpoint file's bytes, for a download."""
    with tempfile.TemporaryDirectory(prefix="rnnviz-playground-") as folder:
        return save_trained(trainer, folder).read_bytes()
