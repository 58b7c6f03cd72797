"""pytorch-tutor: learn PyTorch by doing, in the terminal."""

from __future__ import annotations

__version__ = "0.1.0"


def log(step: int | None = None, **values: float) -> None:
    """Plot `values` (e.g. `loss=...`) live in tutor, at x = `step` (or the next point).

    Works in any Python: outside tutor's sandbox the points are simply dropped.
    """
    from tutor.sandbox.metrics import emit

    emit(step, {name: _number(value) for name, value in values.items()})


def _number(value: float) -> float:
    """A plain float from a number or a one-element tensor, gradients or not."""
    detach = getattr(value, "detach", None)
    return float(detach() if callable(detach) else value)
