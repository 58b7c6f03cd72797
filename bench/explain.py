"""Explainer benchmarks: prints figures beside a baseline, with ratios. Not a timed test.

    .venv/bin/python bench/explain.py [--quick]

1. Success path. What the worker adds to a run that raises nothing: the "does nothing"
   pass before it (`idle.find`), the warning hook around it (`runtime.watch`) and the
   namespace confirmation after it (`idle.confirm`); the explainer itself never runs.
   Measured on every lesson solution, in this process, against the bare `exec` of the
   same code (baseline: compile + exec, what the worker did before). The worker's own
   round trip is ~1 ms on top of either.
2. Failure path. `explain()` on a set of failing snippets, one per error family: the
   first call in a fresh process (cold) and then warm, median and max. Target < 50 ms.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import linecache
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402 - after the path

from tutor.feedback import idle  # noqa: E402
from tutor.feedback.explain import explain  # noqa: E402
from tutor.feedback.runtime import watch  # noqa: E402
from tutor.lessons.loader import load_catalog  # noqa: E402

FILENAME = "<your code>"

FAILING = {
    "matmul": "import torch\nx = torch.randn(8, 12)\nW = torch.randn(5, 12)\ny = x @ W\n",
    "linear": (
        "import torch\nfrom torch import nn\n"
        "model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(6, 1))\n"
        "out = model(torch.randn(3, 4))\n"
    ),
    "broadcast": "import torch\na = torch.randn(3, 4)\nb = torch.randn(3)\nc = a + b\n",
    "view": "import torch\nt = torch.arange(12)\nu = t.view(5, 3)\n",
    "view non-contiguous": "import torch\nt = torch.randn(3, 4)\nu = t.T.view(12)\n",
    "stack": "import torch\na, b = torch.randn(3), torch.randn(4)\ns = torch.stack([a, b])\n",
    "cat": "import torch\nparts = [torch.randn(3, 4), torch.randn(3, 5)]\ns = torch.cat(parts)\n",
    "index": "import torch\nx = torch.randn(3, 4)\nv = x[5]\n",
    "float64 layer": (
        "import numpy as np, torch\nlayer = torch.nn.Linear(3, 2)\n"
        "f = torch.from_numpy(np.ones((4, 3)))\nout = layer(f)\n"
    ),
    "cross-entropy dtype": (
        "import torch\nloss_fn = torch.nn.CrossEntropyLoss()\n"
        "loss = loss_fn(torch.randn(4, 3), torch.tensor([0.0, 1, 2, 1]))\n"
    ),
    "device (meta)": (
        "import torch\nmodel = torch.nn.Linear(3, 2).to('meta')\nx = torch.randn(4, 3)\n"
        "out = model(x)\n"
    ),
    "backward twice": (
        "import torch\nw = torch.randn(3, requires_grad=True)\nh = w * 2\n"
        "for i in range(3):\n    loss = (h * h).sum()\n    loss.backward()\n"
    ),
    "no grad": "import torch\nx = torch.randn(5)\nw = torch.randn(5)\n(x * w).sum().backward()\n",
    "in-place leaf": (
        "import torch\nw = torch.randn(5, requires_grad=True)\n"
        "(w * 2).sum().backward()\nw -= 0.1 * w.grad\n"
    ),
    "numpy": "import torch\nw = torch.randn(5, requires_grad=True)\na = w.numpy()\n",
    "item": "import torch\nt = torch.randn(3)\nv = t.item()\n",
    "truth value": "import torch\nt = torch.randn(3)\nif t > 0:\n    pass\n",
    "class for instance": (
        "import torch\nmodel = torch.nn.Linear\nopt = torch.optim.SGD(model.parameters(), lr=0.1)\n"
    ),
    "no_grad without ()": "import torch\nwith torch.no_grad:\n    pass\n",
    "attribute suggestion": "import torch\nx = torch.zeros(3)\nx.zero()\n",
    "big tensors": (
        "import torch\nbig = torch.randn(2000, 3000)\nw = torch.randn(2000, 10)\ny = big @ w\n"
    ),
}


def _register(source: str) -> None:
    linecache.cache[FILENAME] = (len(source), None, source.splitlines(True), FILENAME)


def _failure(source: str) -> BaseException:
    _register(source)
    try:
        exec(compile(source, FILENAME, "exec"), {"__name__": "__main__"})
    except Exception as error:  # noqa: BLE001 - wanted
        return error
    raise AssertionError(f"did not fail: {source!r}")


def failure_path(repeats: int) -> None:
    print("2. explain() on failing snippets (ms)")
    print("   wall clock, then CPU time of this process (immune to other processes' load)")
    header = f"{'cold':>7} {'median':>7} {'max':>7}"
    print(f"   {'snippet':<22} {header}  | {header}  explained")
    walls, cpus = [], []
    for name, source in FAILING.items():
        wall, cpu = [], []
        text = ""
        for _ in range(repeats):
            error = _failure(source)  # a fresh traceback each time, as in the worker
            started, cpu_started = time.perf_counter(), time.process_time()
            text = explain(error, {FILENAME})
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
        walls += wall
        cpus += cpu
        print(f"   {name:<22} {_row(wall)}  | {_row(cpu)}  {'yes' if text else 'NO'}")
    for label, times in (("wall", walls), ("CPU", cpus)):
        p90 = statistics.quantiles(times, n=10)[-1]
        print(
            f"   all {len(times)} calls, {label}: median {statistics.median(times):.2f} ms, "
            f"90th percentile {p90:.2f} ms, max {max(times):.2f} ms (target < 50 ms)"
        )


def _row(times: list[float]) -> str:
    return f"{times[0]:7.2f} {statistics.median(times):7.2f} {max(times):7.2f}"


def success_path(repeats: int, limit: int | None) -> None:
    steps = load_catalog([ROOT / "lessons"]).exercises()[:limit]
    base_total = with_total = 0.0
    overheads = []
    for step in steps:
        exercise = step.exercise
        assert exercise is not None
        setup = exercise.setup.source if exercise.setup else ""
        source = exercise.solution.source
        for repeat in range(repeats):
            with contextlib.redirect_stdout(io.StringIO()):
                if repeat % 2:  # alternate the order: the second run of a pair is warmer
                    withf = _timed(setup, source, feedback=True)
                    base = _timed(setup, source, feedback=False)
                else:
                    base = _timed(setup, source, feedback=False)
                    withf = _timed(setup, source, feedback=True)
            base_total += base
            with_total += withf
            overheads.append((withf - base) * 1000)
    runs = len(steps) * repeats
    print(f"1. success path: {len(steps)} lesson solutions x {repeats}, in-process, CPU time")
    print(f"   baseline (compile + exec)  {base_total / runs * 1000:8.2f} ms per run")
    print(f"   with feedback hooks        {with_total / runs * 1000:8.2f} ms per run")
    print(
        f"   ratio {with_total / base_total:.3f}; overhead per run: median "
        f"{statistics.median(overheads):+.2f} ms (noise included), explain() calls: 0"
    )


def _timed(setup: str, source: str, *, feedback: bool) -> float:
    torch.manual_seed(0)
    torch.set_default_dtype(torch.float32)
    namespace: dict[str, Any] = {"__name__": "__main__"}
    if setup:
        exec(compile(setup, "<setup>", "exec"), namespace)
    _register(source)
    started = time.process_time()
    if feedback:
        found = idle.find(source)
        with watch({FILENAME}):
            exec(compile(source, FILENAME, "exec"), namespace)
        idle.confirm(found, namespace)
    else:
        exec(compile(source, FILENAME, "exec"), namespace)
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer repeats and solutions")
    args = parser.parse_args()
    torch.set_num_threads(1)
    import tutor

    tutor.log = lambda *args, **kwargs: None  # type: ignore[attr-defined]
    failure_path(repeats=5 if args.quick else 20)
    success_path(repeats=2 if args.quick else 4, limit=10 if args.quick else None)


if __name__ == "__main__":
    main()
