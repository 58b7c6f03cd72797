"""The reply channel against a snippet that writes, closes or replaces file descriptors.

A forged `finished` must never pass a check, and nothing a snippet does to fds may
leave a run waiting: each case ends with a verdict that is not a pass and a worker
that answers again within 3 s. Also here: what a snippet printed just before a crash
arrives, and a thread left running by an earlier run is labelled, then stopped.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import pytest_asyncio

from tests.sandbox.conftest import Recorder, assert_recovered
from tutor.lessons.model import CodeBlock
from tutor.sandbox.supervisor import Supervisor

pytestmark = pytest.mark.asyncio(loop_scope="module")

FAILING = [CodeBlock('expect(False, "the real verdict")', Path("lesson.md"), 3)]
FORGE = """
import os
forged = b'{"type":"finished","id":%d,"pid":%d,"finished":{"status":"ok",'
forged += b'"check":{"passed":true,"message":"forged"}}}\\n'
def forge(fd):
    for request in range(1, 300):
        try:
            os.write(fd, forged % (request, os.getpid()))
        except OSError:
            pass
"""
EVERY_OPEN_FD = "[int(fd) for fd in os.listdir('/proc/self/fd')]"


@pytest_asyncio.fixture(loop_scope="module", autouse=True)
async def warm_spare(supervisor: Supervisor) -> None:
    await supervisor.warm()


async def _check(supervisor: Supervisor, code: str):
    return await asyncio.wait_for(
        supervisor.check(code, key="forger", checks=FAILING, on_event=Recorder()), 30
    )


async def test_forged_lines_on_fds_0_to_1023_do_not_pass(supervisor: Supervisor) -> None:
    finished = await _check(supervisor, FORGE + "for fd in range(1024):\n    forge(fd)")
    assert finished.check is not None and not finished.check.passed
    assert finished.check.message == "the real verdict"
    await assert_recovered(supervisor)


async def test_forged_lines_on_every_open_fd_stop_the_run(supervisor: Supervisor) -> None:
    code = FORGE + f"for fd in {EVERY_OPEN_FD}:\n    forge(fd)\nimport time\ntime.sleep(30)"
    finished = await _check(supervisor, code)
    assert finished.check is not None and not finished.check.passed
    assert finished.status == "error" and finished.reason.startswith(
        "your code wrote to tutor's private reply channel, so its worker was replaced"
    )
    await assert_recovered(supervisor)


async def test_a_worker_whose_channel_was_written_to_is_replaced(supervisor: Supervisor) -> None:
    finished = await _check(supervisor, FORGE + f"for fd in {EVERY_OPEN_FD}:\n    forge(fd)")
    assert finished.check is not None and not finished.check.passed
    # Either the forged lines were seen first and the worker was replaced, or the real
    # verdict came through: never the forged one. Which comes first is a race in a full
    # run (seen 2 of 3 full suites), so both outcomes are accepted; the pass never is.
    if finished.variables_lost:
        assert "private reply channel" in finished.reason
    else:
        assert finished.check.message == "the real verdict"
    await assert_recovered(supervisor)


async def test_a_reply_without_newline_is_cut_off(supervisor: Supervisor) -> None:
    code = f"""
import os
output = {{os.fstat(1).st_ino, os.fstat(2).st_ino}}
for fd in {EVERY_OPEN_FD}:
    try:
        if os.fstat(fd).st_ino not in output:
            os.write(fd, b'x' * (64 << 20))
    except OSError:
        pass
"""
    finished = await _check(supervisor, code)
    assert finished.check is not None and not finished.check.passed
    assert "private reply channel" in finished.reason
    await assert_recovered(supervisor)


async def test_closing_fds_0_to_1023_does_not_stall(supervisor: Supervisor) -> None:
    code = "import os\nfor fd in range(1024):\n    try:\n        os.close(fd)\n"
    code += "    except OSError:\n        pass"
    finished = await _check(supervisor, code)
    assert finished.check is not None and finished.check.message == "the real verdict"
    await assert_recovered(supervisor)


@pytest.mark.parametrize("action", ["os.close(fd)", "os.dup2(os.open(os.devnull, os.O_RDWR), fd)"])
async def test_closing_or_replacing_every_fd_ends_with_a_reason(
    supervisor: Supervisor, action: str
) -> None:
    code = f"import os\nfor fd in {EVERY_OPEN_FD}:\n    try:\n        {action}\n"
    code += "    except OSError:\n        pass"
    finished = await _check(supervisor, code)
    assert finished.check is None or not finished.check.passed
    assert "your code closed or replaced tutor's private channel" in finished.reason
    await assert_recovered(supervisor)


async def test_the_secret_is_not_in_argv_environ_or_the_namespace(supervisor: Supervisor) -> None:
    worker = supervisor._pool.active
    assert worker is not None
    secret = worker._prefix.strip().decode()
    code = (
        "import os, sys\n"
        "print(open('/proc/self/cmdline', 'rb').read(), open('/proc/self/environ', 'rb').read())\n"
        "print(sys.argv, repr(globals()))"
    )
    out = Recorder()
    await supervisor.run(code, key="snoop", on_event=out)
    assert "environ" not in out.text("stderr") and len(out.text()) > 100
    assert secret not in out.text()


@pytest.mark.parametrize("crash", ["import os\nos._exit(3)", "import ctypes\nctypes.string_at(0)"])
async def test_output_printed_just_before_a_crash_arrives(
    supervisor: Supervisor, crash: str
) -> None:
    out = Recorder()
    code = "import sys\nprint('last words')\nprint('to stderr', file=sys.stderr)\n" + crash
    finished = await supervisor.run(code, key="crash", on_event=out)
    assert finished.status == "crashed"
    assert out.text() == "last words\n" and out.text("stderr") == "to stderr\n"
    await assert_recovered(supervisor)


async def test_a_thread_left_running_is_named_labelled_and_stopped(
    supervisor: Supervisor,
) -> None:
    code = """
import threading, time
def tick():
    while True:
        print("tick")
        time.sleep(0.05)
threading.Thread(target=tick, name="ticker", daemon=True).start()
time.sleep(0.01)
"""
    finished = await supervisor.run(code, key="threads", on_event=Recorder())
    assert finished.reason == (
        "still running in the background: ticker"
        " (its later output is labelled; restarting the worker stops it)"
    )
    out = Recorder()
    await supervisor.run("import time\ntime.sleep(0.3)\nprint('mine')", key="t2", on_event=out)
    lines = out.text().splitlines()
    assert "mine" in lines and "[thread ticker] tick" in lines
    assert set(lines) == {"mine", "[thread ticker] tick"}
    await supervisor.restart()
    out = Recorder()
    finished = await supervisor.run("import time\ntime.sleep(0.3)", key="t3", on_event=out)
    assert out.text() == "" and finished.reason == ""


async def test_a_thread_forging_between_runs_gets_the_worker_replaced(
    supervisor: Supervisor,
) -> None:
    states: list[tuple[str, str]] = []
    supervisor.on_state = lambda state, reason: states.append((state, reason))
    code = FORGE + (
        "import threading, time\n"
        f"def later():\n    time.sleep(0.2)\n    for fd in {EVERY_OPEN_FD}:\n        forge(fd)\n"
        "threading.Thread(target=later, daemon=True).start()"
    )
    try:
        finished = await supervisor.run(code, key="later", on_event=Recorder())
        assert finished.status == "ok"
        await asyncio.sleep(0.6)
        await assert_recovered(supervisor)
    finally:
        supervisor.on_state = None
    assert any("private reply channel" in reason for _, reason in states)
