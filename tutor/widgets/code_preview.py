"""The learner's code as plain text, in the editor's place until the editor is up.

The editor (Textual's TextArea, its document model and tree-sitter) is about a tenth
of the lesson screen's start, so the screen's first frame shows the code as text and
the editor replaces it right after (see `LessonScreen.editor_up`). A key pressed
before that brings the editor at once and is handed to it: nothing typed is lost.
"""

from __future__ import annotations

from textual import events
from textual.message import Message
from textual.widgets import Static

from tutor.widgets.plain import plain


class CodePreview(Static, can_focus=True):
    """Numbered lines as the editor shows them, without colours or a cursor."""

    DEFAULT_CSS = """
    CodePreview {
        border: tall $border-blurred;
        padding: 0 1 0 0;
        background: $surface;
    }
    CodePreview:focus {
        border: tall $border;
    }
    """

    class Wanted(Message):
        """The learner needs the editor now: `key` was pressed (None: a click)."""

        def __init__(self, key: events.Key | None) -> None:
            super().__init__()
            self.key = key

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._text = ""

    @property
    def text(self) -> str:
        return self._text

    def load_text(self, text: str) -> None:
        self._text = text
        lines = text.split("\n")
        width = len(str(len(lines)))
        numbered = "\n".join(f" {number:>{width}}  {line}" for number, line in enumerate(lines, 1))
        self.update(plain(numbered, len(numbered)))

    def on_key(self, event: events.Key) -> None:
        event.stop()
        event.prevent_default()
        self.post_message(self.Wanted(event))

    def on_click(self) -> None:
        self.post_message(self.Wanted(None))
