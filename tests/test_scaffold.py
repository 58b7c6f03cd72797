"""`tutor dev new` writes a lesson that lints clean and passes `tutor dev check`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tutor.cli import main


def test_new_lesson_passes_dev_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "pack"
    assert main(["dev", "new", "first-steps", "--dir", str(folder)]) == 0
    assert main(["dev", "new", "second", "--title", "Second lesson", "--dir", str(folder)]) == 0
    first, second = sorted(folder.glob("*.md"))
    assert (first.name, second.name) == ("01-first-steps.md", "02-second.md")
    assert "title: Second lesson" in second.read_text()
    capsys.readouterr()
    assert main(["dev", "check", "--workers", "1", str(folder)]) == 0, capsys.readouterr().out
    out = capsys.readouterr().out
    assert out.splitlines()[-1].startswith("tutor dev check: 2 lessons, 2 exercises, 6 answers")
    assert out.splitlines()[-1].endswith("2 files, no problems")


@pytest.mark.parametrize("lesson_id", ["Bad Id", "first-steps"])
def test_bad_or_taken_id_is_refused(
    tmp_path: Path, lesson_id: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["dev", "new", "first-steps", "--dir", str(tmp_path)]) == 0
    assert main(["dev", "new", lesson_id, "--dir", str(tmp_path)]) == 2
    assert "tutor: " in capsys.readouterr().err
    assert len(list(tmp_path.glob("*.md"))) == 1
