"""Check helpers: one precise sentence per failure, in the order torch's assert_close compares."""

from __future__ import annotations

from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from tutor.lessons.behaviour import loss_trend  # noqa: E402
from tutor.lessons.checks import CheckReport, run_checks  # noqa: E402
from tutor.lessons.model import CodeBlock  # noqa: E402
from tutor.lessons.probes import is_piecewise_linear  # noqa: E402


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


# -- a check's own bug is never blamed on the learner ------------------------------------


def test_a_name_the_exercise_never_asked_for_is_the_checks_bug() -> None:
    check = [CodeBlock("if x > 1:\n    undefined_helper(x)\n", Path("lesson.md"), 10)]
    report = run_checks(check, {"x": 3}, asked=frozenset({"x"}))
    assert report.broken and not report.passed
    assert report.message.startswith("this exercise's check is broken")
    assert "undefined_helper" in report.message and "lesson.md line 11" in report.message
    assert "your code should create" not in report.message


def test_a_name_the_exercise_asked_for_is_the_learners() -> None:
    report = run_checks([CodeBlock("y + 1\n", Path("l.md"), 1)], {}, asked=frozenset({"y"}))
    assert not report.broken
    assert report.message == "`y` is not defined: your code should create a variable named `y`"


def test_a_check_crashing_on_its_own_values_is_broken() -> None:
    assert verdict("torch.nn.functionl.relu(x)", x=torch.zeros(2)).broken
    assert verdict("expect_tensor('x', dtpye=torch.float32)", x=torch.zeros(2)).broken
    assert verdict("[1, 2][5]").broken


def test_a_check_crashing_on_the_learners_values_blames_the_values() -> None:
    for report in (
        verdict("x.shape", x=3),
        verdict("float(x) + 1", x=...),
        verdict("torch.nn.Linear(3, 2)(x)", x=torch.zeros(2, 4)),
    ):
        assert not report.broken and report.message.startswith("checking your code raised")


def test_the_learners_function_raising_inside_a_check_is_the_learners() -> None:
    namespace: dict[str, object] = {}
    exec(compile("def f(v):\n    return v.nope\n", "<your code>", "exec"), namespace)
    report = run_checks([CodeBlock("f(torch.zeros(1))\n", Path("l.md"), 1)], namespace)
    assert not report.broken and "nope" in report.message


# -- verdicts are one line ---------------------------------------------------------------


def test_big_values_are_shown_on_one_line() -> None:
    text = message('expect_equal("m", 1)', m=torch.arange(12.0).reshape(3, 4))
    assert "\n" not in text
    assert text == "`m` should be 1, got tensor of shape (3, 4): [0, 1, 2, 3, …]"
    assert "\n" not in message('assert False, "two\\nlines"')
    long = message('expect_equal("s", 1)', s="x" * 200)
    assert len(long) < 100 and long.endswith("…")


def test_float_not_one_element_tensor() -> None:
    assert verdict('expect_float("a")', a=0.5).passed
    assert message('expect_float("a")', a=torch.tensor(0.5)) == (
        "`a` should be a Python float, got a one-element tensor, tensor(0.5): "
        "call .item() to get the number out of it"
    )


def test_known_wrong_values_get_their_own_message() -> None:
    check = 'expect_close("loss", 1.0, known={"you summed instead of averaging": 4.0})'
    assert message(check, loss=4.0) == "you summed instead of averaging"
    assert message(check, loss=3.0) == "`loss` should be 1, got 3"


# -- behaviour: re-running the learner's code ----------------------------------------------

DESCENT = """\
import torch
x = torch.tensor(-3.5, requires_grad=True)
for step in range({steps}):
    loss = (x - 2) ** 2
    loss.backward()
    with torch.no_grad():
        x {op}= {lr} * x.grad
    {zero}
"""
WATCH = (
    "run = rerun(watch=['x'])\n"
    "problem = descent_problem(run.values('x'), 2.0, name='x', lr=LR)\n"
    "expect(problem is None, problem or '')\n"
    "problem = update_problem(run.recorder, zero='x.grad.zero_()', optimizer=False)\n"
    "expect(problem is None, problem)\n"
)


def descent(steps: int = 100, op: str = "-", lr: float = 0.1, zero: str = "x.grad.zero_()"):
    source = DESCENT.format(steps=steps, op=op, lr=lr, zero=zero)
    learner = CodeBlock(source, Path("<your code>"), 1)
    namespace: dict[str, object] = {"LR": lr}
    exec(compile(source, learner.filename, "exec"), namespace)
    check = CodeBlock(WATCH, Path("lesson.md"), 1)
    return run_checks([check], namespace, learner=learner)


def test_a_descent_that_arrives_passes() -> None:
    assert descent().passed


def test_descent_paths_are_told_apart() -> None:
    assert "never moved from -3.5" in descent(lr=0.0).message
    assert "jumps back and forth between -3.5 and 7.5" in descent(lr=1.0).message
    assert "too large (it is 1)" in descent(lr=1.0).message
    assert "jumping over 2 and farther away" in descent(lr=1.5).message
    assert "instead of subtracting it (gradient ascent)" in descent(op="+").message
    assert "needs more steps" in descent(steps=5).message
    adding_up = descent(zero="pass").message
    assert "swings back and forth around 2" in adding_up


