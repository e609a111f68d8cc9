"""Checkpoints without torch: the config, the shapes, and a reader for the files torch.save writes.

A checkpoint is a torch.save zip archive: `<prefix>/data.pkl` (a pickle of plain dicts, lists,
strings and numbers, with tensors as references to storages) and one raw storage per tensor in
`<prefix>/data/<key>`. `read_checkpoint` unpickles it with a closed list of globals (what our
checkpoints hold and nothing else) and reads each storage into a numpy array, so the app can load
a model without importing torch. rnnviz.model re-exports everything here.
"""

from __future__ import annotations

import io
import math
import os
import pickle
import zipfile
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Literal

import numpy as np

from rnnviz.vocab import Vocab

Arch = Literal["rnn", "gru", "lstm"]
ARCHS: tuple[Arch, ...] = ("rnn", "gru", "lstm")
GATE_NAMES: dict[str, tuple[str, ...]] = {"rnn": (), "gru": ("r", "z", "n"), "lstm": ("i", "f", "g", "o")}
CHECKPOINT_FORMAT = "rnnviz-checkpoint"
CHECKPOINT_VERSION = 1
SHIPPED = ("rnn-2", "rnn-64", "gru-64", "lstm-64")
ASSETS_ENV = "RNNVIZ_ASSETS"
# assets/ beside the package in a checkout; rnnviz/assets inside it once installed with pip.
_CHECKOUT_ASSETS = Path(__file__).resolve().parent.parent / "assets"
DEFAULT_ASSETS = _CHECKOUT_ASSETS if _CHECKOUT_ASSETS.is_dir() else Path(__file__).resolve().parent / "assets"


class CheckpointError(Exception):
    """A checkpoint file is missing, unreadable, or not an rnnviz checkpoint."""


@dataclass(frozen=True)
class ModelConfig:
    """Everything needed to rebuild a model's shapes; stored inside the checkpoint."""

    arch: Arch
    hidden: int  # H
    embed: int  # E
    vocab_size: int  # V: words + character n-grams
    dropout: float = 0.5

    def __post_init__(self) -> None:
        if self.arch not in ARCHS:
            raise ValueError(f"arch must be one of {ARCHS}, not {self.arch!r}")
        if self.hidden < 1 or self.embed < 1 or self.vocab_size < 1:
            raise ValueError("hidden, embed and vocab_size must be positive")

    @property
    def n_gates(self) -> int:
        return {"rnn": 1, "gru": 3, "lstm": 4}[self.arch]


@dataclass(frozen=True)
class Steps:
    """Every intermediate value of one written-out pass over T tokens (float32 numpy)."""

    x: np.ndarray  # (T, E) inputs x_t
    hidden: np.ndarray  # (T+1, H) s_t, row 0 = s_0
    outputs: np.ndarray  # (T,) o_t
    input_part: np.ndarray  # (T, G*H) U x_t
    memory_part: np.ndarray  # (T, G*H) W s_{t-1} (what the cell read from its memory)
    gates: dict[str, np.ndarray] = field(default_factory=dict)  # name -> (T, H)


def resolve_checkpoint(name_or_path: str | os.PathLike[str]) -> Path:
    """A shipped model's name ('rnn-2') or a path to a checkpoint file."""
    text = str(name_or_path)
    if text in SHIPPED:
        return Path(os.environ.get(ASSETS_ENV) or DEFAULT_ASSETS) / f"{text}.pt"
    path = Path(text)
    if path.suffix != ".pt" and not path.exists():
        raise CheckpointError(f"Unknown model {text!r}: use one of {', '.join(SHIPPED)} or a path to a .pt checkpoint.")
    return path


def find_checkpoint(name_or_path: str | os.PathLike[str]) -> Path:
    """resolve_checkpoint, and the file must be there."""
    path = resolve_checkpoint(name_or_path)
    if not path.is_file():
        raise CheckpointError(
            f"Checkpoint {path} is missing. Restore it with `git checkout -- {path.name}` in assets/ "
            "or retrain it with `python -m rnnviz.train` (see README)."
        )
    return path


def model_name(name_or_path: str | os.PathLike[str], path: Path) -> str:
    """What the views call a loaded model: the shipped name, or the file's stem."""
    return str(name_or_path) if str(name_or_path) in SHIPPED else path.stem


def unreadable(path: str | os.PathLike[str], exc: BaseException) -> CheckpointError:
    """The error for a file that is not a readable archive (truncated, corrupt, foreign bytes)."""
    return CheckpointError(
        f"Checkpoint {path} cannot be read ({type(exc).__name__}): the file is truncated or corrupt. "
        "Restore it from git or retrain it."
    )


