"""How the shipped models read opinion words they never saw whole: new forms of known words, typos, new words.

Run: `python bench/unseen_words.py`. Each word is read alone (a one-word sentence); every word here is
built from its character n-grams by every shipped model (the vocabulary is checked). For each group
it prints how often a positive word gets a higher o_T than a negative one (over all pairs: 0.5 is
chance) and how often a word lands on its own side of 0.5. README quotes the numbers; tests/app/test_presets.py
checks that README's numbers are what this measures.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import rnnviz  # after the path: runs from a checkout

GROUPS: dict[str, tuple[list[str], list[str]]] = {
    "new forms of known words": (
        "marvellous marvellously enchantingly magnificently joyously inspiringly dazzlingly charmingly rivetingly "
        "flawlessly mesmerising mesmerizingly outstandingly phenomenally excellently wittily poignantly "
        "endearingly".split(),
        "horrendous boringly dully insipidly vapidly woeful appallingly incompetently shoddily pointlessly "
        "pretentiously drearily lamely disastrously stupidly annoyingly dismaying overrated tritely cringeworthy "
        "cringe-worthy godawful".split(),
    ),
    "typos": (
        "wonderfull amazng awsome brillant excelent beautifull delightfull terrifc fantastc enjoyible hilarous "
        "charmng gorgous movng".split(),
        "terible horible borring disapointing awfull dissapointing stupd medicore tedius pathetc unwatchible "
        "annoyng lousey dreadfull wrost".split(),
    ),
    "new words": (
        "fab swoonworthy bingeable rad gr8 heartwarmer feelgood unmissable rewatchable magisterial masterwork "
        "showstopping jawdropping spine-tingling".split(),
        "meh snoozefest trainwreck yawnfest cringy naff unwatchably abominable risible cack-handed".split(),
    ),
}


def measure(model: rnnviz.NumpyRNN, positive: list[str], negative: list[str]) -> tuple[float, float]:
    """(share of positive-negative pairs ranked right, share of words on their own side of 0.5)."""
    for word in positive + negative:
        if model.vocab.encode(word).kinds != ["pieces"]:
            raise ValueError(f"{model.name} does not build {word!r} from pieces: it is not unseen")
    pos = np.array([rnnviz.trace(model, w).final for w in positive])
    neg = np.array([rnnviz.trace(model, w).final for w in negative])
    ranked = float((pos[:, None] > neg[None, :]).mean())
    sided = float(((pos > 0.5).sum() + (neg < 0.5).sum()) / (len(pos) + len(neg)))
    return ranked, sided


def table() -> dict[str, dict[str, tuple[float, float]]]:
    models = {name: rnnviz.load_inference_model(name) for name in rnnviz.SHIPPED}
    return {group: {n: measure(m, *words) for n, m in models.items()} for group, words in GROUPS.items()}


if __name__ == "__main__":
    print("group (positive / negative words) | " + " | ".join(rnnviz.SHIPPED) + "   (ranked right / own side)")
    for group, row in table().items():
        pos, neg = GROUPS[group]
        cells = " | ".join(f"{r:.2f} / {s:.2f}" for r, s in row.values())
        print(f"{group} ({len(pos)} / {len(neg)}) | {cells}")
