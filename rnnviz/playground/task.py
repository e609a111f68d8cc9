"""The playground's tasks: toy data the project generates itself (labels correct by construction), and uploads.

A task is a list of training and held-out `Example`s (rnnviz.fit's labelled token sequences) and the names of
its two labels. Generated tasks are the same for the same seed; an upload is `label<TAB>sentence` lines.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal

import numpy as np

from rnnviz.fit import Example
from rnnviz.vocab import tokenize

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
    "counting": "A string of a's and b's: positive when there are more a's than b's. A model that solves it "
    "keeps a running count of a's minus b's in its state; whether a trained one does so with a line of fixed "
    "points (a line attractor) shows in the replay, where its fixed points are found and described.",
    "first_word": "The first word is 'yes' or 'no' and is the label; small unrelated sentences of growing "
    "length follow. "
    "Shows how far back a plain RNN can remember compared with a gated one.",
    "upload": "A text file with one example per line: a label (0/1 or negative/positive), a TAB, the sentence.",
}
LABEL_NAMES: dict[TaskName, tuple[str, str]] = {
    "sentiment": ("negative", "positive"),
    "counting": ("more b (or equal)", "more a"),
    "first_word": ("first word 'no'", "first word 'yes'"),
    "upload": ("label 0", "label 1"),
}

MAX_UPLOAD_BYTES = 256_000
MAX_UPLOAD_LINES = 5000
MAX_UPLOAD_TOKENS = 60  # per sentence; longer ones are cut
MIN_UPLOAD_EXAMPLES = 20


@dataclass(frozen=True)
class Task:
    """A binary sequence task: training and held-out examples, and how to talk about it."""

    name: TaskName
    train: list[Example]
    test: list[Example]
    label_names: tuple[str, str] = ("negative", "positive")
    ngrams: bool = False  # build the vocabulary with character n-grams (uploaded text), or words only
    seed: int = 0  # the seed it was generated (or, for an upload, split) with

    @property
    def title(self) -> str:
        return TASK_TITLES[self.name]


# -- task generators -------------------------------------------------------------------------------
POSITIVE_WORDS = ("good", "great", "fun", "lovely", "superb", "clever")
NEGATIVE_WORDS = ("bad", "awful", "dull", "boring", "poor", "clumsy")
NOUNS = ("movie", "film", "plot", "acting", "story", "cast", "script", "music")
VERBS = ("was", "is", "felt", "seemed")
# Neutral phrases that follow the verdict, whole so a sentence reads as English ("the plot was good in the end").
TAIL_PHRASES = (
    "in the end",
    "for most of it",
    "on the whole",
    "at times",
    "to me",
    "if you ask me",
    "for the most part",
    "all things considered",
    "from start to finish",
    "to be honest",
)
TAIL_WORDS = tuple(sorted({w for phrase in TAIL_PHRASES for w in phrase.split()}))
NOT_RATE = 0.1  # a 2-neuron plain RNN rarely learns 'not' (an XOR): kept rare enough that it still reaches 0.9
# Small sentences that carry no label, strung together after 'yes' or 'no'.
DISTRACTOR_PHRASES = (
    "the cat sat on the mat",
    "then it ran far away",
    "the sky was blue",
    "a dog slept in the sun",
    "so it goes",
    "the bus came late",
    "we had tea at noon",
    "it rained all day",
)
DISTRACTORS = tuple(sorted({w for phrase in DISTRACTOR_PHRASES for w in phrase.split()}))


def _sign(score: int) -> int | None:
    return None if score == 0 else int(score > 0)


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

    Ties ('good and bad') are drawn again. One or two neutral phrases follow (2..8 words), so the verdict must be
    remembered.
    """
    while True:
        first, v1 = _clause(rng)
        prefix: list[float | None] = [None] * (len(first) - 1) + [_sign(v1)]
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
    tail = rng.choice(TAIL_PHRASES).split()
    if rng.random() < 0.5:
        tail += [",", *rng.choice([t for t in TAIL_PHRASES if t.split() != tail]).split()]
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
    """'yes' or 'no', then small sentences until min..max_distractors words follow; the label is the first word."""
    first = rng.choice(("yes", "no"))
    n = rng.randint(min_distractors, max_distractors)
    words: list[str] = []
    while len(words) < n:
        words += [",", *rng.choice(DISTRACTOR_PHRASES).split()]
    # Only the final label: the gradient has to travel back over every distractor (where a plain RNN's fades).
    return Example((first, *words), int(first == "yes"))


_GENERATORS = {"sentiment": sentiment_example, "counting": counting_example, "first_word": first_word_example}


def make_task(name: TaskName, *, n_train: int = 2000, n_test: int = 500, seed: int = 0, text: str | bytes = "") -> Task:
    """A task by name. Generated tasks are the same for the same seed; 'upload' parses `text` (see parse_labelled)."""
    if name == "upload":
        examples = parse_labelled(text)
        rng = random.Random(seed)
        rng.shuffle(examples)
        n_test = max(1, len(examples) // 5)
        return Task("upload", examples[n_test:], examples[:n_test], LABEL_NAMES["upload"], ngrams=True, seed=seed)
    if name not in _GENERATORS:
        raise ValueError(f"unknown task {name!r}: pick one of {', '.join(TASKS)}")
    rng = random.Random(seed)
    gen = _GENERATORS[name]
    train = [gen(rng) for _ in range(n_train)]
    test = [gen(rng) for _ in range(n_test)]
    return Task(name, train, test, LABEL_NAMES[name], seed=seed)


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