def check_crc(path: str | os.PathLike[str]) -> None:
    """torch.load does not check the archive's CRC-32s: flipped bytes inside a tensor would load as garbage."""
    with zipfile.ZipFile(path) as archive:
        bad = archive.testzip()
    if bad is not None:
        raise ValueError(f"checksum mismatch in {bad}")


def check_shapes(config: ModelConfig, state: Mapping[str, Any]) -> None:
    """The stored tensors (torch or numpy) have exactly the shapes the config asks for."""
    g, h, e = config.n_gates, config.hidden, config.embed
    expected = {
        "embedding.weight": (config.vocab_size, e),
        "U": (g * h, e),
        "W": (g * h, h),
        "b": (g * h,),
        "b_hh": (g * h,),
        "V": (h,),
        "c": (),
    }
    for key, shape in expected.items():
        tensor = state.get(key)
        found = getattr(tensor, "shape", None)
        if not isinstance(found, tuple) or tuple(found) != shape:
            shown = tuple(found) if isinstance(found, tuple) else type(tensor).__name__
            raise ValueError(f"tensor {key!r} should be {shape} for this config, found {shown}")


def check_payload(payload: object, path: str | os.PathLike[str]) -> tuple[ModelConfig, Vocab, dict[str, Any]]:
    """(config, vocabulary, state) of an unpickled checkpoint, checked before anything is built from it.

    The same checks and messages for torch.load's payload (tensors) and read_checkpoint's (numpy).
    """
    if not isinstance(payload, dict) or payload.get("format") != CHECKPOINT_FORMAT:
        raise CheckpointError(f"{path} is not an rnnviz checkpoint (no '{CHECKPOINT_FORMAT}' header).")
    if payload.get("version") != CHECKPOINT_VERSION:
        raise CheckpointError(f"{path} has checkpoint version {payload.get('version')}, expected {CHECKPOINT_VERSION}.")
    try:
        config = ModelConfig(**payload["config"])
        state = payload["state"]
        if not isinstance(state, dict):
            raise TypeError(f"state is a {type(state).__name__}, not a dict of tensors")
        check_shapes(config, state)  # before allocating: a crafted config could ask for GBs
        vocab = Vocab(payload["vocab"]["words"], payload["vocab"]["ngrams"])
        if vocab.size != config.vocab_size:
            raise ValueError(f"vocabulary has {vocab.size} entries, config says {config.vocab_size}")
    except (KeyError, TypeError, ValueError, RuntimeError) as exc:
        raise damaged(path, exc) from exc
    return config, vocab, state


def damaged(path: str | os.PathLike[str], exc: BaseException) -> CheckpointError:
    return CheckpointError(f"Checkpoint {path} is damaged: {exc}")


# -- reading torch.save archives without torch -----------------------------------------------------
# torch's legacy storage type names (what torch.save writes) -> numpy dtypes. BFloat16 and the complex
# and quantized types have no place in our checkpoints and are refused.
_STORAGE_DTYPES = {
    "HalfStorage": np.float16,
    "FloatStorage": np.float32,
    "DoubleStorage": np.float64,
    "ByteStorage": np.uint8,
    "CharStorage": np.int8,
    "ShortStorage": np.int16,
    "IntStorage": np.int32,
    "LongStorage": np.int64,
    "BoolStorage": np.bool_,
}


@dataclass(frozen=True, slots=True)  # slots: a pickle's BUILD cannot rewrite it
class _StorageType:
    """What the unpickler hands out for torch.FloatStorage and friends: only a dtype."""

    dtype: np.dtype


@dataclass(frozen=True, slots=True)
class _Storage:
    """One storage's elements, read from `data/<key>` (flat, native byte order, read-only)."""

    data: np.ndarray  # (numel,)


