"""Explain torch's warnings about silent bugs while the learner's code runs.

`F.mse_loss(pred, y)` with shapes (N, 1) and (N,) only warns, then trains on a
broadcast (N, N) loss; reading `.grad` of a non-leaf only warns, then is None. Python
still prints the warning as it would; we add a sentence naming the learner's tensors,
shown prominently after the run. Only warnings Python actually shows reach us (the
default filter shows each once per line), so a training loop costs one explanation.
"""

from __future__ import annotations

import ast
import re
import sys
import warnings
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from typing import Any

from tutor.feedback.describe import broadcast_shape, code, is_tensor, shape, tensors
from tutor.feedback.explain import explain_scene
from tutor.feedback.messages import say
from tutor.feedback.rules import rule
from tutor.feedback.scene import Scene, from_stack

WATCHED = re.compile(
    r"that is different to the input size|grad attribute of a Tensor that is not a leaf"
)
LIMIT = 5
"""Explained warnings per run: enough for every distinct mistake, bounded for loops."""


@contextmanager
def watch(files: Collection[str]) -> Iterator[list[str]]:
    """While active, explain watched warnings raised from `files`; yields the notes."""
    notes: list[str] = []
    shown = warnings.showwarning

    def show(message: Any, category: Any, filename: str, lineno: int, *rest: Any) -> None:
        shown(message, category, filename, lineno, *rest)
        text = str(message)
        if len(notes) >= LIMIT or not WATCHED.search(text):
            return
        try:
            scene = from_stack(text, sys._getframe(1), files)
            found = "" if scene is None else explain_scene(scene, "UserWarning")
        except Exception:  # noqa: BLE001 - a note is a bonus, never a new failure
            found = ""
        if found and found not in notes:
            notes.append(found)

    warnings.showwarning = show
    try:
        yield notes
    finally:
        warnings.showwarning = shown


@rule(r"that is different to the input size", "UserWarning")
def mse_broadcast(scene: Scene, match: re.Match[str]) -> str | None:
    for call in scene.calls():
        found = tensors(scene, call.args[:2])
        if len(found) != 2:
            continue
        (pred, p), (target, t) = found
        together = broadcast_shape(p.shape, t.shape)
        if p.shape == t.shape or together is None or together == tuple(p.shape):
            continue
        if p.dim() == 2 and p.shape[1] == 1 and t.dim() == 1:
            fix = f"{code(pred)}.squeeze(1)"
        elif t.dim() == 2 and t.shape[1] == 1 and p.dim() == 1:
            fix = f"{code(target)}.squeeze(1)"
        else:
            fix = f"{code(target)}.view_as({code(pred)})"
        return say(
            "mse_broadcast",
            line=scene.line,
            call=scene.text(call),
            pred=pred,
            target=target,
            sp=shape(p),
            st=shape(t),
            sb=str(together),
            fix=fix,
        )
    return None


@rule(r"grad attribute of a Tensor that is not a leaf", "UserWarning")
def nonleaf_grad(scene: Scene, match: re.Match[str]) -> str | None:
    if scene.statement is None:
        return None
    for node in ast.walk(scene.statement):
        if isinstance(node, ast.Attribute) and node.attr == "grad":
            value = scene.value(node.value)
            if is_tensor(value) and not value.is_leaf:
                return say(
                    "nonleaf_grad",
                    line=scene.line,
                    tensor=scene.text(node.value),
                    function=type(value.grad_fn).__name__,
                )
    return None
