"""F1 / `?`: every key of the current screen with what it does."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Markdown


class HelpScreen(ModalScreen[None]):
    """Built from the bindings themselves, so it can never disagree with the Footer."""

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }
    HelpScreen > VerticalScroll {
        width: 80;
        max-width: 95%;
        height: 90%;
        border: thick $accent;
        background: $surface;
        padding: 0 1;
    }
    """

    BINDINGS = [Binding("escape,f1,q,question_mark", "app.pop_screen", "Close")]

    def __init__(self, screen: Screen) -> None:
        super().__init__()
        self.for_screen = screen

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Markdown(keys_markdown(self.for_screen))


def keys_markdown(screen: Screen) -> str:
    rows = []
    for binding in [*screen.BINDINGS, *screen.app.BINDINGS]:
        if not isinstance(binding, Binding) or not binding.description:
            continue
        keys = " or ".join(
            f"`{screen.app.get_key_display(Binding(key.strip(), ''))}`"
            for key in binding.key.split(",")
        )
        rows.append(f"| {keys} | {binding.description} | {binding.tooltip} |")
    table = "\n".join(rows)
    return (
        "# Keys\n\n| key | action | |\n| --- | --- | --- |\n"
        f"{table}\n| `ctrl+p` | command palette | every action, searchable |\n\n"
        "Function keys not reaching the app (some terminals, tmux setups)? Every action "
        "also has an `alt+` key and is in the command palette (`ctrl+p`).\n"
    )
