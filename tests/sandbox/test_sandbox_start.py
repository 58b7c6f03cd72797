"""Requests that come before the worker is up: F5/F6 pressed while torch still imports.

The app starts the worker only after its first frame, so a learner who opens a step
and presses F6 at once asks before `start()` was even called. Every start here is
held at a gate (see `tests.start_gate`) until the test opens it, so "before" and
"during" are certain, not a matter of timing.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from tests.sandbox.conftest import SMALL, Recorder, strays
from tests.start_gate import StartGate, StateLog
from tutor.lessons.model import CodeBlock
from tutor.sandbox.supervisor import Supervisor
from tutor.sandbox.worker import SandboxError

WAIT = 60.0
"""Seconds before a test gives up on a worker: a loaded machine imports torch slowly."""
CHECKS = [CodeBlock("assert x == 2, 'x should be 2'", Path("lessons/01-tensors.md"), 10)]


@pytest_asyncio.fixture
async def gated(gate: StartGate, tmp_path: Path) -> AsyncIterator[Supervisor]:
    """A supervisor nobody started yet, whose worker starts wait for the gate."""
    supervisor = Supervisor(
        SMALL, device="cpu", python=str(gate.python), cwd=tmp_path / "cwd", spare=False
    )
    yield supervisor
    await supervisor.close()


async def test_a_run_asked_for_before_start_starts_the_worker_and_runs(
    gated: Supervisor, gate: StartGate
) -> None:
    log = StateLog(gated)
    out = Recorder()
    run = asyncio.ensure_future(gated.run("print('early')", key="k", on_event=out))
    await log.reached("starting")
    assert gated.busy and not run.done()
    gate.open()
    finished = await asyncio.wait_for(run, WAIT)
    assert finished.status == "ok" and out.text() == "early\n", finished
    assert log.states == ["starting", "ready", "running", "ready"]


async def test_a_check_waits_for_the_start_under_way_and_a_second_start_joins_it(
    gated: Supervisor, gate: StartGate
) -> None:
    log = StateLog(gated)
    app_start = asyncio.ensure_future(gated.start())
    await log.reached("starting")
    check = asyncio.ensure_future(gated.check("x = 1 + 1", key="k", checks=CHECKS))
    late_start = asyncio.ensure_future(gated.start())  # the app's own, after its first frame
    gate.open()
    finished = await asyncio.wait_for(check, WAIT)
    assert finished.check is not None and finished.check.passed, finished
    report = await app_start
    assert await late_start is report
    assert await gated.start() is report, "a started supervisor is not started again"
    assert log.states.count("starting") == 1
    assert strays(gated) == set(), "one worker only: the starts were joined"


async def test_interrupt_while_waiting_for_the_start_ends_the_request_unrun(
    gated: Supervisor, gate: StartGate
) -> None:
    log = StateLog(gated)
    check = asyncio.ensure_future(gated.check("x = 2", key="k", checks=CHECKS))
    await log.reached("starting")
    await gated.interrupt()
    finished = await asyncio.wait_for(check, WAIT)
    assert finished.status == "interrupted"
    assert (
        finished.reason == "stopped by Ctrl+C before your code ran: the worker was still starting"
    )
    assert finished.check is not None and not finished.check.passed
    assert not finished.variables_lost
    assert not gated.busy and gated.state == "starting", "the start itself goes on"
    gate.open()
    out = Recorder()
    again = await asyncio.wait_for(gated.run("print('later')", key="k", on_event=out), WAIT)
    assert again.status == "ok" and out.text() == "later\n"
    assert "running" in log.states[log.states.index("ready") :]


async def test_a_start_that_fails_is_the_requests_one_line_reason(tmp_path: Path) -> None:
    broken = tmp_path / "broken-python"
    broken.write_text(
        "#!/bin/sh\necho 'Traceback (most recent call last):' >&2\n"
        "echo 'ImportError: libtorch_cpu.so: cannot open shared object file' >&2\n"
        "exit 3\n"
    )
    broken.chmod(0o755)
    supervisor = Supervisor(SMALL, device="cpu", python=str(broken), cwd=tmp_path, spare=False)
    log = StateLog(supervisor)
    try:
        with pytest.raises(SandboxError) as raised:
            await asyncio.wait_for(supervisor.check("x = 2", key="k", checks=CHECKS), WAIT)
        assert str(raised.value) == (
            "the worker exited with status 3 while starting: "
            "ImportError: libtorch_cpu.so: cannot open shared object file"
        )
        assert log.states == ["starting", "closed"]
        assert not supervisor.busy
    finally:
        await supervisor.close()


async def test_closing_while_the_worker_starts_leaves_no_process(
    gated: Supervisor, gate: StartGate
) -> None:
    log = StateLog(gated)
    start = asyncio.ensure_future(gated.start())
    await log.reached("starting")
    await gated.close()
    with pytest.raises(SandboxError, match="the sandbox was closed"):
        await asyncio.wait_for(start, WAIT)
    assert gated.state == "closed" and gated.worker_pids == ()
    assert strays(gated) == set()


async def test_a_fresh_worker_resets_the_gpu_memory_figure_of_the_last_run(
    tmp_path: Path,
) -> None:
    """The header shows what the worker holds: after a restart, the new one holds nothing."""
    supervisor = Supervisor(SMALL, device="cpu", cwd=tmp_path, spare=False)
    try:
        await asyncio.wait_for(supervisor.start(), WAIT)
        supervisor.gpu_memory = 3 * 1024**3  # as a run on a GPU leaves it
        await asyncio.wait_for(supervisor.restart(), WAIT)
        assert supervisor.gpu_memory is None, "a CPU-only worker holds no GPU memory"
    finally:
        await supervisor.close()


async def test_a_worker_folder_that_cannot_be_made_is_a_one_line_reason(tmp_path: Path) -> None:
    in_the_way = tmp_path / "scratch"
    in_the_way.write_text("a file where the folder goes")
    supervisor = Supervisor(SMALL, device="cpu", cwd=in_the_way / "inside", spare=False)
    try:
        with pytest.raises(SandboxError) as raised:
            await asyncio.wait_for(supervisor.run("x = 2", key="k"), WAIT)
        assert str(raised.value) == (
            f"cannot make the worker's folder {in_the_way / 'inside'}: Not a directory"
        )
        assert not supervisor.busy and supervisor.state == "closed"
    finally:
        await supervisor.close()
