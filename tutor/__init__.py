"""pytorch-tutor: learn PyTorch by doing, in the terminal."""

from __future__ import annotations

__version__ = "0.1.0"


def log(step: int | None = None, **values: float) -> None:
    """Plot `values` (e.g. `loss=...`) live in tutor, at x = `step` (or the next point).

    Works in any Python: outside tutor's sandbox the points are simply dropped.
    """
    from tutor.sandbox.metrics import emit

    emit(step, {name: float(value) for name, value in values.items()})
