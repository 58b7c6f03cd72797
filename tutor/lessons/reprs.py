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
            return "array" + _tensor(torch.as_tensor(value)).removeprefix("tensor")
        except (TypeError, RuntimeError):
            pass
    return shorten(one_line(repr(value)))


def _tensor(value: torch.Tensor) -> str:
    data = value.detach().cpu()
    flat = data.reshape(-1)
    items = [_item(v) for v in flat[:FEW].tolist()]
    if data.dim() == 0:
        return f"tensor({items[0]})"
    if data.dim() == 1 and data.numel() <= FEW:
        return f"tensor([{', '.join(items)}])"
    more = ", …" if data.numel() > FEW else ""
    return f"tensor of shape {shape_text(data.shape)}: [{', '.join(items)}{more}]"


def _item(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def dtype_name(dtype: torch.dtype) -> str:
    return str(dtype).removeprefix("torch.")


def shape_text(shape: Sequence[int | None]) -> str:
    dims = ["*" if dim is None else str(int(dim)) for dim in shape]
    return f"({dims[0]},)" if len(dims) == 1 else f"({', '.join(dims)})"


def tensor_spec(value: torch.Tensor) -> str:
    return f"{dtype_name(value.dtype)} of shape {shape_text(value.shape)} on {value.device}"


def article(noun: str) -> str:
    """Pick "a" or "an" by sound: an int64 tensor, an SGD, an ndarray, a list."""
    word = noun.split(" ", 1)[0]
    if word[:2].isupper():  # an acronym: MSELoss, SGD
        vowel_sound = word[0] in "AEFHILMNORSX"  # letters spoken as "ef", "es", "en"...
    else:
        vowel_sound = word[:1].lower() in "aeiou" or word.startswith("nd")
    return f"{'an' if vowel_sound else 'a'} {noun}"


def describe(value: Any) -> str:
    """What kind of thing `value` is, with its value when that is short."""
    if isinstance(value, torch.Tensor):
        if value.numel() == 1 and value.dim() <= 1:
            return f"a one-element tensor, {show(value)}"
        return f"a tensor: {tensor_spec(value)}"
    if value is None:
        return "None"
    if value is Ellipsis:
        return "`...` (the placeholder is still there)"
    text = show(value)
    kind = article(type(value).__name__)
    return f"{kind} ({text})" if len(text) < 40 else kind
