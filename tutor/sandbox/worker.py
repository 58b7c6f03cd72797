"""One worker process as the supervisor sees it: start it, talk to it, kill it completely.

Nothing here blocks the event loop: replies are read by an asyncio protocol as they
arrive, requests go through a pipe transport, output is read from the worker's fds 1
and 2 as it comes, and the worker's death is learned from `proc.wait()` (its exit
status), never from EOF on a pipe, which a setsid'd grandchild may hold open forever.

The snippet shares the worker's process, so it can find and write to the reply pipe.
Every reply therefore starts with a secret made here for each worker and handed over
as the first request (never in argv or the environment, which the snippet can read);
a reply without it, or longer than any reply the worker sends, means the snippet
tampered with the channel, and the supervisor stops the run instead of trusting or
waiting for it. No torch here: this runs in the UI process.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tutor.i18n import _
from tutor.sandbox.capture import CHUNK
from tutor.sandbox.limits import Limits
from tutor.sandbox.procs import (
    TOKEN_VARIABLE,
    kill_group,
    kill_tree,
    process_table,
    process_tree,
)
from tutor.sandbox.protocol import DeviceReport, decode, encode

PACKAGE_PARENT = str(Path(__file__).resolve().parents[2])
"""Where `tutor` lives: `-I` leaves the cwd and PYTHONPATH off sys.path, so we pass it."""
BOOTSTRAP = (
    "import sys; p = sys.argv.pop(1); p in sys.path or sys.path.insert(0, p); "
    "from tutor.sandbox.runner import main; main(sys.argv[1:])"
)
CRASH_LOG_KEEP = 16 * 1024
MAX_REPLY = 4 * 1024 * 1024
"""Longest reply line accepted: the worker cuts its own to 1 MiB (`protocol.MAX_MESSAGE`)."""
OUTPUT_DRAIN = 64
"""Reads of the output pipes when a run ends, at most: a background writer may never stop."""
TAMPERED: dict[str, Any] = {"type": "tampered"}
"""Handed to `on_message` when a reply is not the worker's: the snippet wrote to the channel."""

OnMessage = Callable[["WorkerProcess", dict[str, Any]], None]
OnOutput = Callable[["WorkerProcess", str, bytes], None]


class SandboxError(RuntimeError):
    """The sandbox cannot do what was asked (no worker could start, bad device...)."""


def worker_env(device: str, token: str) -> dict[str, str]:
    """The worker's environment: its sweep token, and the GPUs `device` allows."""
    env = dict(os.environ)
    env[TOKEN_VARIABLE] = token
    if device == "cpu":
        env["CUDA_VISIBLE_DEVICES"] = ""
    elif device.startswith("cuda:"):
        index = int(device.partition(":")[2])
        visible = [d for d in env.get("CUDA_VISIBLE_DEVICES", "").split(",") if d.strip()]
        if "CUDA_VISIBLE_DEVICES" in os.environ and index >= len(visible):
            raise SandboxError(
                _("--device {device}: CUDA_VISIBLE_DEVICES lists {count} GPU(s)").format(
                    device=device, count=len(visible)
                )
            )
        env["CUDA_VISIBLE_DEVICES"] = visible[index] if visible else str(index)
    return env


def check_device(device: str) -> None:
    valid = device in ("auto", "cpu", "cuda") or (
        device.startswith("cuda:") and device.partition(":")[2].isdigit()
    )
    if not valid:
        raise ValueError(
            _("unknown device {device}: use auto, cpu, cuda or cuda:N").format(device=repr(device))
        )


class _Replies(asyncio.Protocol):
    """Splits the reply pipe into lines, none longer than MAX_REPLY, as they arrive."""

    def __init__(self, on_line: Callable[[bytes], None], on_overflow: Callable[[], None]) -> None:
        self._on_line = on_line
        self._on_overflow = on_overflow
        self._buffer = bytearray()
        self._scanned = 0
        self._overflowed = False

    def data_received(self, data: bytes) -> None:
        if self._overflowed:
            return  # the worker is being replaced; nothing on this pipe counts any more
        self._buffer += data
        while True:
            end = self._buffer.find(b"\n", self._scanned)
            if end < 0 and len(self._buffer) <= MAX_REPLY:
                self._scanned = len(self._buffer)
                return
            if end < 0 or end > MAX_REPLY:
                self._overflowed = True
                self._buffer = bytearray()
                self._on_overflow()
                return
            line = bytes(self._buffer[:end])
            del self._buffer[: end + 1]
            self._scanned = 0
            self._on_line(line)


