"""The "Did you mean: 'zero_'?" Python 3.10+ prints for a misspelt name or attribute.

The interpreter computes it only when it prints a traceback itself; tutor formats
tracebacks with the `traceback` module after dropping its own frames, which loses it.
"""

from __future__ import annotations

import builtins
import difflib
from collections.abc import Iterable
from types import TracebackType
from typing import Any


def closest(name: str, candidates: Iterable[Any]) -> str | None:
    """The one candidate close enough to `name` to be what was meant, or None."""
    pool = sorted({c for c in candidates if isinstance(c, str) and c != name})
    if name.startswith("_"):
        pool = [c for c in pool if c.startswith("_")]
    else:
        pool = [c for c in pool if not c.startswith("__")]
    for candidate in pool:
        if candidate.lower() == name.lower():
            return candidate
    found = difflib.get_close_matches(name, pool, n=1, cutoff=0.75)
    return found[0] if found else None


def did_you_mean(error: BaseException) -> str | None:
    """The name Python would suggest for this AttributeError or NameError, if any."""
    name = getattr(error, "name", None)
    if not isinstance(name, str):
        return None
    if isinstance(error, AttributeError):
        target = getattr(error, "obj", None)
        return None if target is None else closest(name, dir(target))
    if isinstance(error, NameError):
        tb: TracebackType | None = error.__traceback__
        if tb is None:
            return None
        while tb.tb_next is not None:
            tb = tb.tb_next
        frame = tb.tb_frame
        return closest(name, [*frame.f_locals, *frame.f_globals, *dir(builtins)])
    return None
