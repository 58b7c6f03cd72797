"""Why a worker died on its own, in one line a learner can read.

The supervisor learns of a crash from the worker's exit status and the little the
worker wrote to its crash log (faulthandler's report, a memory error from native
code, the channel-lost note); this turns that evidence into the verdict's reason.
"""

from __future__ import annotations

import signal

from tutor.sandbox.limits import Limits, format_size
from tutor.sandbox.protocol import CHANNEL_LOST, CHANNEL_LOST_NOTE

LOST = "your variables were lost — a fresh worker is ready"
SIGNAL_WORDS = {
    signal.SIGSEGV: "segmentation fault",
    signal.SIGABRT: "aborted",
    signal.SIGBUS: "bus error",
    signal.SIGFPE: "arithmetic error",
    signal.SIGILL: "illegal instruction",
}
MEMORY_HINTS = ("bad_alloc", "out of memory", "Cannot allocate memory", "MemoryError")


def crash_reason(returncode: int, crash_log: str, limits: Limits) -> str:
    """One line for a worker that died on its own, e.g. "the worker crashed with SIGSEGV ..."."""
    if returncode < 0:
        sig = signal.Signals(-returncode)
        if sig == signal.SIGKILL:
            what = (
                "the worker was killed (SIGKILL) by another program"
                " or by the system when memory ran out"
            )
        elif sig in SIGNAL_WORDS:
            what = f"the worker crashed with {sig.name} ({SIGNAL_WORDS[sig]})"
        else:
            what = f"the worker was stopped by {sig.name}"
    elif CHANNEL_LOST_NOTE in crash_log:
        what = "your code closed or replaced tutor's private channel (a file descriptor)"
    elif returncode == CHANNEL_LOST:
        what = (
            f"the worker exited with status {returncode}: your code closed or replaced"
            f" tutor's private channel (a file descriptor), or called os._exit({returncode})"
        )
    else:
        what = (
            f"the worker exited with status {returncode}"
            " (os._exit, or a fatal error in native code)"
        )
    if returncode != -signal.SIGKILL and any(hint in crash_log for hint in MEMORY_HINTS):
        what = f"memory limit of {format_size(limits.memory)} reached: {what}"
    return f"{what}; {LOST}"


def trim_crash_log(log: str) -> str:
    """faulthandler's report, without the worker's own frames."""
    text = log.partition("\nExtension modules:")[0]
    lines = [
        line
        for line in text.splitlines()
        if "tutor/sandbox/" not in line and not line.strip().startswith('File "<string>"')
    ]
    return "\n".join(lines[-40:]).strip()
