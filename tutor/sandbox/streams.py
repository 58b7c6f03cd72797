"""What a snippet sends out while it runs, from inside the worker: its lines and its metrics.

Both must survive the snippet: a crash right after a `print` loses no line, and a training
loop calling `tutor.log` every step costs an append, not a message.
"""

from __future__ import annotations

import io
import threading
import time
from collections import deque
from typing import Any

from tutor.sandbox import ranks

METRICS_INTERVAL = 0.1
"""Seconds between metrics batches: ~10 a second keeps plots live and the channel quiet."""
METRICS_BATCH = 1000
"""Points per metrics message, at most, so no reply grows past `protocol.MAX_MESSAGE`."""


class OutputStream(io.TextIOWrapper):
    """The worker's `sys.stdout`/`sys.stderr`: line-buffered, so a crash loses no printed
    line, and each line a thread left behind by an earlier run writes is labelled with its
    name, so its output is not mistaken for the current run's."""

    leftover: frozenset[threading.Thread] = frozenset()

    @classmethod
    def open(cls, fd: int, like: io.TextIOWrapper) -> OutputStream:
        raw = io.FileIO(fd, "w", closefd=False)
        return cls(
            io.BufferedWriter(raw), encoding=like.encoding, errors=like.errors, line_buffering=True
        )

    def write(self, text: str) -> int:
        thread = threading.current_thread()
        if thread in self.leftover and isinstance(text, str):
            starts: dict[threading.Thread, bool] = self.__dict__.setdefault("_starts", {})
            pieces = []
            for piece in text.splitlines(keepends=True):
                if starts.get(thread, True):
                    pieces.append(f"[thread {thread.name}] ")
                pieces.append(piece)
                starts[thread] = piece.endswith("\n")
            super().write("".join(pieces))
            return len(text)
        return super().write(text)


class MetricsBuffer:
    """Collects `tutor.log` points and sends them as one batch at most ~10 times a second.

    `sink` runs once per training step, so it only appends to a deque (atomic, no lock);
    a thread polls the deque while a run is active and sends what has accumulated.
    """

    def __init__(self, send: Any, children: ranks.MetricsPipe) -> None:
        self._send = send
        self._children = children
        """Points from processes the snippet spawned, named with their rank."""
        self._points: deque[list[Any]] = deque()
        self._flush_lock = threading.Lock()
        self._active = threading.Event()
        self._run_id: int | None = None
        self._next_step = 0
        threading.Thread(target=self._loop, name="tutor-metrics", daemon=True).start()

    def begin(self, run_id: int) -> None:
        self._run_id, self._next_step = run_id, 0
        with self._flush_lock:  # the polling thread may still be flushing the last run
            self._children.drain(lambda step, values: None)  # an earlier run's children's
        self._active.set()

    def sink(self, step: int | None, values: Any) -> None:
        if step is None:
            step = self._next_step
        self._next_step = step + 1
        self._points.append([step, values])

    def end(self) -> None:
        """The run is over: send the last points now and stop polling."""
        self._active.clear()
        self.flush()

    def flush(self) -> None:
        with self._flush_lock:
            self._children.drain(lambda step, values: self._points.append([step, values]))
            while self._points:
                points = []
                while self._points and len(points) < METRICS_BATCH:
                    points.append(self._points.popleft())
                self._send({"type": "metrics", "id": self._run_id, "points": points})

    def _loop(self) -> None:
        while True:
            self._active.wait()
            time.sleep(METRICS_INTERVAL)
            self.flush()
