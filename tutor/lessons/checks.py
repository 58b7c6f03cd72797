"""Run an exercise's checks against the learner's namespace and explain any failure.

Imported only where torch may be: the sandbox worker and the tests. The helpers
compare in layers, the way `torch.testing.assert_close` does (type, device, dtype,
shape, values, then autograd state), and stop at the first layer that differs, so a
learner reads one precise sentence about what to fix instead of a bare AssertionError.
"""

from __future__ import annotations

import ast
import linecache
import numbers
import traceback
import types
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

import torch

from tutor.feedback.explain import checking_raised
from tutor.i18n import N_, _, or_list
from tutor.lessons import behaviour, probes, rerun
from tutor.lessons.behaviour import CheckBroken, CheckFailed
from tutor.lessons.compare import (
    ATOL,
    RTOL,
    check_close,
    check_tensor,
    close_enough,
    equal,
    should_be,
)
from tutor.lessons.model import CheckReport, CodeBlock
from tutor.lessons.reprs import (
    a_type,
    describe,
    one_line,
    shorten,
    show,
)
from tutor.lessons.rerun import Context

BROKEN = N_(
    "this exercise's check is broken ({error}, at {where}): this is not a mistake in your "
    "code; please tell the lesson's author"
)


def run_checks(
    checks: Sequence[CodeBlock],
    namespace: dict[str, Any],
    *,
    learner: CodeBlock | None = None,
    setup: CodeBlock | None = None,
    asked: Collection[str] | None = None,
) -> CheckReport:
    """Run `checks` in order against `namespace`; the first failure decides the report.

    `learner` and `setup` let behaviour helpers re-run the attempt; `asked` are the
    names the exercise asks for or gives (`Exercise.names`): a check that trips on
    any other name has a bug of its own, and the report says so instead of blaming
    the learner. Unknown (`None`), every missing name is taken as the learner's.
    """
    context = Context(learner, setup, namespace)
    for check in checks:
        scope = {**namespace, **helpers_for(namespace, context)}
        try:
            exec(compile_block(check), scope)
        except CheckFailed as failure:
            return CheckReport(False, one_line(str(failure)), check.line)
        except CheckBroken as error:
            return _broken(check, error)
        except NameError as error:
            name = getattr(error, "name", None)
            if name and asked is not None and name not in asked and name not in namespace:
                return _broken(check, error)
            return CheckReport(False, one_line(_missing_name_message(error)), check.line)
        except AssertionError as error:
            return CheckReport(
                False, one_line(str(error) or _failed_line(check, error)), check.line
            )
        except Exception as error:  # noqa: BLE001 - any crash in a check is a verdict
            if _checks_own_fault(error, check, namespace):
                return _broken(check, error)
            message = checking_raised(f"{type(error).__name__}: {error}")
            return CheckReport(False, one_line(message), check.line)
    return CheckReport(True, _("all checks passed"))


def _broken(check: CodeBlock, error: BaseException) -> CheckReport:
    where = _("{file} line {line}").format(file=check.path.name, line=_error_line(check, error))
    text = f"{type(error).__name__}: {error}" if not isinstance(error, CheckBroken) else str(error)
    message = _(BROKEN).format(error=shorten(one_line(text), 120), where=where)
    return CheckReport(False, message, check.line, broken=True)


def _error_line(check: CodeBlock, error: BaseException) -> int:
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == check.filename]
    return check.line + (frames[-1].lineno or 1) - 1 if frames else check.line


def _checks_own_fault(error: Exception, check: CodeBlock, namespace: Mapping[str, Any]) -> bool:
    """Whether `error` comes from the check's own code rather than from the learner's values.

    Whoever's code is deepest on the stack (installed libraries aside) owns the error:
    a helper's, the learner's (their `forward`, their `train`), or the check's own
    line. A check line that raises is the check's fault unless it concerns one of the
    learner's objects: an AttributeError on it, or a learner variable on that line
    (torch rejecting it, or it still holds `...` or None).
    """
    frames = traceback.extract_tb(error.__traceback__)
    owned = [f for f in frames if not _is_library(f.filename) or f.filename.startswith(_HELPERS)]
    if not owned:
        return False
    deepest = owned[-1]
    if deepest.filename.startswith(_HELPERS):
        return True  # a helper tripped, even inside a hook the learner's code ran
    if deepest.filename != check.filename:
        return False  # the learner's (or the setup's) code was running
    line = deepest.line or ""
    used = [n for n in _names_in(line) if n in namespace and not n.startswith("_")]
    if isinstance(error, AttributeError):
        obj = getattr(error, "obj", None)
        return not any(namespace[n] is obj for n in used) and not _is_learner_object(obj)
    if any(namespace[n] is ... or namespace[n] is None for n in used):
        return False
    return not used


_HELPERS = str(Path(__file__).resolve().parent)


def _is_library(filename: str) -> bool:
    """Installed code; the learner's code and the lesson's blocks are `<your code>`, `x.md:12`."""
    return filename.endswith(".py") or filename.startswith(("<frozen", "<string>"))


def _is_learner_object(obj: Any) -> bool:
    if isinstance(obj, (type, types.ModuleType)):
        return False
    return getattr(type(obj), "__module__", "") in ("__main__", "builtins")


def _names_in(line: str) -> list[str]:
    try:
        tree = ast.parse(line.strip().rstrip(":") or "pass")
    except SyntaxError:
        return []
    return [n.id for n in ast.walk(tree) if isinstance(n, ast.Name)]


