"""Comparing a learner's value with the expected one, layer by layer, in one sentence.

The layers are those of `torch.testing.assert_close` (type, device, dtype, shape, values,
then autograd state); the first that differs raises `CheckFailed` with a sentence that
names it, so the learner reads what to fix rather than a bare AssertionError.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import torch

from tutor.i18n import N_, _, ngettext
from tutor.lessons.behaviour import CheckFailed
from tutor.lessons.reprs import (
    describe,
    dtype_name,
    shape_text,
    show,
    starts_with_vowel_sound,
    tensor_spec,
)

EXPECTED = N_("`{label}`: expected {expected}, got {got}")
ATOL = 1e-5
RTOL = 1e-4


def should_be(label: str, expected: str, got: str) -> str:
    return _("`{label}` should be {expected}, got {got}").format(
        label=label, expected=expected, got=got
    )


def close_enough(value: Any, expected: Any, *, atol: float, rtol: float) -> bool:
    try:
        check_close(value, expected, "", atol=atol, rtol=rtol)
    except (CheckFailed, TypeError, ValueError, RuntimeError):
        return False
    return True


def check_tensor(
    value: Any,
    label: str,
    *,
    dtype: torch.dtype | None = None,
    shape: Sequence[int | None] | None = None,
    device: str | torch.device | None = None,
    values: Any = None,
    atol: float = ATOL,
    rtol: float = RTOL,
    requires_grad: bool | None = None,
    grad: Any = None,
    is_leaf: bool | None = None,
) -> None:
    """Compare `value` with what is expected, one layer at a time, most basic first."""
    wanted = _spec(dtype, shape, device)
    if not isinstance(value, torch.Tensor):
        raise CheckFailed(_(EXPECTED).format(label=label, expected=wanted, got=describe(value)))
    if (
        (device is not None and not _same_device(value.device, device))
        or (dtype is not None and value.dtype != dtype)
        or (shape is not None and not _shape_matches(value.shape, shape))
    ):
        raise CheckFailed(_(EXPECTED).format(label=label, expected=wanted, got=tensor_spec(value)))
    if values is not None:
        _check_values(value, values, label, atol=atol, rtol=rtol)
    if requires_grad is not None and value.requires_grad != requires_grad:
        if requires_grad:
            message = _("`{label}` should track gradients: create it with requires_grad=True")
        else:
            message = _("`{label}` should not track gradients (requires_grad is True)")
        raise CheckFailed(message.format(label=label))
    if is_leaf is not None and value.is_leaf != is_leaf:
        if is_leaf:
            message = _("`{label}` should be a leaf tensor (one you created), but is_leaf is False")
        else:
            message = _("`{label}` should be the result of an operation, but is_leaf is True")
        raise CheckFailed(message.format(label=label))
    if grad is not None:
        if value.grad is None:
            if value.is_leaf:
                message = _(
                    "`{label}.grad` is None: call .backward() on the result that depends on "
                    "`{label}`"
                )
            else:
                message = _(
                    "`{label}.grad` is None: `{label}` is not a leaf tensor (it came from an "
                    "operation), so autograd does not keep its .grad: create it directly with "
                    "requires_grad=True"
                )
            raise CheckFailed(message.format(label=label))
        _check_values(value.grad, grad, f"{label}.grad", atol=atol, rtol=rtol)


def check_close(value: Any, expected: Any, label: str, *, atol: float, rtol: float) -> None:
    """Numbers and tensors alike: a tensor answer to a numeric question is fine."""
    if isinstance(expected, torch.Tensor) or isinstance(value, torch.Tensor) and value.numel() > 1:
        if not isinstance(value, torch.Tensor):
            raise CheckFailed(
                _(EXPECTED).format(label=label, expected=_("a tensor"), got=describe(value))
            )
        _check_values(value, expected, label, atol=atol, rtol=rtol)
        return
    number = _as_number(value)
    if number is None:
        raise CheckFailed(
            _("`{label}` should be a number close to {expected}, got {got}").format(
                label=label, expected=show(expected), got=describe(value)
            )
        )
    if not math.isclose(number, float(expected), rel_tol=rtol, abs_tol=atol):
        raise CheckFailed(should_be(label, show(expected), show(number)))


def _check_values(
    value: torch.Tensor, expected: Any, label: str, *, atol: float, rtol: float
) -> None:
    actual = value.detach().cpu()
    actual = actual if actual.is_complex() else actual.to(torch.float64)
    target = torch.as_tensor(expected).detach().to("cpu", actual.dtype)
    if actual.shape != target.shape:
        raise CheckFailed(
            _("`{label}`: expected shape {expected}, got {got}").format(
                label=label, expected=shape_text(target.shape), got=shape_text(actual.shape)
            )
        )
    close = torch.isclose(actual, target, rtol=rtol, atol=atol, equal_nan=True)
    if bool(close.all()):
        return
    wrong = (~close).nonzero()
    first = tuple(int(i) for i in wrong[0])
    count, total = len(wrong), actual.numel()
    if total > 1:
        message = ngettext(
            "`{label}` has wrong values at index {index}: expected {expected}, got {got} "
            "({count} of {total} elements differ)",
            "`{label}` has wrong values at index {index}: expected {expected}, got {got} "
            "({count} of {total} elements differ)",
            count,
        )
    elif first:
        message = _("`{label}` has wrong values at index {index}: expected {expected}, got {got}")
    else:
        message = _("`{label}` has wrong values: expected {expected}, got {got}")
    raise CheckFailed(
        message.format(
            label=label,
            index=first,
            expected=show(target[first].item()),
            got=show(actual[first].item()),
            count=count,
            total=total,
        )
    )


_SPECS = {
    # (with a shape, with a device): without a dtype, "a ..." and "an ..." dtype forms
    (False, False): (N_("a tensor"), N_("a {dtype} tensor"), N_("an {dtype} tensor")),
    (True, False): (
        N_("a tensor of shape {shape}"),
        N_("a {dtype} tensor of shape {shape}"),
        N_("an {dtype} tensor of shape {shape}"),
    ),
    (False, True): (
        N_("a tensor on {device}"),
        N_("a {dtype} tensor on {device}"),
        N_("an {dtype} tensor on {device}"),
    ),
    (True, True): (
        N_("a tensor of shape {shape} on {device}"),
        N_("a {dtype} tensor of shape {shape} on {device}"),
        N_("an {dtype} tensor of shape {shape} on {device}"),
    ),
}
"""What a check expects, as a whole phrase for each combination (English picks a/an)."""


def _spec(dtype: torch.dtype | None, shape: Sequence[int | None] | None, device: Any) -> str:
    plain, a, an = _SPECS[shape is not None, device is not None]
    name = "" if dtype is None else dtype_name(dtype)
    template = plain if dtype is None else an if starts_with_vowel_sound(name) else a
    return _(template).format(
        dtype=name, shape="" if shape is None else shape_text(shape), device=device
    )


def _shape_matches(actual: Sequence[int], expected: Sequence[int | None]) -> bool:
    return len(actual) == len(expected) and all(
        e is None or a == e for a, e in zip(actual, expected, strict=True)
    )


def _same_device(actual: torch.device, expected: str | torch.device) -> bool:
    wanted = torch.device(expected)
    if wanted.index is None:
        return actual.type == wanted.type
    return actual == wanted


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        return float(value.detach().cpu().item())
    return None


def equal(value: Any, expected: Any) -> bool:
    if isinstance(value, torch.Tensor) or isinstance(expected, torch.Tensor):
        try:
            return bool(torch.equal(torch.as_tensor(value).cpu(), torch.as_tensor(expected).cpu()))
        except (TypeError, RuntimeError):
            return False
    return (
        type(value) is type(expected)
        and value == expected
        or (
            isinstance(expected, (int, float)) and not isinstance(value, bool) and value == expected
        )
    )
