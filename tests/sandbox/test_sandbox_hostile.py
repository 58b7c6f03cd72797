"""The hostile battery: whatever a snippet does, the UI survives and a worker is ready.

Every case asserts the outcome and the learner's one-line message, that a worker
answers again within 3 s, and that no process the snippet started is still alive.
Limits are small (see conftest.SMALL) and every loop is bounded in time or count, so
the test machine is never at risk.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time

import pytest
import pytest_asyncio

from tests.sandbox.conftest import Recorder, assert_recovered
from tutor.sandbox.limits import process_containment
from tutor.sandbox.procs import process_table
from tutor.sandbox.supervisor import Supervisor

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(loop_scope="module", autouse=True)
async def warm_spare(supervisor: Supervisor) -> None:
    """Each case starts with a ready spare: recovery time is measured, not the last import."""
    await supervisor.warm()


async def _interrupt_after(supervisor: Supervisor, code: str, delay: float = 0.5):
    task = asyncio.create_task(supervisor.run(code, key="hostile", on_event=Recorder()))
    await asyncio.sleep(delay)
    started = time.monotonic()
    await supervisor.interrupt()
    return await task, time.monotonic() - started


async def test_busy_loop_stops_on_interrupt_and_keeps_variables(supervisor: Supervisor) -> None:
    finished, took = await _interrupt_after(supervisor, "mark = 1\nwhile True:\n    pass")
    assert finished.status == "interrupted" and not finished.variables_lost
    assert finished.reason == "stopped by Ctrl+C; your variables are kept"
    assert took < 1
    assert (await supervisor.run("mark", key="hostile")).status == "ok"
    await assert_recovered(supervisor)


async def test_ignored_sigint_escalates_to_a_kill(supervisor: Supervisor) -> None:
    code = "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass"
    finished, took = await _interrupt_after(supervisor, code)
    assert finished.status == "interrupted" and finished.variables_lost
    assert finished.reason.startswith(
        "your code did not stop on Ctrl+C, so its worker was replaced"
    )
    assert finished.reason.endswith("your variables were lost — a fresh worker is ready")
    assert 2 < took < 5
    await assert_recovered(supervisor)


async def test_growing_allocation_hits_the_memory_limit(supervisor: Supervisor) -> None:
    code = (
        "def grow():\n    chunks = []\n    while True:\n        chunks.append(bytearray(10**7))\n"
    )
    code += "grow()"
    finished = await supervisor.run(code, key="hostile")
    assert finished.status == "limit"
    assert finished.reason.startswith("memory limit of 600 MiB reached (MemoryError")
    assert finished.reason.endswith("your variables are kept")
    await assert_recovered(supervisor)


async def test_huge_string_hits_the_memory_limit(supervisor: Supervisor) -> None:
    finished = await supervisor.run("' ' * 10**10", key="hostile")
    assert finished.status == "limit" and "memory limit of 600 MiB reached" in finished.reason
    await assert_recovered(supervisor)


async def test_huge_tensor_hits_the_memory_limit(supervisor: Supervisor) -> None:
    finished = await supervisor.run("import torch\ntorch.empty(10**10)", key="hostile")
    assert finished.status == "limit" and "memory limit of 600 MiB reached" in finished.reason
    await assert_recovered(supervisor)


async def test_fork_storm_and_setsid_child_do_not_survive_the_run(supervisor: Supervisor) -> None:
    code = """
import os, subprocess, time
for _ in range(20):
    if os.fork() == 0:
        time.sleep(60)
        os._exit(0)
escaped = subprocess.Popen(["sleep", "60"], start_new_session=True)
"""
    finished = await supervisor.run(code, key="hostile")
    assert finished.status == "ok", finished
    await assert_recovered(supervisor)


async def test_setsid_child_does_not_survive_a_killed_worker(supervisor: Supervisor) -> None:
    code = """
import signal, subprocess
subprocess.Popen(["sleep", "60"], start_new_session=True)
subprocess.Popen(["sh", "-c", "sleep 60 & sleep 60"])
signal.signal(signal.SIGINT, signal.SIG_IGN)
while True:
    pass
