"""How fast `tutor` appears, and what it costs while the learner just reads.

Runs the real app in tmux (a real terminal), so what is measured is what a learner
gets: time until the lesson list is on screen and until `tutor open LESSON/STEP`
shows its step, each beside a bare Textual app (header, footer, a 10-item tree)
launched the same way; F8/F7 from one step to the next; `python -c "import torch"`
(what the UI would pay if it imported torch); then CPU used by the app and its
sandbox workers over an idle period, from /proc.

Each time is also given as the CPU time the UI process spent to get there (from
/proc): on a shared machine the wall-clock times grow with the load average, the
CPU times much less, so their ratios are the figures to compare between runs.

    python bench/ui_idle_and_startup.py [--idle-seconds 10]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def compile_tutor() -> None:
    """Write tutor's bytecode, as installing it from a wheel does (pip compiles on install).

    The bare app's Textual was compiled when it was installed; a checkout installed
    in editable mode is compiled by its first import, unless PYTHONDONTWRITEBYTECODE
    is set (as on our development machines) or the folder is read-only: then every
    start compiles all of tutor's modules again, which is not what learners run.
    """
    package = Path(__file__).resolve().parents[1] / "tutor"
    subprocess.run([sys.executable, "-m", "compileall", "-q", "-j", "0", str(package)], check=True)


def tmux(*args: str, env: dict[str, str]) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, env=env).stdout


def wait_for(text: str, session: str, env: dict[str, str], timeout: float = 120) -> float:
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if text in tmux("capture-pane", "-p", "-t", session, env=env):
            return time.perf_counter() - start
        time.sleep(0.005)
    raise TimeoutError(f"{text!r} never appeared")


def descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        current = todo.pop()
        found.add(current)
        todo.extend(children.get(current, []))
    return found


def cpu_ticks(pids: set[int]) -> int:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total


BARE_APP = """
from textual.app import App
from textual.widgets import Footer, Header, Tree


class Bare(App):
    def compose(self):
        yield Header()
        tree = Tree("items")
        for number in range(10):
            tree.root.add_leaf(f"item {number}")
        tree.root.expand()
        yield tree
        yield Footer()


