"""Autograd errors: backward twice or without grad, in-place leaves, numpy/item/truth value."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from typing import Any

from tutor.feedback.describe import code, is_module, is_tensor, names, shape, tensors
from tutor.feedback.messages import say
from tutor.feedback.rules import rule
from tutor.feedback.scene import MISSING, Scene


def _backward_receiver(scene: Scene) -> tuple[str, Any] | None:
    for call in scene.calls():
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr == "backward":
            value = scene.value(func.value)
            if is_tensor(value):
                return scene.text(func.value), value
    return None


@rule(r"backward through the graph a second time")
def backward_twice(scene: Scene, match: re.Match[str]) -> str | None:
    found = _backward_receiver(scene)
    if found is None:
        return None
    loss, _ = found
    loop = _enclosing_loop(scene)
    if loop is not None:
        assigned = {n.id for n in ast.walk(loop) if isinstance(n, ast.Name) and _stored(n)}
        for node in ast.walk(loop):
            if isinstance(node, ast.Name) and not _stored(node) and node.id not in assigned:
                value = scene.scope.get(node.id)
                if is_tensor(value) and value.grad_fn is not None:
                    return say("backward_twice_outside", loss=loss, name=node.id, loop=loop.lineno)
    return say("backward_twice", loss=loss)


def _stored(node: ast.Name) -> bool:
    return isinstance(node.ctx, ast.Store)


def _enclosing_loop(scene: Scene) -> ast.For | ast.While | None:
    line = scene.line
    return scene.last(
        lambda node: (
            isinstance(node, (ast.For, ast.While)) and node.lineno <= line <= (node.end_lineno or 0)
        )
    )


@rule(r"does not require grad and does not have a grad_fn")
def without_grad(scene: Scene, match: re.Match[str]) -> str | None:
    import torch

    found = _backward_receiver(scene)
    if found is None or found[1].requires_grad:
        return None
    loss, _ = found
    assignment = _last_assignment(scene, loss, scene.line)
    if assignment is not None:
        block = _no_grad_block(scene, assignment)
        if block is not None:
            return say("no_grad_block", loss=loss, line=block.lineno)
        sources = list(_sources(scene, assignment.value, depth=3))
        tracked = [name for name, value in sources if _requires_grad(value)]
        if tracked:
            return say("no_grad_cut", loss=loss, source=tracked[0])
        leaves = [
            name
            for name, value in sources
            if isinstance(value, torch.Tensor) and value.is_floating_point()
        ]
        if leaves:
            return say("no_grad_leaves", loss=loss, sources=names(leaves))
    return say("no_grad", loss=loss)


def _last_assignment(scene: Scene, name: str, before: int) -> ast.Assign | None:
    return scene.last(lambda node: _assigns(node, name) and node.lineno < before)


def _assigns(node: ast.AST, name: str) -> bool:
    """`node` is an assignment `name = ...`."""
    return isinstance(node, ast.Assign) and any(
        isinstance(target, ast.Name) and target.id == name for target in node.targets
    )


def _no_grad_block(scene: Scene, statement: ast.stmt) -> ast.With | None:
    assert scene.tree is not None
    for node in ast.walk(scene.tree):
        if isinstance(node, ast.With) and node.lineno < statement.lineno <= (node.end_lineno or 0):
            for item in node.items:
                if "no_grad" in scene.text(item.context_expr) or "inference_mode" in scene.text(
                    item.context_expr
                ):
                    return node
    return None


def _sources(scene: Scene, expression: ast.expr, depth: int) -> Iterator[tuple[str, Any]]:
    """The variables `expression` is computed from, following their assignments back."""
    seen: set[str] = set()
    for node in ast.walk(expression):
        if not isinstance(node, ast.Name) or node.id in seen:
            continue
        seen.add(node.id)
        value = scene.scope.get(node.id)
        if is_module(value):
            yield node.id, value
        elif is_tensor(value):
            earlier = _last_assignment(scene, node.id, expression.lineno)
            if depth > 0 and earlier is not None and _uses_tensors(scene, earlier.value, node.id):
                yield from _sources(scene, earlier.value, depth - 1)
            else:
                yield node.id, value


def _uses_tensors(scene: Scene, expression: ast.expr, own: str) -> bool:
    """Whether `expression` computes from other tensor variables (so it is not a source)."""
    return any(
        isinstance(node, ast.Name) and node.id != own and is_tensor(scene.scope.get(node.id))
        for node in ast.walk(expression)
    )


def _requires_grad(value: Any) -> bool:
    if is_module(value):
        return any(p.requires_grad for p in value.parameters())
    return bool(is_tensor(value) and value.requires_grad)


@rule(r"leaf Variable that requires grad is being used in an in-place operation")
def inplace(scene: Scene, match: re.Match[str]) -> str | None:
    statement = scene.statement
    target: ast.expr | None = None
    if isinstance(statement, ast.AugAssign):
        target = statement.target
        if isinstance(target, ast.Subscript):
            target = target.value
    elif isinstance(statement, ast.Assign) and isinstance(statement.targets[0], ast.Subscript):
        target = statement.targets[0].value
    else:
        for call in scene.calls():
            if isinstance(call.func, ast.Attribute) and call.func.attr.endswith("_"):
                target = call.func.value
                break
    if target is None or statement is None:
        return None
    value = scene.value(_load(target))
    if not (is_tensor(value) and value.is_leaf and value.requires_grad):
        return None
    text = scene.text(target)
    key = "inplace_update" if ".grad" in scene.text(statement) else "inplace"
    return say(key, tensor=text, code=scene.text(statement))


def _load(node: ast.expr) -> ast.expr:
    """A copy of an assignment target that can be evaluated (Store -> Load)."""
    copy = ast.parse(ast.unparse(node), mode="eval").body
    return copy


@rule(r"Can't call numpy\(\) on Tensor that requires grad")
def numpy_grad(scene: Scene, match: re.Match[str]) -> str | None:
    for call in scene.calls():
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr == "numpy":
            value = scene.value(func.value)
            if is_tensor(value) and value.requires_grad:
                text = scene.text(func.value)
                return say("numpy", tensor=text, tensor_code=code(text))
        for text, value in tensors(scene, call.args):
            if value.requires_grad:
                return say("numpy_call", call=scene.text(call), tensor=text, tensor_code=code(text))
    return None


@rule(r"a Tensor with (\d+) elements cannot be converted to Scalar|only one element tensors")
def item(scene: Scene, match: re.Match[str]) -> str | None:
    for call in scene.calls():
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr == "item":
            candidates = [func.value]
        elif isinstance(func, ast.Name) and func.id in ("float", "int", "bool", "complex"):
            candidates = list(call.args[:1])
        else:
            continue
        for text, value in tensors(scene, candidates):
            if value.numel() != 1:
                return say(
                    "item",
                    tensor=text,
                    tensor_code=code(text),
                    count=value.numel(),
                    shape=shape(value),
                    call=scene.text(call),
                )
    return None


@rule(r"Boolean value of Tensor with more than one (value|element) is ambiguous")
def truth(scene: Scene, match: re.Match[str]) -> str | None:
    start = scene.start
    candidates: list[ast.AST] = [] if start is None else [start]
    if scene.statement is not None:
        candidates += [
            n for n in ast.walk(scene.statement) if isinstance(n, ast.expr) and n is not start
        ]
    for node in candidates:
        if isinstance(node, ast.stmt):
            continue
        value = scene.value(node)
        if is_tensor(value) and value.numel() > 1:
            text = scene.text(node)
            return say(
                "truth",
                expr=text,
                expr_code=code(text),
                count=value.numel(),
                shape=shape(value),
            )
    return None


@rule(r"'NoneType' object has no attribute|'NoneType'", "AttributeError", "TypeError")
def grad_is_none(scene: Scene, match: re.Match[str]) -> str | None:
    """`x.grad.zero_()` or `x -= lr * x.grad` when `x.grad` is None, and why it is."""
    if scene.statement is None:
        return None
    for node in ast.walk(scene.statement):
        if not (isinstance(node, ast.Attribute) and node.attr == "grad"):
            continue
        owner = scene.value(node.value, MISSING)
        if not is_tensor(owner) or owner.grad is not None:
            continue
        text = scene.text(node.value)
        if owner.grad_fn is not None:
            return say("grad_none_nonleaf", tensor=text, function=type(owner.grad_fn).__name__)
        if owner.requires_grad:
            return say("grad_none_no_backward", tensor=text)
        replaced = _reassigned_from_itself(scene, text)
        if replaced is not None:
            return say(
                "grad_none_replaced",
                tensor=text,
                line=replaced.lineno,
                code=scene.text(replaced),
            )
        return say("grad_none_untracked", tensor=text)
    return None


def _reassigned_from_itself(scene: Scene, name: str) -> ast.Assign | None:
    """The last `name = ... name ...` in the code: a rebinding that made a new tensor."""
    return scene.last(
        lambda node: (
            _assigns(node, name)
            and any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(node.value))
        )
    )


@rule(r"grad can be implicitly created only for scalar outputs")
def backward_not_scalar(scene: Scene, match: re.Match[str]) -> str | None:
    found = _backward_receiver(scene)
    if found is None or found[1].numel() == 1:
        return None
    loss, value = found
    return say(
        "backward_not_scalar",
        loss=loss,
        loss_code=code(loss),
        shape=shape(value),
        count=value.numel(),
    )


@rule(
    r"is not iterable|params argument given to the optimizer|can't optimize a non-leaf",
    "TypeError",
    "ValueError",
)
def optimizer_parameters(scene: Scene, match: re.Match[str]) -> str | None:
    """`SGD(model.parameters)`, `SGD(model)`, `SGD(x)`, `SGD([x * 2])`."""
    import torch

    for call in scene.calls():
        cls = scene.value(call.func)
        if not (isinstance(cls, type) and issubclass(cls, torch.optim.Optimizer)):
            continue
        node = call.args[0] if call.args else None
        for keyword in call.keywords:
            if keyword.arg == "params":
                node = keyword.value
        if node is None:
            return None
        value, text = scene.value(node, MISSING), scene.text(node)
        if is_module(value):
            return say("optimizer_module", arg=text)
        if is_tensor(value):
            return say("optimizer_tensor", arg=text)
        if callable(value) and isinstance(getattr(value, "__self__", None), torch.nn.Module):
            return say("optimizer_method", arg=text)
        items = node.elts if isinstance(node, (ast.List, ast.Tuple)) else []
        for item in items:
            tensor = scene.value(item)
            if is_tensor(tensor) and tensor.grad_fn is not None:
                function = type(tensor.grad_fn).__name__
                return say("optimizer_nonleaf", arg=scene.text(item), function=function)
    return None
