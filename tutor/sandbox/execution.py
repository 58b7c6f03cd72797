"""Run a snippet the way Python would, in the worker: REPL or script semantics.

REPL: one persistent module per exercise, and the value of a final expression is
shown as the interactive interpreter shows it. Script (`tutor run`): a fresh
`__main__`, `sys.argv` and `sys.path[0]` as `python FILE` sets them, non-daemon
threads and atexit handlers honoured. Each namespace is a real module installed as
`sys.modules["__main__"]` while it runs, so pickling, `torch.save` of a class defined
in the snippet and forked DataLoader workers behave as in plain Python. Tracebacks
drop the worker's own frames. Worker side only (imports torch lazily, for reports).
"""

from __future__ import annotations

import ast
import atexit
import builtins
import linecache
import os
import sys
import threading
import traceback
import types
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tutor.feedback.suggest import did_you_mean

ECHO_LIMIT = 20_000
MAX_VARIABLES = 500
TRACEBACK_FRAMES = 100
"""Innermost frames kept: a runaway recursion has a million, and they cost memory."""
OWN_FILES = frozenset(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), name)
    for name in ("execution.py", "runner.py")
)


class Namespaces:
    """The learner's modules, one per exercise key."""

    def __init__(self) -> None:
        self._modules: dict[str, types.ModuleType] = {}

    def get(self, key: str) -> tuple[types.ModuleType, bool]:
        """The module for `key`, and whether it was just created."""
        module = self._modules.get(key)
        if module is not None:
            return module, False
        return self.fresh(key), True

    def fresh(self, key: str) -> types.ModuleType:
        module = types.ModuleType("__main__")
        module.__dict__["__builtins__"] = builtins
        self._modules[key] = module
        return module

    def drop(self, key: str) -> None:
        self._modules.pop(key, None)


def register(source: str, filename: str) -> None:
    """Let tracebacks quote lines of code that has no file."""
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)


def execute(source: str, filename: str, namespace: dict[str, Any], *, echo: bool) -> None:
    """Run `source`; with `echo`, print a final expression's repr as the REPL does."""
    register(source, filename)
    tree = ast.parse(source, filename)
    last = None
    if echo and tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
    exec(compile(tree, filename, "exec"), namespace)
    if last is not None:
        value = eval(compile(last, filename, "eval"), namespace)
        if value is not None:
            namespace["_"] = value
            print(shorten(repr(value)))


def shorten(text: str, limit: int = ECHO_LIMIT) -> str:
    if len(text) <= limit:
        return text
    head, tail = text[: limit * 3 // 4], text[-limit // 4 :]
    return f"{head}\n… {len(text) - len(head) - len(tail):,} characters not shown …\n{tail}"


@contextmanager
def main_module(module: types.ModuleType, argv: list[str], path0: str | None) -> Iterator[None]:
    """Make `module` the `__main__` that pickle and multiprocessing see, for one run."""
    saved = sys.modules.get("__main__"), sys.argv, list(sys.path)
    sys.modules["__main__"] = module
    sys.argv = argv
    if path0 is not None:
        sys.path.insert(0, path0)
    try:
        yield
    finally:
        if saved[0] is not None:
            sys.modules["__main__"] = saved[0]
        sys.argv = saved[1]
        sys.path[:] = saved[2]


def finish_script(own_threads: set[threading.Thread]) -> None:
    """What the interpreter does after a script's last line: join threads, run atexit."""
    for thread in threading.enumerate():
        if thread not in own_threads and not thread.daemon and thread.is_alive():
            if thread is not threading.main_thread():
                thread.join()
    atexit._run_exitfuncs()


def format_error(error: BaseException, learner_files: set[str] | None) -> str:
    """The traceback without the worker's frames; with `learner_files`, only those frames."""
    tb = error.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename in OWN_FILES:
        tb = tb.tb_next
    described = traceback.TracebackException(
        type(error), error, tb, limit=-TRACEBACK_FRAMES, compact=True
    )
    if learner_files is not None:
        frames = [frame for frame in described.stack if frame.filename in learner_files]
        described.stack = traceback.StackSummary.from_list(frames)
    text = "".join(described.format())
    hint = did_you_mean(error)
    last = "".join(described.format_exception_only())
    if hint and "Did you mean" not in last and text.endswith(last):
        # The interpreter adds this itself only when it prints the traceback (3.10-3.11).
        text = text[: -len(last)] + last.rstrip("\n") + f". Did you mean: '{hint}'?\n"
    return text


def one_line(error: BaseException) -> str:
    """`ZeroDivisionError: division by zero`, cut to one short line."""
    message = str(error).strip().splitlines()
    text = f"{type(error).__name__}: {message[0]}" if message else type(error).__name__
    return text if len(text) <= 200 else text[:199] + "…"


def exit_code(error: SystemExit) -> tuple[int, str | None]:
    """SystemExit's exit status as Python computes it, and the text it would print."""
    code = error.code
    if code is None:
        return 0, None
    if isinstance(code, int):
        return code & 0xFF, None
    return 1, str(code)


def is_memory_error(error: BaseException) -> bool:
    if isinstance(error, MemoryError):
        return True
    text = str(error)
    return isinstance(error, RuntimeError) and (
        "can't allocate memory" in text or "not enough memory" in text
    )


def learner_threads(own_threads: set[threading.Thread]) -> list[threading.Thread]:
    """Threads the snippet started that are still running."""
    return [
        thread
        for thread in threading.enumerate()
        if thread not in own_threads and thread.is_alive() and thread is not threading.main_thread()
    ]


def variables(namespace: dict[str, Any]) -> list[dict[str, Any]]:
    """The tensors, parameters and modules left in `namespace`, for the variables panel."""
    import torch

    found: list[dict[str, Any]] = []
    for name, value in list(namespace.items()):
        if name.startswith("_") or len(found) >= MAX_VARIABLES:
            continue
        if isinstance(value, torch.Tensor):
            found.append(
                {
                    "name": name,
                    "type": type(value).__name__,
                    "shape": list(value.shape),
                    "dtype": str(value.dtype).removeprefix("torch."),
                    "device": str(value.device),
                    "requires_grad": value.requires_grad,
                }
            )
        elif isinstance(value, torch.nn.Module):
            params = list(value.parameters())
            first = params[0] if params else None
            found.append(
                {
                    "name": name,
                    "type": type(value).__name__,
                    "shape": None,
                    "dtype": None if first is None else str(first.dtype).removeprefix("torch."),
                    "device": None if first is None else str(first.device),
                    "requires_grad": any(p.requires_grad for p in params) if params else None,
                }
            )
    return found
