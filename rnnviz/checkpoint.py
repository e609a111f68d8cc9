"""Checkpoints without torch or pickle: the config, the shapes, and one reader and writer for NAME.safetensors.

A checkpoint is one safetensors file. Its tensors are the model's weights: embedding.weight (V, E) in
float16, U (G*H, E), W (G*H, H), b and b_hh (G*H,), V (H,) and c () in float32. Its `__metadata__`
holds strings: format ("rnnviz-checkpoint"), version ("2"), JSON texts config (ModelConfig),
vocab ({"words": [...], "ngrams": [...]}) and meta (the training record), and sha256 (of the tensor
data: bytes flipped inside a weight must not load as other weights). Any safetensors reader can
open it; `read_checkpoint` is ours. It checks the file's size, its header, the config's sizes and
every declared dtype, shape and offset before a single weight is allocated, and raises only
CheckpointError, whose message names the file, says what to do, and quotes at most about 80
characters of anything the file holds. rnnviz.model re-exports everything here.

The older `.pt` checkpoints (torch.save archives) are never read here: `python -m rnnviz.convert`
turns one into the new format.
"""

from __future__ import annotations

import hashlib
import json
import math
import numbers
import os
import struct
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import safetensors.numpy

from rnnviz.vocab import UNK, Vocab

Arch = Literal["rnn", "gru", "lstm"]
ARCHS: tuple[Arch, ...] = ("rnn", "gru", "lstm")
GATE_NAMES: dict[str, tuple[str, ...]] = {"rnn": (), "gru": ("r", "z", "n"), "lstm": ("i", "f", "g", "o")}
CHECKPOINT_FORMAT = "rnnviz-checkpoint"
CHECKPOINT_VERSION = 2  # stored as the string "2"; version 1 was the torch.save `.pt` archive
CHECKPOINT_SUFFIX = ".safetensors"
LEGACY_SUFFIX = ".pt"
SHIPPED = ("rnn-2", "rnn-64", "gru-64", "lstm-64")
ASSETS_ENV = "RNNVIZ_ASSETS"
# assets/ beside the package in a checkout; rnnviz/assets inside it once installed with pip.
_CHECKOUT_ASSETS = Path(__file__).resolve().parent.parent / "assets"
DEFAULT_ASSETS = _CHECKOUT_ASSETS if _CHECKOUT_ASSETS.is_dir() else Path(__file__).resolve().parent / "assets"

WEIGHT_NAMES = ("embedding.weight", "U", "W", "b", "b_hh", "V", "c")
_DTYPES = {"F16": np.dtype("<f2"), "F32": np.dtype("<f4")}
_ALLOWED_DTYPES = {name: ("F32",) for name in WEIGHT_NAMES} | {"embedding.weight": ("F16", "F32")}
_QUOTE = 80  # characters of a value from the file shown in a message
_MAX_META_DEPTH = 32
_ZIP_MAGIC = b"PK\x03\x04"


