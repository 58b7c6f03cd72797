"""Messages the screens send the app, kept apart so the app can handle them without
importing the screens that send them (the lesson screen is imported on first use)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from tutor.lessons.model import Step


class ProgressChanged(Message):
    """An exercise was passed: whoever shows overall progress should recount it."""


@dataclass
class BackToLessons(Message):
    """The learner left the lesson screen for the lesson list, from `step`."""

    step: Step


@dataclass
class StepChosen(Message):
    """The learner asked to open `step` in the lesson screen."""

    step: Step
