"""Run and check semantics through a real worker: REPL echo, output, variables, metrics."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from pathlib import Path

import pytest

from tests.sandbox.conftest import SMALL, Recorder
from tutor.lessons.model import CodeBlock
from tutor.sandbox.supervisor import Supervisor

pytestmark = pytest.mark.asyncio(loop_scope="module")

LESSON = Path("lessons/01-tensors.md")


async def test_repl_echoes_the_final_expression_and_keeps_the_namespace(
    supervisor: Supervisor,
) -> None:
    await supervisor.run("x = 41", key="repl")
    out = Recorder()
    finished = await supervisor.run("y = x + 1\ny", key="repl", on_event=out)
    assert finished.status == "ok" and finished.exit_code == 0
    assert out.text() == "42\n"
    out = Recorder()
    await supervisor.run("None", key="repl", on_event=out)
    assert out.text() == ""


async def test_huge_repr_is_shortened(supervisor: Supervisor) -> None:
    out = Recorder()
    await supervisor.run("'a' * 1_000_000", key="repr", on_event=out)
    assert len(out.text()) < 30_000
    assert "characters not shown" in out.text()


async def test_namespaces_are_separate_and_reset_drops_one(supervisor: Supervisor) -> None:
    await supervisor.run("secret = 1", key="one")
    finished = await supervisor.run("secret", key="two")
    assert finished.status == "error" and "NameError" in finished.reason
    await supervisor.reset("one")
    finished = await supervisor.run("secret", key="one")
    assert "NameError" in finished.reason


async def test_output_is_captured_at_the_fd_level_and_kept_apart(supervisor: Supervisor) -> None:
    code = """
import ctypes, os, subprocess, sys
print("print")
os.write(1, b"fd one\\n")
os.write(2, b"fd two\\n")
ctypes.CDLL(None).write(1, b"from C\\n", 7)
subprocess.run(["echo", "from a child"])
print("to stderr", file=sys.stderr)
"""
    out = Recorder()
    finished = await supervisor.run(code, key="fd", on_event=out)
    assert finished.status == "ok", finished
    assert out.text() == "print\nfd one\nfrom C\nfrom a child\n"
    assert out.text("stderr") == "fd two\nto stderr\n"


async def test_control_sequences_and_markup_arrive_as_literal_text(supervisor: Supervisor) -> None:
    out = Recorder()
    await supervisor.run("print('\\x1b[2J[bold red]x[/]')", key="ansi", on_event=out)
    assert out.text() == "\x1b[2J[bold red]x[/]\n"


async def test_traceback_shows_only_the_learners_frames(supervisor: Supervisor) -> None:
    code = "def f(d):\n    return 1 / d\n\nf(0)"
    finished = await supervisor.run(code, key="tb", on_event=Recorder())
    assert finished.status == "error"
    assert finished.reason == "ZeroDivisionError: division by zero"
    assert finished.traceback.startswith(
        'Traceback (most recent call last):\n  File "<your code>", line 4'
    )
    assert "tutor" not in finished.traceback.replace("<your code>", "")
    assert "line 2, in f" in finished.traceback


async def test_syntax_error_is_reported(supervisor: Supervisor) -> None:
    finished = await supervisor.run("x = (", key="syntax")
    assert finished.status == "error" and finished.reason.startswith("SyntaxError")
    assert '"<your code>", line 1' in finished.traceback


async def test_variables_report_lists_every_learner_name_and_model_layers(
    supervisor: Supervisor,
) -> None:
    code = """
import math
import torch
from math import sqrt
t = torch.zeros(2, 3, dtype=torch.float64)
w = torch.nn.Parameter(torch.ones(4))
model = torch.nn.Linear(3, 1)
model(torch.zeros(8, 3))
n = 5
"""
    out = Recorder()
    await supervisor.run(code, key="vars", on_event=out)
    assert out.variables is not None
    found = {v.name: v for v in out.variables.variables}
    assert set(found) == {"t", "w", "model", "n"}, "imports are left out"
    assert (found["t"].shape, found["t"].dtype, found["t"].device) == ((2, 3), "float64", "cpu")
    assert (found["w"].type, found["w"].requires_grad) == ("Parameter", True)
    assert (found["model"].type, found["model"].shape, found["model"].dtype) == (
        "Linear",
        None,
        "float32",
    )
    assert found["model"].parameters == 4 and found["n"].value == "5"
    assert found["t"].stats is not None and found["t"].stats.max == 0.0


async def test_layer_output_shapes_come_from_the_last_forward(supervisor: Supervisor) -> None:
    code = """
import torch
net = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.Tanh(), torch.nn.Linear(5, 2))
net(torch.zeros(16, 3))
"""
    out = Recorder()
    await supervisor.run(code, key="layers", on_event=out)
    assert out.variables is not None
    (net,) = out.variables.variables
    shapes = [(layer.name, layer.parameters, layer.output_shape) for layer in net.layers]
    assert shapes == [("0", 20, "(16, 5)"), ("1", 0, "(16, 5)"), ("2", 12, "(16, 2)")]


async def test_metrics_stream_live_in_batches_and_keep_every_point(supervisor: Supervisor) -> None:
    code = """
import time, tutor
start = time.perf_counter()
step = 0
while time.perf_counter() - start < 0.6:
    tutor.log(step=step, loss=1.0 / (step + 1))
    step += 1
    time.sleep(0.0005)
