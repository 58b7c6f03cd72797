"""How a run that did not finish by itself ends: one `Finished` with a one-line reason.

The supervisor stops runs for many causes (the learner's interrupt, the time limit,
too much output, too many processes, a forged reply, a restart, closing) and learns
of workers that died on their own. Each cause reads differently to the learner and
to a check's verdict; keeping the wording here, apart from the process juggling,
lets both be read (and translated) in one place.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from tutor.i18n import N_, _
from tutor.lessons.model import CheckReport
from tutor.sandbox.crashes import lost
from tutor.sandbox.limits import Limits, format_size
from tutor.sandbox.protocol import Finished

TAMPERED_REASON = N_("your code wrote to tutor's private reply channel, so its worker was replaced")
CLOSED = N_("the sandbox was closed")


def killed(kind: str, cause: str | None, timeout: float | None, limits: Limits) -> Finished:
    """The `Finished` of a `kind` request ("run", "check") whose worker we had to kill."""
    causes: dict[str, tuple[Any, str]] = {
        "interrupt": (
            "interrupted",
            _("your code did not stop on Ctrl+C, so its worker was replaced"),
        ),
        "timeout": ("timeout", time_limit(kind, timeout)),
        "output": (
            "limit",
            _("output limit of {limit} reached").format(limit=format_size(limits.output_hard)),
        ),
        "processes": (
            "limit",
            _(
                "process limit reached: your code started more than {count} processes, "
                "so they were all stopped"
            ).format(count=limits.processes),
        ),
        "tamper": ("error", _(TAMPERED_REASON)),
        "restart": ("interrupted", _("the worker was restarted")),
        "close": ("interrupted", _(CLOSED)),
    }
    status, reason = causes.get(cause or "interrupt", causes["interrupt"])
    check = CheckReport(False, reason) if kind == "check" else None
    if cause != "close":
        reason = lost(reason)
    return Finished(status=status, reason=reason, check=check, variables_lost=True)


def not_started(kind: str) -> Finished:
    """The `Finished` of a request interrupted while it waited for the worker to start."""
    reason = _("stopped by Ctrl+C before your code ran: the worker was still starting")
    check = CheckReport(False, reason) if kind == "check" else None
    return Finished(status="interrupted", reason=reason, check=check)


def timed_out(kind: str, cause: str | None, timeout: float | None, finished: Finished) -> Finished:
    """A run that stopped on the timeout's SIGINT says so, not just "interrupted"."""
    if cause == "timeout" and finished.status == "interrupted" and not finished.variables_lost:
        limit = time_limit(kind, timeout)
        check = CheckReport(False, limit) if kind == "check" else finished.check
        reason = _("{reason}; your variables are kept").format(reason=limit)
        return replace(finished, status="timeout", reason=reason, check=check)
    return finished


def crashed(returncode: int, reason: str, traceback: str, *, memory: bool) -> Finished:
    """The `Finished` of a run whose worker died on its own (see `crashes.crash_reason`).

    `memory`: the crash log shows it ran out of memory (`crashes.out_of_memory`).
    """
    return Finished(
        status="limit" if memory else "crashed",
        reason=reason,
        traceback=traceback,
        exit_code=128 - returncode if returncode < 0 else returncode,
        variables_lost=True,
    )


def tampered() -> str:
    """Why a worker that served its verdict was replaced all the same."""
    return lost(_(TAMPERED_REASON))


def time_limit(kind: str, timeout: float | None) -> str:
    limit = f"{timeout or 0:g} s"
    if kind == "check":
        return _("the checks were stopped after {limit}").format(limit=limit)
    return _("stopped after the time limit of {limit}").format(limit=limit)
