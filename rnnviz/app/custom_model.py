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
import io
import re
import tempfile
import zipfile
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import rnnviz
from rnnviz.app import shorten
from rnnviz.checkpoint import read_checkpoint
from rnnviz.infer import NumpyRNN, inference_model

UPLOAD_KEY = "own_model_upload"  # the file uploader's widget key
HANDOFF_KEY = "rnnviz_custom_checkpoint"  # session state: (file name, checkpoint bytes) for the main page
CUSTOM_MODEL = "yours"  # the model picker's option for it: not a shipped name, so no link can ask for it
MAX_UPLOAD_MB = 20  # the shipped checkpoints are about 5 MB
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024  # Streamlit counts upload megabytes this way
MAX_TRACES = 64  # traces kept per session for the custom model

Source = Literal["upload", "playground"]
_HOW_TO_GET_ONE = "Upload a .pt file written by `python -m rnnviz.train` or downloaded from the training playground."


class UploadError(ValueError):
    """An uploaded file that cannot be used, with a message a person can act on."""


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
        """rnnviz.trace for this model, remembering the last MAX_TRACES runs."""
        key = (text, forget)
        if key in self._traces:
            self._traces.move_to_end(key)
            return self._traces[key]
        tr = rnnviz.trace(self.model, text, forget=forget)
        self._traces[key] = tr
        while len(self._traces) > MAX_TRACES:
            self._traces.popitem(last=False)
        return tr


def check_upload(file_name: str, n_bytes: int) -> None:
    """Before reading a file: it must be a non-empty .pt file of at most MAX_UPLOAD_MB."""
    if not file_name.lower().endswith(".pt"):
        raise UploadError(f"'{shorten(file_name)}' is not a .pt file. {_HOW_TO_GET_ONE}")
    if n_bytes <= 0:
        raise UploadError(f"'{shorten(file_name)}' is empty. {_HOW_TO_GET_ONE}")
    if n_bytes > MAX_UPLOAD_BYTES:
        raise UploadError(
            f"'{shorten(file_name)}' is {n_bytes / 1024 / 1024:.1f} MB; this app takes checkpoints of at most "
            f"{MAX_UPLOAD_MB} MB (the shipped ones are about 5 MB). Load a larger one from Python with "
            "`rnnviz.load_model(path)`."
        )


def safe_stem(file_name: str) -> str:
    """A short file stem of letters, digits, '-', '_' and '.' (the model's name in the views)."""
    stem = file_name[:-3] if file_name.lower().endswith(".pt") else file_name
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", stem).strip("._") or "model"
    return stem[:40]


def load_upload(file_name: str, data: bytes, source: Source = "upload") -> CustomModel:
    """Check and load an uploaded checkpoint (weights only, no torch); UploadError says what is wrong with it."""
    check_upload(file_name, len(data))
    shown = shorten(file_name)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise UploadError(
            f"'{shown}' is not an rnnviz checkpoint (not a PyTorch archive, or cut short). {_HOW_TO_GET_ONE}"
        ) from exc
    if unpacked > 2 * MAX_UPLOAD_BYTES:
        raise UploadError(f"'{shown}' unpacks to {unpacked / 1e6:,.0f} MB, more than this app takes.")
    with tempfile.TemporaryDirectory(prefix="rnnviz-upload-") as folder:
        path = Path(folder) / f"{safe_stem(file_name)}.pt"
        path.write_bytes(data)
        try:
            payload = read_checkpoint(path)  # weights only, and without torch: the page never imports it
            _check_sizes(payload, shown)
            model = inference_model(payload, path, name=safe_stem(file_name))
        except rnnviz.CheckpointError as exc:
            message = str(exc).replace(str(path), f"'{shown}'").replace("Restore it from git or retrain it.", "")
            raise UploadError(f"{message.strip()} {_HOW_TO_GET_ONE}") from exc
    return CustomModel(
        name=safe_stem(file_name),
        digest=hashlib.sha256(data).hexdigest(),
        model=model,
        source=source,
        n_bytes=len(data),
    )


def _check_sizes(payload: Any, shown: str) -> None:
    """The config must not ask for more weights than the file holds (a plainer message than a shape mismatch)."""
    try:
        config = payload["config"]
        v, e, h = (int(config[k]) for k in ("vocab_size", "embed", "hidden"))
        g = {"rnn": 1, "gru": 3, "lstm": 4}[config["arch"]]
        stored = sum(int(t.size) for t in payload["state"].values())
    except Exception:  # inference_model says what is wrong with such a file
        return
    wanted = v * e + g * h * (e + h + 2) + h + 1
    if min(v, e, h) > 0 and wanted > stored:
        raise UploadError(
            f"'{shown}' is damaged: its config asks for {wanted:,} weights but it holds {stored:,}. {_HOW_TO_GET_ONE}"
        )


def take_handoff(value: object) -> tuple[str, bytes]:
    """The session state's HANDOFF_KEY value -> (file name, bytes); bytes alone are accepted too."""
    if isinstance(value, bytes | bytearray):
        return "playground.pt", bytes(value)
    if isinstance(value, tuple | list) and len(value) == 2 and isinstance(value[1], bytes | bytearray):
        return str(value[0]), bytes(value[1])
    raise UploadError("The model handed over from another page is not a checkpoint; train it again.")
