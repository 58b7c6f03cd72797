"""Sandbox benchmarks: prints figures side by side, with ratios. Not a timed test.

    .venv/bin/python bench/sandbox.py [--quick]

1. round trip of `1+1` on a warm worker (target: median <= 1 ms), beside a Jupyter
   kernel (jupyter_client + ipykernel, if installed; the column is skipped otherwise);
2. `tutor run empty.py` wall time vs `python -c "import torch"` (target <= 1.3x);
3. restart to ready after a crash, with the warm spare (target <= 0.2 s), beside
   Jupyter's restart + `import torch`;
4. a training loop calling `tutor.log` every step vs the same loop without it
   (target >= 0.95 of the speed).
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from tutor.sandbox.limits import Limits
from tutor.sandbox.protocol import Event, OutputEvent
from tutor.sandbox.supervisor import Supervisor

TRAIN = """
import time, torch, tutor
torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(32, 64), torch.nn.ReLU(), torch.nn.Linear(64, 1))
opt = torch.optim.SGD(model.parameters(), lr=0.01)
x, y = torch.randn(256, 32), torch.randn(256, 1)
start = time.perf_counter()
for step in range({steps}):
    loss = torch.nn.functional.mse_loss(model(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    {log}
print(f"SECONDS {{time.perf_counter() - start}}")
"""


def row(name: str, ours: float, theirs: float | None, unit: str, target: str) -> None:
    other = "-" if theirs is None else f"{theirs:10.3f} {unit}"
    ratio = "" if theirs is None else f"  ({ours / theirs:.2f}x)"
    print(f"{name:<38} {ours:10.3f} {unit}   {other:>14}{ratio}   target {target}")


async def ours(repeats: int, scratch: Path) -> dict[str, float]:
    supervisor = Supervisor(Limits(), device="cpu", cwd=scratch)
    await supervisor.start()
    await supervisor.warm()
    for _ in range(20):
        await supervisor.run("1+1", key="bench")
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        await supervisor.run("1+1", key="bench")
        times.append(time.perf_counter() - started)
    figures = {"rtt_ms": statistics.median(times) * 1000}
    restarts = []
    for _ in range(max(3, repeats // 100)):
        await supervisor.warm()
        started = time.perf_counter()
        await supervisor.run("import os\nos._exit(1)", key="bench")
        await supervisor.run("1+1", key="bench")
        restarts.append(time.perf_counter() - started)
    figures["restart_s"] = statistics.median(restarts)
    ratios, speeds = [], []
    steps = 3000
    for _ in range(5):  # interleaved pairs: load from other programs hits both alike
        pair = []
        for log in ("tutor.log(step=step, loss=loss.item())", "loss.item()"):
            out: list[str] = []
            await supervisor.run(
                TRAIN.format(steps=steps, log=log), key="train", on_event=_texts(out)
            )
            seconds = float(re.search(r"SECONDS (\S+)", "".join(out)).group(1))  # type: ignore[union-attr]
            pair.append(steps / seconds)
        ratios.append(pair[0] / pair[1])
        speeds.append(pair[1])
    figures["train_ratio"] = statistics.median(ratios)
    figures["steps_per_s"] = statistics.median(speeds)
    await supervisor.close()
    return figures


def _texts(out: list[str]) -> Callable[[Event], None]:
    return lambda event: out.append(event.text if isinstance(event, OutputEvent) else "")


def _quiet(message: object) -> None:
    """Jupyter's default hook prints each result; we only time them."""


def jupyter(repeats: int) -> dict[str, float] | None:
    try:
        from jupyter_client.manager import start_new_kernel
    except ImportError:
        return None
    manager, client = start_new_kernel(kernel_name="python3")
    try:
        for _ in range(20):
            client.execute_interactive("1+1", timeout=30, output_hook=_quiet)
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            client.execute_interactive("1+1", timeout=30, output_hook=_quiet)
            times.append(time.perf_counter() - started)
        restarts = []
        for _ in range(3):
            started = time.perf_counter()
            manager.restart_kernel(now=True)
            client.wait_for_ready(timeout=60)
            client.execute_interactive("import torch", timeout=60)
            restarts.append(time.perf_counter() - started)
        return {"rtt_ms": statistics.median(times) * 1000, "restart_s": statistics.median(restarts)}
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def wall(command: list[str], repeats: int, cwd: Path) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run(command, cwd=cwd, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    args = parser.parse_args()
    repeats = 100 if args.quick else 500
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        (scratch / "empty.py").write_text("")
        run = [
            sys.executable,
            "-c",
            "import sys; from tutor.sandbox.commands import run_file;"
            " sys.exit(run_file('empty.py', device='cpu'))",
        ]
        runs = 3 if args.quick else 7
        tutor_run = wall(run, runs, scratch)
        import_torch = wall([sys.executable, "-c", "import torch"], runs, scratch)
        figures = asyncio.run(ours(repeats, scratch))
    theirs = jupyter(repeats)
    if theirs is None:
        print("(jupyter_client + ipykernel not installed: Jupyter column skipped)")
    print(f"{'':<38} {'tutor':>13}   {'baseline':>14}")
    row(
        "round trip of 1+1 (median)",
        figures["rtt_ms"],
        theirs and theirs["rtt_ms"],
        "ms",
        "<= 1 ms",
    )
    row("tutor run empty.py vs import torch", tutor_run, import_torch, "s", "<= 1.3x")
    row(
        "restart to ready after a crash",
        figures["restart_s"],
        theirs and theirs["restart_s"],
        "s",
        "<= 0.2 s",
    )
    print(
        f"{'training loop speed, tutor.log each step':<38} {figures['train_ratio']:10.3f} x of "
        f"{figures['steps_per_s']:.0f} steps/s without it   target >= 0.95"
    )


if __name__ == "__main__":
    main()
