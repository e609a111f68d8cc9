"""Your own model in the dashboard: check an uploaded checkpoint and keep it for one session only.

Plain Python (no streamlit), so tests call it directly. The app keeps the loaded CustomModel in
st.session_state, never in a cache shared between sessions, and never writes it into assets/.

Handing a model to the main page from another page (the training playground does this):
    st.session_state[HANDOFF_KEY] = (file_name, checkpoint_bytes)
    st.switch_page("streamlit_app.py")
The main page takes it out of the session state, checks it like an upload and picks it.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Literal

import rnnviz
from rnnviz.app import shorten
from rnnviz.checkpoint import CHECKPOINT_SUFFIX, LEGACY_SUFFIX, UPLOAD_LIMITS, convert_command, read_checkpoint
from rnnviz.infer import NumpyRNN, inference_model

UPLOAD_KEY = "own_model_upload"  # the file uploader's widget key
HANDOFF_KEY = "rnnviz_custom_checkpoint"  # session state: (file name, checkpoint bytes) for the main page
CUSTOM_MODEL = "yours"  # the model picker's option for it: not a shipped name, so no link can ask for it
MAX_UPLOAD_BYTES = UPLOAD_LIMITS.max_file_bytes
MAX_UPLOAD_MB = MAX_UPLOAD_BYTES // 2**20  # Streamlit counts upload megabytes this way; the shipped ones are ~5 MB
UPLOAD_TYPES = ("safetensors", "pt")  # a .pt is taken only to say how to convert it
MAX_TRACES = 64  # traces kept per session for the custom model
# ... and at most this many bytes of them: an H = 256 LSTM's trace of 200 tokens is ~4 MB, so 64 of
# them would hold 250 MB for one visitor.
MAX_TRACE_BYTES = 16 * 2**20

Source = Literal["upload", "playground"]
_HOW_TO_GET_ONE = (
    f"Upload a {CHECKPOINT_SUFFIX} file written by `python -m rnnviz.train` or downloaded from the training playground."
)


class UploadError(ValueError):
    """An uploaded file that cannot be used, with a message a person can act on."""


class TraceError(ValueError):
    """Your own model loaded but could not read a text (its weights fail in the cell): a note, not a crash."""


def trace_bytes(tr: rnnviz.Trace) -> int:
    """The memory a trace's arrays hold."""
    arrays = [tr.hidden, tr.outputs, tr.input_part, tr.memory_part, tr.V, *tr.gates.values()]
    return sum(a.nbytes for a in arrays)


@dataclass(eq=False)
class CustomModel:
    """One session's own model: the loaded network (numpy, no torch) and its recent traces."""

    name: str  # from the file name
    digest: str  # sha256 of the checkpoint bytes
    model: NumpyRNN
    source: Source = "upload"
    n_bytes: int = 0
    _traces: OrderedDict[tuple[str, bool], rnnviz.Trace] = field(default_factory=OrderedDict, repr=False)

    @property
    def label(self) -> str:
        """What the model picker shows."""
        return f"yours: {shorten(self.name, 24)}"

    def describe(self) -> str:
        c = self.model.config
        origin = "trained in the playground" if self.source == "playground" else "uploaded"
        return (
            f"{shorten(self.name, 40)}: {c.arch}, {c.hidden} hidden units, {c.vocab_size:,} vocabulary entries "
            f"({origin}, {self.n_bytes / 1e6:.1f} MB)"
        )

    def trace(self, text: str, forget: bool = False) -> rnnviz.Trace:
        """rnnviz.trace for this model, remembering the last MAX_TRACES runs (at most MAX_TRACE_BYTES of them).

        ValueError for a text it cannot read (empty); TraceError, a ValueError too, when the model
        itself fails on it, whatever the weights raise (the page shows a note, never an exception box).
        """
        key = (text, forget)
        if key in self._traces:
            self._traces.move_to_end(key)
            return self._traces[key]
        try:
            tr = rnnviz.trace(self.model, text, forget=forget)
        except ValueError as exc:
            if not rnnviz.tokenize(text):  # no words: the page's usual note
                raise
            raise TraceError(self._failed(exc)) from None
        except Exception as exc:  # a checked file may still hold weights that fail in the cell
            raise TraceError(self._failed(exc)) from None
        self._traces[key] = tr
        while len(self._traces) > MAX_TRACES or (
            len(self._traces) > 1 and sum(map(trace_bytes, self._traces.values())) > MAX_TRACE_BYTES
        ):
            self._traces.popitem(last=False)
        return tr

    def _failed(self, exc: Exception) -> str:
        return (
            f"Your model {shorten(self.name, 40)} could not read this text ({type(exc).__name__}: "
            f"{shorten(str(exc), 80)}). Pick a shipped model above, or upload another checkpoint."
        )


