"""`tutor run`, `tutor check` and `tutor doctor` as plain functions, in this process."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import LESSONS
from tutor.lessons.loader import load_catalog
from tutor.sandbox.commands import check_file, doctor, run_file
from tutor.sandbox.procs import descendants, process_table

PROGRAM = """
import atexit, os, sys
import helper
print("name", __name__, "argv", sys.argv, os.path.isabs(__file__))
print(helper.VALUE)
print("to stderr", file=sys.stderr)
sys.stdout.flush()
sys.stdout.buffer.write(b"raw \\xff\\xfe bytes\\n")
print("unicode: \\u00fcn\\u00efc\\u00f8d\\u00e9 \\u2713 \\x1b[1m[bold]")
atexit.register(print, "at exit")
42
"""


def _python(path: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, path.name, *args], cwd=path.parent, capture_output=True, timeout=60
    )


def _alive_below_us() -> set[int]:
    table = process_table()
    return {pid for pid in descendants({os.getpid()}, table) if table[pid][1] not in "ZX"}


@pytest.fixture
def program(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "helper.py").write_text('VALUE = "from a sibling module"\n')
    path = tmp_path / "prog.py"
    path.write_text(PROGRAM)
    monkeypatch.chdir(tmp_path)
    return path


def test_run_prints_exactly_what_python_prints(
    program: Path, capfdbinary: pytest.CaptureFixture[bytes]
) -> None:
    expected = _python(program, "a", "b")
    status = run_file(program.name, device="cpu", args=["a", "b"])
    out, err = capfdbinary.readouterr()
    assert status == expected.returncode == 0
    assert out == expected.stdout
    lines = err.decode().splitlines(keepends=True)
    assert "".join(lines[:-1]).encode() == expected.stderr
    assert lines[-1].startswith("tutor: device cpu · torch ")


def test_run_reports_an_exception_as_python_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfdbinary: pytest.CaptureFixture[bytes]
) -> None:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "boom.py"
    path.write_text("def f():\n    return 1 / 0\nprint('before')\nf()\n")
    expected = _python(path)
    status = run_file("boom.py", device="cpu")
    out, err = capfdbinary.readouterr()
    assert status == expected.returncode == 1
    assert out == expected.stdout
    assert err.decode().rpartition("tutor: ")[0].encode() == expected.stderr


def test_run_timeout_stops_and_sweeps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code = """
        import signal, subprocess, time
        subprocess.Popen(["sleep", "60"], start_new_session=True)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        print("started", flush=True)
        time.sleep(60)
    """
    (tmp_path / "slow.py").write_text(textwrap.dedent(code))
    status = run_file("slow.py", device="cpu", timeout=1)
    out, err = capfd.readouterr()
    assert status == 124
    assert out == "started\n"
    assert "tutor: stopped after the time limit of 1 s" in err
    assert _alive_below_us() == set()


def test_run_crash_exits_like_a_signal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "segv.py").write_text("import ctypes\nctypes.string_at(0)\n")
    assert run_file("segv.py", device="cpu") == 139
    assert "tutor: the worker crashed with SIGSEGV (segmentation fault)\n" in capfd.readouterr().err


def test_check_file_passes_the_solution_and_explains_the_starter(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    step = load_catalog([LESSONS]).exercises()[0]
    assert step.exercise is not None
    answer = tmp_path / "answer.py"
    answer.write_text(step.exercise.solution.source)
    assert check_file(step, answer, device="cpu") == 0
    assert capfd.readouterr().out == "pass\n"
    answer.write_text(step.exercise.starter.source)
    assert check_file(step, answer, device="cpu") == 1
    out = capfd.readouterr().out
    assert out.strip() and out != "pass\n"


def test_doctor_reports_torch_terminal_and_protections(capfd: pytest.CaptureFixture[str]) -> None:
    assert doctor(device="cpu") == 0
    out = capfd.readouterr().out
    for needle in ("Python 3.", "torch ", "CUDA", "Terminal: TERM=", "Protections:", "RLIMIT_DATA"):
        assert needle in out


def test_run_keeps_torchs_own_thread_count_unless_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "threads.py"
    path.write_text("import torch\nprint(torch.get_num_threads())\n")
    expected = _python(path)
    assert run_file("threads.py", device="cpu") == 0
    assert capfd.readouterr().out.encode() == expected.stdout
    assert run_file("threads.py", device="cpu", threads=1) == 0
    assert capfd.readouterr().out == "1\n"


def test_run_reads_stdin_and_shows_the_last_lines_before_os_exit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "echo.py"
    path.write_text("import os, sys\nprint(input().upper())\nprint(sys.stdin.read())\nos._exit(3)")
    read, write = os.pipe()
    os.write(write, b"hi\nthere\n")
    os.close(write)
    saved = os.dup(0)
    os.dup2(read, 0)
    try:
        status = run_file("echo.py", device="cpu")
    finally:
        os.dup2(saved, 0)
        os.close(saved)
        os.close(read)
    assert status == 3
    assert capfd.readouterr().out == "HI\nthere\n\n"