class CheckpointError(Exception):
    """A checkpoint file is missing, unreadable, too large, or not an rnnviz checkpoint.

    `reason` is the problem alone ("is truncated: ..."), without the file's name or the advice, for
    callers (the app's upload) that name the file and give advice their own way.
    """

    def __init__(self, message: str, reason: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason if reason is not None else message


@dataclass(frozen=True)
class Limits:
    """How large a checkpoint may be; every size is checked before anything is allocated."""

    max_file_bytes: int
    max_header_bytes: int
    max_hidden: int  # H
    max_embed: int  # E
    max_vocab: int  # V
    max_float32_bytes: int  # the whole model widened to float32

    def describe(self) -> str:
        return (
            f"H <= {self.max_hidden}, E <= {self.max_embed}, V <= {self.max_vocab:,}, "
            f"{self.max_float32_bytes / 2**20:,.0f} MB of float32 weights"
        )


# Generous for anything `python -m rnnviz.train` makes (the shipped models: H 64, E 64, V 36,582, 5 MB).
LIMITS = Limits(
    max_file_bytes=1 << 30,
    max_header_bytes=64 << 20,
    max_hidden=512,
    max_embed=512,
    max_vocab=300_000,
    max_float32_bytes=1 << 30,
)
# What the app takes from a visitor: every model the playground or a default training run makes.
UPLOAD_LIMITS = Limits(
    max_file_bytes=20 << 20,
    max_header_bytes=16 << 20,
    max_hidden=256,
    max_embed=256,
    max_vocab=200_000,
    max_float32_bytes=64 << 20,
)


def cut(text: str, n: int = _QUOTE) -> str:
    """Text from a file as it may appear in a message: at most about n characters."""
    return text if len(text) <= n else text[: n - 1] + "…"


def quoted(value: object) -> str:
    """Any value from a file, shown briefly: a string quoted and cut, a number as written, else its type."""
    if isinstance(value, str):
        return f"'{cut(value)}'"
    if value is None or isinstance(value, bool | int | float):
        return cut(repr(value))
    return f"a {type(value).__name__}"


def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


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
            raise ValueError(f"arch must be one of {ARCHS}, not {quoted(self.arch)}")
        for name in ("hidden", "embed", "vocab_size"):
            value = getattr(self, name)
            if not _is_int(value) or value < 1:
                raise ValueError(f"{name} must be a positive whole number, not {quoted(value)}")
        if isinstance(self.dropout, bool) or not isinstance(self.dropout, numbers.Real):
            raise ValueError(f"dropout must be a number, not {quoted(self.dropout)}")
        if not (math.isfinite(self.dropout) and 0 <= self.dropout < 1):
            raise ValueError(f"dropout must be in [0, 1), not {quoted(self.dropout)}")

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


@dataclass(frozen=True)
class Checkpoint:
    """What read_checkpoint returns: the checked config, vocabulary, weights (numpy) and training record."""

    config: ModelConfig
    vocab: Vocab
    tensors: dict[str, np.ndarray]  # WEIGHT_NAMES -> array; embedding float16 (as stored), the rest float32
    meta: dict[str, Any]

    def __iter__(self) -> Iterator[Any]:  # config, vocab, tensors, meta = read_checkpoint(...)
        return iter((self.config, self.vocab, self.tensors, self.meta))


# -- where checkpoints are ----------------------------------------------------------------------------
def resolve_checkpoint(name_or_path: str | os.PathLike[str]) -> Path:
    """A shipped model's name ('rnn-2' -> assets/rnn-2.safetensors) or a path to a checkpoint file."""
    text = str(name_or_path)
    if text in SHIPPED:
        return Path(os.environ.get(ASSETS_ENV) or DEFAULT_ASSETS) / f"{text}{CHECKPOINT_SUFFIX}"
    path = Path(text)
    try:
        exists = path.exists()
    except OSError:  # a name too long for the file system, for one
        exists = False
    if path.suffix not in (CHECKPOINT_SUFFIX, LEGACY_SUFFIX) and not exists:
        raise CheckpointError(
            f"Unknown model {quoted(text)}: use one of {', '.join(SHIPPED)} "
            f"or a path to a {CHECKPOINT_SUFFIX} checkpoint."
        )
    return path


def find_checkpoint(name_or_path: str | os.PathLike[str]) -> Path:
    """resolve_checkpoint, and the file must be there."""
    path = resolve_checkpoint(name_or_path)
    if path.suffix == LEGACY_SUFFIX:
        raise CheckpointError(f"Checkpoint {path} {_legacy_reason(path.name)}. {_advice('rnnviz.convert')}")
    if not path.is_file():
        raise CheckpointError(
            f"Checkpoint {path} is missing. Restore it with `git checkout -- {path.name}` in assets/ "
            "or retrain it with `python -m rnnviz.train` (see README)."
        )
    return path


def model_name(name_or_path: str | os.PathLike[str], path: Path) -> str:
    """What the views call a loaded model: the shipped name, or the file's stem."""
    return str(name_or_path) if str(name_or_path) in SHIPPED else path.stem


def convert_command(name: str = "OLD.pt") -> str:
    """The command that turns an old .pt checkpoint into the new format."""
    name = cut(name, 60)
    stem = name[: -len(LEGACY_SUFFIX)] if name.endswith(LEGACY_SUFFIX) else name
    return f"python -m rnnviz.convert {name} {stem}{CHECKPOINT_SUFFIX}"


def _legacy_reason(name: str) -> str:
    return (
        "is an old .pt checkpoint (torch.save), which rnnviz no longer reads; "
        f"convert it with `{convert_command(name)}`"
    )


# -- checks ----------------------------------------------------------------------------------------------
def expected_shapes(config: ModelConfig) -> dict[str, tuple[int, ...]]:
    g, h, e = config.n_gates, config.hidden, config.embed
    return {
        "embedding.weight": (config.vocab_size, e),
        "U": (g * h, e),
        "W": (g * h, h),
        "b": (g * h,),
        "b_hh": (g * h,),
        "V": (h,),
        "c": (),
    }


def float32_bytes(config: ModelConfig) -> int:
    """The model's weights widened to float32 (Python ints: a crafted config cannot overflow)."""
    return 4 * sum(math.prod(shape) for shape in expected_shapes(config).values())


def check_shapes(config: ModelConfig, state: Mapping[str, Any]) -> None:
    """The tensors (torch or numpy) have exactly the shapes the config asks for."""
    for key, shape in expected_shapes(config).items():
        tensor = state.get(key)
        found = getattr(tensor, "shape", None)
        if found is None or tuple(found) != shape:
            shown = tuple(found) if found is not None else type(tensor).__name__
            raise ValueError(f"tensor {key!r} should be {shape} for this config, found {shown}")


def check_limits(config: ModelConfig, limits: Limits = LIMITS) -> None:
    """Raises ValueError if the config asks for more than the limits allow (before anything is allocated)."""
    for value, cap, what in (
        (config.hidden, limits.max_hidden, "hidden units (H)"),
        (config.embed, limits.max_embed, "embedding size (E)"),
        (config.vocab_size, limits.max_vocab, "vocabulary entries (V)"),
    ):
        if value > cap:
            raise ValueError(f"declares {value:,} {what}; at most {cap:,} are taken")
    wanted = float32_bytes(config)
    if wanted > limits.max_float32_bytes:
        raise ValueError(
            f"needs {wanted / 2**20:,.0f} MB as float32; at most {limits.max_float32_bytes / 2**20:,.0f} MB are taken"
        )


def _config_from(text: str) -> ModelConfig:
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError(f"config must be a JSON object, not {quoted(data)}")
    fields = {"arch", "hidden", "embed", "vocab_size", "dropout"}
    unknown = [k for k in data if k not in fields]
    if unknown:
        raise ValueError(f"config has an unknown field {quoted(unknown[0])}")
    missing = [k for k in ("arch", "hidden", "embed", "vocab_size") if k not in data]
    if missing:
        raise ValueError(f"config has no {missing[0]!r}")
    return ModelConfig(**data)


def _vocab_from(text: str, config: ModelConfig) -> Vocab:
    data = json.loads(text)
    if not (isinstance(data, dict) and isinstance(data.get("words"), list) and isinstance(data.get("ngrams"), list)):
        raise ValueError('vocab must be a JSON object {"words": [...], "ngrams": [...]}')
    words, ngrams = data["words"], data["ngrams"]
    if len(words) + len(ngrams) != config.vocab_size:
        raise ValueError(f"vocabulary has {len(words) + len(ngrams):,} entries, config says {config.vocab_size:,}")
    bad = next((w for w in (*words, *ngrams) if not isinstance(w, str)), None)
    if bad is not None:
        raise ValueError(f"vocabulary entries must be strings, found {quoted(bad)}")
    if not words or words[0] != UNK:
        raise ValueError(f"vocabulary must start with {UNK!r}")
    return Vocab(words, ngrams)


def _meta_from(text: str) -> dict[str, Any]:
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError(f"meta must be a JSON object, not {quoted(data)}")
    stack: list[tuple[object, int]] = [(data, 1)]
    while stack:  # iterative: a deep record must not be walked by recursion here or later
        value, depth = stack.pop()
        if depth > _MAX_META_DEPTH:
            raise ValueError(f"meta is nested more than {_MAX_META_DEPTH} levels deep")
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
    return data


class _RefusedError(Exception):
    """One problem with a file (the reason only; read_checkpoint adds the file's name and the advice)."""


def _header(data: bytes | memoryview, limits: Limits) -> tuple[dict[str, str], dict[str, dict[str, Any]], int]:
    """(metadata, tensor entries, start of the data) of a safetensors file, checked for structure only."""
    if len(data) < 8:
        raise _RefusedError(f"is truncated or not a safetensors file (only {len(data)} bytes)")
    (n,) = struct.unpack("<Q", bytes(data[:8]))
    if bytes(data[8:9]) != b"{":
        raise _RefusedError("is not a safetensors file (its first bytes are no safetensors header)")
    if n > limits.max_header_bytes:
        raise _RefusedError(f"declares a header of {n:,} bytes; at most {limits.max_header_bytes:,} are taken")
    if 8 + n > len(data):
        raise _RefusedError(f"is truncated: its header says {n:,} bytes, the file holds {len(data) - 8:,}")
    try:
        header = json.loads(bytes(data[8 : 8 + n]).decode("utf-8"))
    except RecursionError:
        raise _RefusedError("has a header nested too deeply to be a safetensors header") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise _RefusedError(f"has a header that is not JSON ({cut(str(exc))})") from None
    if not isinstance(header, dict):
        raise _RefusedError("has a header that is not a JSON object")
    metadata = header.pop("__metadata__", None)
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise _RefusedError(f"has no rnnviz metadata (no '{CHECKPOINT_FORMAT}' header)")
    return metadata, header, 8 + n


def _check_entries(entries: dict[str, Any], config: ModelConfig, data_bytes: int) -> None:
    """Every declared tensor is one we expect, with its dtype, its shape, and its own bytes of the file."""
    unknown = [k for k in entries if k not in WEIGHT_NAMES]
    if unknown:
        raise _RefusedError(f"holds a tensor {quoted(unknown[0])} that an rnnviz checkpoint never holds")
    spans = []
    for key, shape in expected_shapes(config).items():
        entry = entries.get(key)
        if not isinstance(entry, dict):
            raise _RefusedError(f"has no tensor {key!r}")
        dtype, found, offsets = entry.get("dtype"), entry.get("shape"), entry.get("data_offsets")
        if dtype not in _ALLOWED_DTYPES[key]:
            raise _RefusedError(f"stores {key!r} as {quoted(dtype)}; it must be {' or '.join(_ALLOWED_DTYPES[key])}")
        if not isinstance(found, list) or len(found) > 4 or not all(_is_int(d) and d >= 0 for d in found):
            raise _RefusedError(f"declares a malformed shape for {key!r}")
        if tuple(found) != shape:
            raise _RefusedError(f"declares {key!r} as {cut(str(tuple(found)))}; its config asks for {shape}")
        if not (isinstance(offsets, list) and len(offsets) == 2 and all(_is_int(o) and o >= 0 for o in offsets)):
            raise _RefusedError(f"declares malformed data offsets for {key!r}")
        start, end = offsets
        if end - start != math.prod(shape) * _DTYPES[dtype].itemsize:
            raise _RefusedError(f"gives {key!r} {end - start:,} bytes, not {math.prod(shape):,} x {dtype}")
        spans.append((start, end, key))
    position = 0
    for start, end, key in sorted(spans):  # each byte of the data backs exactly one tensor
        if start != position:
            raise _RefusedError(f"has overlapping or misplaced tensor data at {key!r}")
        position = end
    if position != data_bytes:
        raise _RefusedError(f"holds {data_bytes:,} bytes of tensor data, not the {position:,} its header declares")


def _too_large(size: int, limits: Limits) -> str:
    return f"is {size / 2**20:,.1f} MB; at most {limits.max_file_bytes / 2**20:,.0f} MB are taken"


def _parse(data: bytes, limits: Limits) -> Checkpoint:
    if data[:4] == _ZIP_MAGIC:
        raise _RefusedError(
            "is a zip archive, like the old .pt checkpoints (torch.save), which rnnviz no longer reads; "
            f"convert it with `{convert_command()}`"
        )
    if len(data) > limits.max_file_bytes:
        raise _RefusedError(_too_large(len(data), limits))
    metadata, entries, start = _header(data, limits)
    if metadata.get("format") != CHECKPOINT_FORMAT:
        raise _RefusedError(f"is not an rnnviz checkpoint (no '{CHECKPOINT_FORMAT}' header)")
    version = metadata.get("version")
    if version != str(CHECKPOINT_VERSION):
        raise _RefusedError(f"has checkpoint version {quoted(version)}, expected '{CHECKPOINT_VERSION}'")
    for key in ("config", "vocab"):
        if key not in metadata:
            raise _RefusedError(f"has no {key!r} in its metadata")
    try:
        config = _config_from(metadata["config"])
    except RecursionError:
        raise _RefusedError("has JSON nested too deeply") from None
    except (ValueError, TypeError) as exc:
        raise _RefusedError(f"is damaged: {cut(str(exc), 2 * _QUOTE)}") from None
    try:
        check_limits(config, limits)
    except ValueError as exc:
        raise _RefusedError(str(exc)) from None
    _check_entries(entries, config, len(data) - start)
    digest = metadata.get("sha256")  # safetensors itself has no checksum; ours is optional for other writers
    if digest is not None and hashlib.sha256(memoryview(data)[start:]).hexdigest() != digest:
        raise _RefusedError("is damaged: its tensor data does not match the checksum written with it")
    try:
        vocab = _vocab_from(metadata["vocab"], config)
        meta = _meta_from(metadata.get("meta", "{}"))
    except RecursionError:
        raise _RefusedError("has JSON nested too deeply") from None
    except (ValueError, TypeError) as exc:
        raise _RefusedError(f"is damaged: {cut(str(exc), 2 * _QUOTE)}") from None
    try:  # safetensors checks the offsets once more, and copies each tensor's own bytes
        loaded = safetensors.numpy.load(bytes(data))
    except Exception as exc:
        raise _RefusedError(f"cannot be read by safetensors ({cut(str(exc))})") from None
    tensors = {}
    for key, shape in expected_shapes(config).items():
        array = loaded[key]
        assert array.shape == shape, key  # checked in the header above
        if not np.isfinite(array).all():
            raise _RefusedError(f"is damaged: {key!r} holds NaN or infinite weights")
        tensors[key] = np.asarray(array, dtype=array.dtype.newbyteorder("="))  # no copy; c stays 0-d
    return Checkpoint(config, vocab, tensors, meta)


def read_checkpoint(
    source: str | os.PathLike[str] | bytes | bytearray | memoryview,
    *,
    name: str | None = None,
    limits: Limits = LIMITS,
) -> Checkpoint:
    """(config, vocab, tensors, meta) of a checkpoint file (a path) or its bytes, checked before allocating.

    `name` is how messages call the file (default: the path, or "the uploaded file"). Raises only
    CheckpointError: for a legacy `.pt` (with the command that converts it), a file too large for
    `limits`, a truncated or foreign file, a header whose config, dtypes, shapes or offsets do not
    agree, sizes beyond `limits`, wrong JSON types, and NaN or infinite weights.
    """
    if isinstance(source, bytes | bytearray | memoryview):
        shown = name or "the uploaded file"
    else:
        shown = name or str(source)
    try:
        if isinstance(source, bytes | bytearray | memoryview):
            data = bytes(source)
        else:
            path = Path(source)
            if path.suffix == LEGACY_SUFFIX:
                raise _RefusedError(_legacy_reason(path.name))
            try:
                size = path.stat().st_size
                if size > limits.max_file_bytes:
                    raise _RefusedError(_too_large(size, limits))
                with path.open("rb") as f:
                    data = f.read(size + 1)  # read(n) allocates n bytes first: never the cap itself
            except OSError as exc:
                raise _RefusedError(f"cannot be opened ({cut(exc.strerror or type(exc).__name__)})") from None
        return _parse(data, limits)
    except _RefusedError as exc:
        reason = str(exc)
        raise CheckpointError(f"Checkpoint {shown} {reason}. {_advice(reason)}", reason=reason) from None
    except CheckpointError:
        raise
    except Exception as exc:  # a last net: whatever the file holds, callers see CheckpointError only
        reason = f"cannot be read ({type(exc).__name__}: {cut(str(exc))})"
        raise CheckpointError(f"Checkpoint {shown} {reason}. {_advice(reason)}", reason=reason) from exc


def _advice(reason: str) -> str:
    if "rnnviz.convert" in reason:
        return "The new file loads everywhere a checkpoint is taken."
    if "at most" in reason:
        return "Train a smaller model."
    return "Restore it from git, or write it again with `python -m rnnviz.train`."


# -- writing ---------------------------------------------------------------------------------------------
def _plain_json(value: Any) -> Any:
    """meta as strict JSON: tuples become lists, NaN and infinities become null."""
    if isinstance(value, dict):
        return {str(k): _plain_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain_json(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, np.generic):
        return _plain_json(value.item())
    return value


def write_checkpoint(
    path: str | os.PathLike[str],
    config: ModelConfig,
    vocab: Vocab,
    tensors: Mapping[str, np.ndarray],
    meta: Mapping[str, Any] | None = None,
) -> Path:
    """Write NAME.safetensors atomically (a temporary file beside it, then renamed): numpy only, no torch."""
    try:
        check_limits(config, LIMITS)
        check_shapes(config, tensors)
    except ValueError as exc:
        raise CheckpointError(f"Cannot write checkpoint {path}: {exc}.", reason=str(exc)) from exc
    arrays = {k: np.array(tensors[k], dtype=np.float32, order="C") for k in WEIGHT_NAMES}  # c stays 0-d
    arrays["embedding.weight"] = np.array(tensors["embedding.weight"], dtype=np.float16, order="C")
    metadata = {
        "format": CHECKPOINT_FORMAT,
        "version": str(CHECKPOINT_VERSION),
        "config": json.dumps(asdict(config)),
        "vocab": json.dumps({"words": list(vocab.words), "ngrams": list(vocab.ngrams)}, ensure_ascii=False),
        "meta": json.dumps(_plain_json(dict(meta or {})), ensure_ascii=False, allow_nan=False, default=str),
    }
    unsigned = safetensors.numpy.save(arrays, metadata=metadata)
    (n,) = struct.unpack("<Q", unsigned[:8])
    metadata["sha256"] = hashlib.sha256(unsigned[8 + n :]).hexdigest()  # the tensor data, laid out alike again
    data = safetensors.numpy.save(arrays, metadata=metadata)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a checkpoint is an ordinary file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_meta(path: str | os.PathLike[str], meta: Mapping[str, Any]) -> Path:
    """Rewrite a checkpoint's training record (tensors, config and vocabulary untouched)."""
    config, vocab, tensors, _ = read_checkpoint(path)
    return write_checkpoint(path, config, vocab, tensors, meta)
