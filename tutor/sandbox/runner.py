"""The worker process: imports torch once, then runs snippets on request.

Started by the supervisor as a fresh interpreter (`python -I -c <bootstrap>`, see
`tutor.sandbox.worker`), never forked from the UI. Requests and replies travel over
a private channel (see `channel`); fds 1 and 2 are pipes the supervisor reads (see
`capture`). Everything a snippet does wrong is caught here and reported as a
`Finished`; what cannot be caught (a segfault, `os._exit`) the supervisor reads from the
exit status.
"""

from __future__ import annotations

import argparse
import builtins
import faulthandler
import io
import json
import os
import random
import signal
import site
import sys
import threading
import time
import traceback
import types
from collections import deque
from dataclasses import asdict
from pathlib import Path
from typing import Any

from tutor.feedback.explain import checking_raised, explain, raised
from tutor.feedback.idle import confirm as confirm_idle
from tutor.feedback.idle import find as find_idle
from tutor.feedback.runtime import watch
from tutor.i18n import _, ngettext, normalize, set_language
from tutor.sandbox import execution
from tutor.sandbox.channel import Channel, hide_fd
from tutor.sandbox.limits import (
    MIB,
    Limits,
    apply,
    apply_early,
    format_size,
    set_child_subreaper,
)
from tutor.sandbox.metrics import install_sink
from tutor.sandbox.procs import has_children, kill_tree

METRICS_INTERVAL = 0.1
"""Seconds between metrics batches: ~10 a second keeps plots live and the channel quiet."""
RESERVE = 4 * MIB
"""Freed on MemoryError so the worker can still report, at the memory limit."""
METRICS_BATCH = 1000
"""Points per metrics message, at most, so no reply grows past `protocol.MAX_MESSAGE`."""


class _Stream(io.TextIOWrapper):
    """The worker's `sys.stdout`/`sys.stderr`: line-buffered, so a crash loses no printed
    line, and each line a thread left behind by an earlier run writes is labelled with its
    name, so its output is not mistaken for the current run's."""

    leftover: frozenset[threading.Thread] = frozenset()

    @classmethod
    def open(cls, fd: int, like: io.TextIOWrapper) -> _Stream:
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

    def __init__(self, send: Any) -> None:
        self._send = send
        self._points: deque[list[Any]] = deque()
        self._flush_lock = threading.Lock()
        self._active = threading.Event()
        self._run_id: int | None = None
        self._next_step = 0
        threading.Thread(target=self._loop, name="tutor-metrics", daemon=True).start()

    def begin(self, run_id: int) -> None:
        self._run_id, self._next_step = run_id, 0
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


def speak(lang: Any) -> None:
    """Word this request's verdict in the learner's language: it may change between requests."""
    found = normalize(lang) if isinstance(lang, str) else None
    set_language(found or "en")


def _no_input(prompt: object = "") -> str:
    """`input()` in the sandbox: there is no keyboard, so fail at once instead of hanging."""
    if prompt:
        sys.stdout.write(str(prompt))
        sys.stdout.flush()
    raise EOFError(_("input() has no keyboard in tutor's sandbox: put the value in your code"))


