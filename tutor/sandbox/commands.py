"""`tutor run`, `tutor check` and `tutor doctor`: the sandbox from the shell.

Plain functions returning exit statuses, so `tutor.cli` only parses arguments. `run`
must be a drop-in for `python FILE`: the snippet's bytes go to our stdout and stderr
unchanged, it reads our stdin, torch keeps its own thread count (unless `--threads`),
the exit status is python's, and tutor's own words (the device line, a reason) go to
stderr after everything else. No torch here: the worker reports it.
"""

from __future__ import annotations

import asyncio
import os
import platform
import shutil
import signal
import sys
import tokenize
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO

from tutor import __version__
from tutor.arguments import tell
from tutor.i18n import _
from tutor.lessons.model import Step
from tutor.sandbox.limits import GIB, Limits, format_size, parse_size, protections
from tutor.sandbox.protocol import DeviceReport, Event, Finished, OutputEvent
from tutor.sandbox.supervisor import Supervisor
from tutor.sandbox.worker import SandboxError

EXIT_STATUS = {"interrupted": 130, "timeout": 124}
"""Like the shell's: 130 after Ctrl+C, 124 after a timeout (as `timeout(1)`)."""


def run_file(
    path: str | Path,
    device: str = "auto",
    timeout: float | None = None,
    memory: str | int | None = None,
    args: Sequence[str] = (),
    threads: int | None = None,
    explain: bool | None = None,
) -> int:
    """Run FILE with script semantics in a worker; return the exit status python would.

    With `explain` (by default: when stderr is a terminal), tutor's explanation of an
    error and its warnings follow the traceback; piped output stays `python FILE`'s.
    """
    if explain is None:
        explain = sys.stderr.isatty()
    limits = replace(
        Limits(),
        run_timeout=timeout,
        threads=threads,
        # The terminal, not a widget, shows the output: keep all of it, up to 1 GiB.
        output_soft=GIB,
        output_soft_lines=1 << 62,
        output_hard=GIB,
    )
    if memory is not None:
        limits = replace(limits, memory=parse_size(memory))
    try:
        return asyncio.run(_run_file(Path(path), [str(path), *args], device, limits, explain))
    except (SandboxError, OSError) as error:
        tell(str(error))
        return 2


def read_source(path: Path) -> str:
    """FILE's text as python reads it: UTF-8 unless a `# coding:` line says otherwise."""
    try:
        with tokenize.open(path) as source:
            return source.read()
    except (SyntaxError, UnicodeDecodeError):
        raise SandboxError(
            _(
                "{path} is not UTF-8 text: save it as UTF-8,"
                " or name its encoding in a first line such as `# coding: latin-1`"
            ).format(path=path)
        ) from None


async def _run_file(path: Path, argv: list[str], device: str, limits: Limits, explain: bool) -> int:
    code = read_source(path)
    supervisor = Supervisor(limits, device, cwd=Path.cwd(), spare=False, stdin=True)
    report = await supervisor.start()
    loop = asyncio.get_running_loop()
    interrupting: list[asyncio.Task[None]] = []
    loop.add_signal_handler(
        signal.SIGINT, lambda: interrupting.append(loop.create_task(supervisor.interrupt()))
    )
    out = _Forward()
    try:
        finished = await supervisor.run(
            code, key="__main__", script=True, argv=argv, filename=str(path.resolve()), on_event=out
        )
    finally:
        loop.remove_signal_handler(signal.SIGINT)
        await supervisor.close()
    status = _exit_status(finished)
    if finished.traceback and finished.status != "crashed":
        out.write(sys.stderr.buffer, finished.traceback.encode("utf-8", "backslashreplace"))
    if explain:
        for line in [finished.explanation, *finished.warnings]:
            if line:
                tell(line)
    if status and finished.status not in ("error",) and finished.reason:
        tell(finished.reason.partition("; your variables")[0])
    tell(report.summary())
    return status


class _Forward:
    """Writes the snippet's bytes to our own stdout and stderr, as they arrive."""

    def __init__(self) -> None:
        self.broken = False

    def __call__(self, event: Event) -> None:
        if isinstance(event, OutputEvent):
            target = sys.stdout if event.stream == "stdout" else sys.stderr
            self.write(target.buffer, event.data)

    def write(self, stream: BinaryIO, data: bytes) -> None:
        if self.broken:
            return
        try:
            stream.write(data)
            stream.flush()
        except BrokenPipeError:
            self.broken = True  # `tutor run x.py | head`: stop writing, keep running


def _exit_status(finished: Finished) -> int:
    if finished.status in EXIT_STATUS:
        return EXIT_STATUS[finished.status]
    if finished.exit_code is not None:
        return finished.exit_code
    return 0 if finished.status == "ok" else 1


