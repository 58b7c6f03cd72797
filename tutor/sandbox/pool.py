"""The worker processes behind a `Supervisor`: the active one and a warm spare.

Importing torch costs a worker 1.5 s, so a spare that has already imported it (and
made no CUDA context) waits beside the active worker: after a crash, a kill or a
restart, promoting it costs milliseconds. Which process serves, and when another is
spawned, is decided here; what runs in the worker, how a run ends and what the
learner is told stay with the supervisor, which hears of a crash through `on_crash`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from pathlib import Path

from tutor import i18n
from tutor.sandbox.endings import CLOSED
from tutor.sandbox.limits import Limits
from tutor.sandbox.protocol import DeviceReport
from tutor.sandbox.worker import OnMessage, OnOutput, SandboxError, WorkerProcess


class WorkerPool:
    """The active worker and its spare: `boot()`, `replace()` as often as needed, `close()`."""

    def __init__(
        self,
        python: str,
        limits: Limits,
        device: str,
        *,
        spare: bool,
        stdin: bool,
        on_message: OnMessage,
        on_output: OnOutput,
        on_crash: Callable[[WorkerProcess], None],
        on_replace: Callable[[], None],
    ) -> None:
        self._python = python
        self._limits = limits
        self._device = device
        self._use_spare = spare
        self._stdin = stdin
        """Workers read our stdin (`tutor run`); otherwise `input()` fails at once."""
        self._on_message = on_message
        self._on_output = on_output
        self._on_crash = on_crash
        """Told when the active worker dies on its own, to explain it and `replace` it."""
        self._on_replace = on_replace
        """Told when a replacement begins, before the old worker is killed."""
        self.active: WorkerProcess | None = None
        self.closing = False
        """Set by `close()`, cleared by the supervisor's next start: while set, no spare
        is spawned and no death is recovered, and a boot under way fails as closed."""
        self._cwd: Path | None = None
        self._spare: asyncio.Task[WorkerProcess] | None = None
        self._booting: WorkerProcess | None = None
        """The worker `boot()` is waiting for, so that `close()` can stop it too."""
        self._replacing = asyncio.Lock()

    @property
    def pids(self) -> tuple[int, ...]:
        """The active worker's processes (shim, worker), then the spare's."""
        pids = [] if self.active is None else list(self.active.pids)
        if self._spare is not None and self._spare.done() and not self._spare.exception():
            pids.extend(self._spare.result().pids)
        return tuple(pids)

    async def boot(self, cwd: Path) -> DeviceReport:
        """The first worker, run in `cwd`; one that cannot serve is killed, not kept."""
        self._cwd = cwd
        worker = self._booting = await self._spawn()
        try:
            # close() kills the worker it finds booting; before and after, it is seen here.
            report = None if self.closing else await worker.ready
            if report is None or self.closing:
                raise SandboxError(i18n._(CLOSED))
            if self._device.startswith("cuda") and not report.cuda_available:
                raise SandboxError(
                    i18n._(
                        "--device {device}: torch {version} sees no CUDA GPU here "
                        "(try --device auto or cpu)"
                    ).format(device=self._device, version=report.torch)
                )
        except BaseException:
            await asyncio.shield(worker.kill())
            raise
        finally:
            self._booting = None
        self.active = worker
        self._fill_spare()
        return report

    async def warm(self) -> None:
        """Wait until the spare worker has imported torch, so a recovery is instant."""
        spare = self._spare
        if spare is not None:
            with contextlib.suppress(SandboxError):
                await (await asyncio.shield(spare)).ready

    async def replace(self, old: WorkerProcess | None) -> DeviceReport | None:
        """Kill `old` and everything it started; the spare takes over.

        Returns the new worker's report, or None when `old` was no longer the active
        worker: a crash and a kill raced, and the other one already replaced it.
        """
        async with self._replacing:
            if old is not self.active:
                return None
            self._on_replace()
            if old is not None:
                await old.kill()
            return await self._promote()

    async def close(self) -> None:
        """Stop every worker and every process they started; a boot under way fails."""
        self.closing = True
        if self._booting is not None:
            await self._booting.kill()
        workers = [self.active]
        if self._spare is not None:
            with contextlib.suppress(SandboxError):
                workers.append(await self._spare)
        self.active = self._spare = None
        for worker in workers:
            if worker is not None:
                await worker.kill()

    async def _promote(self) -> DeviceReport:
        """Make the spare (or, without one, a new worker) the active worker, once ready."""
        self.active = None
        for attempt in range(2):
            spare, self._spare = self._spare, None
            worker = await spare if spare is not None else await self._spawn()
            try:
                report = await worker.ready
            except SandboxError:
                if attempt:
                    raise
                continue
            self.active = worker
            break
        self._fill_spare()
        return report

    def _fill_spare(self) -> None:
        if self._use_spare and self._spare is None and not self.closing:
            self._spare = asyncio.get_running_loop().create_task(self._spawn())

    async def _spawn(self) -> WorkerProcess:
        assert self._cwd is not None
        worker = await WorkerProcess.spawn(
            self._python,
            self._limits,
            self._device,
            self._cwd,
            self._on_message,
            self._on_output,
            stdin=self._stdin,
        )
        worker.exited.add_done_callback(lambda _: self._on_exit(worker))
        return worker

    def _on_exit(self, worker: WorkerProcess) -> None:
        if self.closing or worker.expected_exit:
            return
        if worker is self.active:
            self._on_crash(worker)
        elif self._spare is not None and self._spare.done() and self._spare.result() is worker:
            self._spare = None  # _promote will start a fresh one when needed
