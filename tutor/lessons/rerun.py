"""Re-run the learner's code, quietly, under a `Recorder`, from a check.

A check sees the state the learner's code left, not how it got there; re-running it
(with the setup, or from the learner's own variables) with the recorder on and a few
variables traced gives the events and values that tell mistakes apart. Global torch
state is put back afterwards so what the learner left stays as it was.
"""

from __future__ import annotations

import contextlib
import io
import random
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from types import FrameType
from typing import Any

import torch

from tutor.i18n import _
from tutor.lessons.behaviour import CheckBroken
from tutor.lessons.model import CodeBlock
from tutor.lessons.recorder import Recorder


@dataclass(frozen=True)
class Snapshot:
    """A watched variable at one moment: which object it was, and its value."""

    ident: int
    value: float | None
    """The number, when the variable holds a number or a one-element tensor."""


@dataclass
class Run:
    """One re-run of the learner's code: its variables, events and watched values."""

    namespace: dict[str, Any]
    recorder: Recorder
    trace: dict[str, list[Snapshot]]
    error: BaseException | None

    def values(self, name: str) -> list[float]:
        """The successive numbers `name` held (only while it held a number)."""
        return [s.value for s in self.trace.get(name, []) if s.value is not None]

    def recreated(self, name: str) -> bool:
        """`name` was bound to a new object more than once: it is created again in a loop."""
        return len({s.ident for s in self.trace.get(name, [])}) > 2


@dataclass(frozen=True)
class Context:
    """What a check knows about the attempt beyond the learner's variables."""

    learner: CodeBlock | None = None
    setup: CodeBlock | None = None
    namespace: Mapping[str, Any] | None = None
    """The learner's variables after their run: a re-run with `setup=False` starts from them."""


def rerun(
    context: Context,
    watch: Iterable[str] = (),
    inputs: Mapping[str, Any] | None = None,
    *,
    setup: bool = True,
) -> Run:
    """Run setup and the learner's code again, quietly, under a `Recorder`.

    `inputs` replace setup variables before the learner's code runs (to see whether a
    value is computed or typed in); `watch` names variables whose successive values
    are kept. Global torch state (random generators, default dtype, grad mode) is put
    back afterwards, so the checks that follow see what the learner left.
    `setup=False` skips a slow setup (one that trains a model) and starts from a copy
    of the learner's variables instead: objects are shared, so the check puts back
    any state it resets for the re-run (`model.train()`).
    """
    if context.learner is None:
        raise CheckBroken(_("rerun() needs the learner's code, and this check was not given it"))
    namespace: dict[str, Any] = {"__name__": "__main__"}
    if not setup:
        namespace.update(context.namespace or {})
    watched = tuple(watch)
    trace: dict[str, list[Snapshot]] = {name: [] for name in watched}
    error: BaseException | None = None
    with _restored_globals(), _quiet(), Recorder() as recorder:
        try:
            if setup and context.setup is not None:
                _exec(context.setup, namespace)
            recorder.events.clear()  # only what the learner's code does counts
            namespace.update(inputs or {})
            tracer = _Tracer(context.learner.filename, watched, trace, recorder)
            with tracer.active():
                _exec(context.learner, namespace)
        except Exception as raised:  # noqa: BLE001 - the learner's error is evidence too
            error = raised
    return Run(namespace, recorder, trace, error)


@contextlib.contextmanager
def recording() -> Iterator[Recorder]:
    """Record a call of the learner's code made by the check (their `train(probe, ...)`).

    Quiet, and global torch state is put back afterwards, as in `rerun`.
    """
    with _restored_globals(), _quiet(), Recorder() as recorder:
        yield recorder


def _exec(block: CodeBlock, namespace: dict[str, Any]) -> None:
    exec(compile(block.source, block.filename, "exec"), namespace)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """No output and no plot points from a re-run: the learner already saw their own."""
    from tutor.sandbox.metrics import paused

    with (
        paused(),
        contextlib.redirect_stdout(io.StringIO()),
        contextlib.redirect_stderr(io.StringIO()),
    ):
        yield


@contextlib.contextmanager
def _restored_globals() -> Iterator[None]:
    rng = torch.get_rng_state()
    py_rng = random.getstate()
    dtype = torch.get_default_dtype()
    grad = torch.is_grad_enabled()
    try:
        yield
    finally:
        torch.set_rng_state(rng)
        random.setstate(py_rng)
        torch.set_default_dtype(dtype)
        torch.set_grad_enabled(grad)


class _Tracer:
    """Keeps the successive values of a few variables of the learner's top-level code."""

    def __init__(
        self,
        filename: str,
        names: tuple[str, ...],
        trace: dict[str, list[Snapshot]],
        recorder: Recorder,
    ) -> None:
        self.filename, self.names, self.trace, self.recorder = filename, names, trace, recorder

    @contextlib.contextmanager
    def active(self) -> Iterator[None]:
        if not self.names:
            yield
            return
        previous = sys.gettrace()
        sys.settrace(self._global)
        try:
            yield
        finally:
            sys.settrace(previous)

    def _global(self, frame: FrameType, event: str, _arg: Any) -> Any:
        # Functions of the learner's code too (a loop inside `def train()`), reading globals.
        return self._local if frame.f_code.co_filename == self.filename else None

    def _local(self, frame: FrameType, event: str, _arg: Any) -> Any:
        if event in ("line", "return"):
            for name in self.names:
                if name in frame.f_globals:
                    self._note(name, frame.f_globals[name])
        return self._local

    def _note(self, name: str, value: Any) -> None:
        number = _number(value)
        history = self.trace[name]
        if history and history[-1].ident == id(value) and history[-1].value == number:
            return
        if isinstance(value, torch.Tensor):
            self.recorder.watch([value])
        history.append(Snapshot(id(value), number))


def _number(value: Any) -> float | None:
    if isinstance(value, torch.Tensor):
        return float(value.detach().reshape(-1)[0]) if value.numel() == 1 else None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return None
