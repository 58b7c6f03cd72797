"""Watch what the learner's code does, so a check can name the mistake from evidence.

Different mistakes often leave the same final state: `x` never moved because
`backward()` is missing, or because `zero_grad()` runs between `backward()` and
`step()`. The events that led there tell them apart. A `Recorder` collects them
through torch's own global hooks (optimizer steps, gradients arriving in `.grad`,
module calls), `rerun` replays the learner's code under it, and the functions
below turn the evidence into one sentence: what was observed, then the likely
causes, most likely first. The wording is documented in docs/lesson-format.md so
authors can quote it in `mistake message=`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import math
import random
import sys
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

import torch
from torch import nn

from tutor.lessons.model import CodeBlock


class CheckFailed(AssertionError):
    """Raised by a helper with the message the learner sees."""


class CheckBroken(Exception):
    """Raised when a check uses a helper wrongly: the author's bug, never the learner's."""


# -- what happened -------------------------------------------------------------------


@dataclass(frozen=True)
class Backward:
    """A gradient arriving in a watched tensor's `.grad`."""

    before: float
    """Size (norm) of `.grad` just before backward() added to it: 0 if it was None or zero."""
    fresh: float


@dataclass(frozen=True)
class Step:
    optimizer: int
    """Which optimizer, numbered as met: a new one at every step is re-created in the loop."""
    kind: str
    lr: float
    grad: float | None
    """Size of all its gradients at the moment of `step()`; None when every `.grad` is None."""


@dataclass(frozen=True)
class Call:
    """One call of a module (models, layers and loss modules alike)."""

    module: str
    training: bool
    grad_enabled: bool
    rows: int | None
    """First dimension of its first tensor input: tells the validation batch from training ones."""
    probabilities: bool
    """Its first input is all ≥ 0 with rows adding up to 1 (softmax applied before a loss)."""
    value: float | None
    """For a loss module, the loss it returned."""
    top: bool
    """Called from outside any other module: the model itself, or a loss."""
    shapes: tuple[tuple[int, ...], ...] = ()
    """For a loss module, the shapes of its tensor arguments (predictions, targets)."""


@dataclass
class Recorder:
    """Collects optimizer steps, gradient arrivals and module calls while active."""

    events: list[Backward | Step | Call] = field(default_factory=list)
    _handles: list[Any] = field(default_factory=list)
    _watched: dict[int, weakref.ref[torch.Tensor]] = field(default_factory=dict)
    """By `id()`: a WeakSet would compare tensors with `==`, which is elementwise."""
    _optimizers: weakref.WeakKeyDictionary[Any, int] = field(
        default_factory=weakref.WeakKeyDictionary
    )
    _depth: int = 0
    _met: int = 0

    def __enter__(self) -> Recorder:
        from torch.nn.modules.module import (
            register_module_forward_hook,
            register_module_forward_pre_hook,
        )
        from torch.optim.optimizer import register_optimizer_step_pre_hook

        self._handles += [
            register_optimizer_step_pre_hook(self._on_step),
            register_module_forward_pre_hook(self._on_call),
            register_module_forward_hook(self._after_call),
        ]
        return self

    def __exit__(self, *_: object) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles.clear()

    def watch(self, tensors: Iterable[torch.Tensor]) -> None:
        """Record every gradient that reaches these leaves from now on."""
        for tensor in tensors:
            if (
                isinstance(tensor, torch.Tensor)
                and tensor.requires_grad
                and tensor.is_leaf
                and not self._is_watched(tensor)
            ):
                self._watched[id(tensor)] = weakref.ref(tensor)
                self._handles.append(tensor.register_hook(self._grad_hook(tensor)))

    def _is_watched(self, tensor: torch.Tensor) -> bool:
        ref = self._watched.get(id(tensor))
        return ref is not None and ref() is tensor

    def _grad_hook(self, tensor: torch.Tensor) -> Callable[[torch.Tensor], None]:
        ref = weakref.ref(tensor)

        def hook(grad: torch.Tensor) -> None:
            leaf = ref()
            held = None if leaf is None else leaf.grad
            before = 0.0 if held is None else _norm(held)
            self.events.append(Backward(before, _norm(grad)))

        return hook

    def _on_step(self, optimizer: torch.optim.Optimizer, *_: Any) -> None:
        params = [p for group in optimizer.param_groups for p in group["params"]]
        self.watch(params)
        grads = [p.grad for p in params if p.grad is not None]
        size = math.sqrt(sum(_norm(g) ** 2 for g in grads)) if grads else None
        lr = float(optimizer.param_groups[0].get("lr", math.nan)) if optimizer.param_groups else 0
        number = self._optimizers.setdefault(
            optimizer, len(self._optimizers) + 1000 * len(self.steps)
        )
        self.events.append(Step(number, type(optimizer).__name__, lr, size))

    def _on_call(self, module: nn.Module, args: tuple[Any, ...]) -> None:
        self.watch(module.parameters(recurse=False))
        first = next((a for a in args if isinstance(a, torch.Tensor)), None)
        is_loss = isinstance(module, nn.modules.loss._Loss)
        self.events.append(
            Call(
                type(module).__name__,
                module.training,
                torch.is_grad_enabled(),
                None if first is None or first.dim() == 0 else int(first.shape[0]),
                is_loss and first is not None and _rows_are_probabilities(first),
                None,
                self._depth == 0,
                tuple(tuple(a.shape) for a in args if isinstance(a, torch.Tensor))
                if is_loss
                else (),
            )
        )
        self._depth += 1

    def _after_call(self, module: nn.Module, _args: Any, output: Any) -> None:
        self._depth = max(0, self._depth - 1)
        if isinstance(module, nn.modules.loss._Loss) and isinstance(output, torch.Tensor):
            if output.numel() == 1:
                index = _last_call(self.events, type(module).__name__)
                if index is not None:
                    call = self.events[index]
                    assert isinstance(call, Call)
                    self.events[index] = _with_value(call, float(output.detach()))

    @property
    def steps(self) -> list[Step]:
        return [e for e in self.events if isinstance(e, Step)]

    @property
    def backwards(self) -> list[Backward]:
        return [e for e in self.events if isinstance(e, Backward)]

    @property
    def calls(self) -> list[Call]:
        return [e for e in self.events if isinstance(e, Call)]

    @property
    def predictions(self) -> list[Call]:
        """Calls of a model (not of a loss) that no backward() follows before the next step:
        predictions, in whatever batches, as opposed to training forwards."""
        found: list[Call] = []
        pending: list[Call] = []
        for event in self.events:
            if isinstance(event, Call) and event.top and not event.shapes and event.value is None:
                if not _is_loss_name(event.module):
                    pending.append(event)
            elif isinstance(event, Backward):
                pending.clear()
            elif isinstance(event, Step):
                found += pending
                pending = []
        return found + pending

    @property
    def losses(self) -> list[float]:
        """The values every loss module returned, in order: the training curve."""
        return [c.value for c in self.calls if c.value is not None]