class Worker:
    """Serves requests one at a time until the supervisor closes the channel."""

    def __init__(
        self, channel: Channel, limits: Limits, output_fds: tuple[int, int], *, stdin: bool
    ) -> None:
        self.channel = channel
        self.limits = limits
        self.namespaces = execution.Namespaces()
        self.metrics = MetricsBuffer(channel.send)
        self.own_threads = set(threading.enumerate())
        self.output_fds = {1: hide_fd(output_fds[0]), 2: hide_fd(output_fds[1])}
        """fd 1 and 2's pipes to the supervisor, kept to restore what a snippet changes."""
        self.like = sys.stdout, sys.stderr
        self.streams = _Stream.open(1, sys.stdout), _Stream.open(2, sys.stderr)
        self.input = builtins.input if stdin else _no_input
        self.recursion_limit = sys.getrecursionlimit()
        self.home = os.getcwd()
        """Where scripts run; an exercise's request names its own scratch folder."""
        self.reserve: bytearray | None = bytearray(RESERVE)
        self.armed = False
        self._restore()

    def _on_sigint(self, signum: int, frame: Any) -> None:
        """Ctrl+C stops the snippet, never the worker's own bookkeeping."""
        if self.armed:
            raise KeyboardInterrupt

    def serve(self) -> None:
        for request in self.channel.requests():
            kind = request.get("type")
            if kind in ("run", "check"):
                speak(request.get("lang"))
                try:
                    self.handle(request)
                except Exception as error:  # noqa: BLE001 - report, and stay up for the next run
                    self.armed = False
                    reason = _("tutor's worker failed: {error}").format(
                        error=execution.one_line(error)
                    )
                    finished = {"status": "error", "reason": reason, "exit_code": 1}
                    self.channel.send(
                        {"type": "finished", "id": request["id"], "finished": finished}
                    )
            elif kind == "reset":
                self.namespaces.drop(request["key"])
                self.channel.send(
                    {"type": "finished", "id": request["id"], "finished": {"status": "ok"}}
                )

    def handle(self, request: dict[str, Any]) -> None:
        run_id, key = request["id"], request["key"]
        script = bool(request.get("script"))
        check = request["type"] == "check"
        started = time.perf_counter()
        if script or check:
            module, new = self.namespaces.fresh(key), True
        else:
            module, new = self.namespaces.get(key)
        filename = request["filename"]
        if script:
            module.__file__ = filename
        blocks = [(request["code"], filename)]
        setup = request.get("setup")
        if setup and new:
            blocks.insert(0, (setup["source"], f"{setup['path']}:{setup['line']}"))
        argv = request.get("argv") or ([filename] if script else [""])
        path0 = os.path.dirname(filename) if script else ""
        os.chdir(request.get("cwd") or self.home)
        reset_torch_globals(seed=check)
        idle = find_idle(request["code"])
        leftover = frozenset(execution.learner_threads(self.own_threads))
        for stream in self.streams:
            stream.leftover = leftover
        self.metrics.begin(run_id)
        shapes = None if script else execution.watch_forward_passes()
        try:
            result = self.attempt(module, blocks, script=script, argv=argv, path0=path0)
            result["warnings"] = confirm_idle(idle, module.__dict__) + result["warnings"]
            if check:
                result["check"] = self.run_checks(request, module, result)
        finally:
            if shapes is not None:
                shapes.remove()
        self.end_run(run_id, module, result, started)

    def attempt(
        self,
        module: types.ModuleType,
        blocks: list[tuple[str, str]],
        *,
        script: bool,
        argv: list[str],
        path0: str,
    ) -> dict[str, Any]:
        """Run the blocks as learner code; the returned dict becomes the `Finished`."""
        result: dict[str, Any] = {"status": "ok", "reason": "", "traceback": "", "exit_code": 0}
        learner = {blocks[-1][1]}
        try:
            with execution.main_module(module, argv, path0), watch(learner) as notes:
                self.armed = True
                try:
                    for index, (source, filename) in enumerate(blocks):
                        echo = not script and index == len(blocks) - 1
                        execution.execute(source, filename, module.__dict__, echo=echo)
                    if script:
                        execution.finish_script(self.own_threads)
                finally:
                    self.armed = False
        except SystemExit as error:
            code, text = execution.exit_code(error)
            if text is not None:
                print(text, file=sys.stderr)
            result["exit_code"] = code
            if code:
                reason = _("your code called sys.exit({code})").format(code=repr(error.code))
                result.update(status="error", reason=reason)
        except BaseException as error:  # noqa: BLE001 - every failure is the learner's verdict
            if execution.is_memory_error(error):
                self.reserve = None
            shown = None if script else {filename for _, filename in blocks}
            result.update(self.describe(error), traceback=execution.format_error(error, shown))
            result["explanation"] = explain(error, learner)
        finally:
            if os.getpid() != self.channel.pid:
                sys.stdout.flush()
                os._exit(result["exit_code"])
        result["warnings"] = notes
        self._restore()
        return result

    def describe(self, error: BaseException) -> dict[str, Any]:
        if isinstance(error, KeyboardInterrupt):
            reason = _("stopped by Ctrl+C; your variables are kept")
            return {"status": "interrupted", "reason": reason, "exit_code": 130}
        if execution.is_memory_error(error):
            reason = _("memory limit of {limit} reached ({error}); your variables are kept").format(
                limit=format_size(self.limits.memory), error=execution.one_line(error)
            )
            return {"status": "limit", "reason": reason, "exit_code": 1}
        if type(error).__name__ == "OutOfMemoryError":
            reason = _("the GPU's memory is full ({error})").format(error=execution.one_line(error))
            return {"status": "limit", "reason": reason, "exit_code": 1}
        return {"status": "error", "reason": execution.one_line(error), "exit_code": 1}

    def run_checks(
        self, request: dict[str, Any], module: types.ModuleType, result: dict[str, Any]
    ) -> dict[str, Any]:
        """The check report: the checks' verdict, or why the learner's code never got there."""
        if result["status"] == "error" and result["traceback"]:
            return {"passed": False, "message": raised(result["reason"], result["explanation"])}
        if result["status"] != "ok":
            message = _("your code did not finish: {reason}").format(reason=result["reason"])
            return {"passed": False, "message": message}
        from tutor.lessons.checks import run_checks
        from tutor.lessons.model import CodeBlock

        def block(data: dict[str, Any]) -> CodeBlock:
            return CodeBlock(data["source"], Path(data["path"]), int(data["line"]))

        blocks = [block(c) for c in request["checks"]]
        learner = CodeBlock(request["code"], Path(request["filename"]), 1)
        setup = request.get("setup")
        names = request.get("names")
        try:
            with execution.main_module(module, [""], ""):
                self.armed = True
                try:
                    report = run_checks(
                        blocks,
                        module.__dict__,
                        learner=learner,
                        setup=block(setup) if setup else None,
                        asked=None if names is None else frozenset(names),
                    )
                finally:
                    self.armed = False
        except KeyboardInterrupt:
            result.update(status="interrupted", reason=_("the checks were stopped by Ctrl+C"))
            return {"passed": False, "message": _("the checks were stopped before they finished")}
        except BaseException as error:  # noqa: BLE001 - e.g. SystemExit from a learner function
            return {
                "passed": False,
                "message": checking_raised(execution.one_line(error)),
            }
        finally:
            self._restore()
        return asdict(report)

    def end_run(
        self, run_id: int, module: types.ModuleType, result: dict[str, Any], started: float
    ) -> None:
        """Flush output and metrics, report variables, end the run's processes, then finish."""
        for stream in self.streams:
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        if has_children():
            kill_tree(self.channel.pid)
        self.metrics.end()
        try:
            found = execution.variables(module.__dict__)
        except Exception:  # noqa: BLE001 - a broken object must not cost the learner the run
            found = []
        self.channel.send({"type": "variables", "id": run_id, "variables": found})
        threads = [thread.name for thread in execution.learner_threads(self.own_threads)]
        if threads and not result["reason"]:
            result["reason"] = ngettext(
                "still running in the background: {threads} (its later output is labelled; "
                "restarting the worker stops it)",
                "still running in the background: {threads} (their later output is labelled; "
                "restarting the worker stops them)",
                len(threads),
            ).format(threads=", ".join(threads[:3]))
        result["seconds"] = time.perf_counter() - started
        self.channel.send({"type": "finished", "id": run_id, "finished": result})
        if self.reserve is None:
            try:
                self.reserve = bytearray(RESERVE)
            except MemoryError:
                pass

    def _restore(self) -> None:
        """Undo what a snippet may have changed in the worker's own machinery."""
        for fd, pipe in self.output_fds.items():
            os.dup2(pipe, fd)
        streams = [
            _Stream.open(fd, like) if stream.closed else stream
            for fd, stream, like in zip((1, 2), self.streams, self.like, strict=True)
        ]
        self.streams = streams[0], streams[1]
        sys.stdout, sys.stderr = self.streams
        signal.signal(signal.SIGINT, self._on_sigint)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        signal.setitimer(signal.ITIMER_REAL, 0)
        sys.setrecursionlimit(self.recursion_limit)
        install_sink(self.metrics.sink)
        builtins.input = self.input


