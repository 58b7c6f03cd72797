"""One-line descriptions of values for check messages.

A verdict is a single line in an 80-column bar: a tensor's own repr spans many lines
and would cut the sentence in the middle ("got 'tensor([[ 1.5000,"). Everything a
message quotes goes through `show`, which keeps the shape and a few values.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import torch

from tutor.i18n import _

SHOW_LIMIT = 60
"""Longest text `show` quotes for an arbitrary object."""
FEW = 4
"""How many of a tensor's values a message quotes."""


def one_line(text: str) -> str:
    return " ".join(text.split())


def shorten(text: str, limit: int = SHOW_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def number(value: float) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def show(value: Any) -> str:
    """A short, one-line picture of `value`."""
    if isinstance(value, float):
        return number(value)
    if isinstance(value, torch.dtype):
        return dtype_name(value)
    if isinstance(value, torch.Size):
        return shape_text(value)
    if isinstance(value, torch.Tensor):
        return _tensor(value)
    if type(value).__name__ == "ndarray" and hasattr(value, "shape"):
        try:
            return _tensor(torch.as_tensor(value), "array")
        except (TypeError, RuntimeError):
            pass
    return shorten(one_line(repr(value)))


def _tensor(value: torch.Tensor, kind: str = "tensor") -> str:
    """`tensor([1, 2])` as code when it is short, else its shape and first values in words."""
    data = value.detach().cpu()
    flat = data.reshape(-1)
    items = [_item(v) for v in flat[:FEW].tolist()]
    if data.dim() == 0:
        return f"{kind}({items[0]})"
    if data.dim() == 1 and data.numel() <= FEW:
        return f"{kind}([{', '.join(items)}])"
    more = ", …" if data.numel() > FEW else ""
    template = (
        _("tensor of shape {shape}: {values}")
        if kind == "tensor"
        else _("array of shape {shape}: {values}")
    )
    return template.format(shape=shape_text(data.shape), values=f"[{', '.join(items)}{more}]")


def _item(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def dtype_name(dtype: torch.dtype) -> str:
    return str(dtype).removeprefix("torch.")


def shape_text(shape: Sequence[int | None]) -> str:
    dims = ["*" if dim is None else str(int(dim)) for dim in shape]
    return f"({dims[0]},)" if len(dims) == 1 else f"({', '.join(dims)})"


def tensor_spec(value: torch.Tensor) -> str:
    return _("{dtype} of shape {shape} on {device}").format(
        dtype=dtype_name(value.dtype), shape=shape_text(value.shape), device=value.device
    )


def starts_with_vowel_sound(word: str) -> bool:
    """Whether English says "an" before `word`: an int64, an SGD, an ndarray, a list."""
    if word[:2].isupper():  # an acronym: MSELoss, SGD
        return word[0] in "AEFHILMNORSX"  # letters spoken as "ef", "es", "en"...
    return word[:1].lower() in "aeiou" or word.startswith("nd")


def a_type(name: str) -> str:
    """ "a list", "an SGD": a thing of the Python type (or layer) `name`, in the learner's words."""
    template = _("an {type}") if starts_with_vowel_sound(name) else _("a {type}")
    return template.format(type=name)


def describe(value: Any) -> str:
    """What kind of thing `value` is, with its value when that is short."""
    if isinstance(value, torch.Tensor):
        if value.numel() == 1 and value.dim() <= 1:
            return _("a one-element tensor, {value}").format(value=show(value))
        return _("a tensor: {spec}").format(spec=tensor_spec(value))
    if value is None:
        return "None"
    if value is Ellipsis:
        return _("`...` (the placeholder is still there)")
    text, name = show(value), type(value).__name__
    if len(text) >= 40:
        return a_type(name)
    if starts_with_vowel_sound(name):
        return _("an {type} ({value})").format(type=name, value=text)
    return _("a {type} ({value})").format(type=name, value=text)
