"""A keystroke sends each chart a patch on the figure the page keeps, and the patch rebuilds that exact figure."""

from __future__ import annotations

import json
import random

import pytest
from support import app_test

import rnnviz
import rnnviz.figures as F  # noqa: N812
from rnnviz.app import CHART_KEYS, TEXT_KEY
from rnnviz.app.live_charts import PATCH_SHARE, chart_data, drawn_figures
from rnnviz.app.patch import apply, diff
from rnnviz.figures.style import json_text

SENTENCE = "the acting was wonderful and the story moved me but the ending felt rushed and the music was too "


def _random_json(rng: random.Random, depth: int = 0):
    kind = rng.choice(["num", "str", "list", "dict", "none"] if depth < 4 else ["num", "str", "none"])
    if kind == "num":
        return rng.choice([rng.randint(-3, 3), rng.random()])
    if kind == "str":
        return rng.choice(["a", "b", "s<sub>t</sub>", ""])
    if kind == "none":
        return None
    if kind == "list":
        return [_random_json(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {rng.choice("abcde"): _random_json(rng, depth + 1) for _ in range(rng.randint(0, 4))}


def _mutated(rng: random.Random, value):
    if isinstance(value, dict) and value and rng.random() < 0.8:
        out = dict(value)
        key = rng.choice(list(out))
        if rng.random() < 0.2:
            del out[key]
        else:
            out[key] = _mutated(rng, out[key])
        return out
    if isinstance(value, list) and value and rng.random() < 0.8:
        out = list(value)
        i = rng.randrange(len(out))
        rest = [] if rng.random() < 0.3 else [*out[i + 1 :], _random_json(rng, 3)]
        out[i:] = [_mutated(rng, out[i]), *rest]
        return out
    return _random_json(rng, 2)


def test_apply_undoes_diff_on_any_json_and_leaves_the_base_alone():
    rng = random.Random(7)
    for _ in range(2000):
        old = _random_json(rng)
        new = _mutated(rng, old)
        before = json.dumps(old)
        patch = diff(old, new)
        assert (patch is None) == (old == new)
        if patch is not None:
            patch = json.loads(json.dumps(patch))  # as the page receives it: list indices become strings
            assert apply(old, patch) == new
        assert json.dumps(old) == before


def test_a_typed_letter_patches_each_view_in_a_small_part_of_its_figure():
    model = rnnviz.load_inference_model("rnn-2")
    corpus = rnnviz.load_corpus("rnn-2")
    before, after = rnnviz.trace(model, SENTENCE + "lou"), rnnviz.trace(model, SENTENCE + "loud")
    for name, build in F.SPECS.items():
        options = {"corpus": corpus} if name == "projection" else {}
        old = json.loads(json_text(build(before, before.T, **options)))
        new = json.loads(json_text(build(after, after.T, **options)))
        patch = json_text(diff(old, new))
        assert apply(old, json.loads(patch)) == new
        assert len(patch) < 0.25 * len(json_text(new)), name  # what a keystroke sends of this view


def _sent(at) -> dict[str, dict]:
    return {el.proto.id.split("-", 2)[-1]: chart_data(el.proto) for el in at.get("bidi_component")}


@pytest.mark.parametrize("model", ["rnn-2", "lstm-64"])
def test_keystrokes_send_patches_that_rebuild_the_views_as_drawn_whole(model):
    at = app_test(query={"model": model, "text": SENTENCE + "l"}).run()
    first = _sent(at)
    assert all("figure" in d and "patch" not in d for k, d in first.items() if k in CHART_KEYS.values())
    for text in (SENTENCE + "lo", SENTENCE + "lou", SENTENCE + "lo"):
        at.text_input(key=TEXT_KEY).set_value(text).run()
        assert not at.exception
        sent = _sent(at)
        patched = [k for k in CHART_KEYS.values() if "patch" in sent[k]]
        # A 64-unit model's loop view is mostly the 64 new values of s_t: it may go whole.
        assert {"chart_positivity", "chart_projection"} <= set(patched), text
        for k in patched:
            assert sent[k]["keyframe"] == first[k]["keyframe"]  # on the figure the page was sent whole
            assert len(json.dumps(sent[k]["patch"])) <= PATCH_SHARE * len(json.dumps(first[k]["figure"]))
        whole = app_test(query={"model": model, "text": text}).run()  # a fresh session gets every figure whole
        assert drawn_figures(at.get("bidi_component")) == drawn_figures(whole.get("bidi_component")), text


def test_the_text_hash_is_fnv1a_of_utf16_code_units_as_the_page_computes_it():
    from rnnviz.app.live_charts import text_hash

    assert [text_hash(s) for s in ("", "a", "foobar")] == ["811c9dc5", "e40c292c", "bf9cf968"]  # FNV-1a vectors
    assert text_hash("é 😀") != text_hash("é 😁")  # a character outside the BMP is two UTF-16 units