class WorkerProcess:
    """A started worker. `ready` resolves with its device report; `exited` with its status."""

    def __init__(
        self,
        proc: asyncio.subprocess.Process,
        token: str,
        secret: str,
        on_message: OnMessage,
        on_output: OnOutput | None,
        output_fds: dict[int, str],
    ) -> None:
        self.proc = proc
        self.pid: int | None = None
        """The worker's own pid, from its first message; `proc` is the shim above it."""
        self.token = token
        self.on_message = on_message
        self.on_output = on_output
        self.expected_exit = False
        """Set before the supervisor kills it, so its death is not reported as a crash."""
        self.tampered = False
        """Something other than the worker wrote to the reply pipe (see the module docstring)."""
        self._prefix = secret.encode("ascii") + b" "
        self._output_fds = output_fds
        loop = asyncio.get_running_loop()
        self.ready: asyncio.Future[DeviceReport] = loop.create_future()
        self.exited: asyncio.Task[int] = loop.create_task(proc.wait())
        self.exited.add_done_callback(self._on_exit)
        self._crash_log = bytearray()
        self._stderr_task = loop.create_task(self._read_crash_log())
        self._transports: list[asyncio.BaseTransport] = []
        for fd, stream in output_fds.items():
            os.set_blocking(fd, False)
            loop.add_reader(fd, self._read_output, fd, stream)

    @classmethod
    async def spawn(
        cls,
        python: str,
        limits: Limits,
        device: str,
        cwd: Path,
        on_message: OnMessage,
        on_output: OnOutput | None = None,
        *,
        stdin: bool = False,
    ) -> WorkerProcess:
        """Start a worker; with `stdin`, it reads ours (`tutor run`), else it has none."""
        token, secret = secrets.token_hex(12), secrets.token_hex(16)
        request_read, request_write = os.pipe()
        reply_read, reply_write = os.pipe()
        out_read, out_write = os.pipe()
        err_read, err_write = os.pipe()
        theirs = (request_read, reply_write, out_write, err_write)
        ours = (request_write, reply_read, out_read, err_read)
        # The first request, already waiting when the worker starts: the secret.
        os.write(request_write, encode({"type": "hello", "secret": secret}))
        try:
            proc = await asyncio.create_subprocess_exec(
                python,
                "-I",
                "-c",
                BOOTSTRAP,
                PACKAGE_PARENT,
                "--channel",
                f"{request_read},{reply_write}",
                "--output",
                f"{out_write},{err_write}",
                "--parent",
                str(os.getpid()),
                "--device",
                device,
                "--limits",
                json.dumps(limits.to_wire()),
                *(["--stdin"] if stdin else []),
                stdin=None if stdin else subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                pass_fds=theirs,
                start_new_session=True,
                env=worker_env(device, token),
                cwd=cwd,
            )
        except OSError as error:
            for fd in ours:
                os.close(fd)
            raise SandboxError(
                _("cannot start the worker with {python}: {error}").format(
                    python=python, error=error
                )
            ) from error
        finally:
            for fd in theirs:
                os.close(fd)
        worker = cls(
            proc, token, secret, on_message, on_output, {out_read: "stdout", err_read: "stderr"}
        )
        loop = asyncio.get_running_loop()
        reader, _protocol = await loop.connect_read_pipe(
            lambda: _Replies(worker._on_line, worker._on_tampered),
            os.fdopen(reply_read, "rb", buffering=0),
        )
        writer, _writer_protocol = await loop.connect_write_pipe(
            asyncio.Protocol, os.fdopen(request_write, "wb", buffering=0)
        )
        worker._transports = [reader, writer]
        return worker

    def send(self, message: dict[str, Any]) -> None:
        writer = self._transports[1]
        if not writer.is_closing():
            writer.write(json.dumps(message).encode() + b"\n")  # type: ignore[attr-defined]

    @property
    def pids(self) -> tuple[int, ...]:
        """The shim and the worker below it (looked up in /proc while it still starts)."""
        if self.pid is not None:
            return (self.proc.pid, self.pid)
        table = process_table()
        return (
            self.proc.pid,
            *sorted(p for p, (parent, _) in table.items() if parent == self.proc.pid),
        )

    def signal_group(self, sig: int) -> None:
        """Signal the worker and every process of its group (the shim ignores them)."""
        kill_group(self.proc.pid, sig)

    async def kill(self) -> None:
        """SIGKILL the worker and everything it started, wherever it went; wait for the end.

        Every process killed here that ends up as our child (the supervisor is a
        subreaper, and the shim may die before the worker) is reaped, so no `<defunct>`
        entry outlives the worker.
        """
        self.expected_exit = True
        # Everything below the shim now: those the group kill ends are reaped too.
        tree = await asyncio.to_thread(process_tree, self.proc.pid)
        self.signal_group(signal.SIGKILL)
        for pid in self.pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        await asyncio.shield(self.exited)
        await asyncio.to_thread(
            kill_tree, self.proc.pid, self.token, also=tree, session=self.proc.pid
        )
        self.close_output()

    def drain_output(self) -> None:
        """Forward what the output pipes already hold, e.g. before a run's `finished`."""
        for fd in list(self._output_fds):
            for _read in range(OUTPUT_DRAIN):
                if not self._read_output(fd, self._output_fds.get(fd, "")):
                    break

    def close_output(self) -> None:
        """Stop reading the worker's output (once nothing can write it any more)."""
        loop = asyncio.get_running_loop()
        for fd in list(self._output_fds):
            loop.remove_reader(fd)
            os.close(fd)
        self._output_fds.clear()

    async def crash_log(self) -> str:
        """What faulthandler wrote before the worker died (read until EOF, briefly)."""
        try:
            await asyncio.wait_for(asyncio.shield(self._stderr_task), 0.2)
        except asyncio.TimeoutError:
            pass
        return self._crash_log.decode("utf-8", "replace")

    def _read_output(self, fd: int, stream: str) -> bool:
        if fd not in self._output_fds:
            return False
        try:
            data = os.read(fd, CHUNK)
        except (BlockingIOError, InterruptedError):
            return False
        if not data:  # every writer is gone
            asyncio.get_running_loop().remove_reader(fd)
            return False
        if self.on_output is not None:
            self.on_output(self, stream, data)
        return True

    def _on_line(self, line: bytes) -> None:
        message = decode(line[len(self._prefix) :]) if line.startswith(self._prefix) else None
        if message is None:
            self._on_tampered()
            return
        if self.pid is None and message.get("type") == "ready":
            self.pid = message.get("pid")
            self.ready.set_result(DeviceReport.from_wire(message["report"]))
            return
        if message.get("pid") != self.pid:
            return  # a forked child of the snippet that kept the channel and the secret
        self.on_message(self, message)

    def _on_tampered(self) -> None:
        if not self.tampered:
            self.tampered = True
            self.on_message(self, TAMPERED)

    def _on_exit(self, task: asyncio.Task[int]) -> None:
        self.drain_output()  # the last lines before a crash are still in the pipes
        for transport in self._transports:
            transport.close()
        if not self.ready.done():
            self._fail_task = asyncio.get_running_loop().create_task(self._fail_start())

    async def _fail_start(self) -> None:
        log = (await self.crash_log()).strip().splitlines()
        status = self.proc.returncode
        if log:
            message = _("the worker exited with status {status} while starting: {detail}").format(
                status=status, detail=log[-1]
            )
        else:
            message = _("the worker exited with status {status} while starting").format(
                status=status
            )
        self.close_output()
        if not self.ready.done():
            self.ready.set_exception(SandboxError(message))
            self.ready.exception()  # marked as retrieved: a spare may die unobserved

    async def _read_crash_log(self) -> None:
        assert self.proc.stderr is not None
        while chunk := await self.proc.stderr.read(65536):
            self._crash_log += chunk
            del self._crash_log[:-CRASH_LOG_KEEP]