"""
    finished, _ = await _interrupt_after(supervisor, code)
    assert finished.variables_lost
    await assert_recovered(supervisor)


async def test_segfault_is_explained(supervisor: Supervisor) -> None:
    started = time.monotonic()
    finished = await supervisor.run("import ctypes\nctypes.string_at(0)", key="hostile")
    assert finished.status == "crashed" and finished.variables_lost
    assert finished.reason == (
        "the worker crashed with SIGSEGV (segmentation fault); "
        "your variables were lost — a fresh worker is ready"
    )
    assert (
        "Segmentation fault" in finished.traceback
        and 'File "<your code>", line 2' in finished.traceback
    )
    assert time.monotonic() - started < 3
    await assert_recovered(supervisor)


async def test_os_exit_is_explained(supervisor: Supervisor) -> None:
    finished = await supervisor.run("import os\nos._exit(3)", key="hostile")
    assert finished.status == "crashed" and finished.exit_code == 3
    assert finished.reason.startswith("the worker exited with status 3")
    await assert_recovered(supervisor)


async def test_sys_exit_is_reported_and_keeps_the_worker(supervisor: Supervisor) -> None:
    finished = await supervisor.run("kept = 1\nimport sys\nsys.exit(2)", key="hostile")
    assert (finished.status, finished.exit_code) == ("error", 2)
    assert finished.reason == "your code called sys.exit(2)" and not finished.variables_lost
    assert (await supervisor.run("kept", key="hostile")).status == "ok"
    await assert_recovered(supervisor)


async def test_raised_keyboard_interrupt_is_reported(supervisor: Supervisor) -> None:
    finished = await supervisor.run("raise KeyboardInterrupt", key="hostile")
    assert finished.status == "interrupted" and not finished.variables_lost
    assert "KeyboardInterrupt" in finished.traceback
    await assert_recovered(supervisor)


async def test_infinite_recursion_with_a_raised_limit(supervisor: Supervisor) -> None:
    code = """
import sys
sys.setrecursionlimit(10**6)
class Nested:
    def __repr__(self):
        return repr(Nested())
