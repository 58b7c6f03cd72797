"""The request in flight in a worker, and the one way it is stopped.

A request ends with the worker's verdict, or is stopped: by the learner, its time
limit, the output cap, the process watchdog, a tampered channel, a restart. Each of
these calls `stop()` with its cause; the first cause is the one the learner is told,
and however many ask, one ladder runs: SIGINT to the worker's group, a grace period
for `KeyboardInterrupt` to unwind, then the worker is killed and replaced.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from tutor.sandbox.capture import OutputTap
from tutor.sandbox.endings import killed
from tutor.sandbox.limits import Limits
from tutor.sandbox.procs import count_below
from tutor.sandbox.protocol import Event, Finished
from tutor.sandbox.worker import WorkerProcess

INTERRUPT_GRACE = 2.5
"""Seconds between SIGINT and SIGKILL: time for `KeyboardInterrupt` to unwind."""
WATCH_INTERVAL = 0.1
"""Seconds between two counts of a run's processes by the watchdog."""


@dataclass
class Pending:
    """The request in flight, and why it is being stopped, if it is."""

    id: int
    kind: str
    """"run", "check" or "reset"."""
    worker: WorkerProcess
    on_event: Callable[[Event], None] | None
    future: asyncio.Future[Finished]
    timeout: float | None
    tap: OutputTap
    limits: Limits
    kill_worker: Callable[[WorkerProcess], Awaitable[None]]
    """The ladder's last step: kill the worker and its processes, unless already replaced."""
    cause: str | None = None
    stopping: asyncio.Task[None] | None = None

    def stop(self, cause: str, *, kill: bool = False) -> asyncio.Task[None]:
        """Stop for `cause` (unless one came first): the ladder, started once however many ask.

        With `kill`, SIGINT and its grace period are skipped: what the code does cannot
        be allowed to go on (too much output, too many processes, a forged reply).
        """
        self.cause = self.cause or cause
        if self.stopping is None:
            self.stopping = asyncio.get_running_loop().create_task(self._ladder(kill))
        return self.stopping

    def killed(self) -> Finished:
        """The ending of a request that was killed, worded after its cause."""
        return killed(self.kind, self.cause, self.timeout, self.limits)

    def feed(self, stream: str, data: bytes) -> None:
        """Output of this request's worker: shown through the tap, which may cap it."""
        if not self.future.done() and not self.tap.feed(stream, data):
            self.stop("output", kill=True)

    async def watch(self) -> None:
        """The process limit where the OS does not hold it: count, and stop the run above it."""
        while not self.future.done():
            worker_pid = self.worker.pid
            if worker_pid is not None:
                count = await asyncio.to_thread(count_below, worker_pid)
                if count > self.limits.processes and not self.future.done():
                    self.stop("processes", kill=True)
                    return
            await asyncio.sleep(WATCH_INTERVAL)

    async def _ladder(self, kill: bool) -> None:
        if not kill:
            self.worker.signal_group(signal.SIGINT)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(asyncio.shield(self.future), INTERRUPT_GRACE)
                return
        if self.future.done():
            return
        await self.kill_worker(self.worker)
        if not self.future.done():
            self.future.set_result(self.killed())
