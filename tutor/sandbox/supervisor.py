"""Runs learners' code in worker processes and survives whatever that code does.

The UI (from async Textual workers) and the CLI drive one `Supervisor`. Its
`WorkerPool` keeps an active worker and a warm spare (see pool), so a crash, a kill
or a restart costs milliseconds instead of a 1.5 s torch import. Stopping follows
one ladder (see pending): SIGINT to the worker's group, then after a grace period
SIGKILL of the group and a sweep of strays that left it. Every way a run can end
becomes a `Finished` with a one-line reason. Restarts asked for while one is under way join it
(ten quick F12 presses cost one), and so do starts: a request made before the worker
is up (F6 pressed while torch imports, or before the app even asked for the start)
waits for the start, or makes it. Where the process limit does not hold (root
ignores RLIMIT_NPROC), a watchdog counts the run's processes and stops it above the
limit. Nothing here blocks the event loop, and nothing here imports torch.
"""

from __future__ import annotations

import asyncio
import itertools
import sys
from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal

from tutor import i18n
from tutor.lessons.model import CodeBlock
from tutor.locations import data_dir, scratch_folder
from tutor.sandbox.capture import OutputTap
from tutor.sandbox.crashes import crash_reason, out_of_memory, trim_crash_log
from tutor.sandbox.endings import CLOSED, crashed, not_started, tampered, timed_out
from tutor.sandbox.limits import Limits, process_containment, set_child_subreaper
from tutor.sandbox.pending import Pending
from tutor.sandbox.pool import WorkerPool
from tutor.sandbox.protocol import (
    DeviceReport,
    Event,
    Finished,
    event_from_wire,
)
from tutor.sandbox.requests import block_message, request
from tutor.sandbox.worker import SandboxError, WorkerProcess, check_device

State = Literal["starting", "ready", "running", "restarting", "closed"]
StateCallback = Callable[[State, str], None]
"""Called with the new state and, after a crash while idle, the one-line reason."""
EventCallback = Callable[[Event], None]

__all__ = ["Supervisor", "SandboxError", "State", "EventCallback", "StateCallback"]


