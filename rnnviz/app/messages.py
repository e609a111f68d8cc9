"""Text the page shows about what it reads: user text escaped for markdown, notes on cut or unknown words.

Plain Python (no streamlit).
"""

from __future__ import annotations

import re

from rnnviz.app.keys import MAX_TEXT_CHARS

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&\"'=^])")
# One inline code span as our messages write it: single backticks around text without backticks.
_CODE_SPAN = re.compile(r"((?<!`)`[^`]+`(?!`))")
# Streamlit's markdown (GitHub's) turns bare https://..., www.... and name@host.tld into links after
# the escapes are read, so no backslash can stop it. An invisible WORD JOINER (no gap, no line break)
# after "www", after a "scheme:" before "//" and after every "@" breaks each of those patterns.
LINK_BREAK = "\u2060"
_AUTOLINK = re.compile(r"(?i)(www(?=\.)|:(?=//)|@)")


def inert(text: str) -> str:
    """`text` with every autolink pattern broken by LINK_BREAK (it looks the same; no link is made of it)."""
    return _AUTOLINK.sub(lambda m: m.group(1) + LINK_BREAK, text)


def md_escape(text: str) -> str:
    """User text made safe for st.markdown: every markdown, HTML and LaTeX character shown literally, no links."""
    return _MD_SPECIAL.sub(r"\\\1", inert(" ".join(text.split())))


def md_message(text: str) -> str:
    """An error or note for st.markdown: its `code spans` stay code, everything else as md_escape.

    Messages such as CheckpointError's quote commands in backticks (`git checkout -- rnn-2.safetensors`).
    md_escape would show the backticks literally, and Streamlit's markdown turns a bare " -- " into
    an em dash (also -> into an arrow), so the command could no longer be copied. Inside a code span
    Streamlit changes nothing, and a code span renders its content literally: no HTML, links or math.
    """
    pieces = _CODE_SPAN.split(" ".join(text.split()))  # text, span, text, span, ..., text
    return "".join(piece if i % 2 else _MD_SPECIAL.sub(r"\\\1", inert(piece)) for i, piece in enumerate(pieces))


def nothing_to_read_note(text: str) -> str:
    """The one note the page shows instead of the views when the text has no words (markdown, no user text)."""
    what = "The text is empty" if not text.strip() else "The text has no readable characters, only invisible ones"
    return f"{what}. Type a sentence above, or pick an example."


def shorten(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def truncation_note(n_read: int, n_total: int, n_chars: int) -> str:
    """What the views show when the text is longer than they read (a long paste, a long link)."""
    if n_read < n_total:
        note = f"Reading the first {n_read} of {n_total:,} tokens; the views show those {n_read}."
    else:
        note = f"Reading all {n_read} tokens."
    if n_chars >= MAX_TEXT_CHARS:
        note += f" The text box keeps the first {MAX_TEXT_CHARS:,} characters of a longer text."
    return note


def token_notes(tokens: list[str], kinds: list[str]) -> list[str]:
    """Which words the model did not know whole: built from pieces, or unknown."""
    notes = []
    pieces = list(dict.fromkeys(w for w, k in zip(tokens, kinds, strict=True) if k == "pieces"))
    unknown = list(dict.fromkeys(w for w, k in zip(tokens, kinds, strict=True) if k == "unknown"))
    if pieces:
        notes.append(
            f"Not in the training vocabulary, read from their pieces: {', '.join(shorten(w, 30) for w in pieces[:12])}"
        )
    if unknown:
        notes.append(f"Unknown, read as a blank word: {', '.join(shorten(w, 30) for w in unknown[:12])}")
    return notes
