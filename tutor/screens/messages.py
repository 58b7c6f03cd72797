"""Messages the screens send the app, kept apart so the app can handle them without
importing the screens that send them (the lesson screen is imported on first use)."""

from __future__ import annotations

from textual.message import Message


class ProgressChanged(Message):
    """An exercise was passed: whoever shows overall progress should recount it."""
