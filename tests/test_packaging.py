"""The wheel carries everything an installed `tutor` needs: lessons, data, styles."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import LESSONS, REPO


def test_wheel_contains_lessons_data_and_styles(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path),
            str(REPO),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("pytorch_tutor-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for lesson in LESSONS.glob("*.md"):
        assert f"tutor/curriculum/{lesson.name}" in names
    assert "tutor/curriculum/data/digits.csv.gz" in names
    for lang in ("pt", "es"):
        assert f"tutor/locale/{lang}/LC_MESSAGES/tutor.mo" in names
    assert "tutor/locale/tutor.pot" in names
    assert {"tutor/app.tcss", "tutor/screens/lesson.tcss", "tutor/screens/home.tcss"} <= names
    code = {
        path.relative_to(REPO).as_posix()
        for pattern in ("*.py", "*.tcss")
        for path in (REPO / "tutor").rglob(pattern)
        if "__pycache__" not in path.parts
    }
    assert code <= names, f"left out of the wheel: {sorted(code - names)}"
    assert any(name.endswith("entry_points.txt") for name in names)
    assert {"tutor/authoring/tester.py", "tutor/lessons/packs.py"} <= names