def reset_torch_globals(*, seed: bool) -> None:
    """Undo process-wide torch settings a previous run made, before the next one starts.

    One worker serves every exercise: without this, `torch.set_default_dtype(torch.float64)`
    in one lesson would silently turn the next lesson's tensors into float64. Each run
    executes the learner's whole code, so a setting it makes again is back at once.
    With `seed` (a check), the random generators restart too, so the same code always
    gets the same verdict, whatever ran before it in this worker.
    """
    import torch

    torch.set_default_dtype(torch.float32)
    torch.set_grad_enabled(True)
    if seed:
        torch.manual_seed(0)
        random.seed(0)
        numpy = sys.modules.get("numpy")
        if numpy is not None:
            numpy.random.seed(0)


def device_report(requested: str, threads: int) -> dict[str, Any]:
    """What this worker sees; `selected` is what the lessons' device idiom will pick."""
    import platform

    import torch

    cuda = torch.cuda.is_available()
    gpus = []
    if cuda:
        for index in range(torch.cuda.device_count()):
            props = torch.cuda.get_device_properties(index)
            gpus.append({"name": props.name, "memory": props.total_memory})
    mps = getattr(torch.backends, "mps", None)
    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "cuda_available": cuda,
        "selected": "cuda" if cuda else "cpu",
        "requested": requested,
        "cuda_version": torch.version.cuda,
        "gpus": gpus,
        "mps_available": bool(mps is not None and mps.is_available()),
        "threads": threads,
        "pid": os.getpid(),
    }