tutor.log(acc=0.5)
"""
    out = Recorder()
    arrivals: list[float] = []

    def record(event: object) -> None:
        out(event)  # type: ignore[arg-type]
        arrivals.append(time.monotonic())

    started = time.monotonic()
    finished = await supervisor.run(code, key="metrics", on_event=record)
    ended = time.monotonic()
    batches = out.metrics
    points = [p for batch in batches for p in batch.points]
    # Batched (about one per 0.1 s of the loop), not one message a point; how many batches
    # a loaded machine makes of 0.6 s varies, so the bound is relative to the points.
    assert 3 <= len(batches) <= len(points) // 20
    assert arrivals[0] - started < ended - started - 0.2, (
        "the first batch must arrive while the loop runs"
    )
    steps = [p.step for p in points if "loss" in p.values]
    assert steps == list(range(len(steps))) and len(steps) > 100
    assert points[-1].values == {"acc": 0.5} and points[-1].step == steps[-1] + 1
    assert finished.status == "ok"


async def test_input_fails_at_once_instead_of_hanging(supervisor: Supervisor) -> None:
    finished = await asyncio.wait_for(supervisor.run("name = input('name? ')", key="input"), 3)
    assert finished.status == "error"
    assert "EOFError" in finished.reason and "no keyboard" in finished.reason


async def test_interrupt_keeps_the_variables(supervisor: Supervisor) -> None:
    task = asyncio.create_task(
        supervisor.run("kept = 7\nimport time\nwhile True:\n    time.sleep(0.01)", key="int")
    )
    await asyncio.sleep(0.5)
    await supervisor.interrupt()
    finished = await task
    assert finished.status == "interrupted" and not finished.variables_lost
    assert "KeyboardInterrupt" in finished.traceback
    out = Recorder()
    await supervisor.run("kept", key="int", on_event=out)
    assert out.text() == "7\n"


def _check(source: str, line: int = 10) -> CodeBlock:
    return CodeBlock(source, LESSON, line)


async def test_check_passes_and_fails_through_the_worker(supervisor: Supervisor) -> None:
    checks = [
        _check('expect_tensor("m", shape=(2, 3), dtype=torch.float32)'),
        _check("assert m.sum() == 21"),
    ]
    good = "import torch\nm = torch.arange(1, 7, dtype=torch.float32).reshape(2, 3)"
    finished = await supervisor.check(good, key="ex", checks=checks)
    assert finished.status == "ok" and finished.check is not None
    assert finished.check.passed

    finished = await supervisor.check("import torch\nm = torch.arange(6)", key="ex", checks=checks)
    assert finished.check is not None and not finished.check.passed
    assert finished.check.message.startswith("`m`: expected a float32 tensor of shape (2, 3)")
    assert finished.check.line == 10

    finished = await supervisor.check("m = 1 / 0", key="ex", checks=checks)
    assert finished.status == "error" and finished.check is not None
    assert finished.check.message == "your code raised ZeroDivisionError: division by zero"


async def test_check_runs_setup_in_a_fresh_namespace_and_keeps_the_result(
    supervisor: Supervisor,
) -> None:
    await supervisor.run("leftover = 1", key="fresh")
    setup = CodeBlock("import torch\nbase = torch.ones(3)", LESSON, 5)
    checks = [_check('expect("leftover" not in namespace, "stale")\nexpect_close("total", 6.0)')]
    finished = await supervisor.check(
        "total = (base * 2).sum()", key="fresh", checks=checks, setup=setup
    )
    assert finished.check is not None and finished.check.passed, finished
    out = Recorder()
    await supervisor.run("float(total)", key="fresh", on_event=out)
    assert out.text() == "6.0\n"


async def test_check_has_a_wall_clock_budget(supervisor: Supervisor) -> None:
    started = time.monotonic()
    finished = await supervisor.check(
        "import time\ntime.sleep(60)", key="slow", checks=[_check("pass")]
    )
    assert finished.status == "timeout"
    assert finished.reason.startswith("the checks were stopped after 5 s")
    assert finished.check is not None and not finished.check.passed
    assert finished.check.message == "the checks were stopped after 5 s"
    assert time.monotonic() - started < 8


async def test_the_check_time_limit_starts_once_the_worker_is_ready(tmp_path: Path) -> None:
    """A worker's start (a torch import: seconds on a loaded machine) is not the check's."""
    starting = Supervisor(replace(SMALL, check_timeout=0.8), cwd=tmp_path, spare=False)
    start = asyncio.ensure_future(starting.start())
    await asyncio.sleep(0)
    started = time.monotonic()
    try:
        check = starting.check("import time\ntime.sleep(0.2)", key="k", checks=[_check("pass")])
        finished = await asyncio.wait_for(check, 60)
        assert time.monotonic() - started > 0.8  # the start alone took longer than the limit
        assert finished.check is not None and finished.check.passed, finished
    finally:
        await asyncio.wait_for(start, 60)
        await starting.close()


async def test_process_wide_torch_settings_do_not_leak_into_the_next_run(
    supervisor: Supervisor,
) -> None:
    await supervisor.run(
        "import torch\ntorch.set_default_dtype(torch.float64)\ntorch.set_grad_enabled(False)",
        key="leaky",
    )
    out = Recorder()
    await supervisor.run(
        "import torch\nprint(torch.zeros(1).dtype, torch.is_grad_enabled())",
        key="other",
        on_event=out,
    )
    assert out.text() == "torch.float32 True\n"
