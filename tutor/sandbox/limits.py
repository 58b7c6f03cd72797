"""What a worker may use, and how the worker holds itself to it.

The worker applies its own limits at start-up (not in a `preexec_fn`, which is unsafe
with threads in the parent): `RLIMIT_DATA` for memory because `RLIMIT_AS` counts the
huge address-space reservations torch and CUDA make and breaks their import;
`RLIMIT_NPROC` relative to the processes the user already has, because it is per user
and counts threads; `RLIMIT_FSIZE`; no core dumps; `PR_SET_PDEATHSIG` so a dropped SSH
session never leaves an orphan holding GPU memory. `protections()` tells `tutor doctor`
which of these this OS actually provides. No torch here: the supervisor imports this.
"""

from __future__ import annotations

import faulthandler
import math
import os
import re
import signal
import sys
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from tutor.i18n import _

GIB = 1024**3
MIB = 1024**2

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36

_UNITS = {"": 1, "B": 1, "K": 1024, "M": MIB, "G": GIB, "T": 1024**4}


def parse_size(text: str | int) -> int:
    """`"512M"`, `"2G"`, `"1.5GiB"` or a plain byte count, as bytes."""
    if isinstance(text, int):
        return text
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:I?B)?\s*", text.upper())
    if match is None:
        raise ValueError(f"not a size: {text!r} (try 512M or 2G)")
    number, unit = match.groups()
    return int(float(number) * _UNITS[unit])


GPU_MEMORY_VARIABLE = "TUTOR_GPU_MEMORY"
"""An administrator's cap on each worker's share of each GPU (see `gpu_memory_cap`)."""


def parse_fraction(text: str) -> float:
    """A share of a GPU's memory: `0.5` or `50%`, more than 0 and at most all of it."""
    cleaned = text.strip()
    percent = cleaned.endswith("%")
    try:
        value = float(cleaned.removesuffix("%")) / (100 if percent else 1)
    except ValueError:
        value = math.nan
    if not 0 < value <= 1:
        raise ValueError(
            _("not a share of GPU memory: {text} (try 0.5 for half of each GPU)").format(
                text=repr(text)
            )
        )
    return value


def gpu_memory_cap(asked: str | None, environ: Mapping[str, str] = os.environ) -> float | None:
    """The share of each GPU a worker may take: the administrator's cap, lowered by `asked`.

    An administrator of a shared server sets TUTOR_GPU_MEMORY (say in /etc/environment) so
    that one learner's runaway tensor cannot take a GPU from the others; `--gpu-memory`
    can lower that cap for oneself but never raise it, so the smaller of the two applies.
    Raises ValueError (one line) for a value that is not a share.
    """
    caps = []
    admin = environ.get(GPU_MEMORY_VARIABLE, "").strip()
    if admin:
        try:
            caps.append(parse_fraction(admin))
        except ValueError as error:
            raise ValueError(f"{GPU_MEMORY_VARIABLE}={admin}: {error}") from None
    if asked is not None:
        caps.append(parse_fraction(asked))
    return min(caps) if caps else None


def format_size(size: int) -> str:
    """Bytes as learners read them: `2 GiB`, `512 MiB`."""
    for unit, scale in (("GiB", GIB), ("MiB", MIB), ("KiB", 1024)):
        if size >= scale:
            value = size / scale
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{size} bytes"


