"""The snippet's stdout and stderr as the supervisor reads them, with caps.

The worker's fds 1 and 2 are pipes whose read ends the supervisor holds: bytes a
snippet wrote just before a segfault or `os._exit` are still in the pipe when the
worker is gone, where a reader inside the worker would have lost them with it, and
output never crosses the JSON reply channel, so a flood costs no escaping there. Per
run the first part of the output (half the soft cap) is shown live and the last part
is kept; what lies between is counted, and the learner is told how much was dropped.
Past the hard cap the run must stop: a snippet printing in a loop must not fill the
UI's memory. No torch, no Textual: the supervisor runs in the UI process.
"""

from __future__ import annotations

import codecs
from collections import deque
from collections.abc import Callable
from typing import Any

from tutor.i18n import _, ngettext
from tutor.sandbox.limits import format_size
from tutor.sandbox.protocol import OutputEvent

Emit = Callable[[OutputEvent], None]
STREAMS = ("stdout", "stderr")
CHUNK = 64 * 1024


class OutputTap:
    """One run's output: `feed` what the pipes give, `end` once the run is over."""

    def __init__(self, emit: Emit | None, soft: int, soft_lines: int, hard: int) -> None:
        self._emit_event = emit
        self._head_bytes, self._head_lines = soft // 2, soft_lines // 2
        self._tail_bytes, self._tail_lines = soft - self._head_bytes, soft_lines - self._head_lines
        self._hard = hard
        self._total = self._shown_bytes = self._shown_lines = 0
        self._tail: deque[list[Any]] = deque()
        self._tail_size = self._tail_count = 0
        self._dropped_bytes = self._dropped_lines = 0
        self._decoders = {stream: _decoder() for stream in STREAMS}
        self.hard_hit = False
        self.ended = False

    def feed(self, stream: str, data: bytes) -> bool:
        """Take `data`; False once the hard cap is passed (the run must be stopped)."""
        if self.ended or self.hard_hit:
            return not self.hard_hit
        self._total += len(data)
        if self._total > self._hard:
            self.hard_hit = True
            return False
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
        return True

    def end(self) -> None:
        """The dropped-output notice and the kept tail, then what the decoders still hold."""
        if self.ended:
            return
        self.ended = True
        if self._dropped_bytes:
            fields = {
                "lines": f"{self._dropped_lines:,}",
                "size": format_size(self._dropped_bytes),
                "kept": format_size(self._head_bytes),
            }
            if self._dropped_lines:
                text = ngettext(
                    "… {lines} line, {size} of output not shown (only the first and last "
                    "{kept} are kept) …",
                    "… {lines} lines, {size} of output not shown (only the first and last "
                    "{kept} are kept) …",
                    self._dropped_lines,
                )
            else:
                text = _("… {size} of output not shown (only the first and last {kept} are kept) …")
            notice = f"\n{text.format(**fields)}\n"
            self._emit("stderr", notice.encode())
            decoders = {stream: _decoder() for stream in STREAMS}
            for stream, chunk in self._tail:
                for start in range(0, len(chunk), CHUNK):
                    self._emit(stream, bytes(chunk[start : start + CHUNK]), decoders)
        self._tail.clear()
        for stream, decoder in self._decoders.items():
            self._send(stream, decoder.decode(b"", final=True))

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
        self._send(stream, (decoders or self._decoders)[stream].decode(data))

    def _send(self, stream: str, text: str) -> None:
        if text and self._emit_event is not None:
            self._emit_event(OutputEvent.from_wire({"stream": stream, "text": text}))


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
    for _line in range(count):
        index = data.find(b"\n", index + 1)
        if index < 0:
            return len(data)
    return index + 1
