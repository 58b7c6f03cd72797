"""The learner's Python editor: a TextArea that writes Python the way people expect."""

from __future__ import annotations

from textual.widgets import TextArea


class CodeEditor(TextArea):
    """Line numbers, Python highlighting, no soft wrap (indentation must stay readable)."""

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
            language="python",
            theme="monokai",
            soft_wrap=False,
            tab_behavior="indent",
            show_line_numbers=True,
            name=name,
            id=id,
            classes=classes,
        )
