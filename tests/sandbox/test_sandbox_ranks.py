"""Spawned ranks through a real worker: they run in the app, are labelled, plot, and are swept.

Each case starts real processes (a fresh interpreter importing torch per rank), so the
cases are few and each covers as much as it can.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.sandbox.conftest import Recorder, assert_recovered, strays
from tutor.sandbox.procs import descendants, process_table
from tutor.sandbox.supervisor import Supervisor

pytestmark = pytest.mark.asyncio(loop_scope="module")

RANKS = """
import os
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import tutor

def work(rank, world_size):
    print(f"before the group {rank}")
    dist.init_process_group("gloo", rank=rank, world_size=world_size)
    for step in range(3):
        tutor.log(loss=float(rank * 10 + step))
    total = torch.tensor([rank + 1.0])
    dist.all_reduce(total)
    print(f"sum {total.item():g}\\nport {os.environ['MASTER_PORT']}")
    dist.destroy_process_group()

if __name__ == "__main__":
    mp.spawn(work, args=(2,), nprocs=2)
    port = os.environ["MASTER_PORT"]
"""


async def test_spawned_ranks_run_in_the_app_labelled_with_their_own_curves(
    supervisor: Supervisor,
) -> None:
    out = Recorder()
    finished = await supervisor.run(RANKS, key="ranks", on_event=out)
    assert finished.status == "ok", (finished, out.text("stderr"))
    lines = out.text().splitlines()
    for rank in (0, 1):
        # Before the process group: the index torch.multiprocessing.spawn gave the rank.
        assert f"[rank {rank}] before the group {rank}" in lines
        # Both lines of one print are labelled, with the rank the process group reports.
        assert f"[rank {rank}] sum 3" in lines
    ports = {line.rpartition(" ")[2] for line in lines if " port " in line}
    variables = {v.name: v.value for v in out.variables.variables}  # type: ignore[union-attr]
    assert ports == {variables["port"].strip("'")}, lines  # the worker's port, given to both
    curves: dict[str, list[tuple[int, float]]] = {}
    for event in out.metrics:
        for point in event.points:
            for name, value in point.values.items():
                curves.setdefault(name, []).append((point.step, value))
    assert curves == {
        "loss (rank 0)": [(0, 0.0), (1, 1.0), (2, 2.0)],
        "loss (rank 1)": [(0, 10.0), (1, 11.0), (2, 12.0)],
    }
    again = Recorder()
    await supervisor.run("import os\nprint(os.environ['MASTER_PORT'])", key="port", on_event=again)
    assert again.text().strip() != variables["port"].strip("'")  # a fresh port for every run


async def test_interrupting_sweeps_every_rank(supervisor: Supervisor) -> None:
    code = (
        "import time\nimport torch.multiprocessing as mp\n"
        "def work(rank):\n    print('up', flush=True)\n    time.sleep(600)\n"
        "if __name__ == '__main__':\n    mp.spawn(work, nprocs=2)\n"
    )
    out = Recorder()
    task = asyncio.create_task(supervisor.run(code, key="sleepers", on_event=out))
    deadline = time.monotonic() + 120
    while out.text().count("up") < 2 and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    assert sorted(out.text().splitlines()) == ["[rank 0] up", "[rank 1] up"]
    ranks = descendants({os.getpid()}, process_table()) - set(supervisor.worker_pids)
    assert len(ranks) >= 2  # the two ranks (and multiprocessing's resource tracker)
    await supervisor.interrupt()
    finished = await task
    assert finished.status == "interrupted"
    await assert_recovered(supervisor, within=10.0)
    assert strays(supervisor) == set()


async def test_tutor_run_keeps_the_ranks_output_as_python_writes_it(tmp_path: Path) -> None:
    """No label, no reordering: `tutor run` piped is `python FILE`, byte for byte."""
    script = tmp_path / "ranks.py"
    script.write_text(
        "import torch.distributed as dist\nimport torch.multiprocessing as mp\n"
        "def work(rank):\n"
        "    dist.init_process_group('gloo', rank=rank, world_size=2)\n"
        "    for turn in range(2):\n"
        "        if turn == rank:\n"
        "            print(f'rank {rank} here', flush=True)\n"
        "        dist.barrier()\n"
        "    dist.destroy_process_group()\n"
        "if __name__ == '__main__':\n    mp.spawn(work, nprocs=2)\n    print('done')\n"
    )
    env = {**os.environ, "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(_port())}
    python = subprocess.run(
        [sys.executable, str(script)], capture_output=True, env=env, cwd=tmp_path, timeout=300
    )
    tutor = subprocess.run(
        [sys.executable, "-m", "tutor", "run", str(script)],
        capture_output=True,
        cwd=tmp_path,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    assert python.stdout == b"rank 0 here\nrank 1 here\ndone\n", python.stderr
    assert tutor.stdout == python.stdout, tutor.stderr
    assert tutor.returncode == python.returncode == 0


def _port() -> int:
    from tutor.sandbox.ranks import free_port

    return free_port()
