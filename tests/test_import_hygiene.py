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


def test_the_first_frame_of_a_step_waits_for_neither_the_sandbox_nor_the_editor_nor_tabs(
    tmp_path,
) -> None:
    """What is only needed once code runs or is typed loads after the first frame."""
    code = f"""
import asyncio, os, sys
os.environ['TUTOR_HOME'] = {str(tmp_path)!r}
import tutor.app
from tutor.cli import _catalog, build_parser
from tutor.locations import progress_file
from tutor.progress import ProgressStore

at_first_frame = set()
shown = tutor.app.frame_shown

def record(app):
    at_first_frame.update(sys.modules)
    shown(app)

tutor.app.frame_shown = record

async def main():
    catalog = _catalog(build_parser().parse_args([]))
    step = catalog.lessons[0].steps[1]
    app = tutor.app.TutorApp(catalog, ProgressStore(progress_file()), start=step, open_start=True)
    async with app.run_test() as pilot:
        await pilot.pause()

asyncio.run(main())
print("\\n".join(at_first_frame))
os._exit(0)  # what the app loaded after its first frame is not the question
"""
    loaded = modules_after(code)
    assert "tutor.screens.lesson" in loaded and "tutor.widgets.code_preview" in loaded
    late = {
        "tutor.widgets.code_editor",
        "textual.widgets._text_area",
        "tutor.sandbox.supervisor",
        "tutor.sandbox.protocol",
        "tutor.widgets.variables",
        "textual.widgets._data_table",
        "textual.widgets._tabbed_content",
        "tutor.screens.home",
        "json",
    }
    assert not late & loaded