def _default_memory() -> int:
    """Half the machine's RAM, at most 4 GiB: room for lessons, none for a runaway."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 4 * GIB
    return min(4 * GIB, total // 2)


@dataclass(frozen=True)
class Limits:
    """Everything a worker may use. Defaults are documented in README ("Limits")."""

    memory: int = _default_memory()
    """Bytes of data memory (RLIMIT_DATA) for the whole worker, torch's ~250 MiB included."""
    processes: int = 128
    """Processes and threads the worker may add to what the user already runs."""
    file_size: int = GIB
    """Largest file the worker may write."""
    output_soft: int = MIB
    """Output shown per run; beyond it the head and tail are kept and the rest counted."""
    output_soft_lines: int = 10_000
    output_hard: int = 64 * MIB
    """Output at which a run is stopped: something is printing in a loop."""
    check_timeout: float = 30.0
    """Wall-clock seconds a check may take (learner's code plus checks)."""
    run_timeout: float | None = None
    """Wall-clock seconds a run may take; None: runs are interrupted, never timed out."""
    threads: int | None = max(1, min(4, (os.cpu_count() or 2) - 1))
    """torch.set_num_threads in the worker: one core is left to the UI, at most 4 are used.
    None keeps torch's own default, as `python FILE` has it (`tutor run`)."""
    gpu_memory: float | None = field(default_factory=lambda: gpu_memory_cap(None))
    """Share of each GPU's memory the worker (and each process it spawns) may take, 0 < f <= 1
    (torch.cuda.set_per_process_memory_fraction); None: no cap. See `gpu_memory_cap`."""

    def to_wire(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> Limits:
        return cls(**data)


def apply_early(parent_pid: int, crash_log: Any) -> None:
    """First thing in the worker: die with the supervisor, dump tracebacks on a crash.

    `parent_pid` is the supervisor's pid as the supervisor saw it: if it already differs
    from our parent, the supervisor died before PDEATHSIG was armed. `crash_log` is the
    file faulthandler writes to on SIGSEGV and friends; the supervisor reads it.
    """
    faulthandler.enable(file=crash_log, all_threads=False)
    libc = _libc()
    if libc is not None and sys.platform.startswith("linux"):
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:
        os._exit(1)


def apply(limits: Limits) -> None:
    """Set the worker's resource limits; called once torch is imported."""
    import resource

    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    _lower(resource.RLIMIT_FSIZE, limits.file_size)
    # Past the file size limit, writes fail with EFBIG (an OSError) instead of a signal.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    if hasattr(resource, "RLIMIT_NPROC"):
        _lower(resource.RLIMIT_NPROC, user_tasks() + limits.processes)
    if sys.platform.startswith("linux"):
        _lower(resource.RLIMIT_DATA, max(limits.memory, data_size() + 64 * MIB))


def _lower(which: int, value: int) -> None:
    """Lower a limit, never raise it above what the user already had."""
    import resource

    soft, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(which, (value, hard))


def data_size() -> int:
    """This process's VmData, what RLIMIT_DATA is compared with."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmData:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def user_tasks() -> int:
    """Processes and threads of this user: the count RLIMIT_NPROC is compared with."""
    uid = os.getuid()
    count = 0
    try:
        entries = os.listdir("/proc")
    except OSError:
        return 0
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            if os.stat(f"/proc/{entry}").st_uid == uid:
                count += len(os.listdir(f"/proc/{entry}/task"))
        except OSError:
            continue
    return count


def set_child_subreaper() -> bool:
    """Make this process adopt orphaned descendants, so setsid'd strays can be found."""
    libc = _libc()
    if libc is None or not sys.platform.startswith("linux"):
        return False
    return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0


def _libc() -> Any:
    """libc through ctypes, loaded only here: the UI reads `Limits` at its start."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        return ctypes.CDLL(name, use_errno=True)
    except OSError:
        return None


def process_containment() -> str:
    """How a run's processes are bounded here: "rlimit", "watchdog" or "none" (root, no /proc).

    RLIMIT_NPROC does not apply to root, and learners in GPU containers often are
    root: then the supervisor counts each run's processes itself and stops the run
    above the limit (see `Pending.watch`).
    """
    if not (hasattr(os, "getuid") and os.getuid() == 0):
        return "rlimit"
    return "watchdog" if sys.platform.startswith("linux") else "none"


def protections() -> list[tuple[str, bool, str]]:
    """(name, active, note) for each protection, as this OS provides them, for `tutor doctor`."""
    linux = sys.platform.startswith("linux")
    root = hasattr(os, "getuid") and os.getuid() == 0
    has_prctl = linux and _libc() is not None
    return [
        (_("separate worker process"), True, _("learners' code never runs in the app")),
        (
            _("memory limit (RLIMIT_DATA)"),
            linux,
            _("allocations beyond it raise MemoryError")
            if linux
            else _("not available on this OS"),
        ),
        (
            _("process limit (RLIMIT_NPROC)"),
            linux and not root,
            _("not enforced for root") if root else _("bounds fork storms"),
        ),
        (
            _("process watchdog"),
            process_containment() == "watchdog",
            _("counts each run's processes and stops the run above the limit")
            if process_containment() == "watchdog"
            else _("not needed: RLIMIT_NPROC holds"),
        ),
        (_("file size limit (RLIMIT_FSIZE)"), True, _("large writes fail with EFBIG")),
        (_("no core dumps (RLIMIT_CORE=0)"), True, ""),
        (
            _("worker dies with the app (PR_SET_PDEATHSIG)"),
            has_prctl,
            _("no orphan holds GPU memory"),
        ),
        (
            _("strays swept (PR_SET_CHILD_SUBREAPER)"),
            has_prctl,
            _("setsid'd children are found and killed") if has_prctl else _("process group only"),
        ),
        (_("output caps"), True, _("soft cap keeps head and tail, hard cap stops the run")),
        (
            _("private reply channel"),
            True,
            _("replies carry a per-start secret; forged or oversized ones stop the run"),
        ),
        (_("network isolation"), False, _("not applied yet: snippets can reach the network")),
    ]
