"""Watch what the learner's code does, so a check can name the mistake from evidence.

Different mistakes often leave the same final state: `x` never moved because
`backward()` is missing, or because `zero_grad()` runs between `backward()` and
`step()`. The events that led there tell them apart. A `Recorder` collects them
through torch's own global hooks (optimizer steps, gradients arriving in `.grad`,
module calls); `tutor.lessons.rerun` replays the learner's code under one, and
`tutor.lessons.behaviour` turns the evidence into a sentence.
"""

from __future__ import annotations

import dataclasses
import math
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn


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