def _stay_behind_as_shim(channel_fds: tuple[int, int]) -> None:
    """The worker's parent: ignores signals, then dies the way the worker died.

    A snippet's `os.kill(os.getppid(), signal.SIGTERM)` would otherwise hit the UI. The
    shim shares the worker's session, so the supervisor's group signals reach both, and
    it mirrors the worker's exit status, so the supervisor still learns from
    `proc.wait()` how the worker ended.
    """
    faulthandler.disable()
    for fd in channel_fds:
        os.close(fd)
    for sig in (
        signal.SIGINT,
        signal.SIGTERM,
        signal.SIGHUP,
        signal.SIGQUIT,
        signal.SIGUSR1,
        signal.SIGUSR2,
        signal.SIGALRM,
        signal.SIGPIPE,
        signal.SIGTSTP,
    ):
        signal.signal(sig, signal.SIG_IGN)
    while True:
        try:
            _, status = os.wait()
        except ChildProcessError:
            os._exit(1)
        if os.WIFSIGNALED(status):
            sig = os.WTERMSIG(status)
            if sig != signal.SIGKILL:
                signal.signal(sig, signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, [sig])
            os.kill(os.getpid(), sig)
            os._exit(128 + sig)
        if os.WIFEXITED(status):
            os._exit(os.WEXITSTATUS(status))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="tutor.sandbox.runner")
    parser.add_argument("--channel", required=True, help="READ_FD,WRITE_FD")
    parser.add_argument("--output", required=True, help="STDOUT_FD,STDERR_FD")
    parser.add_argument("--parent", type=int, required=True)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--limits", required=True, help="Limits as JSON")
    parser.add_argument("--stdin", action="store_true", help="input() reads stdin")
    args = parser.parse_args(argv)
    crash_log = os.fdopen(hide_fd(os.dup(2)), "w")
    apply_early(args.parent, crash_log)
    read_fd, write_fd = (int(fd) for fd in args.channel.split(","))
    out_fd, err_fd = (int(fd) for fd in args.output.split(","))
    shim = os.getpid()
    if os.fork():
        _stay_behind_as_shim((read_fd, write_fd, out_fd, err_fd))
    apply_early(shim, crash_log)  # the parent-death signal is not inherited across fork
    channel = Channel(read_fd, write_fd, crash_log)
    os.register_at_fork(after_in_child=channel.detach)
    set_child_subreaper()
    if sys.prefix == sys.base_prefix and os.path.isdir(site.getusersitepackages()):
        site.addsitedir(site.getusersitepackages())  # `-I` drops it; `python FILE` has it
    limits = Limits.from_wire(json.loads(args.limits))

    import torch

    import tutor.lessons.checks  # noqa: F401 - loaded now so the first check is fast

    if limits.threads is not None:
        torch.set_num_threads(limits.threads)
    apply(limits)
    worker = Worker(channel, limits, (out_fd, err_fd), stdin=args.stdin)
    channel.send({"type": "ready", "report": device_report(args.device, torch.get_num_threads())})
    try:
        worker.serve()
    except BaseException:
        traceback.print_exc(file=crash_log)  # fds 1 and 2 belong to the snippet
        crash_log.flush()
        raise