def check_upload(file_name: str, n_bytes: int) -> None:
    """Before reading a file: a non-empty .safetensors file of at most MAX_UPLOAD_MB (an old .pt: how to convert it)."""
    shown = shorten(file_name)
    if file_name.lower().endswith(LEGACY_SUFFIX):
        raise UploadError(
            f"'{shown}' is an old .pt checkpoint, which rnnviz no longer reads. Convert it on your computer with "
            f"`{convert_command(safe_stem(file_name) + LEGACY_SUFFIX)}` and upload the new file."
        )
    if not file_name.lower().endswith(CHECKPOINT_SUFFIX):
        raise UploadError(f"'{shown}' is not a {CHECKPOINT_SUFFIX} file. {_HOW_TO_GET_ONE}")
    if n_bytes <= 0:
        raise UploadError(f"'{shown}' is empty. {_HOW_TO_GET_ONE}")
    if n_bytes > MAX_UPLOAD_BYTES:
        raise UploadError(
            f"'{shown}' is {n_bytes / 2**20:.1f} MB; this app takes checkpoints of at most "
            f"{MAX_UPLOAD_MB} MB (the shipped ones are about 5 MB). Load a larger one from Python with "
            "`rnnviz.load_model(path)`."
        )


def safe_stem(file_name: str) -> str:
    """A short file stem of letters, digits, '-', '_' and '.' (the model's name in the views)."""
    stem = file_name
    for suffix in (CHECKPOINT_SUFFIX, LEGACY_SUFFIX):
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", stem).strip("._") or "model"
    return stem[:40]


def load_upload(file_name: str, data: bytes, source: Source = "upload") -> CustomModel:
    """Check and load an uploaded checkpoint (no torch, no pickle); UploadError says what is wrong with it.

    The bytes are read in memory with UPLOAD_LIMITS (file size, H, E, V, float32 footprint), all
    checked before a weight is allocated; nothing is written to disk.
    """
    check_upload(file_name, len(data))
    shown = shorten(file_name)
    try:
        checkpoint = read_checkpoint(data, name=f"'{shown}'", limits=UPLOAD_LIMITS)
    except rnnviz.CheckpointError as exc:
        if " at most " in exc.reason:
            advice = (
                f"This app takes models up to {UPLOAD_LIMITS.describe()}; "
                "load a larger one from Python with `rnnviz.load_model(path)`."
            )
        elif "rnnviz.convert" in exc.reason:
            advice = "Upload the converted file."
        else:
            advice = _HOW_TO_GET_ONE
        raise UploadError(f"'{shown}' {exc.reason}. {advice}") from None
    return CustomModel(
        name=safe_stem(file_name),
        digest=hashlib.sha256(data).hexdigest(),
        model=inference_model(checkpoint, name=safe_stem(file_name)),
        source=source,
        n_bytes=len(data),
    )


def take_handoff(value: object) -> tuple[str, bytes]:
    """The session state's HANDOFF_KEY value -> (file name, bytes); bytes alone are accepted too."""
    if isinstance(value, bytes | bytearray):
        return f"playground{CHECKPOINT_SUFFIX}", bytes(value)
    if isinstance(value, tuple | list) and len(value) == 2 and isinstance(value[1], bytes | bytearray):
        return str(value[0]), bytes(value[1])
    raise UploadError("The model handed over from another page is not a checkpoint; train it again.")
