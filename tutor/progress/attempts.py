"""The one-line verdict kept with each attempt, worded the same for the app and `tutor check`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tutor.i18n import N_, _

if TYPE_CHECKING:
    from tutor.sandbox.protocol import Finished

PASSED = "passed"
NOT_YET = N_("not yet: {message}")
ERROR = "error: {error}"
RAN = N_("ran without errors")


def verdict(finished: Finished, check: bool) -> tuple[str, bool]:
    """What came of a run or check, in one line, and whether it passed."""
    if check and finished.check is not None:
        if finished.check.passed:
            return PASSED, True
        return _(NOT_YET).format(message=_first_line(finished.check.message)), False
    if finished.status == "error":
        lines = finished.traceback.strip().splitlines()
        return ERROR.format(error=lines[-1] if lines else finished.reason), False
    if finished.status != "ok":
        return _first_line(finished.reason), False
    return _(RAN), False


def _first_line(text: str) -> str:
    return text.strip().split("\n", 1)[0]