def _rebuild_tensor(storage: _Storage, offset: int, size: tuple, stride: tuple, *_: object) -> np.ndarray:
    """torch._utils._rebuild_tensor_v2 for numpy: a copy of the strided view, checked to lie inside the storage.

    The extra arguments (requires_grad, backward hooks, metadata) do not matter for plain weights.
    """
    if not isinstance(storage, _Storage):
        raise pickle.UnpicklingError("a tensor must be built from a storage")
    ints = (offset, *size, *stride)
    if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in ints) or len(size) != len(stride):
        raise pickle.UnpicklingError(f"bad tensor layout: offset {offset!r}, size {size!r}, stride {stride!r}")
    numel = math.prod(size)  # Python ints: a crafted size cannot overflow
    if numel == 0:
        return np.zeros(size, dtype=storage.data.dtype)
    last = offset + sum((n - 1) * s for n, s in zip(size, stride, strict=True))
    if last >= storage.data.size or numel > storage.data.size:  # outside the storage, or a broadcast blow-up
        raise pickle.UnpicklingError(f"tensor of size {tuple(size)} does not fit its storage of {storage.data.size}")
    item = storage.data.itemsize
    view = np.lib.stride_tricks.as_strided(
        storage.data[offset:], shape=tuple(size), strides=tuple(s * item for s in stride), writeable=False
    )
    return np.array(view, copy=True, order="C")


class _RestrictedUnpickler(pickle.Unpickler):
    """Unpickles data.pkl with a closed list of globals; tensors come back as numpy arrays."""

    def __init__(self, file: BinaryIO, archive: zipfile.ZipFile, prefix: str, byteorder: str) -> None:
        super().__init__(file)
        self._archive = archive
        self._prefix = prefix
        self._byteorder = "<" if byteorder == "little" else ">"
        self._storages: dict[str, _Storage] = {}

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return _rebuild_tensor
        if (module, name) == ("collections", "OrderedDict"):
            return OrderedDict
        if module == "torch" and name in _STORAGE_DTYPES:
            return _StorageType(np.dtype(_STORAGE_DTYPES[name]))
        # Never import or look up anything else: a checkpoint holds plain tensors, not code.
        raise CheckpointError(f"refers to {module}.{name}, which an rnnviz checkpoint never holds")

    def persistent_load(self, pid: Any) -> _Storage:
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage"):
            raise pickle.UnpicklingError(f"unknown persistent id {str(pid)[:60]!r}")
        _, kind, key, _location, numel = pid
        if not isinstance(kind, _StorageType) or not isinstance(key, str) or not isinstance(numel, int) or numel < 0:
            raise pickle.UnpicklingError(f"bad storage reference {str(pid)[:60]!r}")
        if key in self._storages:
            return self._storages[key]
        record = f"{self._prefix}data/{key}"
        try:
            info = self._archive.getinfo(record)
        except KeyError:
            raise pickle.UnpicklingError(f"storage {key!r} is missing from the archive") from None
        dtype = kind.dtype.newbyteorder(self._byteorder)
        if info.file_size != numel * dtype.itemsize:  # checked before reading: never trust numel alone
            raise pickle.UnpicklingError(f"storage {key!r} holds {info.file_size} bytes, not {numel} x {dtype}")
        raw = np.frombuffer(self._archive.read(record), dtype=dtype)
        data = raw.astype(kind.dtype.newbyteorder("="), copy=False)
        data.flags.writeable = False
        self._storages[key] = _Storage(data)
        return self._storages[key]


def _archive_prefix(archive: zipfile.ZipFile) -> str:
    """'<prefix>/' of the one data.pkl in a torch.save archive."""
    pickles = [n for n in archive.namelist() if n.endswith("/data.pkl") and n.count("/") == 1]
    if len(pickles) != 1:
        raise ValueError("not a torch.save archive (no single <prefix>/data.pkl)")
    return pickles[0][: -len("data.pkl")]


def read_checkpoint(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Unpickle a checkpoint's payload without torch: tensors become numpy arrays (their own dtype).

    Checks the archive's CRC-32s first. Raises CheckpointError for a file that is not a readable
    torch.save archive, and for a pickle that refers to anything but tensors and plain containers
    (nothing it names is ever imported or called). The payload itself is checked by check_payload.
    """
    try:
        check_crc(path)
        with zipfile.ZipFile(path) as archive:
            prefix = _archive_prefix(archive)
            byteorder = "little"
            if f"{prefix}byteorder" in archive.namelist():
                byteorder = archive.read(f"{prefix}byteorder").decode("ascii", "replace")
                if byteorder not in ("little", "big"):
                    raise ValueError(f"unknown byte order {byteorder[:20]!r}")
            data = archive.read(f"{prefix}data.pkl")
            return _RestrictedUnpickler(io.BytesIO(data), archive, prefix, byteorder).load()
    except CheckpointError as exc:
        raise CheckpointError(
            f"Checkpoint {path} cannot be read: it {exc}. It was not loaded; nothing in it ran."
        ) from None
    except Exception as exc:  # zipfile, zlib and pickle raise many types for truncated or foreign files
        raise unreadable(path, exc) from exc
