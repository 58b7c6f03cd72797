"""Hostile snippets against the reply channel: the UI process's memory and time to answer.

    .venv/bin/python bench/sandbox_hostile.py

For each snippet, in a fresh process holding a Supervisor (as the app does): the peak
RSS of that process (ru_maxrss) beside a harmless run's, as a ratio, and the seconds
from the snippet's start until a `1+1` run answers again (target: < 3 s, the issue's
"answers a key within 3 s"). Before the fix, a reply without a newline could grow
the UI process by up to 256 MiB (about 800 MB peak was measured).
"""

from __future__ import annotations

import asyncio
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

from tutor.lessons.model import CodeBlock
from tutor.sandbox.limits import Limits
from tutor.sandbox.supervisor import Supervisor

ALL_FDS = "[int(fd) for fd in os.listdir('/proc/self/fd')]"
CASES = {
    "harmless": "x = 1",
    "reply without newline (800 MB)": f"""
import os
out = {{os.fstat(1).st_ino, os.fstat(2).st_ino}}
for fd in {ALL_FDS}:
    try:
        if os.fstat(fd).st_ino not in out:
            for _ in range(100):
                os.write(fd, b'x' * (8 << 20))
    except OSError:
        pass
""",
    "forged finished on every fd": f"""
import os
line = b'{{"type":"finished","id":%d,"pid":%d,'
line += b'"finished":{{"status":"ok","check":{{"passed":true}}}}}}\\n'
for fd in {ALL_FDS}:
    for request in range(1, 50):
        try:
            os.write(fd, line % (request, os.getpid()))
        except OSError:
            pass
""",
    "close fds 0..1023": "import os\nfor fd in range(1024):\n    try: os.close(fd)\n"
    "    except OSError: pass",
    "close every open fd": f"import os\nfor fd in {ALL_FDS}:\n    try: os.close(fd)\n"
    "    except OSError: pass",
    "fork bomb (300 sleeping forks)": "import os, time\nfor _ in range(300):\n"
    "    if os.fork() == 0:\n        time.sleep(30)\n        os._exit(0)\ntime.sleep(30)",
    "print then os._exit": "print('last words')\nimport os\nos._exit(3)",
}
FAILING = [CodeBlock('expect(False, "real verdict")', Path("bench.md"), 1)]


async def _case(code: str) -> dict[str, object]:
    supervisor = Supervisor(Limits(threads=1), device="cpu")
    await supervisor.start()
    await supervisor.warm()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    finished = await supervisor.check(code, key="bench", checks=FAILING)
    ended = time.monotonic()
    await supervisor.run("1 + 1", key="probe")
    answered = time.monotonic()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    await supervisor.close()
    return {
        "passed": bool(finished.check and finished.check.passed),
        "reason": (finished.check.message if finished.check else finished.reason)[:60],
        "ended": ended - started,
        "answered": answered - started,
        "rss_before_kib": before,
        "peak_kib": peak,
    }


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--case":
        print(json.dumps(asyncio.run(_case(CASES[sys.argv[2]]))))
        return
    results = {}
    for name in CASES:
        output = subprocess.run(
            [sys.executable, __file__, "--case", name], capture_output=True, text=True, check=True
        ).stdout
        results[name] = json.loads(output.strip().splitlines()[-1])
    base = results["harmless"]["peak_kib"]
    header = f"{'snippet':34} {'pass?':6} {'ends s':>7} {'answers s':>10} {'peak MiB':>9}"
    print(f"{header} {'ratio':>6}")
    for name, result in results.items():
        print(
            f"{name:34} {str(result['passed']):6} {result['ended']:7.2f} "
            f"{result['answered']:10.2f} {result['peak_kib'] / 1024:9.1f} "
            f"{result['peak_kib'] / base:6.2f}  {result['reason']}"
        )


if __name__ == "__main__":
    main()