repr(Nested())
"""
    finished = await supervisor.run(code, key="hostile")
    assert finished.status == "crashed", finished
    assert finished.reason.startswith("the worker crashed with SIGSEGV (segmentation fault)")
    assert 'File "<your code>", line 6 in __repr__' in finished.traceback
    await assert_recovered(supervisor)
    assert (await supervisor.run("import sys\nsys.getrecursionlimit()", key="x")).status == "ok"


async def test_a_million_lines_keep_head_and_tail(supervisor: Supervisor) -> None:
    out = Recorder()
    finished = await supervisor.run(
        "for i in range(10**6):\n    print(i)", key="hostile", on_event=out
    )
    assert finished.status == "ok"
    text = out.text()
    assert text.startswith("0\n1\n2\n") and text.endswith("999998\n999999\n")
    assert text.count("\n") <= 2_000
    assert "998,000 lines" in out.text("stderr") and "of output not shown" in out.text("stderr")
    await assert_recovered(supervisor)


async def test_one_huge_line_hits_the_output_limit(supervisor: Supervisor) -> None:
    finished = await supervisor.run("print('x' * 10**8)", key="hostile", on_event=Recorder())
    assert finished.status == "limit" and finished.variables_lost
    assert finished.reason.startswith("output limit of 16 MiB reached; your variables were lost")
    await assert_recovered(supervisor)


async def test_fd_write_flood_hits_the_output_limit(supervisor: Supervisor) -> None:
    code = "import os\nwhile True:\n    os.write(1, b'flood ' * 10000)"
    out = Recorder()
    finished = await supervisor.run(code, key="hostile", on_event=out)
    assert finished.status == "limit" and "output limit" in finished.reason
    assert len(out.text()) <= 256 * 1024
    await assert_recovered(supervisor)


async def test_never_ending_thread_does_not_block_the_worker(supervisor: Supervisor) -> None:
    code = "import threading, time\n"
    code += "threading.Thread(target=time.sleep, args=(3600,), name='sleeper').start()"
    finished = await asyncio.wait_for(supervisor.run(code, key="thread"), 3)
    assert finished.status == "ok"
    assert finished.reason.startswith("still running in the background: sleeper")
    await assert_recovered(supervisor)
    await supervisor.restart()
    await assert_recovered(supervisor)


async def test_external_sigkill_mid_run(supervisor: Supervisor) -> None:
    task = asyncio.create_task(supervisor.run("import time\ntime.sleep(30)", key="hostile"))
    await asyncio.sleep(0.3)
    assert supervisor.device_report is not None
    os.kill(supervisor.device_report.pid, signal.SIGKILL)
    finished = await asyncio.wait_for(task, 3)
    assert finished.status == "crashed" and finished.variables_lost
    assert finished.reason.startswith("the worker was killed (SIGKILL)")
    await assert_recovered(supervisor)


async def test_sigterm_to_the_parent_leaves_the_ui_alone(supervisor: Supervisor) -> None:
    code = "import os, signal\n"
    code += "os.kill(os.getppid(), signal.SIGTERM)\nos.kill(os.getppid(), signal.SIGINT)"
    finished = await supervisor.run(code, key="hostile")
    assert finished.status == "ok"
    await assert_recovered(supervisor)


async def test_crash_while_idle_is_recovered_before_the_next_run(supervisor: Supervisor) -> None:
    states: list[tuple[str, str]] = []
    supervisor.on_state = lambda state, reason: states.append((state, reason))
    try:
        assert supervisor.device_report is not None
        os.kill(supervisor.device_report.pid, signal.SIGSEGV)
        await asyncio.sleep(0.3)
        await assert_recovered(supervisor)
    finally:
        supervisor.on_state = None
    assert any("SIGSEGV" in reason for _, reason in states)


def _zombies() -> set[int]:
    table = process_table()
    return {pid for pid, (parent, state) in table.items() if parent == os.getpid() and state == "Z"}


async def test_killed_and_restarted_workers_leave_no_zombies(supervisor: Supervisor) -> None:
    await supervisor.restart()
    await supervisor.warm()
    code = "import subprocess, time\nsubprocess.Popen(['sleep', '60'], start_new_session=True)\n"
    running = asyncio.create_task(supervisor.run(code + "time.sleep(30)", key="zombies"))
    await asyncio.sleep(0.5)
    await supervisor.restart()
    assert (await running).status == "interrupted"
    await assert_recovered(supervisor)
    assert _zombies() == set()


async def test_restarts_asked_for_during_a_restart_join_it(supervisor: Supervisor) -> None:
    spawned: list[object] = []
    spawn = supervisor._pool._spawn

    async def counting_spawn():  # type: ignore[no-untyped-def]
        spawned.append(None)
        return await spawn()

    supervisor._pool._spawn = counting_spawn  # type: ignore[method-assign]
    try:
        assert supervisor.device_report is not None
        before = supervisor.device_report.pid
        await asyncio.gather(*(supervisor.restart() for _ in range(10)))
        assert supervisor.device_report.pid != before
        assert len(spawned) == 1  # the new spare: ten presses, one restart
    finally:
        del supervisor._pool._spawn
    await assert_recovered(supervisor)


@pytest.mark.skipif(process_containment() != "watchdog", reason="RLIMIT_NPROC bounds it here")
async def test_fork_bomb_as_root_is_stopped_and_swept(supervisor: Supervisor) -> None:
    code = """
import os, time
for _ in range(300):
    if os.fork() == 0:
        time.sleep(30)
        os._exit(0)
time.sleep(30)
"""
    finished = await asyncio.wait_for(supervisor.run(code, key="bomb"), 30)
    assert finished.status == "limit" and finished.variables_lost
    assert finished.reason.startswith(
        "process limit reached: your code started more than 64 processes, so they were all stopped"
    )
    await assert_recovered(supervisor)
    assert _zombies() == set()
