"""F1 / `?`: every key of the current screen with what it does."""

from __future__ import annotations

from collections.abc import Sequence

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

    def __init__(self, screen: Screen, editor: Sequence[Binding] = ()) -> None:
        """`editor`: the bindings of the screen's editor, listed in a section of their own."""
        super().__init__()
        self.for_screen = screen
        self.editor = editor

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Markdown(keys_markdown(self.for_screen, self.editor))


def keys_markdown(screen: Screen, editor: Sequence[Binding] = ()) -> str:
    """One row per action: keys that do the same thing (`f4` and `alt+c`) share a row."""
    table = _rows(screen, [*screen.BINDINGS, *screen.app.BINDINGS])
    text = (
        "# Keys\n\n| key | action | |\n| --- | --- | --- |\n"
        f"{table}\n| `ctrl+p` | command palette | every action, searchable |\n\n"
    )
    if editor:
        text += (
            "## In the editor\n\n| key | action | |\n| --- | --- | --- |\n"
            f"{_rows(screen, editor)}\n\n"
        )
    return text + (
        "Function keys not reaching the app (some terminals, tmux setups)? Every action "
        "also has an `alt+` key and is in the command palette (`ctrl+p`).\n"
    )


def _rows(screen: Screen, bindings: Sequence[Binding | tuple[str, ...]]) -> str:
    rows: dict[tuple[str, str, str], list[str]] = {}
    for binding in bindings:
        if not isinstance(binding, Binding) or not binding.description:
            continue
        action = binding.action.split("(")[0]
        keys = rows.setdefault((action, binding.description, binding.tooltip), [])
        keys.extend(
            f"`{screen.app.get_key_display(Binding(key.strip(), ''))}`"
            for key in binding.key.split(",")
        )
    return "\n".join(
        f"| {' or '.join(keys)} | {description} | {tooltip} |"
        for (_, description, tooltip), keys in rows.items()
    )
