"""Processes a snippet starts with the `spawn` method (torch.multiprocessing.spawn, DDP).

In the app the learner's code is not a file, so a spawned child (a fresh interpreter)
could not find in `__main__` the function it must run, as it does for a script. While
an app run is under way the worker therefore puts a `Spawned` in multiprocessing's
process config, which every spawned child unpickles before its target. In the child it
runs the setup and the learner's code as `__mp_main__` (so `if __name__ == "__main__":`
is skipped there, exactly as python does for a script), labels each line the child
writes with its rank (`[rank 1] `), so the ranks' output can be told apart in one pane,
sends its `tutor.log` points to the worker through a pipe, named with the rank
(`loss (rank 1)`, one curve per rank), and applies the worker's GPU memory cap.

The rank is what torch.distributed says once the process group is up, else the `RANK`
variable (torchrun), else the index torch.multiprocessing.spawn gave the process. A
child with none of these is not labelled: a guessed rank would mislead. `tutor run`
installs none of this: a script has a file, and its output stays python's, byte for byte.

The worker also hands the learner's code a free port for the process group
(`MASTER_ADDR`/`MASTER_PORT`, see `rendezvous`), so two learners on one server never
meet on the same port. Worker and child side only; torch is imported lazily.
"""

from __future__ import annotations

import builtins
import io
import json
import linecache
import os
import random
import socket
import sys
import types
from collections.abc import Callable, Mapping
from typing import Any

CONFIG_KEY = "tutor_spawned"
"""Where the `Spawned` lives in `multiprocessing.current_process()._config`."""
LINE_LIMIT = 4096
"""A metrics line at most PIPE_BUF long is written atomically: ranks never interleave."""
DRAIN_READS = 64
"""Reads of 64 KiB per drain, at most: ten drains a second pass 40 MiB/s of points."""
LOCALHOST = "127.0.0.1"

PointSink = Callable[[int, dict[str, float]], None]


def rank_label(rank: int) -> str:
    return f"[rank {rank}] "


def rank_metric(name: str, rank: int | None, pid: int) -> str:
    """`loss (rank 1)`; a child without a rank is named by its pid, which is a fact."""
    return f"{name} (rank {rank})" if rank is not None else f"{name} (pid {pid})"


def current_rank() -> int | None:
    """This process's rank, from the most to the least authoritative source; None if unknown."""
    dist = sys.modules.get("torch.distributed")
    try:
        if dist is not None and dist.is_available() and dist.is_initialized():
            return int(dist.get_rank())
    except Exception:  # noqa: BLE001 - a half-torn-down group must not break a print
        pass
    env = os.environ.get("RANK", "")
    if env.isdigit():
        return int(env)
    return spawn_index()


def spawn_index() -> int | None:
    """The index torch.multiprocessing.spawn passed this process (its `rank` argument)."""
    import multiprocessing

    process = multiprocessing.current_process()
    target = getattr(process, "_target", None)
    args = getattr(process, "_args", ())
    if (
        getattr(target, "__module__", "") == "torch.multiprocessing.spawn"
        and len(args) > 1
        and isinstance(args[1], int)
    ):
        return args[1]
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOCALHOST, 0))
        return int(probe.getsockname()[1])


def rendezvous(given: Mapping[str, str], environ: Any = os.environ) -> None:
    """Point the process group at this machine, on a port nobody else uses, for one run.

    `given` is the environment the worker started with: a `MASTER_ADDR`/`MASTER_PORT`
    an administrator set there is kept. Otherwise every run gets a fresh free port, so
    two learners (or two runs) on one server never collide.
    """
    environ["MASTER_ADDR"] = given.get("MASTER_ADDR", LOCALHOST)
    environ["MASTER_PORT"] = given.get("MASTER_PORT") or str(free_port())


def cap_gpu_memory(fraction: float | None) -> None:
    """Cap this process's share of each GPU, without starting CUDA just to do it.

    The cap is set when CUDA starts (torch's lazy-init queue), so a warm spare worker
    still holds no CUDA context; if CUDA already runs, it is set at once.
    """
    if fraction is None:
        return
    import torch

    if not torch.cuda.is_available():
        return

    def cap() -> None:
        for index in range(torch.cuda.device_count()):
            torch.cuda.set_per_process_memory_fraction(fraction, index)

    lazy = getattr(torch.cuda, "_lazy_call", None)
    if lazy is None or torch.cuda.is_initialized():
        cap()
    else:
        lazy(cap)


