"""Where learners' code runs: one scratch folder per exercise, and checks that repeat."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.sandbox.conftest import Recorder
from tutor.lessons.model import CodeBlock
from tutor.locations import scratch_folder
from tutor.sandbox.supervisor import Supervisor

pytestmark = pytest.mark.asyncio(loop_scope="module")


def check(source: str) -> CodeBlock:
    return CodeBlock(source + "\n", Path("lesson.md"), 1)


async def test_a_file_saved_by_one_exercise_is_invisible_to_another(
    supervisor: Supervisor, tutor_home: Path
) -> None:
    finished = await supervisor.run("open('saved.txt', 'w').write('hi')", key="one/save")
    assert finished.status == "ok"
    assert (scratch_folder("one/save") / "saved.txt").read_text() == "hi"
    assert scratch_folder("one/save").is_relative_to(tutor_home)
    finished = await supervisor.check(
        "import os\nseen = os.path.exists('saved.txt')",
        key="two/load",
        checks=[check("expect(not seen, 'saw the other exercise file')")],
    )
    assert finished.check is not None and finished.check.passed, finished
    finished = await supervisor.check(
        "import os\nseen = os.path.exists('saved.txt')",
        key="one/save",
        checks=[check("expect(seen, 'lost its own file')")],
    )
    assert finished.check is not None and finished.check.passed, finished


async def test_a_check_runs_where_it_is_told(supervisor: Supervisor, tmp_path: Path) -> None:
    finished = await supervisor.check(
        "import os\nhere = os.getcwd()",
        key="one/where",
        checks=[check(f"expect(here == {str(tmp_path / 'x')!r}, here)")],
        cwd=tmp_path / "x",
    )
    assert finished.check is not None and finished.check.passed, finished


async def test_a_script_runs_in_the_workers_own_folder(
    supervisor: Supervisor, scratch: Path
) -> None:
    out = Recorder()
    await supervisor.run("import os\nprint(os.getcwd())", key="__main__", script=True, on_event=out)
    assert os.path.samefile(out.text().strip(), scratch)


async def test_checks_start_from_the_same_random_state(supervisor: Supervisor) -> None:
    values = []
    for _ in range(2):
        await supervisor.run("import torch\ntorch.rand(5)", key="seed/other")
        await supervisor.check(
            "import torch\nv = torch.rand(1).item()", key="seed/check", checks=[check("pass")]
        )
        out = Recorder()
        await supervisor.run("v", key="seed/check", on_event=out)
        values.append(out.text())
    assert values[0] == values[1] and values[0]


async def test_tutor_check_runs_in_the_exercise_folder_not_the_shells(
    tmp_path: Path, tutor_home: Path
) -> None:
    answer = tmp_path / "answer.py"
    answer.write_text("open('left-behind.txt', 'w').write('x')\nimport torch\nx = 1\n")
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "tutor", "check", "tensors/from-a-list", str(answer)],
        cwd=tmp_path,
        env={**os.environ, "TUTOR_HOME": str(tutor_home), "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    assert not (tmp_path / "left-behind.txt").exists()
    assert (scratch_folder("tensors/from-a-list") / "left-behind.txt").exists()
