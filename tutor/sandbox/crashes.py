"""Why a worker died on its own, in one line a learner can read.

The supervisor learns of a crash from the worker's exit status and the little the
worker wrote to its crash log (faulthandler's report, a memory error from native
code, the channel-lost note); this turns that evidence into the verdict's reason.
"""

from __future__ import annotations

import signal

from tutor.i18n import N_, _
from tutor.sandbox.limits import Limits, format_size
from tutor.sandbox.protocol import CHANNEL_LOST, CHANNEL_LOST_NOTE

LOST = N_("your variables were lost — a fresh worker is ready")
SIGNAL_CRASHES = {
    signal.SIGSEGV: N_("the worker crashed with {signal} (segmentation fault)"),
    signal.SIGABRT: N_("the worker crashed with {signal} (aborted)"),
    signal.SIGBUS: N_("the worker crashed with {signal} (bus error)"),
    signal.SIGFPE: N_("the worker crashed with {signal} (arithmetic error)"),
    signal.SIGILL: N_("the worker crashed with {signal} (illegal instruction)"),
}
MEMORY_HINTS = ("bad_alloc", "out of memory", "Cannot allocate memory", "MemoryError")


def crash_reason(returncode: int, crash_log: str, limits: Limits) -> str:
    """One line for a worker that died on its own, e.g. "the worker crashed with SIGSEGV ..."."""
    if returncode < 0:
        sig = signal.Signals(-returncode)
        if sig == signal.SIGKILL:
            what = _(
                "the worker was killed (SIGKILL) by another program"
                " or by the system when memory ran out"
            )
        elif sig in SIGNAL_CRASHES:
            what = _(SIGNAL_CRASHES[sig]).format(signal=sig.name)
        else:
            what = _("the worker was stopped by {signal}").format(signal=sig.name)
    elif CHANNEL_LOST_NOTE in crash_log:
        what = _("your code closed or replaced tutor's private channel (a file descriptor)")
    elif returncode == CHANNEL_LOST:
        what = _(
            "the worker exited with status {status}: your code closed or replaced"
            " tutor's private channel (a file descriptor), or called os._exit({status})"
        ).format(status=returncode)
    else:
        what = _(
            "the worker exited with status {status} (os._exit, or a fatal error in native code)"
        ).format(status=returncode)
    if out_of_memory(returncode, crash_log):
        what = _("memory limit of {limit} reached: {cause}").format(
            limit=format_size(limits.memory), cause=what
        )
    return lost(what)


def out_of_memory(returncode: int, crash_log: str) -> bool:
    """Whether the crash log shows the worker died for lack of memory (the limit, mostly)."""
    return returncode != -signal.SIGKILL and any(hint in crash_log for hint in MEMORY_HINTS)


def lost(reason: str) -> str:
    """`reason` for a run that ended with its worker, so its variables are gone."""
    return _("{reason}; {lost}").format(reason=reason, lost=_(LOST))


def trim_crash_log(log: str) -> str:
    """faulthandler's report, without the worker's own frames."""
    text = log.partition("\nExtension modules:")[0]
    lines = [
        line
        for line in text.splitlines()
        if "tutor/sandbox/" not in line and not line.strip().startswith('File "<string>"')
    ]
    return "\n".join(lines[-40:]).strip()
