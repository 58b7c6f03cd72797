"""The README's key tables and the F1 help list the same keys (F1 is built from the bindings)."""

from __future__ import annotations

import re

from textual.binding import Binding

from tests.conftest import REPO
from tutor.app import TutorApp
from tutor.screens.lesson import LessonScreen
from tutor.widgets.code_editor import CodeEditor

KEY = re.compile(r"(?:ctrl|alt|shift)\+[\w/]+|\bF\d+\b|\bEsc\b|\bTab\b|\bBackspace\b|`\?`")
NAMES = {
    "esc": "escape",
    "`?`": "question_mark",
    "ctrl+_": "ctrl+underscore",
    "ctrl+/": "ctrl+slash",
}
NOT_BINDINGS = {"backspace", "tab"}
"""Keys the editor handles itself (indentation), documented in the README's editor table."""


def readme_keys() -> set[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    keys: set[str] = set()
    for table in re.findall(r"^\| key \| action \|\n\| --- \| --- \|\n((?:\|.*\n)+)", text, re.M):
        for row in table.splitlines():
            first = row.split("|")[1]
            keys |= {NAMES.get(key.lower(), key.lower()) for key in KEY.findall(first)}
    return keys


def help_keys() -> set[str]:
    """Every key the F1 help shows: those of bindings with a description (see help.py)."""
    bindings = [*LessonScreen.BINDINGS, *TutorApp.BINDINGS, *CodeEditor.BINDINGS]
    return {
        key.strip()
        for binding in bindings
        if isinstance(binding, Binding) and binding.description
        for key in binding.key.split(",")
    }


def test_the_readme_documents_every_key_the_help_shows() -> None:
    missing = help_keys() - readme_keys()
    assert not missing, f"in the F1 help but not in README.md's key tables: {sorted(missing)}"


def test_every_key_in_the_readme_does_what_it_says() -> None:
    unknown = readme_keys() - help_keys() - NOT_BINDINGS
    assert not unknown, f"in README.md's key tables but bound to nothing: {sorted(unknown)}"
