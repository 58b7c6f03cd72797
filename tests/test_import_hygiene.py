"""The UI process never imports torch; the core never imports Textual.

Checked in fresh interpreters, since this test process itself imports torch for the
exercise tests.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO

CORE = [
    "tutor.lessons.loader",
    "tutor.lessons.model",
    "tutor.progress",
    "tutor.course",
    "tutor.locations",
    "tutor.cli",
]


def modules_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
        timeout=120,
    )
    return set(result.stdout.split())


@pytest.mark.parametrize("module", CORE)
def test_core_imports_neither_textual_nor_torch(module: str) -> None:
    loaded = modules_after(f"import {module}")
    assert "torch" not in loaded
    assert not any(name == "textual" or name.startswith("textual.") for name in loaded)


def test_listing_lessons_does_not_import_torch() -> None:
    loaded = modules_after("from tutor.cli import main\nmain(['list', '--json'])")
    assert "torch" not in loaded and "numpy" not in loaded


def test_running_the_app_does_not_import_torch() -> None:
    code = """
import asyncio
from tutor.cli import _catalog, build_parser
from tutor.app import TutorApp
from tutor.locations import progress_file
from tutor.progress import ProgressStore

async def main():
    catalog = _catalog(build_parser().parse_args([]))
    app = TutorApp(catalog, ProgressStore(progress_file()), start=catalog.lessons[0].steps[1])
    async with app.run_test() as pilot:
        await pilot.press("down", "enter", "f8", "f7")
        while app.supervisor.state != "ready":
            await pilot.pause(0.1)
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        await pilot.press("escape")

asyncio.run(main())
"""
    loaded = modules_after(code)
    assert "textual" in loaded and "tutor.sandbox.supervisor" in loaded
    assert "torch" not in loaded, "the sandbox worker ran, but torch stayed out of the UI process"


def test_a_start_from_kept_lessons_does_not_import_the_parser(tmp_path) -> None:
    """The parsed lessons kept on disk are all a start needs: parsing code is start-up time."""
    start = (
        f"import os\nos.environ['TUTOR_HOME'] = {str(tmp_path)!r}\n"
        "from tutor.cli import _catalog, build_parser\n_catalog(build_parser().parse_args([]))"
    )
    modules_after(start)  # the first start parses and keeps the lessons
    loaded = modules_after(start)
    assert "tutor.lessons.parse" not in loaded
    assert "tutor.lessons.translations" not in loaded