Bare().run()
"""


def ui_process(session: str, env: dict[str, str]) -> int:
    """The pid of the Python process the tmux window runs (not a shell, not a worker)."""
    pane = int(tmux("display-message", "-p", "-t", session, "#{pane_pid}", env=env).strip())
    for pid in sorted(descendants(pane)):
        try:
            if Path(f"/proc/{pid}/exe").resolve().name.startswith("python"):
                return pid
        except OSError:
            continue
    return pane


def time_to_screen(
    command: str, marker: str, env: dict[str, str], repeat: int
) -> tuple[float, float]:
    """Median seconds from launching `command` in a fresh tmux window to `marker` on it,
    and median CPU seconds the UI process used until then."""
    times, cpu = [], []
    for run in range(repeat):
        session = f"launch{run}"
        tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "40", command, env=env)
        times.append(wait_for(marker, session, env))
        cpu.append(cpu_ticks({ui_process(session, env)}) / TICKS)
        tmux("kill-session", "-t", session, env=env)
    return statistics.median(times), statistics.median(cpu)


def step_switch_times(env: dict[str, str], repeat: int) -> tuple[list[float], list[float]]:
    """Seconds from F8 (then F7) to the next (previous) step's title on screen, and the
    CPU seconds the UI process used meanwhile."""
    session = "steps"
    command = f"{sys.executable} -m tutor open tensors/what-is-a-tensor"
    tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "40", command, env=env)
    wait_for("step 1/", session, env)
    wait_for("ready", session, env)
    time.sleep(2)  # the spare worker's start, after "ready", is not the switch's cost
    ui = {ui_process(session, env)}
    times, cpu = [], []
    for _ in range(repeat):
        for key, marker in (("F8", "step 2/"), ("F7", "step 1/")):
            start, ticks = time.perf_counter(), cpu_ticks(ui)
            tmux("send-keys", "-t", session, key, env=env)
            wait_for(marker, session, env)
            times.append(time.perf_counter() - start)
            time.sleep(0.5)  # what the switch does right after the title shows counts too
            cpu.append((cpu_ticks(ui) - ticks) / TICKS)
    tmux("kill-session", "-t", session, env=env)
    return times, cpu


def row(label: str, wall: float, cpu: float, note: str = "") -> None:
    print(f"{label:40} {wall * 1000:8.0f} ms  {cpu * 1000:8.0f} ms  {note}")


def ratio(label: str, wall: float, cpu: float, note: str = "") -> None:
    print(f"{label:40} {wall:8.2f}     {cpu:8.2f}     {note}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--idle-seconds", type=float, default=10.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        sys.exit("needs tmux")

    compile_tutor()
    torch_times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import torch"], check=True)
        torch_times.append(time.perf_counter() - start)

    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "TUTOR_HOME": home, "TMUX_TMPDIR": home, "TERM": "xterm-256color"}
        env.pop("TMUX", None)
        bare_file = Path(home) / "bare_app.py"
        bare_file.write_text(BARE_APP, encoding="utf-8")
        # Keeps the tmux server up between runs: the last session's end takes it down, and
        # a new session asked for meanwhile fails ("server exited unexpectedly").
        tmux("new-session", "-d", "-s", "keep", "sleep 1000000", env=env)
        bare, bare_cpu = time_to_screen(f"{sys.executable} {bare_file}", "item 9", env, args.repeat)
        # The first start parses the lessons and keeps them (as a learner's first start).
        time_to_screen(f"{sys.executable} -m tutor", "done", env, 1)
        listed, listed_cpu = time_to_screen(f"{sys.executable} -m tutor", "done", env, args.repeat)
        opened, opened_cpu = time_to_screen(
            f"{sys.executable} -m tutor open tensors/from-a-list", "step 2/", env, args.repeat
        )
        switches, switches_cpu = step_switch_times(env, args.repeat)
        startup = []
        for run in range(args.repeat):
            session = f"bench{run}"
            tmux(
                "new-session",
                "-d",
                "-s",
                session,
                "-x",
                "120",
                "-y",
                "40",
                f"{sys.executable} -m tutor",
                env=env,
            )
            startup.append(wait_for("done", session, env))
            if run < args.repeat - 1:
                tmux("kill-session", "-t", session, env=env)
        wait_for("ready", session, env)
        app_pid = int(tmux("display-message", "-p", "-t", session, "#{pane_pid}", env=env).strip())
        settle_until = time.perf_counter() + 60
        while time.perf_counter() < settle_until:  # the warm spare imports torch after "ready"
            pids = descendants(app_pid)
            before = cpu_ticks(pids)
            time.sleep(1)
            if cpu_ticks(pids) - before <= 1 and len(pids) >= 5:
                break
        pids = descendants(app_pid)
        before, wall = cpu_ticks(pids), time.perf_counter()
        time.sleep(args.idle_seconds)
        used = (cpu_ticks(pids) - before) / TICKS
        elapsed = time.perf_counter() - wall
        tmux("kill-server", env=env)

    torch_median = statistics.median(torch_times)
    app_median = statistics.median(startup)
    runs = f"(median of {args.repeat})"
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"{'load average (1, 5, 15 min)':40} {load}")
    print(f"{'':40} {'wall':>8}     {'UI CPU':>8}")
    row("bare Textual app on screen (tmux)", bare, bare_cpu, runs)
    row("lesson list on screen (tmux)", listed, listed_cpu, runs)
    ratio("ratio lesson list / bare app", listed / bare, listed_cpu / bare_cpu, "(goal <= 1.5)")
    row("tutor open LESSON/STEP on screen", opened, opened_cpu, runs)
    ratio("ratio open step / bare app", opened / bare, opened_cpu / bare_cpu, "(goal <= 1.5)")
    row(
        "F8/F7 to the next step on screen",
        statistics.median(switches),
        statistics.median(switches_cpu),
        f"(median of {len(switches)}; goal <= 150 ms)",
    )
    print(f"{'lesson list, to its sub-title':40} {app_median * 1000:8.0f} ms  {runs}")
    label = 'python -c "import torch"'
    print(f"{label:40} {torch_median * 1000:8.0f} ms")
    print(f"{'ratio app / import torch':40} {app_median / torch_median:8.2f}")
    idle = f"{100 * used / elapsed:8.2f} %  over {elapsed:.0f} s, {len(pids)} processes"
    print(f"{'idle CPU, app + workers':40} {idle}")


if __name__ == "__main__":
    main()
