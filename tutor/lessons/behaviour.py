"""Name the learner's mistake from what their code did, in one sentence.

The evidence comes from a `Recorder` (tutor.lessons.recorder) filled by a re-run
(tutor.lessons.rerun), or from the successive values of a variable; the functions
here turn it into what was observed, then the likely causes, most likely first.
The wording is documented in docs/lesson-format.md so authors can quote it in
`mistake message=`. A helper that fails the learner raises `CheckFailed` with that
sentence; one used wrongly by a check raises `CheckBroken`.
"""

from __future__ import annotations

import math

import torch

from tutor.lessons.recorder import Backward, Recorder, Step


class CheckFailed(AssertionError):
    """Raised by a helper with the message the learner sees."""


class CheckBroken(Exception):
    """Raised when a check uses a helper wrongly: the author's bug, never the learner's."""


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
