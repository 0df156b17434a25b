"""Build an openai-whisper model from a converted checkpoint, optionally int8.

Kept apart from :mod:`speaker.stt` (which decodes): these functions only turn a
``{"dims", "model_state_dict"}`` checkpoint into a ready ``whisper.model.Whisper``
without ever holding a float32 copy of the whole model.
"""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING, Any

from speaker.errors import ModelError

if TYPE_CHECKING:
    import torch

__all__ = ["build_model", "float32_except", "int8_linear", "quantize_linears"]


def int8_linear(weight: torch.Tensor, bias: torch.Tensor | None) -> Any:
    """A dynamically quantised nn.Linear made from (float16) weights, one layer at a time.

    Building each layer on its own keeps the float32 copy of the whole model out of
    memory. quantize_dynamic matches module types exactly, so it would skip
    openai-whisper's ``whisper.model.Linear`` subclass; a plain nn.Linear is used.
    """
    import torch
    import torch.nn as nn

    with torch.device("meta"):
        plain = nn.Linear(weight.shape[1], weight.shape[0], bias=bias is not None)
    plain.weight = nn.Parameter(weight.detach().float(), requires_grad=False)
    if bias is not None:
        plain.bias = nn.Parameter(bias.detach().float(), requires_grad=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.ao.quantization is deprecated but works
        from torch.ao.quantization import quantize_dynamic

        return quantize_dynamic(nn.Sequential(plain), {nn.Linear}, dtype=torch.qint8,
                                inplace=True)[0]


def quantize_linears(model: Any) -> None:
    from whisper.model import Linear as WhisperLinear

    for module in list(model.modules()):
        for name, child in list(module.named_children()):
            if isinstance(child, WhisperLinear):
                setattr(module, name, int8_linear(child.weight, child.bias))


def float32_except(model: Any, keep: Any) -> None:
    """Cast every float tensor to float32, except those owned directly by ``keep``."""
    import torch.nn as nn

    for module in model.modules():
        if module is keep:
            continue
        for name, param in list(module.named_parameters(recurse=False)):
            setattr(module, name, nn.Parameter(param.detach().float(), requires_grad=False))
        for name, buffer in list(module.named_buffers(recurse=False)):
            if buffer.is_floating_point():
                module.register_buffer(name, buffer.float(),
                                       persistent=name not in module._non_persistent_buffers_set)


def build_model(checkpoint: dict[str, Any], name: str) -> Any:
    """An openai-whisper model holding the checkpoint's (float16) tensors, nothing else."""
    import torch
    from torch import nn
    from whisper.model import AudioEncoder, ModelDimensions, TextDecoder, Whisper

    try:
        dims = ModelDimensions(**checkpoint["dims"])
        # Whisper.__init__ without its random float32 weights: the parts are built on
        # the meta device and the checkpoint's tensors are assigned to them.
        model = Whisper.__new__(Whisper)
        nn.Module.__init__(model)
        model.dims = dims
        with torch.device("meta"):
            model.encoder = AudioEncoder(dims.n_mels, dims.n_audio_ctx, dims.n_audio_state,
                                         dims.n_audio_head, dims.n_audio_layer)
            model.decoder = TextDecoder(dims.n_vocab, dims.n_text_ctx, dims.n_text_state,
                                        dims.n_text_head, dims.n_text_layer)
        state = checkpoint.pop("model_state_dict")
        model.load_state_dict(state, assign=True)
        del state
    except (TypeError, RuntimeError) as exc:
        raise ModelError(f"The {name} checkpoint does not fit openai-whisper ({exc}); run "
                         "`encore models install` again.") from exc
    n_ctx = dims.n_text_ctx
    model.decoder.register_buffer(
        "mask", torch.empty(n_ctx, n_ctx).fill_(-math.inf).triu_(1), persistent=False)
    heads = torch.zeros(dims.n_text_layer, dims.n_text_head, dtype=torch.bool)
    for layer, head in checkpoint.get("alignment_heads") or []:
        heads[layer, head] = True
    model.register_buffer("alignment_heads", heads.to_sparse(), persistent=False)
    return model.eval()
