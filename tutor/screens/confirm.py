"""A yes/no question before something the learner cannot take back."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid
from textual.screen import ModalScreen
from textual.widgets import Button, Label

from tutor.i18n import N_, _
from tutor.widgets.bindings import translate_bindings


class ConfirmScreen(ModalScreen[bool]):
    """Dismisses with True for yes; `y`/`n` and Escape work without the mouse."""

    DEFAULT_CSS = """
    ConfirmScreen {
        align: center middle;
    }
    ConfirmScreen > Grid {
        grid-size: 2;
        grid-gutter: 1 2;
        grid-rows: auto 3;
        padding: 1 2;
        width: 60;
        max-width: 90%;
        height: auto;
        border: thick $accent;
        background: $surface;
    }
    ConfirmScreen Label {
        column-span: 2;
        width: 100%;
    }
    ConfirmScreen Button {
        width: 100%;
    }
    """

    BINDINGS = [
        Binding("y", "answer(True)", N_("Yes")),
        Binding("n,escape", "answer(False)", N_("No")),
    ]

    def __init__(self, question: str, yes: str = "") -> None:
        super().__init__()
        translate_bindings(self)
        self.question = question
        self.yes = yes or _("Yes")

    def compose(self) -> ComposeResult:
        with Grid():
            yield Label(self.question)
            yield Button(f"{self.yes} (y)", variant="warning", id="yes")
            yield Button(_("Cancel (n)"), variant="primary", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