def gpu_memory_in_use() -> int | None:
    """Bytes this process holds on its GPUs (torch's caching allocator); None without CUDA."""
    torch = sys.modules.get("torch")
    if torch is None or not torch.cuda.is_available():
        return None
    if not torch.cuda.is_initialized():
        return 0
    return sum(torch.cuda.memory_reserved(index) for index in range(torch.cuda.device_count()))


class RankStream(io.TextIOWrapper):
    """A child's stdout or stderr: each line starting with `[rank N] `, written whole.

    Ranks share one pipe, so a line goes out only once its newline has come: `print("a")`
    is two writes, and another rank's line must not land between them. What is left at
    the end goes out on `flush()` (at exit, or when the learner asks).
    """

    @classmethod
    def open(cls, fd: int, like: Any) -> RankStream:
        raw = io.FileIO(fd, "w", closefd=False)
        stream = cls(
            io.BufferedWriter(raw),
            encoding=getattr(like, "encoding", None) or "utf-8",
            errors=getattr(like, "errors", None) or "strict",
            line_buffering=True,
        )
        stream.partial = ""
        return stream

    def write(self, text: str) -> int:
        rank = current_rank()
        if not isinstance(text, str) or not text or rank is None:
            return super().write(text)
        whole, newline, self.partial = (self.partial + text).rpartition("\n")
        if newline:
            lines = (whole + newline).splitlines(keepends=True)
            super().write("".join(rank_label(rank) + line for line in lines))
        return len(text)

    def flush(self) -> None:
        if getattr(self, "partial", ""):
            rank = current_rank()
            label = rank_label(rank) if rank is not None else ""
            text, self.partial = self.partial, ""
            super().write(label + text)
        super().flush()


class MetricsPipe:
    """The worker's end of the pipe the children's `tutor.log` points arrive on.

    Both ends live at random high fds, as the channel's do, away from what a snippet
    closes or writes by accident. A snippet that still closes or replaces one loses only
    its ranks' curves: the pipe is checked before each use and left alone once it is
    not ours any more.
    """

    def __init__(self) -> None:
        from tutor.sandbox.channel import hide_fd

        read_fd, write_fd = os.pipe()
        self.read_fd, self.write_fd = hide_fd(read_fd), hide_fd(write_fd)
        os.set_blocking(self.read_fd, False)
        self._identity = {fd: _identity(fd) for fd in (self.read_fd, self.write_fd)}
        self._rest = b""
        self._skipping = False
        """Inside a line longer than LINE_LIMIT: dropped up to its newline."""

    @property
    def intact(self) -> bool:
        """Both ends are still the pipe made here."""
        try:
            return all(_identity(fd) == known for fd, known in self._identity.items())
        except OSError:
            return False

    def drain(self, sink: PointSink) -> None:
        """Hand every complete point waiting in the pipe to `sink` (step, named values).

        Reads at most DRAIN_READS chunks a call, and never keeps more than LINE_LIMIT
        bytes of an unfinished line: a snippet flooding the pipe costs no memory.
        """
        if not self.intact:
            self._rest, self._skipping = b"", False
            return
        for _ in range(DRAIN_READS):
            try:
                chunk = os.read(self.read_fd, 65536)
            except OSError:  # empty (EAGAIN), or closed by the snippet since the check
                return
            if not chunk:
                return
            *complete, last = chunk.split(b"\n")
            if complete:
                if self._skipping:
                    complete = complete[1:]
                else:
                    complete[0] = self._rest + complete[0]
                self._rest, self._skipping = b"", False
            else:
                last = self._rest + last
            if self._skipping or len(last) > LINE_LIMIT:
                self._rest, self._skipping = b"", True
            else:
                self._rest = last
            for line in complete:
                point = parse_point(line)
                if point is not None:
                    sink(*point)


