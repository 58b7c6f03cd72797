"""Every run and check of an exercise, to go back to code that worked before it broke.

The code shown is the learner's own, so it is shown as plain text; picking an attempt
hands its code back to the lesson screen, which puts it in the editor as one edit
that ctrl+z undoes.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, TextArea
from textual.widgets.option_list import Option

from tutor.i18n import N_, _, ngettext
from tutor.progress import Attempt
from tutor.widgets.bindings import translate_bindings

TITLE = N_("Attempts at {exercise}: Enter puts one in the editor (ctrl+z undoes), Esc closes.")
NONE_YET = N_("No attempts at {exercise} yet: every run (F5) and check (F6) is kept here.")


class AttemptsScreen(ModalScreen[str | None]):
    """Dismisses with the chosen attempt's code, or None."""

    CSS_PATH = "attempts.tcss"
    BINDINGS = [Binding("escape", "dismiss(None)", N_("Close"))]

    def __init__(self, exercise: str, attempts: list[Attempt]) -> None:
        super().__init__()
        translate_bindings(self)
        self.exercise = exercise
        self.attempts = attempts

    def compose(self) -> ComposeResult:
        with Vertical(id="attempts-box"):
            template = TITLE if self.attempts else NONE_YET
            yield Label(Text(_(template).format(exercise=self.exercise)), id="attempts-title")
            yield OptionList(*(_option(attempt) for attempt in self.attempts), id="attempts")
            yield TextArea(
                "", language="python", read_only=True, soft_wrap=False, id="attempt-code"
            )

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.display = bool(self.attempts)
        self.query_one(TextArea).display = bool(self.attempts)
        if self.attempts:
            options.highlighted = 0
            options.focus()

    @on(OptionList.OptionHighlighted)
    def preview(self, event: OptionList.OptionHighlighted) -> None:
        self.query_one(TextArea).load_text(self.attempts[event.option_index].code)

    @on(OptionList.OptionSelected)
    def pick(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.attempts[event.option_index].code)


def _option(attempt: Attempt) -> Option:
    mark = "✓" if attempt.passed else "✗" if attempt.kind == "check" else "▷"
    lines = len(attempt.code.splitlines())
    prompt = Text.assemble(
        (f"{_local_time(attempt.at)}  ", "dim"),
        f"{mark} {attempt.kind:<5}  ",
        (attempt.verdict, "bold" if attempt.passed else ""),
        ("  " + ngettext("({count} line)", "({count} lines)", lines).format(count=lines), "dim"),
        no_wrap=True,
        overflow="ellipsis",
    )
    return Option(prompt)


def _local_time(at: str) -> str:
    """Stored in UTC, shown in the learner's own time; as stored when it is not a time."""
    try:
        return datetime.fromisoformat(at).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return at
