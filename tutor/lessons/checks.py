"""Run an exercise's checks against the learner's namespace and explain any failure.

Imported only where torch may be: the sandbox worker and the tests. The helpers
compare in layers, the way `torch.testing.assert_close` does (type, device, dtype,
shape, values, then autograd state), and stop at the first layer that differs, so a
learner reads one precise sentence about what to fix instead of a bare AssertionError.
"""

from __future__ import annotations

import linecache
import math
import traceback
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import torch

from tutor.lessons.model import CheckReport, CodeBlock

ATOL = 1e-5
RTOL = 1e-4


class CheckFailed(AssertionError):
    """Raised by a helper with the message the learner sees."""


def run_checks(checks: Sequence[CodeBlock], namespace: dict[str, Any]) -> CheckReport:
    """Run `checks` in order against `namespace`; the first failure decides the report."""
    for check in checks:
        scope = {**namespace, **helpers_for(namespace)}
        try:
            exec(compile_block(check), scope)
        except CheckFailed as failure:
            return CheckReport(False, str(failure), check.line)
        except NameError as error:
            return CheckReport(False, _missing_name_message(error), check.line)
        except AssertionError as error:
            return CheckReport(False, str(error) or _failed_line(check, error), check.line)
        except Exception as error:  # noqa: BLE001 - any crash in a check is a learner-facing verdict
            message = f"checking your code raised {type(error).__name__}: {error}"
            return CheckReport(False, message, check.line)
    return CheckReport(True, "all checks passed")


def compile_block(block: CodeBlock) -> Any:
    """Compile `block` and register its text so tracebacks can quote its lines."""
    linecache.cache[block.filename] = (
        len(block.source),
        None,
        block.source.splitlines(keepends=True),
        block.filename,
    )
    return compile(block.source, block.filename, "exec")


def helpers_for(namespace: Mapping[str, Any]) -> dict[str, Callable[..., Any]]:
    """The functions a check can call, bound to the learner's namespace for name lookups."""

    def value_of(target: Any, name: str | None) -> tuple[Any, str]:
        if isinstance(target, str) and name is None:
            if target not in namespace:
                raise CheckFailed(_not_defined(target))
            return namespace[target], target
        return target, name or "the value"

    def expect_tensor(target: Any, *, name: str | None = None, **expected: Any) -> torch.Tensor:
        value, label = value_of(target, name)
        check_tensor(value, label, **expected)
        return value

    def expect_close(
        target: Any,
        expected: Any,
        *,
        name: str | None = None,
        atol: float = ATOL,
        rtol: float = RTOL,
    ) -> Any:
        value, label = value_of(target, name)
        check_close(value, expected, label, atol=atol, rtol=rtol)
        return value

    def expect_equal(target: Any, expected: Any, *, name: str | None = None) -> Any:
        value, label = value_of(target, name)
        if not _equal(value, expected):
            raise CheckFailed(f"`{label}` should be {_show(expected)}, got {_show(value)}")
        return value

    def expect_type(
        target: Any, expected: type | tuple[type, ...], *, name: str | None = None
    ) -> Any:
        value, label = value_of(target, name)
        if not isinstance(value, expected):
            raise CheckFailed(
                f"`{label}` should be {_article(_type_names(expected))}, got {_describe(value)}"
            )
        return value

    def expect(condition: Any, message: str) -> None:
        if not condition:
            raise CheckFailed(message)

    return {
        "expect": expect,
        "expect_tensor": expect_tensor,
        "expect_close": expect_close,
        "expect_equal": expect_equal,
        "expect_type": expect_type,
        "CheckFailed": CheckFailed,
        "namespace": dict(namespace),
        "torch": torch,
    }


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
        raise CheckFailed(f"`{label}`: expected {wanted}, got {_describe(value)}")
    if (
        (device is not None and not _same_device(value.device, device))
        or (dtype is not None and value.dtype != dtype)
        or (shape is not None and not _shape_matches(value.shape, shape))
    ):
        raise CheckFailed(f"`{label}`: expected {wanted}, got {_tensor_spec(value)}")
    if values is not None:
        _check_values(value, values, label, atol=atol, rtol=rtol)
    if requires_grad is not None and value.requires_grad != requires_grad:
        if requires_grad:
            raise CheckFailed(
                f"`{label}` should track gradients: create it with requires_grad=True"
            )
        raise CheckFailed(f"`{label}` should not track gradients (requires_grad is True)")
    if is_leaf is not None and value.is_leaf != is_leaf:
        kind = "a leaf tensor (one you created)" if is_leaf else "the result of an operation"
        raise CheckFailed(f"`{label}` should be {kind}, but is_leaf is {value.is_leaf}")
    if grad is not None:
        if value.grad is None:
            why = (
                f"call .backward() on the result that depends on `{label}`"
                if value.is_leaf
                else f"`{label}` is not a leaf tensor (it came from an operation), so autograd "
                "does not keep its .grad: create it directly with requires_grad=True"
            )
            raise CheckFailed(f"`{label}.grad` is None: {why}")
        _check_values(value.grad, grad, f"{label}.grad", atol=atol, rtol=rtol)


