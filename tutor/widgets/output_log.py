"""The learner's program output, streamed in, shown exactly as text.

Output is untrusted: a snippet can print terminal control sequences or Rich markup.
Every line becomes a plain `Text` with control characters made visible, so nothing
a learner prints can restyle, move the cursor in, or clear the app; a huge line is
drawn as its head and tail, so it cannot freeze the app either.
"""

from __future__ import annotations

import re
from collections import deque

from rich.text import Text
from textual import events
from textual.widgets import RichLog

from tutor.widgets.plain import LineBuffer, literal, plain

RANK_LABEL = re.compile(r"\[rank (\d+)\] ")
"""How the sandbox labels a line written by a spawned rank (see `tutor.sandbox.ranks`)."""
RANK_STYLES = ("bold cyan", "bold magenta", "bold green", "bold yellow", "bold blue", "bold red")
"""One colour per rank, so two ranks' lines are told apart at a glance."""


class OutputLog(RichLog):
    """stdout in the normal colour, stderr marked, rank labels coloured per rank; partial
    lines wait for their newline."""

    DEFAULT_CSS = """
    OutputLog {
        background: $surface;
        padding: 0 1;
        scrollbar-gutter: stable;
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
            min_width=20,
            wrap=True,
            markup=False,
            highlight=False,
            name=name,
            id=id,
            classes=classes,
        )
        self._pending: dict[str, LineBuffer] = {}
        self._texts: deque[Text] = deque(maxlen=self.max_lines)
        """Every line as text, to wrap again at a new width (RichLog keeps only wrapped rows)."""
        self._wrapped_at = 0

    def append(self, stream: str, text: str) -> None:
        """Add output as it arrives; a line is written once its newline has come."""
        *lines, rest = text.split("\n")
        for line in lines:
            pending = self._pending.pop(stream, LineBuffer())
            pending.add(line)
            self._write_line(stream, pending)
        if rest:
            self._pending.setdefault(stream, LineBuffer()).add(rest)

    def flush(self) -> None:
        """Write what is left without a newline (a run ended mid-line)."""
        for stream, rest in list(self._pending.items()):
            self._write_line(stream, rest)
        self._pending.clear()

    def note(self, text: str) -> None:
        """A line from tutor itself, such as "interrupted", styled apart from the program's."""
        self.flush()
        self._add(plain(text, style=self.get_component_rich_style("output--note")))

    def clear(self) -> OutputLog:
        self._pending.clear()
        self._texts.clear()
        super().clear()
        return self

    def on_resize(self, event: events.Resize) -> None:
        self._rewrap()

    def on_show(self, event: events.Show) -> None:
        """A tab shown again may keep its size, so no Resize comes: lines that arrived while
        the Plot tab was in front (a training run's) were drawn without a width."""
        self._rewrap()

    def _rewrap(self) -> None:
        """Wrap again at the pane's width: lines written while hidden or before a resize
        were wrapped at another width and would run past the edge or end short of it."""
        width = self.scrollable_content_region.width
        if self._texts and width and width != self._wrapped_at:
            super().clear()
            for text in self._texts:
                self.write(text, width=width)
        self._wrapped_at = width

    def _write_line(self, stream: str, line: LineBuffer) -> None:
        style = self.get_component_rich_style("output--stderr") if stream == "stderr" else ""
        text = Text(literal(line.text()), style=style)
        label = RANK_LABEL.match(text.plain)
        if label is not None:
            text.stylize(RANK_STYLES[int(label.group(1)) % len(RANK_STYLES)], 0, label.end())
        self._add(text)

    def _add(self, text: Text) -> None:
        """Wrapped at the pane's width (RichLog's own measure is capped at the terminal's)."""
        self._texts.append(text)
        width = self.scrollable_content_region.width
        if not width:
            self._wrapped_at = 0  # drawn at a guess: wrap it again once the pane has a width
        self.write(text, width=width or None)
