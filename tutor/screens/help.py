"""F1 / `?`: every key of the current screen with what it does."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen

from tutor.i18n import N_, _
from tutor.widgets.bindings import translate_bindings, translated
from tutor.widgets.prose import Prose


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

    BINDINGS = [Binding("escape,f1,q,question_mark", "app.pop_screen", N_("Close"))]

    def __init__(self, screen: Screen, editor: Sequence[Binding] = ()) -> None:
        """`editor`: the bindings of the screen's editor, listed in a section of their own."""
        super().__init__()
        translate_bindings(self)
        self.for_screen = screen
        self.editor = editor

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Prose(keys_markdown(self.for_screen, self.editor))


def keys_markdown(screen: Screen, editor: Sequence[Binding] = ()) -> str:
    """One row per action: keys that do the same thing (`f4` and `alt+c`) share a row."""
    table = _rows(screen, [*screen.BINDINGS, *screen.app.BINDINGS])
    header = "| {} | {} | |\n| --- | --- | --- |\n".format(_("key"), _("action"))
    palette = "| `ctrl+p` | {} | {} |".format(_("command palette"), _("every action, searchable"))
    text = "# {}\n\n{}{}\n{}\n\n".format(_("Keys"), header, table, palette)
    if editor:
        text += "## {}\n\n{}{}\n\n".format(_("In the editor"), header, _rows(screen, editor))
    return (
        text
        + _(
            "Function keys not reaching the app (some terminals, tmux setups)? Every action "
            "also has an `alt+` key and is in the command palette (`ctrl+p`)."
        )
        + "\n"
    )


def _rows(screen: Screen, bindings: Sequence[Binding | tuple[str, ...]]) -> str:
    rows: dict[tuple[str, str, str], list[str]] = {}
    for binding in bindings:
        if not isinstance(binding, Binding) or not binding.description:
            continue
        binding = translated(binding)
        action = binding.action.split("(")[0]
        keys = rows.setdefault((action, binding.description, binding.tooltip), [])
        keys.extend(
            f"`{screen.app.get_key_display(Binding(key.strip(), ''))}`"
            for key in binding.key.split(",")
        )
    return "\n".join(
        "| {} | {} | {} |".format(_(" or ").join(keys), description, tooltip)
        for (_action, description, tooltip), keys in rows.items()
    )