def check_close(value: Any, expected: Any, label: str, *, atol: float, rtol: float) -> None:
    """Numbers and tensors alike: a tensor answer to a numeric question is fine."""
    if isinstance(expected, torch.Tensor) or isinstance(value, torch.Tensor) and value.numel() > 1:
        if not isinstance(value, torch.Tensor):
            raise CheckFailed(f"`{label}`: expected a tensor, got {_describe(value)}")
        _check_values(value, expected, label, atol=atol, rtol=rtol)
        return
    number = _as_number(value)
    if number is None:
        raise CheckFailed(
            f"`{label}` should be a number close to {_show(expected)}, got {_describe(value)}"
        )
    if not math.isclose(number, float(expected), rel_tol=rtol, abs_tol=atol):
        raise CheckFailed(f"`{label}` should be {_show(expected)}, got {_show(number)}")


def _check_values(
    value: torch.Tensor, expected: Any, label: str, *, atol: float, rtol: float
) -> None:
    actual = value.detach().cpu()
    actual = actual if actual.is_complex() else actual.to(torch.float64)
    target = torch.as_tensor(expected).detach().to("cpu", actual.dtype)
    if actual.shape != target.shape:
        raise CheckFailed(
            f"`{label}`: expected shape {_shape(target.shape)}, got {_shape(actual.shape)}"
        )
    close = torch.isclose(actual, target, rtol=rtol, atol=atol, equal_nan=True)
    if bool(close.all()):
        return
    wrong = (~close).nonzero()
    first = tuple(int(i) for i in wrong[0])
    where = f" at index {first}" if first else ""
    count = len(wrong)
    total = actual.numel()
    summary = "" if total == 1 else f" ({count} of {total} elements differ)"
    raise CheckFailed(
        f"`{label}` has wrong values{where}: expected {_show(target[first].item())}, "
        f"got {_show(actual[first].item())}{summary}"
    )


def _spec(dtype: torch.dtype | None, shape: Sequence[int | None] | None, device: Any) -> str:
    parts = [] if dtype is None else [_dtype(dtype)]
    parts.append("tensor")
    if shape is not None:
        parts.append(f"of shape {_shape(shape)}")
    if device is not None:
        parts.append(f"on {device}")
    return _article(" ".join(parts))


def _tensor_spec(value: torch.Tensor) -> str:
    return f"{_dtype(value.dtype)} of shape {_shape(value.shape)} on {value.device}"


def _describe(value: Any) -> str:
    if isinstance(value, torch.Tensor):
        return f"a tensor: {_tensor_spec(value)}"
    if value is None:
        return "None"
    if value is Ellipsis:
        return "`...` (the placeholder is still there)"
    text = _show(value)
    return (
        f"{_article(type(value).__name__)} ({text})"
        if len(text) < 40
        else _article(type(value).__name__)
    )


def _article(noun: str) -> str:
    """Pick "a" or "an" by sound: an int64 tensor, an SGD, an ndarray, a list."""
    word = noun.split(" ", 1)[0]
    if word[:2].isupper():  # an acronym: MSELoss, SGD
        vowel_sound = word[0] in "AEFHILMNORSX"  # letters spoken as "ef", "es", "en"...
    else:
        vowel_sound = word[:1].lower() in "aeiou" or word.startswith("nd")
    return f"{'an' if vowel_sound else 'a'} {noun}"


def _dtype(dtype: torch.dtype) -> str:
    return str(dtype).removeprefix("torch.")


def _shape(shape: Sequence[int | None]) -> str:
    dims = ["*" if dim is None else str(int(dim)) for dim in shape]
    return f"({dims[0]},)" if len(dims) == 1 else f"({', '.join(dims)})"


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


def _equal(value: Any, expected: Any) -> bool:
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


def _show(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, torch.dtype):
        return _dtype(value)
    if isinstance(value, torch.Size):
        return _shape(value)
    return repr(value)


def _type_names(expected: type | tuple[type, ...]) -> str:
    types = expected if isinstance(expected, tuple) else (expected,)
    return " or ".join(t.__name__ for t in types)


def _missing_name_message(error: NameError) -> str:
    name = getattr(error, "name", None)
    return _not_defined(name) if name else str(error)


def _not_defined(name: str) -> str:
    return f"`{name}` is not defined: your code should create a variable named `{name}`"


def _failed_line(check: CodeBlock, error: AssertionError) -> str:
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == check.filename]
    if frames and frames[-1].line:
        return f"this check did not hold: {frames[-1].line.strip()}"
    return "a check did not hold"
