"""Check helpers: one precise sentence per failure, in the order torch's assert_close compares."""

from __future__ import annotations

from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from tutor.lessons.checks import CheckReport, run_checks  # noqa: E402
from tutor.lessons.model import CodeBlock  # noqa: E402


def verdict(check: str, **namespace: object) -> CheckReport:
    return run_checks([CodeBlock(check + "\n", Path("lesson.md"), 10)], dict(namespace))


def message(check: str, **namespace: object) -> str:
    report = verdict(check, **namespace)
    assert not report.passed
    return report.message


SPEC = 'expect_tensor("x", dtype=torch.float32, shape=(2, 3), device="cpu")'


def test_layered_message_names_expected_and_found() -> None:
    assert message(SPEC, x=torch.tensor([1, 2, 3])) == (
        "`x`: expected a float32 tensor of shape (2, 3) on cpu, got int64 of shape (3,) on cpu"
    )


def test_not_a_tensor() -> None:
    assert (
        message(SPEC, x=[1, 2])
        == "`x`: expected a float32 tensor of shape (2, 3) on cpu, got a list ([1, 2])"
    )
    assert "placeholder is still there" in message(SPEC, x=...)


def test_missing_variable() -> None:
    assert message(SPEC) == "`x` is not defined: your code should create a variable named `x`"


def test_values_after_structure() -> None:
    text = message('expect_tensor("w", values=[0.1, 0.2, 0.3])', w=torch.tensor([0.1, 0.25, 0.3]))
    assert (
        text
        == "`w` has wrong values at index (1,): expected 0.2, got 0.25 (1 of 3 elements differ)"
    )


def test_values_within_tolerance_pass() -> None:
    assert verdict(
        'expect_tensor("w", values=[0.1, 0.2])', w=torch.tensor([0.1, 0.2 + 1e-7])
    ).passed


def test_shape_wildcard() -> None:
    assert verdict('expect_tensor("b", shape=(None, 10))', b=torch.zeros(7, 10)).passed
    assert "shape (*, 10)" in message('expect_tensor("b", shape=(None, 10))', b=torch.zeros(7, 9))


def test_requires_grad_and_grad_layers() -> None:
    plain = torch.tensor(3.5)
    assert "requires_grad=True" in message('expect_tensor("x", requires_grad=True)', x=plain)
    tracked = torch.tensor(3.5, requires_grad=True)
    assert message('expect_tensor("x", grad=5.75)', x=tracked).startswith("`x.grad` is None")
    ((tracked - 1) * (tracked - 2) * (tracked - 3)).backward()
    assert verdict('expect_tensor("x", requires_grad=True, grad=5.75)', x=tracked).passed
    assert "expected 6, got 5.75" in message('expect_tensor("x", grad=6.0)', x=tracked)


def test_is_leaf() -> None:
    x = torch.ones(2, requires_grad=True)
    assert "is_leaf is False" in message('expect_tensor("y", is_leaf=True)', y=x * 2)


def test_device_any_index_matches() -> None:
    assert "on cuda" in message('expect_tensor("x", device="cuda")', x=torch.zeros(1))


def test_close_equal_and_type() -> None:
    assert verdict('expect_close("g", 5.75)', g=torch.tensor(5.75)).passed
    assert message('expect_close("g", 5.75)', g=5.0) == "`g` should be 5.75, got 5"
    assert message('expect_equal("n", 2)', n=3) == "`n` should be 2, got 3"
    assert message('expect_type("m", dict)', m=[1]) == "`m` should be a dict, got a list ([1])"


def test_plain_assert_messages() -> None:
    assert message('assert x > 1, "x must exceed 1"', x=0) == "x must exceed 1"
    assert message("assert x > 1", x=0) == "this check did not hold: assert x > 1"


def test_error_inside_a_check_is_reported_not_raised() -> None:
    assert (
        message("x.shape", x=3)
        == "checking your code raised AttributeError: 'int' object has no attribute 'shape'"
    )


def test_first_failing_check_decides() -> None:
    checks = [
        CodeBlock('expect_equal("a", 1)\n', Path("l.md"), 5),
        CodeBlock('expect_equal("b", 2)\n', Path("l.md"), 9),
    ]
    report = run_checks(checks, {"a": 1, "b": 3})
    assert (report.passed, report.message, report.line) == (
        False,
        "`b` should be 2, got 3",
        9,
    )
    assert run_checks(checks, {"a": 1, "b": 2}).passed


def test_checks_cannot_change_the_learners_namespace() -> None:
    namespace = {"a": 1}
    run_checks([CodeBlock("a = 2\n", Path("l.md"), 1)], namespace)
    assert namespace == {"a": 1}
