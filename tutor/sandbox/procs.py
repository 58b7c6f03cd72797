"""Find and kill every process a snippet started, including ones that escaped its group.

A snippet's child may call `setsid` and leave the worker's process group, so killing
the group is not enough. Two marks find them anyway: every worker runs with its own
`TUTOR_WORKER_TOKEN` in its environment, which descendants inherit, and the parent
links in /proc (the worker and the supervisor are child subreapers, so orphans stay
in the tree instead of moving to init). Only pids found this way are ever signalled
or reaped, so nothing else the UI process runs is touched. Linux reads /proc; on other
systems only the process group is killed.
"""

from __future__ import annotations

import os
import signal
import time

TOKEN_VARIABLE = "TUTOR_WORKER_TOKEN"


def process_table(session: int | None = None) -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, state letter) for every process we can see (or in `session`)."""
    table: dict[int, tuple[int, str]] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return table
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                fields = stat.read().rpartition(b")")[2].split()
        except OSError:
            continue
        if session is None or int(fields[3]) == session:
            table[int(entry)] = (int(fields[1]), fields[0].decode())
    return table


def descendants(roots: set[int], table: dict[int, tuple[int, str]]) -> set[int]:
    """Every process below `roots` in `table`, roots excluded."""
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in table.items():
        children.setdefault(parent, []).append(pid)
    found: set[int] = set()
    stack = list(roots)
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in found and child not in roots:
                found.add(child)
                stack.append(child)
    return found


def marked(token: str, table: dict[int, tuple[int, str]]) -> set[int]:
    """Processes whose environment carries this worker's token."""
    needle = f"{TOKEN_VARIABLE}={token}".encode()
    found = set()
    for pid in table:
        try:
            with open(f"/proc/{pid}/environ", "rb") as environ:
                if needle in environ.read().split(b"\0"):
                    found.add(pid)
        except OSError:
            continue
    return found


def process_tree(root: int) -> set[int]:
    """`root` and every process below it, as they are now."""
    return {root} | descendants({root}, process_table())


def count_below(root: int) -> int:
    """Live processes below `root`: what the watchdog holds against the process limit."""
    table = process_table()
    return sum(1 for pid in descendants({root}, table) if table[pid][1] not in "ZX")


def has_children() -> bool:
    """One syscall: does this process have any child, running or exited?"""
    if not hasattr(os, "waitid"):
        return True  # cannot tell cheaply: let the caller scan
    try:
        os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        return False
    return True


def kill_tree(
    root: int,
    token: str | None = None,
    *,
    also: set[int] | None = None,
    session: int | None = None,
    rounds: int = 50,
) -> int:
    """SIGKILL everything below `root` (and marked with `token`, and `also`); reap our own.

    `root` itself is left alone: the worker sweeping after a run is the root; for a
    dead worker the supervisor reaps the root through asyncio. Repeats until a scan
    finds nothing alive, as a fork storm may add processes while we kill. Every
    process killed here, or of the dead worker's `session` (a zombie keeps its
    session), that is or becomes our child is reaped before returning, so none stays
    `<defunct>`. Returns how many processes were killed.
    """
    me = os.getpid()
    killed: set[int] = set()
    for _ in range(rounds):
        table = process_table()
        roots = {root} | (marked(token, table) if token else set())
        roots |= {pid for pid in also or () if pid in table}
        victims = (roots | descendants(roots, table)) - {root, me}
        alive = {pid for pid in victims if table[pid][1] not in "ZX"}
        for pid in alive:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                continue
            killed.add(pid)
        if not alive:
            break
        time.sleep(0.005)
    reap(killed | (also or set()), session)
    return len(killed)


def reap(pids: set[int], session: int | None = None, within: float = 2.0) -> None:
    """Wait for those of `pids` (and of `session`) that are our children; never others."""
    me = os.getpid()
    deadline = time.monotonic() + within
    waiting = set(pids)
    while True:
        table = process_table()
        if session is not None:
            waiting |= set(process_table(session))
        for pid in list(waiting):
            if pid not in table:
                waiting.discard(pid)
                continue
            if table[pid][0] != me:
                continue  # its dying parent will reap it, or hand it to us when it is gone
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                done = pid
            if done:
                waiting.discard(pid)
        if not waiting or time.monotonic() > deadline:
            return
        time.sleep(0.005)


def kill_group(pgid: int, sig: int = signal.SIGKILL) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass
