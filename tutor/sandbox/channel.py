"""The worker's end of its private channel to the supervisor.

Requests arrive as JSON lines on one pipe and replies leave on another. The first
request brings a per-start secret that every reply must start with; both pipes move to
random high fds, away from what a snippet closes or writes by accident, and are checked
before each use: a snippet that closed or replaced them ends the worker (CHANNEL_LOST)
rather than leaving the supervisor waiting. Worker side only; no torch needed.
"""

from __future__ import annotations

import fcntl
import os
import resource
import secrets
import threading
from collections.abc import Callable, Iterator
from typing import Any

from tutor.sandbox.protocol import CHANNEL_LOST, CHANNEL_LOST_NOTE, decode, fit


class Channel:
    """The request and reply pipes, out of the snippet's way; replies carry the secret."""

    def __init__(self, read_fd: int, write_fd: int, crash_log: Any) -> None:
        self.pid = os.getpid()
        secret = [_read_hello(read_fd)]
        self._read_fd, self._write_fd = hide_fd(read_fd), hide_fd(write_fd)
        self._identity = {fd: _identity(fd) for fd in (self._read_fd, self._write_fd)}
        self._crash_log = crash_log
        self.send = self._sender(secret)
        self._forget = secret.clear

    def _sender(self, secret: list[str]) -> Callable[[dict[str, Any]], None]:
        """`send`, holding the secret in a closure rather than on a reachable attribute."""
        lock = threading.Lock()

        def send(message: dict[str, Any]) -> None:
            prefix = f"{secret[0] if secret else ''} ".encode("ascii")
            data = memoryview(prefix + fit({**message, "pid": self.pid}))
            with lock:
                self._verify(self._write_fd)
                while data:
                    data = data[os.write(self._write_fd, data) :]

        return send

    def requests(self) -> Iterator[dict[str, Any]]:
        with os.fdopen(self._read_fd, "rb", closefd=False) as pipe:
            while True:
                self._verify(self._read_fd)
                line = pipe.readline()
                if not line:
                    return
                message = decode(line)
                if message is not None:
                    yield message

    def _verify(self, fd: int) -> None:
        """Still our pipe? If the snippet closed or replaced it, nothing can be said any more."""
        try:
            same = _identity(fd) == self._identity[fd]
        except OSError:
            same = False
        if not same:
            try:
                print(CHANNEL_LOST_NOTE, file=self._crash_log, flush=True)
            finally:
                os._exit(CHANNEL_LOST)

    def detach(self) -> None:
        """In a forked child: forget the secret, point the channel at /dev/null."""
        self._forget()
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (self._read_fd, self._write_fd):
            os.dup2(null, fd)
        os.close(null)
        self._identity = {fd: _identity(fd) for fd in (self._read_fd, self._write_fd)}


def _read_hello(fd: int) -> str:
    """The first request: the secret, read byte by byte so nothing after it is buffered."""
    line = bytearray()
    while not line.endswith(b"\n"):
        byte = os.read(fd, 1)
        if not byte:
            raise SystemExit("tutor: the supervisor sent no secret")
        line += byte
    hello = decode(bytes(line))
    if hello is None or hello.get("type") != "hello" or not isinstance(hello.get("secret"), str):
        raise SystemExit("tutor: the supervisor's first message is not a hello")
    return hello["secret"]


def _identity(fd: int) -> tuple[int, int]:
    status = os.fstat(fd)
    return status.st_dev, status.st_ino


def hide_fd(fd: int) -> int:
    """Move `fd` to a random high number (close-on-exec), far from what snippets touch.

    A snippet closing or writing fds 0..1023 in a loop, or opening files (which take
    the lowest free number), does not reach it.
    """
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    top = min(soft, 1 << 16)
    low = max(top // 2, 64)
    if top - low > 32:
        target = low + secrets.randbelow(top - low - 16)
    else:
        target = low
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, target)
    os.close(fd)
    return moved