def _with_value(call: Call, value: float) -> Call:
    return dataclasses.replace(call, value=value)


def _last_call(events: list[Backward | Step | Call], module: str) -> int | None:
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        if isinstance(event, Call) and event.module == module:
            return index
    return None


def _is_loss_name(module: str) -> bool:
    loss = getattr(nn, module, None)
    return isinstance(loss, type) and issubclass(loss, nn.modules.loss._Loss)


def _norm(tensor: torch.Tensor) -> float:
    value = tensor.detach()
    return float(value.double().norm()) if value.is_floating_point() else 0.0


def _rows_are_probabilities(value: torch.Tensor) -> bool:
    if not value.is_floating_point() or value.dim() < 2 or value.shape[-1] < 2:
        return False
    data = value.detach()
    return bool((data >= 0).all()) and bool(
        torch.allclose(data.sum(dim=-1), torch.ones((), dtype=data.dtype), atol=1e-4)
    )


# -- re-running the learner's code ---------------------------------------------------


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
        raise CheckBroken("rerun() needs the learner's code, and this check was not given it")
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


# -- what it means -------------------------------------------------------------------

ORDER = "keep the order zero_grad(), loss, backward(), step()"

NO_STEP = (
    "optimizer.step() is never called: backward() computes the gradients, but nothing "
    "uses them to update the weights"
)
NO_BACKWARD = (
    "loss.backward() is never called, so optimizer.step() has no gradients to update the "
    "weights with"
)
CLEARED = (
    "optimizer.step() found no gradients although loss.backward() ran: zero_grad() runs "
    f"between backward() and step() and clears them; {ORDER}"
)
STEP_FIRST = (
    "optimizer.step() runs before loss.backward(): each step uses the gradient of the step "
    f"before (or none at all); {ORDER}"
)
ADDING_UP = (
    "the gradients add up: when backward() runs, .grad still holds the previous step's "
    "gradient and backward() adds the new one to it; call {zero} once in every step"
)
NEW_OPTIMIZER = (
    "a new {kind} is created at every step, so its running averages start over each time: "
    "create the optimizer once, before the loop"
)


def update_problem(
    recorder: Recorder, *, zero: str = "optimizer.zero_grad()", optimizer: bool = True
) -> str | None:
    """The update mistake the recorded events show, or None when the updates look right.

    `optimizer=False` for a loop that updates by hand: then only adding-up gradients
    can be told from the events.
    """
    steps, backwards = recorder.steps, recorder.backwards
    if optimizer and backwards and not steps:
        return NO_STEP
    if optimizer and steps and not backwards:
        return NO_BACKWARD
    if steps and backwards:
        last = next(e for e in reversed(recorder.events) if isinstance(e, (Step, Backward)))
        if isinstance(last, Backward) and len(steps) > 1:
            return STEP_FIRST
        if all(step.grad is None or step.grad == 0 for step in steps):
            return CLEARED
        if len(steps) > 2 and len({s.optimizer for s in steps}) == len(steps):
            kind = steps[0].kind
            if kind != "SGD":
                return NEW_OPTIMIZER.format(kind=kind)
    added = [b for b in backwards if b.before > 1e-12 * max(1.0, b.fresh)]
    if len(backwards) > 2 and len(added) * 2 > len(backwards):
        return ADDING_UP.format(zero=zero)
    return None


