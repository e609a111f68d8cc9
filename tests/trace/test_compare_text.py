"""The sentences comparing two models' readings (rnnviz.contrast): the step named is where the readings differ most,
every number is the traces' (as rounded on the page), and every direction and verdict word matches those numbers;
on the shipped models and on hand-built runs of the one cell."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest
from support import hand_params, hand_run

import rnnviz
from rnnviz.cell import sigmoid
from rnnviz.contrast import contrast, narrate_contrast, shown
from rnnviz.trace import Trace

SENTENCES = [
    "this movie is not bad",
    "this movie is not good",
    "the plot was dull but the acting was wonderful",
    "good",
    "an utterly predictable , yet oddly charming film that i would watch again",
]
MOVE = r"(rose|fell) from (\d+\.\d+) to (\d+\.\d+)|stayed at (\d+\.\d+)"
HEAD = re.compile(
    r"The two readings differ most at “(?P<word>.*)” \((?P<where>the first word|the last word|t = \d+)\), "
    r"by (?P<gap>\d+\.\d+): (?P<a>.+?) (?P<move_a>" + MOVE + r")(?P<join> and|, while) (?P<b>.+?) "
    r"(?P<move_b>" + MOVE + r")\. (?P<end>.*)$"
)


@pytest.fixture(scope="module")
def models():
    return {name: rnnviz.load_inference_model(name) for name in rnnviz.SHIPPED}


def o_before(tr: Trace, t: int) -> float:
    """o_{t-1}; before the first word, what the readout says of s_0."""
    if t > 1:
        return float(tr.outputs[t - 2])
    return float(sigmoid(np.float64(tr.V @ tr.hidden[0] + tr.c)))


def close(text: str, value: float) -> bool:
    """`text` is `value` rounded to the decimals it shows."""
    decimals = len(text.split(".")[1])
    return abs(float(text) - value) <= 0.5 * 10**-decimals + 1e-12


def check_move(phrase: str, before: float, after: float) -> str:
    """The phrase ('rose from x to y', 'fell ...', 'stayed at x') tells the move from `before` to `after`."""
    m = re.fullmatch(MOVE, phrase)
    assert m, phrase
    if m.group(4) is not None:
        assert close(m.group(4), before) and close(m.group(4), after), (phrase, before, after)
        assert float(shown(before)) == float(shown(after))
        return "stayed"
    word, b, a = m.group(1), m.group(2), m.group(3)
    assert close(b, before) and close(a, after), (phrase, before, after)
    assert (word == "rose") == (float(a) > float(b)) and float(a) != float(b), phrase
    return word


def check_story(a: Trace, b: Trace, names: tuple[str, str]) -> str:
    """Every claim of the story about runs a and b, checked against the traces themselves."""
    text = narrate_contrast(contrast(a, b, names))
    gaps = np.abs(a.outputs.astype(float) - b.outputs.astype(float))  # (T,)
    end_a, end_b = float(a.outputs[-1]), float(b.outputs[-1])
    verdict_a, verdict_b = ("positive" if o >= 0.5 else "negative" for o in (end_a, end_b))
    if text.startswith(f"{names[0]} and {names[1]} read every word alike"):
        assert all(shown(x) == shown(y) for x, y in zip(a.outputs, b.outputs, strict=True)), text
        assert verdict_a in text
        return text
    m = HEAD.match(text)
    assert m, text
    t = 1 + int(np.argmax(gaps))  # where the two readings differ most
    assert m["word"] == a.labels[t - 1]
    assert m["where"] == ("the first word" if t == 1 else "the last word" if t == a.T else f"t = {t}")
    assert (m["a"], m["b"]) == names
    move_a = check_move(m["move_a"], o_before(a, t), float(a.outputs[t - 1]))
    move_b = check_move(m["move_b"], o_before(b, t), float(b.outputs[t - 1]))
    assert (m["join"] == " and") == (move_a == move_b), text
    gap = abs(float(shown(a.outputs[t - 1])) - float(shown(b.outputs[t - 1])))  # the difference of the shown numbers
    assert abs(float(m["gap"]) - gap) < 1e-9 and abs(float(m["gap"]) - gaps[t - 1]) <= 0.011, text
    end = m["end"]
    if verdict_a == verdict_b:
        said = f"Both end {verdict_a}." if t == a.T else f"After the last word both read the text as {verdict_a} ("
        assert end.startswith(said), text
    else:
        said = (f"So {names[0]} ends {verdict_a} and {names[1]} {verdict_b}." if t == a.T else
                f"After the last word {names[0]} reads the text as {verdict_a} (")  # fmt: skip
        assert end.startswith(said) and (t == a.T or f" and {names[1]} as {verdict_b} (" in end), text
    if t != a.T:  # the verdict sentence gives the final numbers
        numbers = re.findall(r"\d+\.\d+", end)
        assert len(numbers) == 2 and close(numbers[0], end_a) and close(numbers[1], end_b), text
    return text


@pytest.mark.parametrize("text", SENTENCES)
@pytest.mark.parametrize(("one", "two"), list(itertools.permutations(rnnviz.SHIPPED, 2))[::2])
def test_the_story_of_two_shipped_models_matches_their_traces(models, text, one, two):
    a, b = rnnviz.trace(models[one], text), rnnviz.trace(models[two], text)
    check_story(a, b, (one, two))


def test_not_bad_on_rnn_2_and_gru_64_names_the_word_where_they_part(models):
    """The issue's question, answered from the numbers whatever they are: the story names the step of the largest
    difference and says how each model moved there and where each ends."""
    a, b = (rnnviz.trace(models[m], "this movie is not bad") for m in ("rnn-2", "gru-64"))
    text = check_story(a, b, ("rnn-2", "gru-64"))
    t = 1 + int(np.argmax(np.abs(a.outputs - b.outputs)))
    assert f"“{a.labels[t - 1]}”" in text and shown(a.outputs[t - 1]) in text and shown(b.outputs[t - 1]) in text


@pytest.mark.parametrize("arch", ["rnn", "gru", "lstm"])
@pytest.mark.parametrize("seed", range(6))
def test_the_story_holds_on_hand_built_runs(arch, seed):
    tokens = [f"w{k}" for k in range(1 + seed % 5)]
    a = hand_run(hand_params(arch, h=3, seed=seed), tokens, seed=seed)
    b = hand_run(hand_params("rnn", h=2, e=3, seed=seed + 10, scale=2.0), tokens, seed=seed)
    check_story(a, b, ("first", "second"))


def test_one_model_against_itself_reads_alike(models):
    tr = rnnviz.trace(models["rnn-2"], "this movie is not bad")
    text = check_story(tr, tr, ("rnn-2", "rnn-2 with your W"))
    assert "alike" in text and shown(tr.outputs[-1]) in text


def test_numbers_never_round_onto_the_undecided_line():
    for o in [0.4949, 0.495, 0.4996, 0.49999, 0.5, 0.5001, 0.503, 0.505, 0.0, 1.0, 0.123456]:
        assert (float(shown(o)) >= 0.5) == (o >= 0.5), o
        assert float(shown(o)) != 0.5 or o == 0.5, o
        assert close(shown(o), o)


def test_runs_that_read_different_words_or_forget_cannot_be_compared(models):
    a = rnnviz.trace(models["rnn-2"], "this movie is not bad")
    with pytest.raises(ValueError, match="different words"):
        contrast(a, rnnviz.trace(models["gru-64"], "this movie is bad"), ("rnn-2", "gru-64"))
    with pytest.raises(ValueError, match="goldfish"):
        contrast(a, rnnviz.trace(models["gru-64"], "this movie is not bad", forget=True), ("rnn-2", "gru-64"))


def test_the_readme_quotes_what_the_page_says_for_not_bad(models):
    """The README's Compare example is the sentence the page generates today: a changed model fails here."""
    from pathlib import Path

    readme = " ".join((Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8").split())
    a, b = (rnnviz.trace(models[m], "this movie is not bad") for m in ("rnn-2", "gru-64"))
    assert f'"{narrate_contrast(contrast(a, b, ("rnn-2", "gru-64")))}"' in readme