def test_update_problems_from_events() -> None:
    loop = """\
import torch
x = torch.tensor(-3.5, requires_grad=True)
optimizer = torch.optim.{opt}([x], lr=0.1)
for step in range(20):
{body}
"""
    check = "problem = update_problem(rerun().recorder)\nexpect(problem is None, problem)\n"

    def report(body: str, opt: str = "SGD") -> CheckReport:
        lines = "\n".join("    " + line for line in body.split(";"))
        source = loop.format(body=lines, opt=opt)
        learner = CodeBlock(source, Path("<your code>"), 1)
        return run_checks([CodeBlock(check, Path("l.md"), 1)], {}, learner=learner)

    good = "optimizer.zero_grad();loss = (x - 2) ** 2;loss.backward();optimizer.step()"
    assert report(good).passed
    assert (
        "zero_grad() runs between backward() and step()"
        in report(
            "loss = (x - 2) ** 2;loss.backward();optimizer.zero_grad();optimizer.step()"
        ).message
    )
    assert (
        "step() runs before loss.backward()"
        in report(
            "optimizer.zero_grad();loss = (x - 2) ** 2;optimizer.step();loss.backward()"
        ).message
    )
    assert (
        "the gradients add up"
        in report("loss = (x - 2) ** 2;loss.backward();optimizer.step()").message
    )
    assert "backward() is never called" in report("loss = (x - 2) ** 2;optimizer.step()").message
    assert (
        "a new Adam is created at every step"
        in report("optimizer = torch.optim.Adam([x], lr=0.1);" + good).message
    )


def test_rerun_restores_random_state_and_stays_quiet(capsys: pytest.CaptureFixture[str]) -> None:
    learner = CodeBlock("import torch\ntorch.manual_seed(5)\nprint('hi')\n", Path("<c>"), 1)
    torch.manual_seed(0)
    expected = torch.rand(1)
    torch.manual_seed(0)
    check = CodeBlock("rerun()\n", Path("l.md"), 1)
    assert run_checks([check], {}, learner=learner).passed
    assert torch.equal(torch.rand(1), expected)
    assert capsys.readouterr().out == ""


def test_rerun_without_the_learners_code_is_a_broken_check() -> None:
    assert verdict("rerun()").broken


def test_typed_in_values_are_found_by_changing_the_inputs() -> None:
    setup = CodeBlock("labels = [1, 2, 3]\n", Path("<setup>"), 1)
    check = CodeBlock(
        'expect_computed("total", lambda ns: sum(ns["labels"]), inputs={"labels": [5, 5]})\n',
        Path("l.md"),
        1,
    )

    def report(source: str) -> CheckReport:
        learner = CodeBlock(source, Path("<your code>"), 1)
        namespace: dict[str, object] = {}
        for block in (setup, learner):
            exec(compile(block.source, block.filename, "exec"), namespace)
        return run_checks([check], namespace, learner=learner, setup=setup)

    assert report("total = sum(labels)\n").passed
    assert (
        "`total` stays 6 with other values in `labels`: it looks typed in"
        in report("total = 6\n").message
    )
    assert "should be 10, got 11" in report("total = sum(labels) + 1\n").message


def test_loss_trend_words() -> None:
    assert loss_trend([4, 3, 2, 1.5, 1, 0.8, 0.5, 0.4, 0.3, 0.2]) == "falling"
    assert loss_trend([1, 2, 4, 8, 16, 32]) == "rising"
    assert loss_trend([1.0, float("nan")] * 3) == "diverged"
    assert loss_trend([2.3] * 10) == "flat"
    assert loss_trend([2, 1, 2.2, 1, 2.1, 0.9, 2.2, 1.1, 2.0, 1.0, 2.1]) == "oscillating"


# -- models on a probe batch ---------------------------------------------------------------


class Unused(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.first = torch.nn.Linear(4, 3)
        self.spare = torch.nn.Linear(3, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.first(x)


def test_model_probes() -> None:
    batch = torch.randn(6, 4)
    nn = torch.nn
    plain = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3))
    for ending, words in [
        (nn.Softmax(dim=1), "adds up to 1"),
        (nn.LogSoftmax(dim=1), "log_softmax"),
        (nn.Sigmoid(), "between 0 and 1"),
        (nn.ReLU(), "followed by ReLU"),
    ]:
        text = message("expect_logits(m, b)", m=nn.Sequential(plain, ending), b=batch)
        assert words in text
    assert verdict("expect_logits(m, b)", m=plain, b=batch).passed
    assert "`model.spare`, a Linear(3, 3), never gets a gradient" in message(
        "expect_all_used(m, b)", m=Unused(), b=batch
    )
    assert verdict("expect_all_used(m, b)", m=plain, b=batch).passed
    squeezed = message("expect_output(m, b, (6, 1))", m=lambda x: x.sum(dim=1), b=batch)
    assert "should have shape (6, 1), got (6,): MSELoss would silently broadcast" in squeezed
    assert "fails for a batch x of shape (6, 4)" in message(
        "expect_output(m, b, (6, 3))", m=nn.Linear(5, 3), b=batch
    )
    assert verdict("expect(is_linear(m, (6, 4)), 'linear')", m=nn.Linear(4, 3)).passed
    assert not verdict("expect(not is_linear(m, (6, 4)), 'linear')", m=nn.Linear(4, 3)).passed
    assert verdict("expect(not is_linear(m, (6, 4)), 'linear')", m=plain).passed


def test_relu_models_bend_in_corners_smooth_ones_do_not() -> None:
    nn = torch.nn
    for act, corners in ((nn.ReLU(), True), (nn.Tanh(), False), (nn.Sigmoid(), False)):
        wide = nn.Sequential(nn.Linear(64, 32), act, nn.Linear(32, 10))
        assert is_piecewise_linear(wide, 0.0, 1.0, features=64) is corners
        narrow = nn.Sequential(nn.Linear(1, 16), act, nn.Linear(16, 1))
        assert is_piecewise_linear(narrow, -10, 10) is corners
