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
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tutor.feedback.suggest import did_you_mean
from tutor.i18n import ngettext

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
    hidden = len(text) - len(head) - len(tail)
    note = ngettext("… {count} character not shown …", "… {count} characters not shown …", hidden)
    return f"{head}\n{note.format(count=f'{hidden:,}')}\n{tail}"


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
    """Every name the learner made, for the variables panel (not modules or imports).

    Only numbers and strings are shown by value: a learner's object may have a
    `__repr__` that loops or raises, so the rest are described by type and size.
    """
    found: list[dict[str, Any]] = []
    for name, value in list(namespace.items()):
        if len(found) >= MAX_VARIABLES:
            break
        if not isinstance(name, str) or name.startswith("_") or is_import(value):
            continue
        try:
            found.append({"name": name, **describe(value)})
        except Exception:  # noqa: BLE001 - one odd object must not empty the whole panel
            found.append({"name": name, "type": type(value).__name__})
    return found


def is_import(value: Any) -> bool:
    """Modules, and functions or classes defined elsewhere (`from math import sqrt`)."""
    if isinstance(value, types.ModuleType):
        return True
    if isinstance(value, (type, types.FunctionType, types.BuiltinFunctionType)):
        return getattr(value, "__module__", None) != "__main__"
    return False


def describe(value: Any) -> dict[str, Any]:
    import torch

    np = sys.modules.get("numpy")  # no ndarray can exist unless numpy was imported
    kind = type(value)
    if isinstance(value, torch.Tensor):
        return {
            "type": kind.__name__,
            "shape": list(value.shape),
            "dtype": str(value.dtype).removeprefix("torch."),
            "device": str(value.device),
            "requires_grad": value.requires_grad,
            "stats": tensor_stats(value.detach()),
        }
    if np is not None and isinstance(value, np.ndarray):
        return {
            "type": "ndarray",
            "shape": list(value.shape),
            "dtype": str(value.dtype),
            "device": "cpu",
            "stats": array_stats(value),
        }
    if isinstance(value, torch.nn.Module):
        return model_summary(value)
    if kind in (bool, int, float, complex) or (np is not None and isinstance(value, np.generic)):
        return {"type": kind.__name__, "value": shorten(repr(value), VALUE_LIMIT)}
    if kind is str:
        return {"type": "str", "value": shorten_inline(repr(value)), "length": len(value)}
    if kind in (list, tuple, dict, set, frozenset):
        return {"type": kind.__name__, "length": len(value)}
    if isinstance(value, type):
        return {"type": "class"}
    return {"type": kind.__name__}


VALUE_LIMIT = 60
"""Characters of a number or string sent for its row."""
STATS_LIMIT = 10_000_000
"""Elements the statistics cover at most: a huge tensor's first ones, not a pause."""


def shorten_inline(text: str, limit: int = VALUE_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def tensor_stats(tensor: Any) -> dict[str, Any] | None:
    import torch

    if tensor.is_sparse or tensor.is_complex() or tensor.device.type == "meta":
        return None
    flat = tensor.reshape(-1)[:STATS_LIMIT]
    first = shorten_inline(repr(flat[:6].tolist()))
    if flat.dtype == torch.bool:
        flat = flat.to(torch.uint8)
    values = flat.to(torch.float64)
    finite = values[torch.isfinite(values)]
    empty = finite.numel() == 0
    return {
        "min": None if empty else finite.min().item(),
        "max": None if empty else finite.max().item(),
        "mean": None if empty else finite.mean().item(),
        "nan": int(torch.isnan(values).sum().item()),
        "inf": int(torch.isinf(values).sum().item()),
        "first": first,
        "counted": int(flat.numel()),
    }


def array_stats(array: Any) -> dict[str, Any] | None:
    import numpy as np

    if array.dtype.kind not in "biuf":
        return None
    flat = array.reshape(-1)[:STATS_LIMIT]
    values = flat.astype(np.float64)
    finite = values[np.isfinite(values)]
    empty = finite.size == 0
    return {
        "min": None if empty else float(finite.min()),
        "max": None if empty else float(finite.max()),
        "mean": None if empty else float(finite.mean()),
        "nan": int(np.isnan(values).sum()),
        "inf": int(np.isinf(values).sum()),
        "first": shorten_inline(repr(flat[:6].tolist())),
        "counted": int(flat.size),
    }


def model_summary(model: Any) -> dict[str, Any]:
    """Parameter counts per layer and each layer's output shape from the last forward."""
    params = list(model.parameters())
    first = params[0] if params else None
    layers = []
    for name, layer in model.named_modules():
        if not name or len(layers) >= MAX_VARIABLES:
            continue
        layers.append(
            {
                "name": name,
                "type": type(layer).__name__,
                "depth": name.count(".") + 1,
                "parameters": sum(p.numel() for p in layer.parameters()),
                "output_shape": OUTPUT_SHAPES.get(layer),
            }
        )
    return {
        "type": type(model).__name__,
        "dtype": None if first is None else str(first.dtype).removeprefix("torch."),
        "device": None if first is None else str(first.device),
        "requires_grad": any(p.requires_grad for p in params) if params else None,
        "parameters": sum(p.numel() for p in params),
        "layers": layers,
    }


OUTPUT_SHAPES: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()
"""Each module's output shape in its last forward pass, for the layer tree."""


def watch_forward_passes() -> Any:
    """Record every module's output shape as it runs, so no extra forward is needed.

    Returns the hook's handle: the caller removes it after the run, because a global
    hook sends every module call down torch's slower path, which `tutor run` must not
    pay (its tracebacks and speed stay those of `python FILE`).
    """
    import torch

    def record(module: Any, _inputs: Any, output: Any) -> None:
        try:
            OUTPUT_SHAPES[module] = shape_text(output)
        except Exception:  # noqa: BLE001 - a hook must never break the learner's forward
            pass

    return torch.nn.modules.module.register_module_forward_hook(record)


def shape_text(output: Any) -> str | None:
    """`(64, 10)`, or `(64, 10), (64,)` for a tuple of tensors."""
    shape = getattr(output, "shape", None)
    if shape is not None:
        return str(tuple(shape))
    if isinstance(output, (tuple, list)):
        shapes = [str(tuple(item.shape)) for item in output[:4] if hasattr(item, "shape")]
        return ", ".join(shapes) or None
    return None
