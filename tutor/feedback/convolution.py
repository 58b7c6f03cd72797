"""Errors from convolution layers fed the wrong shape: flat rows, channels last, wrong channels.

Images go into `nn.Conv2d` as (N, C, H, W), channels first. Learners arrive with flat
rows from an MLP, (N, 64), or with channels last, (N, H, W, C), as NumPy and image files
keep them. torch's message gives the numbers; these rules add the learner's names and
the reshape or permute that fixes it.
"""

from __future__ import annotations

import math
import re
from typing import Any

from tutor.feedback.describe import (
    called_with,
    code,
    inner_call,
    input_name,
    is_tensor,
    name_of,
    shape,
)
from tutor.feedback.rules import rule
from tutor.feedback.scene import Scene
from tutor.i18n import _


def _conv(scene: Scene) -> tuple[str, Any, str | None, Any] | None:
    """(layer name, layer, input name or None, input) of the failing Conv2d call."""
    import torch

    layer, received = inner_call(scene, torch.nn.Conv2d)
    if layer is None or not is_tensor(received):
        return None
    layer_text = name_of(scene, layer)
    if layer_text is None:
        return None
    return layer_text, layer, input_name(scene, called_with(scene, layer), received), received


@rule(r"Expected 3D \(unbatched\) or 4D \(batched\) input to conv2d", "RuntimeError")
def conv_flat_input(scene: Scene, match: re.Match[str]) -> str | None:
    """A batch of flat rows, (N, 64), given to Conv2d."""
    found = _conv(scene)
    if found is None:
        return None
    layer_text, layer, given, received = found
    if given is None:
        return None
    first = _(
        "`{layer}` is an nn.Conv2d: it takes a batch of images shaped (N, C, H, W), channels "
        "first, but `{input}` has shape {shape}."
    ).format(layer=layer_text, input=given, shape=shape(received))
    channels = layer.in_channels
    if received.dim() == 2 and received.shape[1] % channels == 0:
        side = math.isqrt(received.shape[1] // channels)
        if side * side * channels == received.shape[1]:
            fix = _(
                "Its rows are flattened images: reshape them first, `{code}.reshape(-1, "
                "{channels}, {side}, {side})`."
            ).format(code=code(given), channels=channels, side=side)
            return f"{first} {fix}"
    return first


@rule(r"expected input\[([^\]]*)\] to have (\d+) channels, but got (\d+) channels", "RuntimeError")
def conv_channels(scene: Scene, match: re.Match[str]) -> str | None:
    """in_channels and out_channels swapped, channels last (N, H, W, C), or a layer whose
    in_channels differs from the channels its input has."""
    found = _conv(scene)
    if found is None:
        return None
    layer_text, layer, given, received = found
    if received.dim() != 4:
        return None
    wanted = layer.in_channels
    outputs = layer.out_channels
    got = received.shape[1]
    # What the sentences below may name; each template uses some of these.
    fields = {
        "layer": layer_text,
        "wanted": wanted,
        "outputs": outputs,
        "input": given,
        "shape": shape(received),
        "got": got,
    }
    if given is None:
        return _(
            "`{layer}` is nn.Conv2d({wanted}, {outputs}, ...): it expects {wanted} channels in "
            "dimension 1 of its input, but it received a tensor of shape {shape}: {got} in "
            "dimension 1. Make it nn.Conv2d({got}, {outputs}, ...): in_channels must equal "
            "the channels of its input, the out_channels of the layer before."
        ).format(**fields)
    if received.shape[3] == wanted and received.shape[1] == received.shape[2]:
        return _(
            "`{input}` has shape {shape}: channels last, as NumPy and image files keep them, "
            "but nn.Conv2d wants channels first, (N, C, H, W). Use `{code}.permute(0, 3, 1, 2)`, "
            "or reshape the flat rows to (-1, {channels}, H, W) in the first place."
        ).format(**fields, code=code(given), channels=wanted)
    if outputs == got and wanted != got:
        return _(
            "`{layer}` is nn.Conv2d({wanted}, {outputs}, ...), but `{input}` has shape {shape}, "
            "so its channel count is {got}: nn.Conv2d takes in_channels first, then "
            "out_channels. For {got} in and {wanted} out, write nn.Conv2d({got}, {wanted}, ...)."
        ).format(**fields)
    return _(
        "`{layer}` is nn.Conv2d({wanted}, {outputs}, ...): it expects {wanted} channels in "
        "dimension 1 of its input, but `{input}` has shape {shape}: {got} in dimension 1. Make it "
        "nn.Conv2d({got}, {outputs}, ...): in_channels must equal the channels of its input, "
        "the out_channels of the layer before."
    ).format(**fields)
