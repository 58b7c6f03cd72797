"""The command line: list (text and JSON), lint, version, open errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_LESSONS, LESSONS
from tests.lesson_texts import lesson
from tutor import __version__
from tutor.cli import main
from tutor.progress import ProgressStore


def test_list_json_has_the_documented_shape(
    capsys: pytest.CaptureFixture[str], tutor_home: Path
) -> None:
    ProgressStore(tutor_home / "progress.db").mark_done("tensors/from-a-list")
    assert main(["--lessons", str(FIXTURE_LESSONS), "list", "--json"]) == 0
    lessons = json.loads(capsys.readouterr().out)
    assert lessons[0]["id"] == "tensors"
    for entry in lessons:
        assert set(entry) == {"id", "title", "from", "exercises"}
        assert entry["from"] == str(FIXTURE_LESSONS)
        for exercise in entry["exercises"]:
            assert set(exercise) == {"id", "title", "done"}
            assert exercise["id"].startswith(entry["id"] + "/")
    done = {e["id"]: e["done"] for entry in lessons for e in entry["exercises"]}
    assert done["tensors/from-a-list"] is True and done["tensors/dtypes"] is False


def test_list_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list"]) == 0
    assert "Tensors" in capsys.readouterr().out


def test_lint_bundled_lessons_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", str(LESSONS)]) == 0
    errors = [line for line in capsys.readouterr().out.splitlines() if ": warning: " not in line]
    assert errors == [], "translation gaps are warnings: tests/test_translations.py counts them"


def test_lint_reports_file_line_message_and_fails(
    write_lesson, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write_lesson("01-good.md", lesson(id="good"))
    bad = write_lesson(
        "02-bad.md", lesson(id="bad", order=2).replace("```python solution", "```python")
    )
    assert main(["lint", str(good.parent)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [f"{bad}:14: exercise 'make-x' has no `python solution` block"]


def test_lint_of_single_files(write_lesson, capsys: pytest.CaptureFixture[str]) -> None:
    good = write_lesson("01-good.md", lesson(id="good"))
    assert main(["lint", str(good)]) == 0


def test_custom_lesson_folder(write_lesson, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_lesson("01-mine.md", lesson(id="mine", title="My pack")).parent
    assert main(["--lessons", str(folder), "list", "--json"]) == 0
    assert [entry["id"] for entry in json.loads(capsys.readouterr().out)] == ["mine"]
    assert main(["list", "--json", "--lessons", str(folder)]) == 0
    assert [entry["id"] for entry in json.loads(capsys.readouterr().out)] == ["mine"]


def test_broken_lesson_is_listed_while_others_load(
    write_lesson, capsys: pytest.CaptureFixture[str]
) -> None:
    write_lesson("01-good.md", lesson(id="good"))
    folder = write_lesson("02-bad.md", "---\nid: bad\n").parent
    assert main(["--lessons", str(folder), "list"]) == 0
    out = capsys.readouterr().out
    assert "good" in out and "broken" in out and "02-bad.md:1:" in out


def test_open_unknown_lesson_fails_before_starting_the_app(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["open", "no-such-lesson"]) == 2
    assert "no lesson or step 'no-such-lesson'" in capsys.readouterr().err


def test_version_and_module_entry_point() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tutor", "--version"], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == f"tutor {__version__}"


def test_unknown_device_is_refused_before_starting_the_app(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--device", "gpu"]) == 2
    assert "unknown device 'gpu'" in capsys.readouterr().err


def test_lint_summary_counts_files_and_problems(
    write_lesson, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write_lesson("01-good.md", lesson(id="good"))
    assert main(["lint", str(good.parent)]) == 0
    assert capsys.readouterr().err == "tutor lint: 1 file, no problems\n"
    write_lesson("02-bad.md", lesson(id="bad", order=2).replace("order: 2", "order: two"))
    write_lesson("03-ok.md", lesson(id="ok", order=3))
    assert main(["lint", str(good.parent)]) == 1
    assert capsys.readouterr().err == "tutor lint: 1 problem in 1 of 3 files\n"


def test_list_does_not_show_a_broken_translation_as_a_lesson(
    write_lesson, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write_lesson("01-l.md", lesson(id="l"))
    write_lesson("01-l.es.md", "---\nlang: es\n---\n\n## Nada {#nothing}\n\nTexto.\n")
    assert main(["--lessons", str(good.parent), "list"]) == 0
    captured = capsys.readouterr()
    assert "01-l.es" not in captured.out
    assert "tutor: translation not used: " in captured.err
    assert "step 'nothing' is not in 01-l.md" in captured.err
