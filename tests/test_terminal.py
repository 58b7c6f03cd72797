"""End to end in a real terminal: tmux runs `tutor`, send-keys types, capture-pane reads."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_LESSONS

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


class Terminal:
    """A tmux session on a private socket, so tests never touch the developer's tmux."""

    def __init__(self, session: str, env: dict[str, str]) -> None:
        self.session = session
        self.env = env

    def tmux(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["tmux", *args], capture_output=True, text=True, env=self.env)

    def send(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", self.session, *keys).check_returncode()

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.session).stdout

    def wait_for(self, text: str, timeout: float = 15.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared on screen:\n{self.screen()}")


@pytest.fixture
def terminal(tutor_home: Path, tmp_path: Path) -> Iterator[Terminal]:
    with start(tmp_path) as terminal:
        yield terminal


@contextmanager
def start(tmp_path: Path, *args: str) -> Iterator[Terminal]:
    """`tutor ARGS` on the fixture lessons in an 80x24 tmux window, until the test ends."""
    session = f"tutor-test-{uuid.uuid4().hex[:8]}"
    socket_dir = tmp_path / "tmux"
    socket_dir.mkdir()
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\nprintf "print(\'from the editor\')\\n" > "$1"\n')
    editor.chmod(0o755)
    env = {**os.environ, "TMUX_TMPDIR": str(socket_dir), "TERM": "xterm-256color"}
    env["EDITOR"] = str(editor)
    env.pop("VISUAL", None)
    env.pop("TMUX", None)
    command = (
        f"{sys.executable} -m tutor --lessons {FIXTURE_LESSONS} {' '.join(args)};"
        " echo TUTOR-EXITED=$?; sleep 30"
    )
    terminal = Terminal(session, env)
    terminal.tmux(
        "new-session", "-d", "-s", session, "-x", "80", "-y", "24", command
    ).check_returncode()
    try:
        yield terminal
    finally:
        terminal.tmux("kill-server")


def test_open_lesson_read_a_step_and_quit(terminal: Terminal) -> None:
    screen = terminal.wait_for(" done")
    assert "Tensors" in screen and "From a list" in screen
    terminal.send("Enter")
    terminal.wait_for("step 1/")
    terminal.send("F8")
    terminal.wait_for("step 2/")
    terminal.wait_for("Create a tensor")
    terminal.send("F8")
    terminal.wait_for("Data types · ○ exercise")
    terminal.send("Escape")  # leaves the editor
    terminal.send("Escape")  # back to the lessons
    terminal.wait_for("o Open")
    terminal.send("C-q")
    terminal.wait_for("TUTOR-EXITED=0")


def test_type_code_run_it_and_read_the_output(terminal: Terminal) -> None:
    terminal.wait_for("ready")
    terminal.send("Enter")
    terminal.wait_for("step 1/")
    terminal.send("F8")
    terminal.wait_for("F5 runs your code")
    terminal.send("-l", "print('answer', 6 * 7)")
    terminal.send("Enter")
    terminal.send("F5")
    terminal.wait_for("ran in")
    terminal.wait_for("answer 42")  # the output takes the text's place at 80x24
    terminal.send("C-q")
    terminal.wait_for("TUTOR-EXITED=0")


def test_external_editor_round_trip(terminal: Terminal) -> None:
    """alt+e suspends the app for $EDITOR (here a script that rewrites the file)."""
    terminal.wait_for("ready")
    terminal.send("Enter")
    terminal.wait_for("step 1/")
    terminal.send("F8")
    terminal.wait_for("F5 runs your code")
    terminal.send("M-e")
    terminal.wait_for("print('from the editor')")
    terminal.send("F5")
    terminal.wait_for("ran in")
    assert "from the editor" in terminal.screen()


def test_what_is_typed_as_soon_as_the_step_shows_lands_in_the_editor(
    tutor_home: Path, tmp_path: Path
) -> None:
    """The first frame shows the code before the editor is up: keys typed then still count."""
    with start(tmp_path, "open", "tensors/from-a-list") as terminal:
        deadline = time.monotonic() + 15
        while "step 2/" not in terminal.screen() and time.monotonic() < deadline:
            time.sleep(0.005)
        terminal.send("-l", "x = 1")
        terminal.send("Enter")
        terminal.send("-l", "for i in range(2):")
        terminal.send("Enter")
        terminal.send("-l", "y = i")
        screen = terminal.wait_for("y = iimport torch")
        assert "1  x = 1" in screen and "2  for i in range(2):" in screen
        terminal.send("C-q")
        terminal.wait_for("TUTOR-EXITED=0")
