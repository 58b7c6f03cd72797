"""Where in the learner's code something failed, and what the values there are.

A traceback (or, for a warning, the live stack) is cut at the learner's innermost frame:
its line is parsed and the failing sub-expression located, from the instruction's
column span where Python records it (3.11+) or by bottom-up evaluation otherwise. The
frames below it (torch's own Python code, e.g. `Linear.forward`) tell which layer was
running and with what input.
"""

from __future__ import annotations

import ast
import itertools
import linecache
from collections import ChainMap
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from types import FrameType, TracebackType
from typing import Any

from tutor.feedback.evaluate import Evaluator, children

MISSING = object()
"""A `Scene.value` default that tells "cannot be evaluated" apart from a value of None."""


@dataclass
class Scene:
    """The learner's frame at the moment of a failure (or warning), ready for questions."""

    message: str
    frame: FrameType
    lasti: int
    inner: list[FrameType] = field(default_factory=list)
    """Frames called from the learner's line, innermost last (torch's Python code)."""
    error: BaseException | None = None

    @cached_property
    def scope(self) -> ChainMap[str, Any]:
        frame = self.frame
        return ChainMap(frame.f_locals, frame.f_globals)

    @cached_property
    def source(self) -> str:
        return "".join(linecache.getlines(self.frame.f_code.co_filename))

    @cached_property
    def tree(self) -> ast.Module | None:
        try:
            return ast.parse(self.source)
        except (SyntaxError, ValueError):
            return None

    @cached_property
    def evaluator(self) -> Evaluator:
        return Evaluator(self.scope)

    @property
    def line(self) -> int:
        position = self._position
        return position[0] if position and position[0] else self.frame.f_lineno

    @cached_property
    def statement(self) -> ast.stmt | None:
        """The innermost statement on the failing line."""
        if self.tree is None:
            return None
        found = None
        for node in ast.walk(self.tree):
            if isinstance(node, ast.stmt) and node.lineno <= self.line <= (node.end_lineno or 0):
                if found is None or node.lineno >= found.lineno:
                    found = node
        return found

    @cached_property
    def start(self) -> ast.AST | None:
        """The expression the failing instruction belongs to, or the statement."""
        statement = self.statement
        position = self._position
        if statement is None or not position or None in position:
            return statement
        best = statement
        for node in ast.walk(statement):
            if not hasattr(node, "lineno"):
                continue
            span = (node.lineno, node.end_lineno, node.col_offset, node.end_col_offset)
            if span == position:
                best = node
        return best

    @cached_property
    def node(self) -> ast.AST | None:
        """The deepest sub-expression that fails again when re-evaluated (tensor-sensor's idea)."""
        start = self.start
        return None if start is None else self.evaluator.culprit(start)

    def text(self, node: ast.AST) -> str:
        segment = ast.get_source_segment(self.source, node) or ""
        return " ".join(segment.split())

    def value(self, node: ast.AST, default: Any = None) -> Any:
        return self.evaluator.known(node, default)

    def operands(self, node: ast.AST | None = None) -> list[ast.expr]:
        node = self.node if node is None else node
        if node is None:
            return []
        found = list(children(node))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            found = [node.func.value, *found[1:]]
        elif isinstance(node, ast.Call):
            found = found[1:]
        return found

    def calls(self) -> Iterator[ast.Call]:
        """Calls on the failing line, innermost (the likely culprit) first."""
        statement = self.statement
        if statement is None:
            return
        found = [n for n in ast.walk(statement) if isinstance(n, ast.Call)]
        node = self.node
        if isinstance(node, ast.Call) and node in found:
            found.remove(node)
            found.insert(0, node)
        yield from found

    def last(self, match: Callable[[Any], bool]) -> Any:
        """The node of the learner's code that `match` accepts and that starts on the latest
        line: the assignment a name last got, the innermost loop around a line."""
        found = None
        if self.tree is not None:
            for node in ast.walk(self.tree):
                if isinstance(node, ast.stmt) and match(node):
                    if found is None or node.lineno > found.lineno:
                        found = node
        return found

    def local(self, name: str, where: str = "") -> Any:
        """A local variable of the innermost inner frame (in a file ending with `where`)."""
        for frame in reversed(self.inner):
            if frame.f_code.co_filename.endswith(where) and name in frame.f_locals:
                return frame.f_locals[name]
        return None

    def inner_self(self, kind: type) -> Any:
        """The innermost `self` of type `kind` below the learner's frame (e.g. the layer)."""
        for frame in reversed(self.inner):
            value = frame.f_locals.get("self")
            if isinstance(value, kind):
                return value
        return None

    @cached_property
    def _position(self) -> tuple[int | None, int | None, int | None, int | None] | None:
        positions = getattr(self.frame.f_code, "co_positions", None)
        if positions is None or self.lasti < 0:
            return None
        return next(itertools.islice(positions(), self.lasti // 2, None), None)


def from_traceback(error: BaseException, files: Collection[str]) -> Scene | None:
    """The scene at the learner's innermost frame of `error`'s traceback, if any."""
    frames: list[tuple[FrameType, int]] = []
    tb: TracebackType | None = error.__traceback__
    while tb is not None:
        frames.append((tb.tb_frame, tb.tb_lasti))
        tb = tb.tb_next
    for index in range(len(frames) - 1, -1, -1):
        frame, lasti = frames[index]
        if frame.f_code.co_filename in files:
            inner = [f for f, _ in frames[index + 1 :]]
            return Scene(_message(error), frame, lasti, inner, error)
    return None


def from_stack(message: str, frame: FrameType | None, files: Collection[str]) -> Scene | None:
    """The scene at the learner's innermost frame of the live stack (for warnings)."""
    inner: list[FrameType] = []
    while frame is not None:
        if frame.f_code.co_filename in files:
            return Scene(message, frame, frame.f_lasti, inner[::-1])
        inner.append(frame)
        frame = frame.f_back
    return None


def _message(error: BaseException) -> str:
    return str(error.args[0]) if len(error.args) == 1 else str(error)
