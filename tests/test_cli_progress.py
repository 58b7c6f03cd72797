"""`tutor progress export/import` and `tutor check` keeping what it did, like the app does."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_LESSONS
from tutor.cli import main
from tutor.locations import progress_file
from tutor.progress import ProgressStore
from tutor.progress import store as progress_store

SOLUTION = "import torch\n\nm = torch.tensor([[1, 2, 3], [4, 5, 6]])\nrank = m.ndim\n"
WRONG = "import torch\n\nm = torch.tensor([[1, 2, 3], [4, 5, 6]])\nrank = m.shape\n"
KEY = "tensors/from-a-list"


def _check(file: Path, *extra: str) -> int:
    lessons = str(FIXTURE_LESSONS)
    return main(["--lessons", lessons, "check", "--device", "cpu", *extra, KEY, str(file)])


def test_export_to_stdout_and_file_then_import_merges(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    store = ProgressStore(progress_file())
    store.mark_done(KEY)
    store.update("tensors/dtypes", code="x = 1\n")
    store.add_attempt(KEY, "check", "passed", True, SOLUTION)
    store.close()

    assert main(["progress", "export"]) == 0
    exported = json.loads(capsys.readouterr().out)
    assert exported["exercises"][KEY]["done"] is True
    assert exported["exercises"][KEY]["attempts"][0]["code"] == SOLUTION

    backup = tmp_path / "backup.json"
    assert main(["progress", "export", str(backup)]) == 0
    assert json.loads(backup.read_text())["exercises"] == exported["exercises"]

    monkeypatch.setenv("TUTOR_HOME", str(tmp_path / "another-machine"))
    assert main(["progress", "import", str(backup)]) == 0
    assert "exercises changed: 2, attempts added: 1" in capsys.readouterr().err
    moved = ProgressStore(progress_file())
    assert moved.progress.is_done(KEY)
    assert moved.progress.exercise("tensors/dtypes").code == "x = 1\n"


@pytest.mark.parametrize(
    "content, says",
    [
        ('{"format": 2, "exercises": {"a/b": {"code": 5}}}', "code of a/b has the wrong type"),
        ("[" * 100_000, "nested too deeply"),
        ("{oops", "not valid JSON"),
    ],
)
def test_import_of_a_bad_file_is_one_line_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, says: str
) -> None:
    ProgressStore(progress_file()).mark_done(KEY)
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    assert main(["progress", "import", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and says in err and f"{bad} is not a progress export" in err
    assert main(["progress", "import", str(tmp_path / "missing.json")]) == 2
    assert ProgressStore(progress_file()).progress.exercises.keys() == {KEY}


def test_check_records_the_attempt_and_the_pass_unless_told_not_to(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    answer = tmp_path / "answer.py"
    answer.write_text(WRONG)
    assert _check(answer) == 1
    answer.write_text(SOLUTION)
    assert _check(answer, "--no-record") == 0
    store = ProgressStore(progress_file())
    assert not store.progress.is_done(KEY), "--no-record only tries"
    assert [a.code for a in store.attempts(KEY)] == [WRONG]
    assert store.attempts(KEY)[0].verdict.startswith("not yet: `rank` should be 2")

    monkeypatch.setattr(progress_store, "BUSY_TIMEOUT", 0.1)
    holder = sqlite3.connect(progress_file(), isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    capfd.readouterr()
    assert _check(answer) == 0, "a locked store never costs the verdict"
    out, err = capfd.readouterr()
    assert out == "pass\n"
    assert "tutor: Progress cannot be saved right now: another program is holding" in err
    holder.execute("ROLLBACK")

    assert _check(answer) == 0
    store.refresh()
    assert store.progress.is_done(KEY)
    assert [a.code for a in store.attempts(KEY)] == [SOLUTION, WRONG], "the locked one is lost"
    assert store.attempts(KEY)[0].verdict == "passed"
