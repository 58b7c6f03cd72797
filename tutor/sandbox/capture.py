"""Capture the worker's stdout and stderr at the file-descriptor level, with caps.

Replacing `sys.stdout` would miss what C++ code, `os.write(1, ...)` and subprocesses
write, so fds 1 and 2 themselves become pipes read by a thread that streams chunks to
the supervisor. Per run, the first part of the output (half the soft cap) is streamed
live and the last part is kept; what lies between is counted, and the learner is told
how much was dropped. Past the hard cap the supervisor is asked to stop the run: a
snippet printing in a loop must not fill the UI's memory. Worker side only.
"""

from __future__ import annotations

import codecs
import os
import selectors
import threading
from collections import deque
from collections.abc import Callable
from typing import Any

from tutor.sandbox.limits import format_size

Send = Callable[[dict[str, Any]], None]
STREAMS = {1: "stdout", 2: "stderr"}
CHUNK = 64 * 1024


class OutputCapture:
    """Owns fds 1 and 2 of the worker; `begin`/`end` bracket each run."""

    def __init__(self, send: Send, soft: int, soft_lines: int, hard: int) -> None:
        self._send = send
        self._head_bytes, self._head_lines = soft // 2, soft_lines // 2
        self._tail_bytes, self._tail_lines = soft - self._head_bytes, soft_lines - self._head_lines
        self._hard = hard
        self._lock = threading.Lock()
        self._write_fds: dict[str, int] = {}
        self._read_fds: dict[int, str] = {}
        for fd, stream in STREAMS.items():
            read, write = os.pipe()
            os.dup2(write, fd)
            self._write_fds[stream] = write
            self._read_fds[read] = stream
            os.set_blocking(read, False)
        self._wake_read, self._wake_write = os.pipe()
        self._drained = threading.Event()
        self._reset(None)
        threading.Thread(target=self._loop, name="tutor-output", daemon=True).start()

    def _reset(self, run_id: int | None) -> None:
        self._run_id = run_id
        self._total = self._shown_bytes = self._shown_lines = 0
        self._tail: deque[list[Any]] = deque()
        self._tail_size = self._tail_count = 0
        self._dropped_bytes = self._dropped_lines = 0
        self.hard_hit = False
        self._decoders = {s: _decoder() for s in STREAMS.values()}

    def begin(self, run_id: int) -> None:
        """Start counting a new run's output against the caps."""
        with self._lock:
            self._reset(run_id)

    def end(self) -> None:
        """Forward everything written so far, then the dropped-lines notice and the tail."""
        self.restore_fds()
        self._drained.clear()
        os.write(self._wake_write, b"d")
        self._drained.wait(5)
        with self._lock:
            if self._dropped_bytes:
                lines = f"{self._dropped_lines:,} lines, " if self._dropped_lines else ""
                notice = (
                    f"\n… {lines}{format_size(self._dropped_bytes)} of output not shown "
                    f"(only the first and last {format_size(self._head_bytes)} are kept) …\n"
                )
                self._emit("stderr", notice.encode())
                decoders = {s: _decoder() for s in STREAMS.values()}
                for stream, chunk in self._tail:
                    self._emit(stream, bytes(chunk), decoders)
            for stream, decoder in self._decoders.items():
                rest = decoder.decode(b"", final=True)
                if rest:
                    self._send(
                        {"type": "output", "id": self._run_id, "stream": stream, "text": rest}
                    )
            self._tail.clear()

    def restore_fds(self) -> None:
        """Point fds 1 and 2 back at the pipes, whatever the snippet did to them."""
        for fd, stream in STREAMS.items():
            os.dup2(self._write_fds[stream], fd)

    def _loop(self) -> None:
        selector = selectors.DefaultSelector()
        for fd in self._read_fds:
            selector.register(fd, selectors.EVENT_READ)
        selector.register(self._wake_read, selectors.EVENT_READ)
        while True:
            for key, _ in selector.select():
                if key.fd == self._wake_read:
                    os.read(self._wake_read, 64)
                    self._drain()
                    self._drained.set()
                else:
                    self._read(key.fd)

    def _drain(self) -> None:
        """Read what is already in the pipes; bounded, as a background writer may never stop."""
        for fd in self._read_fds:
            for _ in range(64):
                if not self._read(fd):
                    break

    def _read(self, fd: int) -> bool:
        try:
            data = os.read(fd, CHUNK)
        except BlockingIOError:
            return False
        if data:
            with self._lock:
                self._feed(self._read_fds[fd], data)
        return bool(data)

    def _feed(self, stream: str, data: bytes) -> None:
        self._total += len(data)
        if self._total > self._hard:
            if not self.hard_hit:
                self.hard_hit = True
                self._send({"type": "limit", "id": self._run_id, "what": "output"})
            return
        if self._shown_bytes < self._head_bytes and self._shown_lines < self._head_lines:
            cut = _cut(
                data, self._head_bytes - self._shown_bytes, self._head_lines - self._shown_lines
            )
            head, data = data[:cut], data[cut:]
            self._shown_bytes += len(head)
            self._shown_lines += head.count(b"\n")
            self._emit(stream, head)
        if data:
            self._keep_tail(stream, data)

    def _keep_tail(self, stream: str, data: bytes) -> None:
        if self._tail and self._tail[-1][0] == stream:
            self._tail[-1][1] += data
        else:
            self._tail.append([stream, bytearray(data)])
        self._tail_size += len(data)
        self._tail_count += data.count(b"\n")
        while self._tail_size > self._tail_bytes or self._tail_count > self._tail_lines:
            chunk = self._tail[0][1]
            excess_lines = self._tail_count - self._tail_lines
            cut = len(chunk)
            if excess_lines > 0:
                cut = min(cut, _after_newlines(chunk, excess_lines))
            elif self._tail_size - self._tail_bytes < len(chunk):
                cut = self._tail_size - self._tail_bytes
            dropped = chunk[:cut]
            del chunk[:cut]
            if not chunk:
                self._tail.popleft()
            self._tail_size -= len(dropped)
            lines = dropped.count(b"\n")
            self._tail_count -= lines
            self._dropped_bytes += len(dropped)
            self._dropped_lines += lines

    def _emit(self, stream: str, data: bytes, decoders: dict[str, Any] | None = None) -> None:
        text = (decoders or self._decoders)[stream].decode(data)
        if text:
            self._send({"type": "output", "id": self._run_id, "stream": stream, "text": text})


def _decoder() -> Any:
    """Undecodable bytes become lone surrogates, so `tutor run` can write them back exactly."""
    return codecs.getincrementaldecoder("utf-8")(errors="surrogateescape")


def _cut(data: bytes, max_bytes: int, max_lines: int) -> int:
    """How much of `data` fits in `max_bytes` and `max_lines` lines."""
    cut = min(len(data), max_bytes)
    if data.count(b"\n", 0, cut) <= max_lines:
        return cut
    return min(cut, _after_newlines(data[:cut], max_lines))


def _after_newlines(data: bytes | bytearray, count: int) -> int:
    """The index just after the `count`-th newline, or len(data) if there are fewer."""
    index = -1
    for _ in range(count):
        index = data.find(b"\n", index + 1)
        if index < 0:
            return len(data)
    return index + 1
