"""The learner's program output, streamed in, shown exactly as text.

Output is untrusted: a snippet can print terminal control sequences or Rich markup.
Every chunk becomes a plain `Text` with control characters made visible, so nothing
a learner prints can restyle, move the cursor in, or clear the app.
"""

from __future__ import annotations

import re

from rich.text import Text
from textual.widgets import RichLog

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def literal(text: str) -> str:
    """`text` with control characters shown as escapes (ESC becomes `\\x1b`), tabs expanded."""
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text.expandtabs(4))


class OutputLog(RichLog):
    """stdout in the normal colour, stderr marked; partial lines wait for their newline."""

    DEFAULT_CSS = """
    OutputLog {
        background: $surface;
        padding: 0 1;
    }
    OutputLog .output--stderr {
        color: $text-error;
        text-style: italic;
    }
    OutputLog .output--note {
        color: $text-muted;
        text-style: italic;
    }
    """

    COMPONENT_CLASSES = {"output--stderr", "output--note"}

    def __init__(
        self,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(
            max_lines=10_000,
            wrap=True,
            markup=False,
            highlight=False,
            name=name,
            id=id,
            classes=classes,
        )
        self._pending: dict[str, str] = {}

    def append(self, stream: str, text: str) -> None:
        """Add output as it arrives; a line is written once its newline has come."""
        buffered = self._pending.pop(stream, "") + text
        *lines, rest = buffered.split("\n")
        for line in lines:
            self._write_line(stream, line)
        if rest:
            self._pending[stream] = rest

    def flush(self) -> None:
        """Write what is left without a newline (a run ended mid-line)."""
        for stream, rest in list(self._pending.items()):
            self._write_line(stream, rest)
        self._pending.clear()

    def note(self, text: str) -> None:
        """A line from tutor itself, such as "interrupted", styled apart from the program's."""
        self.flush()
        self.write(Text(text, style=self.get_component_rich_style("output--note")))

    def clear(self) -> OutputLog:
        self._pending.clear()
        super().clear()
        return self

    def _write_line(self, stream: str, line: str) -> None:
        style = self.get_component_rich_style("output--stderr") if stream == "stderr" else ""
        self.write(Text(literal(line), style=style))
