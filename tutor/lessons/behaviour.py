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

from tutor.i18n import N_, _
from tutor.lessons.recorder import Backward, Recorder, Step


class CheckFailed(AssertionError):
    """Raised by a helper with the message the learner sees."""


class CheckBroken(Exception):
    """Raised when a check uses a helper wrongly: the author's bug, never the learner's."""


NO_STEP = N_(
    "optimizer.step() is never called: backward() computes the gradients, but nothing "
    "uses them to update the weights"
)
NO_BACKWARD = N_(
    "loss.backward() is never called, so optimizer.step() has no gradients to update the "
    "weights with"
)
CLEARED = N_(
    "optimizer.step() found no gradients although loss.backward() ran: zero_grad() runs "
    "between backward() and step() and clears them; keep the order zero_grad(), loss, "
    "backward(), step()"
)
STEP_FIRST = N_(
    "optimizer.step() runs before loss.backward(): each step uses the gradient of the step "
    "before (or none at all); keep the order zero_grad(), loss, backward(), step()"
)
ADDING_UP = N_(
    "the gradients add up: when backward() runs, .grad still holds the previous step's "
    "gradient and backward() adds the new one to it; call {zero} once in every step"
)
NEW_OPTIMIZER = N_(
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
        return _(NO_STEP)
    if optimizer and steps and not backwards:
        return _(NO_BACKWARD)
    if steps and backwards:
        last = next(e for e in reversed(recorder.events) if isinstance(e, (Step, Backward)))
        if isinstance(last, Backward) and len(steps) > 1:
            return _(STEP_FIRST)
        if all(step.grad is None or step.grad == 0 for step in steps):
            return _(CLEARED)
        if len(steps) > 2 and len({s.optimizer for s in steps}) == len(steps):
            kind = steps[0].kind
            if kind != "SGD":
                return _(NEW_OPTIMIZER).format(kind=kind)
    added = [b for b in backwards if b.before > 1e-12 * max(1.0, b.fresh)]
    if len(backwards) > 2 and len(added) * 2 > len(backwards):
        return _(ADDING_UP).format(zero=zero)
    return None


BROADCAST_LOSS = N_(
    "{loss} got predictions of shape {pred} and targets of shape {target}: it broadcasts them "
    "to {both} and compares every prediction with every target. Give both the same shape"
)
PROBABILITIES = N_(
    "the rows {loss} gets add up to 1: softmax is applied before the loss, but {loss} applies "
    "it itself. Pass the raw logits"
)


def loss_problem(recorder: Recorder) -> str | None:
    """A loss module fed mismatched shapes that broadcast, or probabilities instead of logits."""
    for call in recorder.calls:
        if call.probabilities and call.module in ("CrossEntropyLoss", "NLLLoss"):
            return _(PROBABILITIES).format(loss=call.module)
        if len(call.shapes) >= 2 and call.shapes[0] != call.shapes[1]:
            if call.module in ("MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss"):
                try:
                    both = tuple(torch.broadcast_shapes(call.shapes[0], call.shapes[1]))
                except RuntimeError:
                    continue
                return _(BROADCAST_LOSS).format(
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
    fields = {"name": name, "start": _num(start), "end": _num(end), "target": _num(target)}

    def said(without_lr: str, with_lr: str) -> str:
        """The sentence, naming the learning rate when the check knows it."""
        if lr is None:
            return _(without_lr).format(**fields)
        return _(with_lr).format(lr=_num(lr), **fields)

    if not all(math.isfinite(v) for v in values):
        return said(
            N_(
                "`{name}` grew until it was {end}: every step overshot farther. The learning "
                "rate is too large, or the update adds the gradient instead of subtracting it"
            ),
            N_(
                "`{name}` grew until it was {end}: every step overshot farther. The learning "
                "rate is too large (it is {lr}), or the update adds the gradient instead of "
                "subtracting it"
            ),
        )
    if abs(end - target) <= tol:
        return None
    gaps = [v - target for v in values]
    if max(values) - min(values) == 0:
        return _("`{name}` never moved from {start}").format(**fields)
    flips = sum(1 for a, b in zip(gaps, gaps[1:], strict=False) if a * b < 0)
    alternating = len(gaps) > 2 and flips >= (len(gaps) - 1) * 0.8
    sizes = [abs(g) for g in gaps]
    if alternating and max(sizes) - min(sizes) <= 1e-6 * max(1.0, max(sizes)):
        fields.update(low=_num(min(values)), high=_num(max(values)))
        return said(
            N_(
                "`{name}` jumps back and forth between {low} and {high} without getting closer "
                "to {target}: the learning rate is too large, so every step jumps over the minimum"
            ),
            N_(
                "`{name}` jumps back and forth between {low} and {high} without getting closer "
                "to {target}: the learning rate is too large (it is {lr}), so every step jumps "
                "over the minimum"
            ),
        )
    if abs(end - target) > abs(start - target):
        if alternating:
            return said(
                N_(
                    "`{name}` ended at {end}, jumping over {target} and farther away at every "
                    "step: the learning rate is too large"
                ),
                N_(
                    "`{name}` ended at {end}, jumping over {target} and farther away at every "
                    "step: the learning rate is too large (it is {lr})"
                ),
            )
        return _(
            "`{name}` ended at {end} and moved away from {target} at every step: the update "
            "adds the gradient instead of subtracting it (gradient ascent): subtract it, "
            "{name} -= lr * {name}.grad"
        ).format(**fields)
    if flips >= 2:
        return _(
            "`{name}` swings back and forth around {target} and ended at {end} instead of "
            "settling at {target}"
        ).format(**fields)
    return said(
        N_(
            "`{name}` moves towards {target} but stopped at {end}: it needs more steps or a "
            "larger learning rate"
        ),
        N_(
            "`{name}` moves towards {target} but stopped at {end}: it needs more steps or a "
            "larger learning rate (it is {lr})"
        ),
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
