"""The error explainer: one or two plain sentences about why the learner's code failed.

Used by the worker (runs, checks, `tutor run`) and by the in-process `checks.attempt`,
so learners and the test corpus read the same words. It runs only after something
failed, and costs nothing otherwise.
"""

from __future__ import annotations

import warnings
from collections.abc import Collection
from typing import Any

from tutor.feedback import (  # noqa: F401 - they register rules
    autograd,
    convolution,
    kinds,
    saving,
    shapes,
    slips,
)
from tutor.feedback.rules import RULES
from tutor.feedback.scene import Scene, from_traceback
from tutor.i18n import _

QUIET = (KeyboardInterrupt, SystemExit, SyntaxError, MemoryError)
"""Failures the worker already words itself, or that have no learner line to look at."""


def explain(error: BaseException, files: Collection[str]) -> str:
    """Sentences about `error` naming the learner's variables, or "" when unsure.

    `files` are the filenames learner code was compiled under; frames elsewhere (torch,
    the lesson's hidden setup) are not the learner's lines.
    """
    if isinstance(error, QUIET):
        return ""
    try:
        scene = from_traceback(error, files)
        return "" if scene is None else explain_scene(scene, type(error).__name__)
    except Exception:  # noqa: BLE001 - an explainer bug must never cost the learner the run
        return ""


def explain_scene(scene: Scene, kind: str) -> str:
    """The first rule for `kind` (an exception or warning class name) confirmed by the values."""
    # Re-evaluating a loss would warn again. Changing the filters instead (catch_warnings)
    # would reset every "shown once" registry, and a training loop would warn each step.
    shown, warnings.showwarning = warnings.showwarning, _silent
    try:
        for entry in RULES:
            if entry.types and kind not in entry.types:
                continue
            match = entry.pattern.search(scene.message)
            if match is None:
                continue
            try:
                found = entry.rule(scene, match)
            except Exception:  # noqa: BLE001 - an odd value: this rule has nothing to say
                found = None
            if found:
                return found
    finally:
        warnings.showwarning = shown
    return ""


def _silent(*args: Any) -> None:
    """Warnings raised while re-evaluating the learner's line are not the learner's."""


def raised(summary: str, explanation: str) -> str:
    """The check verdict when the learner's code raised: the error, then why, in one place.

    `summary` is Python's or torch's own "Error: message", in English whatever the
    learner's language: translations quote it as code.
    """
    if explanation:
        return _("your code raised {error}. {explanation}").format(
            error=summary, explanation=explanation
        )
    return _("your code raised {error}").format(error=summary)


def checking_raised(summary: str) -> str:
    """The verdict when a check crashed on the learner's values (their object raised)."""
    return _("checking your code raised {error}").format(error=summary)