def _identity(fd: int) -> tuple[int, int]:
    status = os.fstat(fd)
    return status.st_dev, status.st_ino


def parse_point(line: bytes) -> tuple[int, dict[str, float]] | None:
    """A child's point, checked: the child runs the learner's code and may write anything."""
    try:
        message = json.loads(line)
        rank, pid = message.get("rank"), int(message["pid"])
        rank = None if rank is None else int(rank)
        named = {
            rank_metric(str(name), rank, pid): float(value)
            for name, value in message["values"].items()
        }
        return int(message["step"]), named
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


class Spawned:
    """What a spawned child needs to run the learner's code as the worker does.

    Pickled (only while a process is being spawned) into a call of `_in_child`, which
    the child makes while unpickling its process object, before its target is looked up.
    """

    def __init__(
        self,
        blocks: list[tuple[str, str]],
        *,
        seed: bool,
        metrics_fd: int | None,
        gpu_memory: float | None,
        threads: int | None = None,
    ) -> None:
        self.blocks = blocks
        """(source, filename) of the setup and the learner's code, run in that order."""
        self.seed = seed
        """Seed the generators before running them, as a check does in the worker."""
        self.metrics_fd = metrics_fd
        """Where the child writes its points; None when the snippet broke the pipe."""
        self.gpu_memory = gpu_memory
        self.threads = threads
        """The worker's torch thread count, so ranks leave the UI its core too and never spin
        more threads than cores between them; None keeps torch's default."""
        self._next_step: dict[int | None, int] = {}

    def __reduce__(self) -> tuple[Any, ...]:
        from multiprocessing import context, reduction

        if context.get_spawning_popen() is None:
            raise TypeError("tutor's spawn support is only pickled to start a process")
        fd = None if self.metrics_fd is None else reduction.DupFd(self.metrics_fd)
        return (_in_child, (self.blocks, self.seed, fd, self.gpu_memory, self.threads))

    def start(self) -> None:
        """In the child: labelled streams, the metrics pipe, the GPU cap, then `__mp_main__`."""
        from tutor.sandbox.metrics import install_sink

        sys.stdout = RankStream.open(1, sys.stdout)
        sys.stderr = RankStream.open(2, sys.stderr)
        install_sink(self.send_point)
        cap_gpu_memory(self.gpu_memory)
        if self.threads is not None:
            import torch

            torch.set_num_threads(self.threads)
        module = types.ModuleType("__mp_main__")
        module.__dict__["__builtins__"] = builtins
        sys.modules["__main__"] = sys.modules["__mp_main__"] = module
        if self.seed:
            import torch

            torch.manual_seed(0)
            random.seed(0)
        for source, filename in self.blocks:
            lines = source.splitlines(keepends=True)
            linecache.cache[filename] = (len(source), None, lines, filename)
            exec(compile(source, filename, "exec"), module.__dict__)

    def send_point(self, step: int | None, values: Mapping[str, float]) -> None:
        rank = current_rank()
        if step is None:
            step = self._next_step.get(rank, 0)
        self._next_step[rank] = step + 1
        message = {"rank": rank, "pid": os.getpid(), "step": step, "values": dict(values)}
        line = json.dumps(message).encode() + b"\n"
        if self.metrics_fd is not None and len(line) <= LINE_LIMIT:
            os.write(self.metrics_fd, line)


def _in_child(
    blocks: list[tuple[str, str]],
    seed: bool,
    fd: Any,
    gpu_memory: float | None,
    threads: int | None,
) -> Spawned:
    metrics_fd = None if fd is None else fd.detach()
    spawned = Spawned(
        blocks, seed=seed, metrics_fd=metrics_fd, gpu_memory=gpu_memory, threads=threads
    )
    spawned.start()
    return spawned


def install(spawned: Spawned | None) -> None:
    """Make (or, with None, stop making) every process spawned from now on a `Spawned`."""
    import multiprocessing

    config = multiprocessing.current_process()._config  # type: ignore[attr-defined]
    if spawned is None:
        config.pop(CONFIG_KEY, None)
    else:
        config[CONFIG_KEY] = spawned
