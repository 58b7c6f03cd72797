"""A stand-in for the sandbox supervisor, for tests about the UI rather than the sandbox.

It answers like a worker on a 2-thread CPU machine, replaying scripted events, so
screens render deterministically (snapshots) and no torch process is started.
"""

from __future__ import annotations

from collections.abc import Sequence

from tutor.sandbox.protocol import CheckReport, DeviceReport, Event, Finished
from tutor.sandbox.supervisor import EventCallback, StateCallback

REPORT = DeviceReport(
    python="3.11.7", torch="2.13.0", cuda_available=False, selected="cpu", threads=2
)


class FakeSupervisor:
    def __init__(
        self,
        events: Sequence[Event] = (),
        finished: Finished | None = None,
        report: DeviceReport = REPORT,
    ) -> None:
        self.report = report
        self.state = "closed"
        self.device_report: DeviceReport | None = None
        self.gpu_memory: int | None = None
        self.on_state: StateCallback | None = None
        self.events = list(events)
        self.finished = finished or Finished("ok", seconds=0.1)
        self.requests: list[tuple[str, str]] = []
        self.busy = False
        """Its answers come at once: nothing ever runs long enough to be interrupted."""

    async def start(self) -> DeviceReport:
        self.device_report = self.report
        self._set("ready")
        return self.report

    async def run(
        self, code: str, *, key: str, on_event: EventCallback | None = None, **_: object
    ) -> Finished:
        return self._answer("run", code, on_event)

    async def check(
        self, code: str, *, key: str, on_event: EventCallback | None = None, **_: object
    ) -> Finished:
        return self._answer("check", code, on_event)

    async def interrupt(self) -> None:
        return None

    async def restart(self) -> None:
        self._set("ready")

    async def close(self) -> None:
        self._set("closed")

    def _answer(self, kind: str, code: str, on_event: EventCallback | None) -> Finished:
        self.requests.append((kind, code))
        for event in self.events:
            if on_event is not None:
                on_event(event)
        if kind == "check" and self.finished.check is None:
            return Finished("ok", check=CheckReport(False, "scripted failure"))
        return self.finished

    def _set(self, state: str) -> None:
        self.state = state
        if self.on_state is not None:
            self.on_state(state, "")  # type: ignore[arg-type]
