"""Fixtures for the sandbox tests: one shared supervisor with small limits, and probes.

Starting a worker costs a torch import, so the tests of a module share one supervisor
(module-scoped, on a module-scoped event loop); the hostile tests leave it with a
fresh worker, which is exactly what they assert.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from tutor.sandbox.limits import MIB, Limits
from tutor.sandbox.procs import descendants, process_table
from tutor.sandbox.protocol import Event, MetricsEvent, OutputEvent, VariablesEvent
from tutor.sandbox.supervisor import Supervisor

SMALL = Limits(
    memory=600 * MIB,
    processes=64,
    file_size=8 * MIB,
    output_soft=256 * 1024,
    output_soft_lines=2_000,
    output_hard=16 * MIB,
    check_timeout=5.0,
    threads=1,
)
"""Small enough that no hostile snippet can hurt a 2-core test machine."""


class Recorder:
    """Collects a run's events; the tests read them back by kind."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def __call__(self, event: Event) -> None:
        self.events.append(event)

    def text(self, stream: str = "stdout") -> str:
        return "".join(
            e.text for e in self.events if isinstance(e, OutputEvent) and e.stream == stream
        )

    def data(self, stream: str = "stdout") -> bytes:
        return b"".join(
            e.data for e in self.events if isinstance(e, OutputEvent) and e.stream == stream
        )

    @property
    def metrics(self) -> list[MetricsEvent]:
        return [e for e in self.events if isinstance(e, MetricsEvent)]

    @property
    def variables(self) -> VariablesEvent | None:
        found = [e for e in self.events if isinstance(e, VariablesEvent)]
        return found[-1] if found else None


def strays(supervisor: Supervisor) -> set[int]:
    """Live processes below this test process that are not the supervisor's workers."""
    table = process_table()
    below = descendants({os.getpid()}, table) - set(supervisor.worker_pids)
    return {pid for pid in below if table[pid][1] not in "ZX"}


async def assert_recovered(supervisor: Supervisor, within: float = 3.0) -> None:
    """A worker answers again within `within` seconds, and nothing else is left running."""
    started = time.monotonic()
    finished = await asyncio.wait_for(supervisor.run("1 + 1", key="probe"), within)
    assert finished.status == "ok", finished
    assert time.monotonic() - started < within
    assert supervisor.state == "ready"
    for _ in range(50):
        if not strays(supervisor):
            break
        await asyncio.sleep(0.02)
    assert strays(supervisor) == set()


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("scratch")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def supervisor(scratch: Path) -> AsyncIterator[Supervisor]:
    supervisor = Supervisor(SMALL, device="cpu", cwd=scratch)
    await supervisor.start()
    yield supervisor
    await supervisor.close()