def compile_block(block: CodeBlock) -> Any:
    """Compile `block` and register its text so tracebacks can quote its lines."""
    linecache.cache[block.filename] = (
        len(block.source),
        None,
        block.source.splitlines(keepends=True),
        block.filename,
    )
    return compile(block.source, block.filename, "exec")


def helpers_for(namespace: Mapping[str, Any], context: Context | None = None) -> dict[str, Any]:
    """The functions a check can call, bound to the learner's namespace for name lookups."""
    context = context or Context()

    def value_of(target: Any, name: str | None) -> tuple[Any, str]:
        if isinstance(target, str) and name is None:
            if target not in namespace:
                raise CheckFailed(_not_defined(target))
            return namespace[target], target
        return target, name or _("the value")

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
        known: Mapping[str, Any] | None = None,
    ) -> Any:
        value, label = value_of(target, name)
        try:
            check_close(value, expected, label, atol=atol, rtol=rtol)
        except CheckFailed:
            for message, wrong in (known or {}).items():
                if close_enough(value, wrong, atol=atol, rtol=rtol):
                    raise CheckFailed(message) from None
            raise
        return value

    def expect_equal(target: Any, expected: Any, *, name: str | None = None) -> Any:
        value, label = value_of(target, name)
        if not equal(value, expected):
            raise CheckFailed(should_be(label, show(expected), show(value)))
        return value

    def expect_type(
        target: Any, expected: type | tuple[type, ...], *, name: str | None = None
    ) -> Any:
        value, label = value_of(target, name)
        if not isinstance(value, expected):
            wanted = a_type(_type_names(expected))
            raise CheckFailed(should_be(label, wanted, describe(value)))
        return value

    def expect_float(target: Any, *, name: str | None = None) -> float:
        value, label = value_of(target, name)
        if isinstance(value, numbers.Real) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, torch.Tensor) and value.numel() == 1:
            raise CheckFailed(_(FLOAT_NOT_TENSOR).format(label=label, value=show(value)))
        raise CheckFailed(
            _("`{label}` should be a Python float, got {got}").format(
                label=label, got=describe(value)
            )
        )

    def expect(condition: Any, message: str) -> None:
        if not condition:
            raise CheckFailed(message)

    def run_again(watch: Sequence[str] = (), setup: bool = True, **inputs: Any) -> rerun.Run:
        return rerun.rerun(context, watch, inputs, setup=setup)

    def expect_computed(
        target: str,
        expected: Any,
        *,
        inputs: Mapping[str, Any],
        atol: float = ATOL,
        rtol: float = RTOL,
    ) -> None:
        run = rerun.rerun(context, (), inputs)
        given = ", ".join(f"`{key}`" for key in inputs)
        if run.error is not None:
            raise CheckFailed(
                _("with other values in {given}, your code raised {error}").format(
                    given=given, error=f"{type(run.error).__name__}: {run.error}"
                )
            )
        if target not in run.namespace:
            raise CheckFailed(_not_defined(target))
        value = run.namespace[target]
        want = expected(run.namespace) if callable(expected) else expected
        if close_enough(value, want, atol=atol, rtol=rtol):
            return
        if target in namespace and close_enough(value, namespace[target], atol=atol, rtol=rtol):
            raise CheckFailed(_(TYPED_IN).format(target=target, value=show(value), given=given))
        raise CheckFailed(
            _(OTHER_INPUTS).format(target=target, given=given, want=show(want), value=show(value))
        )

    return {
        "expect": expect,
        "expect_tensor": expect_tensor,
        "expect_close": expect_close,
        "expect_equal": expect_equal,
        "expect_type": expect_type,
        "expect_float": expect_float,
        "expect_computed": expect_computed,
        "expect_output": probes.expect_output,
        "expect_all_used": probes.expect_all_used,
        "expect_logits": probes.expect_logits,
        "is_linear": probes.is_linear,
        "rerun": run_again,
        "recording": rerun.recording,
        "loss_problem": behaviour.loss_problem,
        "is_piecewise_linear": probes.is_piecewise_linear,
        "update_problem": behaviour.update_problem,
        "descent_problem": behaviour.descent_problem,
        "loss_trend": behaviour.loss_trend,
        "show": show,
        "CheckFailed": CheckFailed,
        "CheckBroken": CheckBroken,
        "namespace": dict(namespace),
        "torch": torch,
    }


FLOAT_NOT_TENSOR = N_(
    "`{label}` should be a Python float, got a one-element tensor, {value}: "
    "call .item() to get the number out of it"
)
TYPED_IN = N_(
    "`{target}` stays {value} with other values in {given}: it looks typed in rather than "
    "computed from {given}"
)
OTHER_INPUTS = N_(
    "with other values in {given}, `{target}` should be {want}, got {value}: compute it from "
    "{given}"
)


def _type_names(expected: type | tuple[type, ...]) -> str:
    types = expected if isinstance(expected, tuple) else (expected,)
    return or_list([t.__name__ for t in types])


def _missing_name_message(error: NameError) -> str:
    name = getattr(error, "name", None)
    return _not_defined(name) if name else str(error)


def _not_defined(name: str) -> str:
    return _("`{name}` is not defined: your code should create a variable named `{name}`").format(
        name=name
    )


def _failed_line(check: CodeBlock, error: AssertionError) -> str:
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == check.filename]
    if frames and frames[-1].line:
        return _("this check did not hold: {code}").format(code=frames[-1].line.strip())
    return _("a check did not hold")
