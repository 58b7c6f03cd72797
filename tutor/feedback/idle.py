"""Find lines that do nothing: a result thrown away, or a method named but not called.

`x.to(device)` on its own line works on a CPU-only laptop and crashes on the GPU
server; `optimizer.zero_grad` without `()` silently keeps adding gradients. Both are
visible in the code alone, so this pass reads the learner's code with `ast` before it
runs (no torch). A few methods are in-place on modules but return copies for tensors
(`model.to(device)` is right, `x.to(device)` is not): those are kept as candidates and
confirmed against the namespace after the run, and dropped when unsure.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tutor.feedback.messages import say

MODULE_TOO = frozenset("to cuda cpu float double half bfloat16 type".split())
"""Copies for tensors, but in place (and returning self) for nn.Module."""
TENSOR_COPIES = frozenset(
    (
        "reshape view view_as reshape_as squeeze unsqueeze t transpose permute flatten "
        "contiguous detach clone long int bool expand expand_as"
    ).split()
)
"""Methods that always return a new tensor and change nothing."""
TENSOR_RESULTS = frozenset(
    (
        "add sub mul div pow clamp abs exp log sqrt sigmoid tanh relu softmax log_softmax "
        "matmul mm sum mean max min argmax numpy tolist item"
    ).split()
)
"""Pure on tensors, but the same names mutate other objects (`a_set.add(x)`): confirmed."""
NEEDS_CALL = frozenset(
    (
        "zero_ zero_grad eval train step backward item numpy detach cuda cpu float "
        "requires_grad_ retain_grad is_available manual_seed"
    ).split()
)
"""Methods that are useless, or silently wrong, when named without `()`."""
TORCH_PREFIXES = ("torch.", "F.", "nn.functional.", "torch.nn.functional.")
TORCH_PURE = frozenset(
    (
        "cat stack hstack vstack reshape flatten squeeze unsqueeze transpose permute matmul "
        "mm bmm add mul sub div relu sigmoid tanh softmax log_softmax mse_loss cross_entropy "
        "zeros ones zeros_like ones_like tensor from_numpy is_available"
    ).split()
)


@dataclass(frozen=True)
class Idle:
    """A line that seems to do nothing, waiting for the namespace to confirm it if needed."""

    line: int
    message: str
    receiver: str | None = None
    """The receiver's code when the warning holds only if it is a tensor (or an array)."""
    unsure: bool = False
    """With an unknown receiver, say nothing."""


def find(source: str) -> list[Idle]:
    """Candidates in `source`, in line order; [] for code that does not parse."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    last = tree.body[-1] if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    found: list[Idle] = []
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr):
            found += _statement(source, node, displayed=node is last)
        elif (
            isinstance(node, ast.Attribute)
            and node.attr == "is_available"
            and id(node) not in called
            and not _is_statement_value(tree, node)
        ):
            code = _text(source, node)
            found.append(Idle(node.lineno, say("function_as_value", line=node.lineno, code=code)))
    return sorted(found, key=lambda idle: idle.line)


def _is_statement_value(tree: ast.AST, node: ast.AST) -> bool:
    return any(isinstance(s, ast.Expr) and s.value is node for s in ast.walk(tree))


def _text(source: str, node: ast.AST) -> str:
    """The learner's own spelling of `node` (quotes and spacing kept), on one line."""
    return " ".join((ast.get_source_segment(source, node) or ast.unparse(node)).split())


def _statement(source: str, statement: ast.Expr, displayed: bool) -> list[Idle]:
    """A line whose whole value is dropped. The final line of a run is displayed: skip it."""
    value, line = statement.value, statement.lineno
    if isinstance(value, ast.Attribute) and value.attr in NEEDS_CALL:
        return [Idle(line, say("not_called", line=line, code=_text(source, value)))]
    if displayed:
        return []
    if isinstance(value, ast.Compare) and isinstance(value.ops[0], ast.Eq):
        return [Idle(line, say("comparison_discarded", line=line, code=_text(source, value)))]
    if not isinstance(value, ast.Call):
        return []
    func, text = value.func, _text(source, value)
    if isinstance(func, ast.Attribute):
        dotted = _text(source, func)
        if dotted.startswith(TORCH_PREFIXES) and func.attr in TORCH_PURE:
            return [Idle(line, say("discarded_result", line=line, code=text))]
        receiver = _text(source, func.value)
        assignable = isinstance(func.value, (ast.Name, ast.Attribute, ast.Subscript))
        if func.attr in MODULE_TOO | TENSOR_COPIES and assignable:
            message = say("discarded_copy", line=line, code=text, target=receiver)
            return [Idle(line, message, receiver, unsure=func.attr not in TENSOR_COPIES)]
        if func.attr in TENSOR_RESULTS:
            message = say("discarded_result", line=line, code=text)
            return [Idle(line, message, receiver, unsure=True)]
    return []


def confirm(found: Iterable[Idle], namespace: Mapping[str, Any]) -> list[str]:
    """The messages that still hold once the receivers' values are known."""
    messages = []
    for idle in found:
        if idle.receiver is not None:
            kind = _kind(_lookup(idle.receiver, namespace))
            if kind == "module" and idle.receiver is not None:
                continue
            if kind in ("other", "module") or (kind is None and idle.unsure):
                continue
        messages.append(idle.message)
    return messages


def _lookup(code: str, namespace: Mapping[str, Any]) -> Any:
    """The value of a `name` or `name.attr` chain, read from plain `__dict__`s only."""
    parts = code.split(".")
    if not all(part.isidentifier() for part in parts) or parts[0] not in namespace:
        return None
    value = namespace[parts[0]]
    for part in parts[1:]:
        attributes = getattr(value, "__dict__", None)
        if not isinstance(attributes, dict):
            return None
        value = attributes.get(part, attributes.get("_modules", {}).get(part))
        if value is None:
            return None
    return value


def _kind(value: Any) -> str | None:
    """ "tensor", "module", "other", or None when unknown; by class names, without torch."""
    if value is None:
        return None
    for cls in type(value).__mro__:
        module = cls.__module__ or ""
        if cls.__name__ == "Tensor" and module.startswith("torch"):
            return "tensor"
        if cls.__name__ == "Module" and module.startswith("torch.nn"):
            return "module"
        if cls.__name__ == "ndarray" and module.startswith("numpy"):
            return "tensor"
    return "other"