BROADCAST_LOSS = (
    "{loss} got predictions of shape {pred} and targets of shape {target}: it broadcasts them "
    "to {both} and compares every prediction with every target. Give both the same shape"
)
PROBABILITIES = (
    "the rows {loss} gets add up to 1: softmax is applied before the loss, but {loss} applies "
    "it itself. Pass the raw logits"
)


def loss_problem(recorder: Recorder) -> str | None:
    """A loss module fed mismatched shapes that broadcast, or probabilities instead of logits."""
    for call in recorder.calls:
        if call.probabilities and call.module in ("CrossEntropyLoss", "NLLLoss"):
            return PROBABILITIES.format(loss=call.module)
        if len(call.shapes) >= 2 and call.shapes[0] != call.shapes[1]:
            if call.module in ("MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss"):
                try:
                    both = tuple(torch.broadcast_shapes(call.shapes[0], call.shapes[1]))
                except RuntimeError:
                    continue
                return BROADCAST_LOSS.format(
                    loss=call.module,
                    pred=_shape(call.shapes[0]),
                    target=_shape(call.shapes[1]),
                    both=_shape(both),
                )
    return None


def _shape(shape: tuple[int, ...]) -> str:
    return f"({shape[0]},)" if len(shape) == 1 else f"({', '.join(map(str, shape))})"


def descent_problem(
    values: list[float],
    target: float,
    *,
    name: str,
    lr: float | None = None,
    tol: float = 1e-3,
) -> str | None:
    """How a parameter's path missed `target`, from its successive values; None if it got there.

    The shape of the path decides the words: never moving, jumping back and forth,
    moving away on one side (the gradient added instead of subtracted), overshooting
    farther each time (learning rate too large), or still on its way.
    """
    if not values:
        return None
    start, end = values[0], values[-1]
    rate = "" if lr is None else f" (it is {_num(lr)})"
    if not all(math.isfinite(v) for v in values):
        return (
            f"`{name}` grew until it was {_num(end)}: every step overshot farther. The learning "
            f"rate is too large{rate}, or the update adds the gradient instead of subtracting it"
        )
    if abs(end - target) <= tol:
        return None
    gaps = [v - target for v in values]
    if max(values) - min(values) == 0:
        return f"`{name}` never moved from {_num(start)}"
    flips = sum(1 for a, b in zip(gaps, gaps[1:], strict=False) if a * b < 0)
    alternating = len(gaps) > 2 and flips >= (len(gaps) - 1) * 0.8
    sizes = [abs(g) for g in gaps]
    if alternating and max(sizes) - min(sizes) <= 1e-6 * max(1.0, max(sizes)):
        low, high = min(values), max(values)
        return (
            f"`{name}` jumps back and forth between {_num(low)} and {_num(high)} without getting "
            f"closer to {_num(target)}: the learning rate is too large{rate}, so every step jumps "
            "over the minimum"
        )
    if abs(end - target) > abs(start - target):
        if alternating:
            return (
                f"`{name}` ended at {_num(end)}, jumping over {_num(target)} and farther away at "
                f"every step: the learning rate is too large{rate}"
            )
        return (
            f"`{name}` ended at {_num(end)} and moved away from {_num(target)} at every step: "
            f"the update adds the gradient instead of subtracting it (gradient ascent): "
            f"subtract it, {name} -= lr * {name}.grad"
        )
    if flips >= 2:
        return (
            f"`{name}` swings back and forth around {_num(target)} and ended at {_num(end)} "
            f"instead of settling at {_num(target)}"
        )
    return (
        f"`{name}` moves towards {_num(target)} but stopped at {_num(end)}: it needs more steps "
        f"or a larger learning rate{rate}"
    )


def loss_trend(losses: list[float]) -> str:
    """One word for a loss curve: diverged, rising, flat, oscillating or falling."""
    finite = [v for v in losses if math.isfinite(v)]
    if len(finite) < len(losses):
        return "diverged"
    if len(finite) < 4:
        return "flat"
    window = max(1, len(finite) // 10)
    head = sum(finite[:window]) / window
    tail = sum(finite[-window:]) / window
    if tail > head * 1.5 + 1e-12:
        return "rising"
    if abs(tail - head) <= 0.02 * max(abs(head), 1e-12):
        return "flat"
    ups = sum(1 for a, b in zip(finite, finite[1:], strict=False) if b > a)
    if tail > head * 0.7 and ups > 0.4 * (len(finite) - 1):
        return "oscillating"
    return "falling"


def _num(value: float) -> str:
    if not math.isfinite(value):
        return str(value)
    return f"{value:.4g}"
