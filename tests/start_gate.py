"""A worker start held at a gate the test opens: "torch is still importing", for as long
as the test needs, with no timing involved.

The supervisor is given a `python` that first reads one line from a FIFO, then execs the
real interpreter. The test holds the FIFO's only writer: until it writes, every worker
start waits exactly where a slow torch import would, at `worker.ready`.
"""

from __future__ import annotations

import asyncio
import os
import shlex
import sys
from pathlib import Path

from tutor.sandbox.supervisor import State, Supervisor

OPENINGS = 64
"""Lines written by `open()`: one per worker start (the active one, spares, replacements)."""


class StartGate:
    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        fifo = folder / "gate"
        os.mkfifo(fifo)
        self.python = folder / "gated-python"
        """Give this to `Supervisor(python=...)`."""
        self.python.write_text(
            "#!/bin/sh\n"
            f"read line < {shlex.quote(str(fifo))} || exit 1\n"
            f'exec {shlex.quote(sys.executable)} "$@"\n'
        )
        self.python.chmod(0o755)
        # Read and write: opening never blocks, and the FIFO (with what was written to it)
        # lives until `close()`, whenever the workers come to read it.
        self._fd = os.open(fifo, os.O_RDWR)

    def open(self) -> None:
        """Let every worker start go on, those waiting and those to come."""
        os.write(self._fd, b"go\n" * OPENINGS)

    def close(self) -> None:
        os.close(self._fd)


class StateLog:
    """The supervisor's states in order; a test awaits one instead of polling for it."""

    def __init__(self, supervisor: Supervisor) -> None:
        self.states: list[State] = []
        self.reasons: list[str] = []
        self._changed = asyncio.Event()
        supervisor.on_state = self._record

    def _record(self, state: State, reason: str) -> None:
        self.states.append(state)
        if reason:
            self.reasons.append(reason)
        self._changed.set()

    async def reached(self, state: State, within: float = 60.0) -> None:
        """Return once the supervisor was in `state`; fail after `within` seconds."""
        async with asyncio.timeout(within):
            while state not in self.states:
                self._changed.clear()
                await self._changed.wait()