class Supervisor:
    """Owns the workers: `start()`, `run`/`check`/`interrupt`..., then `close()`.

    A request made before `start()` starts the worker itself, so `start()` is only there
    to have the worker ready early (and to learn at once that it cannot start).
    """

    def __init__(
        self,
        limits: Limits | None = None,
        device: str = "auto",
        python: str = sys.executable,
        *,
        cwd: Path | None = None,
        spare: bool = True,
        stdin: bool = False,
        on_state: StateCallback | None = None,
    ) -> None:
        check_device(device)
        self.limits = limits or Limits()
        self.cwd = cwd
        """The worker process's folder (scripts run there); exercises get their own, see `run`."""
        self.watchdog = process_containment() == "watchdog"
        """Count each run's processes here, as the OS does not bound them (see limits)."""
        self.on_state = on_state
        self.state: State = "closed"
        self.device_report: DeviceReport | None = None
        self.gpu_memory: int | None = None
        """Bytes the worker held on its GPUs after the last run (None without CUDA)."""
        self._pool = WorkerPool(
            python,
            self.limits,
            device,
            spare=spare,
            stdin=stdin,
            on_message=self._on_message,
            on_output=self._on_output,
            on_crash=self._on_crash,
            on_replace=lambda: self._set_state("restarting"),
        )
        self._pending: Pending | None = None
        self._recovery: asyncio.Task[None] | None = None
        self._starting: asyncio.Task[DeviceReport] | None = None
        """The start under way, which a second `start()` and early requests join."""
        self._waiting: set[asyncio.Future[None]] = set()
        """Requests waiting for the start; `interrupt()` ends them by setting theirs."""
        self._lock = asyncio.Lock()
        """One request at a time."""
        self._ids = itertools.count(1)
        self._restarting: asyncio.Task[None] | None = None

    @property
    def busy(self) -> bool:
        """A request runs or waits for the worker to start: `interrupt()` has one to stop."""
        return self._pending is not None or bool(self._waiting)

    @property
    def worker_pids(self) -> tuple[int, ...]:
        """The active worker's processes (shim, worker), then the spare's."""
        return self._pool.pids

    # -- lifecycle -----------------------------------------------------------------

    async def start(self) -> DeviceReport:
        """Start the worker (and then the spare); return what it found.

        A start asked for while one is under way joins it, and once the worker is up,
        `start()` only returns its report: the app and an early F6 may both ask.
        """
        pool = self._pool
        if pool.active is not None and self.device_report is not None and not pool.closing:
            return self.device_report
        return await asyncio.shield(self._start_task())

    def _start_task(self) -> asyncio.Task[DeviceReport]:
        if self._starting is None or self._starting.done():
            self._starting = asyncio.get_running_loop().create_task(self._start())
            # Whoever waits for it hears how it failed; an interrupted request does not.
            self._starting.add_done_callback(lambda task: task.cancelled() or task.exception())
        return self._starting

    async def _start(self) -> DeviceReport:
        self._pool.closing = False
        if self.cwd is None:
            self.cwd = data_dir() / "scratch"
        try:
            self.cwd.mkdir(parents=True, exist_ok=True)
        except OSError as error:  # a full disk, a file in the way: one line, as any start
            raise SandboxError(
                i18n._("cannot make the worker's folder {folder}: {reason}").format(
                    folder=self.cwd, reason=error.strerror or error
                )
            ) from error
        set_child_subreaper()
        self._set_state("starting")
        try:
            report = await self._pool.boot(self.cwd)
        except BaseException as error:
            self._set_state("closed")
            if self._pool.closing and isinstance(error, SandboxError):
                raise SandboxError(i18n._(CLOSED)) from error  # close() stopped it
            raise
        self._serving(report)
        self._set_state("ready")
        return report

    async def warm(self) -> None:
        """Wait until the spare worker has imported torch, so a recovery is instant."""
        await self._pool.warm()

    async def restart(self) -> None:
        """A fresh worker, whatever the current one is doing; every namespace is dropped.

        A restart asked for while one is under way joins it rather than queueing another.
        """
        if self._restarting is None or self._restarting.done():
            self._restarting = asyncio.get_running_loop().create_task(self._restart())
        await asyncio.shield(self._restarting)

    async def _restart(self) -> None:
        if not self._pool.closing and self.state in ("closed", "starting"):
            await self.start()  # no worker to replace yet: the one starting is fresh
            return
        pending = self._pending
        if pending is not None:
            await asyncio.shield(pending.stop("restart", kill=True))
            return
        async with self._lock:
            await self._replace(self._pool.active)
            self._set_state("ready")

    async def close(self) -> None:
        """Stop every worker and every process they started."""
        if self.state == "closed" and self._pool.active is None:
            return
        # Before the pool's first await, as when `close()` set its flag first: no other
        # task can tell the two steps apart.
        pending = self._pending
        if pending is not None:
            pending.cause = pending.cause or "close"
            if not pending.future.done():
                pending.future.set_result(pending.killed())
        await self._pool.close()  # a start under way then fails as closed
        self._set_state("closed")

    # -- requests ------------------------------------------------------------------

    async def run(
        self,
        code: str,
        *,
        key: str,
        setup: CodeBlock | str | None = None,
        script: bool = False,
        argv: Sequence[str] | None = None,
        filename: str | None = None,
        cwd: Path | None = None,
        on_event: EventCallback | None = None,
        lang: str | None = None,
    ) -> Finished:
        """Run `code` in `key`'s namespace (REPL), or as `python FILE` would (`script`).

        `setup` runs first when the namespace is new. `filename` names the code in
        tracebacks: `<key>` by default, the script's absolute path for `script`. The
        code runs in `cwd`: by default `key`'s scratch folder, or for a script the
        worker's own folder (where `python FILE` was typed). The worker words its
        explanations in `lang`, by default this process's current language.
        """
        message = request(
            "run",
            key,
            code,
            filename=filename,
            setup=setup,
            cwd=cwd or (None if script else scratch_folder(key)),
            lang=lang,
            script=script,
            argv=list(argv) if argv is not None else None,
        )
        return await self._request(message, on_event, self.limits.run_timeout)

    async def check(
        self,
        code: str,
        *,
        key: str,
        checks: Sequence[CodeBlock],
        setup: CodeBlock | str | None = None,
        names: Collection[str] | None = None,
        cwd: Path | None = None,
        on_event: EventCallback | None = None,
        lang: str | None = None,
    ) -> Finished:
        """Run setup and `code` in a fresh namespace exactly as a run does, then `checks`.

        The namespace the check produced becomes `key`'s, so the variables panel and
        later runs see what the checks saw. `Finished.check` carries the verdict.
        `names` (`Exercise.names`) are the names the exercise asks for: a check that
        fails on any other has a bug of its own, which the verdict then says. The code
        runs in `cwd`, by default `key`'s scratch folder, as a run does, and the verdict
        is worded in `lang` (by default this process's current language).
        """
        message = request(
            "check",
            key,
            code,
            setup=setup,
            cwd=cwd or scratch_folder(key),
            lang=lang,
            checks=[block_message(check) for check in checks],
            names=None if names is None else sorted(names),
        )
        return await self._request(message, on_event, self.limits.check_timeout)

    async def reset(self, key: str) -> None:
        """Forget `key`'s namespace; the next run starts from scratch."""
        await self._request({"type": "reset", "key": key}, None, None)

    async def interrupt(self) -> None:
        """Stop the current run: SIGINT, then after a grace period kill and replace the worker.

        A request still waiting for the worker to start ends at once, without running;
        the start goes on.
        """
        for waiting in self._waiting:
            if not waiting.done():
                waiting.set_result(None)
        pending = self._pending
        if pending is None:
            return
        await asyncio.shield(pending.stop("interrupt"))

    async def _request(
        self, message: dict[str, Any], on_event: EventCallback | None, timeout: float | None
    ) -> Finished:
        if not await self._started():
            return not_started(message["type"])
        async with self._lock:
            if self._recovery is not None:
                await asyncio.shield(self._recovery)
            worker = self._pool.active
            if worker is None or self._pool.closing:
                raise SandboxError(i18n._(CLOSED))
            loop = asyncio.get_running_loop()
            limits = self.limits
            pending = Pending(
                next(self._ids),
                message["type"],
                worker,
                on_event,
                loop.create_future(),
                timeout,
                OutputTap(
                    on_event, limits.output_soft, limits.output_soft_lines, limits.output_hard
                ),
                limits,
                self._kill_worker,
            )
            self._pending = pending
            self._set_state("running")
            watch = loop.create_task(pending.watch()) if self.watchdog else None
            try:
                # The time limit starts now: the worker is ready and the request is sent.
                pending.worker.send({**message, "id": pending.id})
                try:
                    finished = await asyncio.wait_for(asyncio.shield(pending.future), timeout)
                except asyncio.TimeoutError:
                    await asyncio.shield(pending.stop("timeout"))
                    finished = pending.future.result()
                if pending.stopping is not None:
                    await asyncio.shield(pending.stopping)
                if pending.worker.tampered and pending.worker is self._pool.active:
                    # Its verdict came in first, but the channel was written to: a worker
                    # whose pipe may hold half a forged line never serves another request.
                    await asyncio.shield(self._replace(pending.worker))
                    finished = replace(finished, reason=tampered(), variables_lost=True)
            except asyncio.CancelledError:
                await asyncio.shield(pending.stop("interrupt", kill=True))
                raise
            finally:
                if watch is not None:
                    watch.cancel()
                pending.tap.end()
                self._pending = None
                if not self._pool.closing:
                    self._set_state("ready")
            return timed_out(pending.kind, pending.cause, pending.timeout, finished)

    async def _started(self) -> bool:
        """Wait for the worker's start, or start it; False if interrupted meanwhile.

        Only a supervisor never started, or whose start failed, is started here: one
        closed on purpose stays closed, and a worker being replaced is waited for later.
        """
        if self._pool.closing or self.state not in ("closed", "starting"):
            return True
        starting = self._start_task()
        interrupted = asyncio.get_running_loop().create_future()
        self._waiting.add(interrupted)
        try:
            await asyncio.wait((starting, interrupted), return_when=asyncio.FIRST_COMPLETED)
        finally:
            self._waiting.discard(interrupted)
        if interrupted.done():
            return False
        starting.result()  # a start that failed: its one-line reason, as a SandboxError
        return True

    def _on_output(self, worker: WorkerProcess, stream: str, data: bytes) -> None:
        pending = self._pending
        if pending is None or pending.worker is not worker:
            return  # between runs: a background thread's output, shown with no run
        pending.feed(stream, data)

    def _on_message(self, worker: WorkerProcess, message: dict[str, Any]) -> None:
        pending = self._pending
        if message.get("type") == "tampered":
            self._on_tampered(worker, pending)
            return
        if pending is None or pending.worker is not worker or message.get("id") != pending.id:
            return  # late output of a finished run, or a replaced worker
        kind = message.get("type")
        if kind == "finished":
            if not pending.future.done():
                worker.drain_output()  # all it printed is in the pipes: show it first
                finished = Finished.from_wire(message["finished"])
                self.gpu_memory = finished.gpu_memory
                pending.future.set_result(finished)
        elif pending.on_event is not None and not pending.future.done():
            event = event_from_wire(message)
            if event is not None:
                pending.on_event(event)

    def _on_tampered(self, worker: WorkerProcess, pending: Pending | None) -> None:
        """The snippet wrote to the reply channel: its replies cannot be trusted any more."""
        if pending is not None and pending.worker is worker:
            pending.stop("tamper", kill=True)
        elif worker is self._pool.active and not self._pool.closing:
            # A thread left behind by an earlier run: replace the worker before the next one.
            self._recovery = asyncio.get_running_loop().create_task(self._replace_idle(worker))

    async def _replace_idle(self, worker: WorkerProcess) -> None:
        await self._replace(worker)
        if not self._pool.closing:
            self._set_state("ready", tampered())

    # -- replacing and recovery --------------------------------------------------------

    async def _kill_worker(self, worker: WorkerProcess) -> None:
        """How a stopped request's worker goes: replaced, unless a crash already did it."""
        if worker is self._pool.active:
            await self._replace(worker)

    async def _replace(self, old: WorkerProcess | None) -> None:
        """Kill `old` and everything it started; the spare takes over."""
        report = await self._pool.replace(old)
        if report is not None:
            self._serving(report)

    def _serving(self, report: DeviceReport) -> None:
        """A fresh worker serves: its report is the one to show, and it holds no GPU memory."""
        self.device_report = report
        self.gpu_memory = 0 if report.cuda_available else None

    def _on_crash(self, worker: WorkerProcess) -> None:
        self._recovery = asyncio.get_running_loop().create_task(self._recover(worker))

    async def _recover(self, dead: WorkerProcess) -> None:
        """The active worker died on its own: explain, sweep, and let the spare take over."""
        pending = self._pending
        crash_log = await dead.crash_log()
        reason = crash_reason(dead.proc.returncode or 0, crash_log, self.limits)
        await self._replace(dead)
        if pending is not None and not pending.future.done():
            code = dead.proc.returncode or 0
            memory = out_of_memory(code, crash_log)
            pending.future.set_result(
                crashed(code, reason, trim_crash_log(crash_log), memory=memory)
            )
        elif not self._pool.closing:
            self._set_state("ready", reason)
        self._recovery = None

    def _set_state(self, state: State, reason: str = "") -> None:
        if state == self.state and not reason:
            return
        self.state = state
        if self.on_state is not None:
            self.on_state(state, reason)