def check_file(
    step: Step,
    path: str | Path,
    device: str = "auto",
    on_finished: Callable[[str, Finished], None] | None = None,
) -> int:
    """Run FILE as the learner's answer to `step`, then its checks: `pass` (0) or why not (1).

    `on_finished(code, finished)` lets the CLI keep the attempt without this module
    knowing about progress.
    """
    if step.exercise is None:
        message = _("{step} is a reading step, not an exercise").format(step=step.key)
        tell(str(message))
        return 2
    try:
        code = read_source(Path(path))
        finished = asyncio.run(_check_file(step, code, device))
    except (SandboxError, OSError) as error:
        tell(str(error))
        return 2
    if on_finished is not None:
        on_finished(code, finished)
    if finished.check is not None and finished.check.passed:
        print(_("pass"))
        return 0
    print(finished.check.message if finished.check is not None else finished.reason)
    for warning in finished.warnings:
        print(warning)
    if finished.traceback:
        print(finished.traceback.rstrip(), file=sys.stderr)
    return 1


async def _check_file(step: Step, code: str, device: str) -> Finished:
    exercise = step.exercise
    assert exercise is not None
    # The check runs in the exercise's scratch folder, as in the app, not in the shell's.
    supervisor = Supervisor(Limits(), device, spare=False)
    await supervisor.start()
    try:
        return await supervisor.check(
            code,
            key=step.key,
            checks=exercise.checks,
            setup=exercise.setup,
            names=exercise.names,
        )
    finally:
        await supervisor.close()


def doctor(device: str = "auto") -> int:
    """Print what tutor runs on and which protections are active; 1 if no worker starts."""
    print(f"tutor {__version__}")
    print(f"Python {platform.python_version()} ({sys.executable})")
    try:
        report = asyncio.run(_device_report(device))
    except SandboxError as error:
        print(_("torch: no worker could start: {error}").format(error=error))
        report = None
    if report is not None:
        _print_report(report)
    _print_terminal()
    print(_("Protections:"))
    for name, active, note in protections():
        print(f"  [{'x' if active else ' '}] {name}" + (f" ({note})" if note else ""))
    limits = Limits()
    print(
        _(
            "Default limits: memory {memory}, {processes} extra processes, files up to {files},"
            " output {soft} shown / {hard} max, checks {check:g} s, torch threads {threads}"
        ).format(
            memory=format_size(limits.memory),
            processes=limits.processes,
            files=format_size(limits.file_size),
            soft=format_size(limits.output_soft),
            hard=format_size(limits.output_hard),
            check=limits.check_timeout,
            threads=limits.threads,
        )
    )
    if limits.gpu_memory is None:
        print(_("GPU memory cap: none (--gpu-memory 0.5 or TUTOR_GPU_MEMORY=0.5 sets one)"))
    else:
        print(
            _(
                "GPU memory cap: {share} of each GPU (TUTOR_GPU_MEMORY, lowered by --gpu-memory)"
            ).format(share=f"{limits.gpu_memory:.0%}")
        )
    return 0 if report is not None else 1


async def _device_report(device: str) -> DeviceReport:
    supervisor = Supervisor(Limits(), device, spare=False)
    try:
        return await supervisor.start()
    finally:
        await supervisor.close()


def _print_report(report: DeviceReport) -> None:
    print(
        _("torch {torch} (worker: Python {python})").format(
            torch=report.torch, python=report.python
        )
    )
    if report.cuda_available:
        print(_("CUDA {version}: available").format(version=report.cuda_version))
        for index, gpu in enumerate(report.gpus):
            size = format_size(gpu.memory)
            if report.gpu_memory_cap is None:
                print(f"  cuda:{index}  {gpu.name}, {size}")
            else:
                allowed = format_size(int(gpu.memory * report.gpu_memory_cap))
                print(
                    _(
                        "  cuda:{index}  {name}, {size}, of which each worker may use {allowed}"
                    ).format(index=index, name=gpu.name, size=size, allowed=allowed)
                )
    else:
        print(_("CUDA: not available"))
    if sys.platform == "darwin":
        print(_("MPS: available") if report.mps_available else _("MPS: not available"))
    print(
        _("Lessons will use: {device} (--device {requested})").format(
            device=report.selected, requested=report.requested
        )
    )
    print(_("torch threads: {threads}").format(threads=report.threads))


def _print_terminal() -> None:
    size = shutil.get_terminal_size()
    unset = _("(not set)")
    term = os.environ.get("TERM", "")
    colorterm = os.environ.get("COLORTERM", "")
    if "NO_COLOR" in os.environ:
        colors = _("none (NO_COLOR is set)")
    elif colorterm in ("truecolor", "24bit"):
        colors = "truecolor"
    elif "256color" in term:
        colors = "256"
    elif term in ("dumb", ""):
        colors = _("none")
    else:
        colors = "16"
    print(
        _("Terminal: TERM={term} COLORTERM={colorterm}, {columns}x{lines}").format(
            term=term or unset,
            colorterm=colorterm or unset,
            columns=size.columns,
            lines=size.lines,
        )
    )
    tty = _("stdout is a terminal") if sys.stdout.isatty() else _("stdout is not a terminal")
    print("  " + _("colors: {colors}, {tty}").format(colors=colors, tty=tty))
