"""The learner's Python editor: a TextArea that writes Python the way people expect.

Beginners type a loop line by line, so Enter keeps the indentation (one level more
after a `:`, one less after `return`/`pass`/...), Backspace in the indentation removes
a whole level, and Tab / shift+Tab move the selected lines. Undo, copy and selections
stay Textual's; every edit here is one `replace`, so one ctrl+z undoes it.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

from textual import events
from textual.binding import Binding
from textual.widgets import TextArea
from textual.widgets.text_area import Selection

from tutor.i18n import N_, _
from tutor.progress import atomic_write
from tutor.widgets.bindings import translate_bindings
from tutor.widgets.first_frame import after_first_frame
from tutor.widgets.plain import printable

DEDENTING = re.compile(r"(return|pass|break|continue|raise)\b")
"""A line starting with one of these ends its block: the next line goes one level out."""


def code_part(line: str) -> str:
    """`line` without its trailing `# comment` (a `#` inside a string literal stays)."""
    quote = ""
    index = 0
    while index < len(line):
        char = line[index]
        if quote:
            if char == "\\":
                index += 1
            elif line.startswith(quote, index):
                index += len(quote) - 1
                quote = ""
        elif char == "#":
            return line[:index].rstrip()
        elif char in "'\"":
            quote = char * 3 if line.startswith(char * 3, index) else char
            index += len(quote) - 1
        index += 1
    return line.rstrip()


def leading(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def next_indent(line: str, width: int) -> str:
    """The indentation a new line typed after `line` starts with."""
    indent = leading(line)
    code = code_part(line).strip()
    if code.endswith(":"):
        return indent + " " * width
    if DEDENTING.match(code):
        return indent[: max(len(indent) - width, 0)]
    return indent


def indent_lines(lines: list[str], width: int) -> list[str]:
    return [" " * width + line if line.strip() else line for line in lines]


def dedent_lines(lines: list[str], width: int) -> list[str]:
    """One level out; a line with less indentation than a level loses what it has."""
    out = []
    for line in lines:
        if line.startswith("\t"):
            out.append(line[1:])
        else:
            out.append(line[min(len(leading(line).expandtabs(width)), width, len(line)) :])
    return out


def toggle_comment(lines: list[str]) -> list[str]:
    """Comment the lines out at their common indentation, or uncomment them if all are."""
    code = [line for line in lines if line.strip()]
    if not code:
        return lines
    if all(line.lstrip().startswith("#") for line in code):
        return [re.sub(r"^(\s*)# ?", r"\1", line, count=1) for line in lines]
    column = min(len(leading(line)) for line in code)
    return [line[:column] + "# " + line[column:] if line.strip() else line for line in lines]


class CodeEditor(TextArea):
    """Line numbers, Python highlighting, no soft wrap (indentation must stay readable)."""

    BINDINGS = [
        Binding("tab", "indent", N_("Indent"), show=False, tooltip=N_("Indent the selected lines")),
        Binding(
            "shift+tab", "dedent", N_("Dedent"), show=False, tooltip=N_("Dedent the selected lines")
        ),
        Binding(
            "ctrl+underscore,ctrl+slash",
            "toggle_comment",
            N_("Comment"),
            show=False,
            tooltip=N_("Comment out the selected lines, or back in"),
        ),
        Binding(
            "ctrl+a", "select_all", N_("Select all"), show=False, tooltip=N_("Select all the code")
        ),
        Binding(
            "ctrl+home",
            "document_start",
            N_("Start"),
            show=False,
            tooltip=N_("Go to the first line"),
        ),
        Binding(
            "ctrl+end", "document_end", N_("End"), show=False, tooltip=N_("Go to the last line")
        ),
        Binding("ctrl+shift+home", "document_start(True)", show=False),
        Binding("ctrl+shift+end", "document_end(True)", show=False),
        Binding("ctrl+z", "undo", N_("Undo"), show=False, tooltip=N_("Undo the last edit")),
        Binding("ctrl+y", "redo", N_("Redo"), show=False, tooltip=N_("Redo what was undone")),
        Binding(
            "ctrl+x", "cut", N_("Cut"), show=False, tooltip=N_("Cut the selection or the line")
        ),
        Binding(
            "ctrl+c",
            "copy",
            N_("Copy"),
            show=False,
            tooltip=N_("Copy the selection (no code runs)"),
        ),
        Binding("ctrl+v", "paste", N_("Paste"), show=False, tooltip=N_("Paste")),
    ]

    def __init__(
        self,
        text: str = "",
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(
            text,
            language=None,
            theme="monokai",
            soft_wrap=False,
            tab_behavior="indent",
            show_line_numbers=True,
            name=name,
            id=id,
            classes=classes,
        )
        translate_bindings(self)

    def on_mount(self) -> None:
        # Highlighting costs a tree-sitter query build (~0.1-0.3 s of CPU): after the first
        # paint, and only once, as `load_text` below keeps the document and its query.
        after_first_frame(self, self._highlight)

    def _highlight(self) -> None:
        """Python colours, keeping what was typed meanwhile and where the cursor is."""
        selection, scroll = self.selection, self.scroll_offset
        self.language = "python"
        self.selection = selection
        self.scroll_to(scroll.x, scroll.y, animate=False)

    def load_text(self, text: str) -> None:
        """Show `text` with an empty undo history and the cursor on line 1.

        TextArea's own `load_text` builds a new document, and with it the highlight
        query again, on every step shown; replacing the text keeps both.
        """
        self.replace(text, (0, 0), self.document.end, maintain_selection_offset=False)
        self.history.clear()
        self.move_cursor((0, 0))

    async def _on_key(self, event: events.Key) -> None:
        """Enter starts the new line at the indentation Python expects there.

        Tab is handled here too: TextArea takes it as a key before bindings see it.
        """
        if self.read_only or event.key not in ("enter", "tab"):
            await super()._on_key(event)
            return
        event.stop()
        event.prevent_default()
        self._restart_blink()
        if event.key == "tab":
            self.action_indent()
            return
        start, end = self.selection
        row, column = self.cursor_location
        before = self.document[row][:column]
        self._replace_via_keyboard("\n" + next_indent(before, self.indent_width), start, end)

    def edit_externally(self, path: Path) -> bool:
        """The code through `path` in $VISUAL/$EDITOR, the app suspended meanwhile.

        False (and a notice) when the editor could not be opened: the code stays as it was.
        """
        import shlex

        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
        atomic_write(path, self.text)
        try:
            with self.app.suspend():
                subprocess.run([*shlex.split(editor), str(path)], check=False)
        except Exception as error:  # noqa: BLE001 - suspend is unsupported in some terminals
            message = _("Could not open {editor}: {error}").format(editor=editor, error=error)
            self.notify(printable(message), severity="error", markup=False)
            return False
        self.set_code(path.read_text(encoding="utf-8"))
        return True

    def set_code(self, text: str) -> None:
        """Replace all the code as one undoable edit, the cursor staying where it was.

        For code coming back from `$EDITOR` or an earlier attempt: `load_text` would
        clear the undo history and send the cursor to line 1.
        """
        row, column = self.cursor_location
        self.replace(text, (0, 0), self.document.end, maintain_selection_offset=False)
        row = min(row, self.document.line_count - 1)
        self.move_cursor((row, min(column, len(self.document[row]))))

    def action_indent(self) -> None:
        """Tab: spaces to the next tab stop, or, with lines selected, indent them all."""
        start, end = self.selection
        if start[0] == end[0]:
            spaces = " " * self._find_columns_to_next_tab_stop()
            self._replace_via_keyboard(spaces, start, end)
        else:
            self._change_lines(lambda lines: indent_lines(lines, self.indent_width))

    def action_delete_left(self) -> None:
        """In the indentation, Backspace goes back one level, not one space."""
        row, column = self.cursor_location
        before = self.document[row][:column]
        if self.read_only or not self.selection.is_empty or not before or before.strip(" "):
            super().action_delete_left()
            return
        target = (column - 1) // self.indent_width * self.indent_width
        self._delete_via_keyboard((row, target), (row, column))

    def action_dedent(self) -> None:
        self._change_lines(lambda lines: dedent_lines(lines, self.indent_width))

    def action_toggle_comment(self) -> None:
        self._change_lines(toggle_comment)

    def action_document_start(self, select: bool = False) -> None:
        self.move_cursor((0, 0), select=select)

    def action_document_end(self, select: bool = False) -> None:
        self.move_cursor(self.document.end, select=select)

    def _change_lines(self, change: Callable[[list[str]], list[str]]) -> None:
        """Rewrite the lines the selection touches in one edit (one undo step)."""
        if self.read_only:
            return
        start, end = sorted(self.selection)
        had_selection = start != end
        first, last = start[0], end[0]
        if last > first and end[1] == 0:
            last -= 1  # a selection ending at a line's start does not include that line
        old = [self.document[row] for row in range(first, last + 1)]
        new = change(old)
        if new == old:
            return
        self.replace("\n".join(new), (first, 0), (last, len(old[-1])))
        if had_selection:
            self.selection = Selection((first, 0), (last, len(new[-1])))
        else:
            self.move_cursor((first, max(start[1] + len(new[0]) - len(old[0]), 0)))
