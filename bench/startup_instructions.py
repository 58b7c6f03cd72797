"""Start-up work counted in CPU instructions, which the machine's load does not change.

`ui_idle_and_startup.py` times the first paint on the wall clock and in CPU time, and
both grow with the load on a shared machine. This counts the instructions the UI
process runs from its start until the screen it is waiting for is written to the
terminal (valgrind's callgrind, so each run takes half a minute or more), for the
same bare Textual app, the lesson list and `tutor open LESSON/STEP`, and prints the
ratios to the bare app. Each is run in a real terminal (tmux) and stopped by the
terminal write that carries its marker.

    python bench/startup_instructions.py
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from ui_idle_and_startup import BARE_APP, compile_tutor  # noqa: E402

STOP_AT_MARKER = """
import os, runpy, sys
from textual.drivers.linux_driver import LinuxDriver

write = LinuxDriver.write


def write_then_stop(self, data):
    written = write(self, data)
    if os.environ["MARKER"] in data:
        self.flush()
        os._exit(0)
    return written


LinuxDriver.write = write_then_stop
target = sys.argv[1]
sys.argv = sys.argv[1:]
if target == "tutor":
    runpy.run_module("tutor", run_name="__main__")
else:
    runpy.run_path(target, run_name="__main__")
"""


def instructions(
    command: list[str], marker: str, env: dict[str, str], folder: Path, *, count: bool = True
) -> int:
    """Instructions `command` runs until `marker` is written to its terminal (0 unless `count`)."""
    out = folder / "callgrind.out"
    done = folder / "done"
    done.unlink(missing_ok=True)
    valgrind = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"] if count else []
    launcher = folder / "launcher" / "stop_at_marker.py"
    run = [*valgrind, sys.executable, str(launcher), *command]
    # Set on the command line: a tmux server started earlier keeps its own environment.
    variables = [f"MARKER={shlex.quote(marker)}", "PYTHONMALLOC=malloc"]
    line = " ".join(["env", *variables, *run]) + f" 2>{folder / 'valgrind.log'}; touch {done}"
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", "count", "-x", "120", "-y", "40", line],
        env=env,
        check=True,
    )
    deadline = time.monotonic() + 600
    while not done.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{marker!r} never appeared")
        time.sleep(0.5)
    subprocess.run(["tmux", "kill-session", "-t", "count"], env=env, capture_output=True)
    if not count:
        return 0
    found = re.search(r"Collected : (\d+)", (folder / "valgrind.log").read_text())
    if found is None:
        raise RuntimeError((folder / "valgrind.log").read_text()[-2000:])
    return int(found.group(1))


def main() -> None:
    if shutil.which("tmux") is None or shutil.which("valgrind") is None:
        sys.exit("needs tmux and valgrind")
    compile_tutor()
    with tempfile.TemporaryDirectory() as home:
        folder = Path(home)
        (folder / "bare_app.py").write_text(BARE_APP, encoding="utf-8")
        # Apart, in a folder that does not change: it is on sys.path, which keys kept packs.
        (folder / "launcher").mkdir()
        (folder / "launcher" / "stop_at_marker.py").write_text(STOP_AT_MARKER, encoding="utf-8")
        env = {**os.environ, "TUTOR_HOME": home, "TMUX_TMPDIR": home, "TERM": "xterm-256color"}
        env.pop("TMUX", None)
        # Keeps the tmux server up between runs (see ui_idle_and_startup.py).
        subprocess.run(["tmux", "new-session", "-d", "-s", "keep", "sleep 1000000"], env=env)
        # A learner's usual start: lessons and packs found and kept by an earlier one.
        instructions(["tutor"], "done", env, folder, count=False)
        bare = instructions([str(folder / "bare_app.py")], "item 9", env, folder)
        listed = instructions(["tutor"], "done", env, folder)
        opened = instructions(["tutor", "open", "tensors/from-a-list"], "step 2/", env, folder)
        subprocess.run(["tmux", "kill-server"], env=env, capture_output=True)
    print(f"{'':36} {'instructions':>14}  ratio to the bare app")
    for label, count, goal in (
        ("bare Textual app on screen", bare, ""),
        ("lesson list on screen", listed, "(goal <= 1.5)"),
        ("tutor open LESSON/STEP on screen", opened, "(goal <= 1.5)"),
    ):
        print(f"{label:36} {count / 1e6:12.0f} M  {count / bare:5.2f}  {goal}")


if __name__ == "__main__":
    main()
