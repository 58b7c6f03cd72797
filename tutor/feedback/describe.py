"""How the explainer names and describes the learner's values.

Names come from the learner's own code (the text of an operand) or, for a layer
found in torch's frames, from the learner's namespace (`model.fc1`, `model[0]`).
Descriptions use the same words as the variables panel: shape `(8, 12)`, `float32`,
`cuda:0`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from tutor.feedback.scene import Scene
from tutor.i18n import and_list


def is_tensor(value: Any) -> bool:
    import torch

    return isinstance(value, torch.Tensor)


def is_module(value: Any) -> bool:
    import torch

    return isinstance(value, torch.nn.Module)


def shape(tensor: Any) -> str:
    return str(tuple(tensor.shape))


def dtype(tensor: Any) -> str:
    return str(tensor.dtype).removeprefix("torch.")


def device(tensor: Any) -> str:
    return str(tensor.device)


def broadcast_shape(x: Sequence[int], y: Sequence[int]) -> tuple[int, ...] | None:
    """The broadcast of two shapes, or None when they do not broadcast.

    Plain arithmetic on purpose: torch's own helpers import sympy (~2 s) on first use,
    and an explanation must stay under ~50 ms.
    """
    result = []
    for index in range(1, max(len(x), len(y)) + 1):
        p = x[-index] if index <= len(x) else 1
        q = y[-index] if index <= len(y) else 1
        if p != q and 1 not in (p, q):
            return None
        result.append(max(p, q) if 0 not in (p, q) else 0)
    return tuple(reversed(result))


def code(text: str) -> str:
    """`text` as an operand in new code: parenthesised unless it is a plain name or chain."""
    try:
        node = ast.parse(text, mode="eval").body
    except SyntaxError:
        return f"({text})"
    simple = (ast.Name, ast.Attribute, ast.Subscript, ast.Call, ast.Constant, ast.List)
    return text if isinstance(node, simple) else f"({text})"


def names(items: Iterable[str]) -> str:
    """`a`, `b` and `c`: a list of code names, the one list form the templates accept."""
    return and_list([f"`{item}`" for item in items])


def tensors(scene: Scene, nodes: Iterable[ast.AST]) -> list[tuple[str, Any]]:
    """(text, tensor) for each node whose value is a tensor; lists and tuples are opened."""
    found = []
    for node in nodes:
        value = scene.value(node)
        if is_tensor(value):
            found.append((scene.text(node), value))
        elif isinstance(node, (ast.List, ast.Tuple)):
            found.extend(tensors(scene, node.elts))
    return found


def name_of(scene: Scene, target: Any) -> str | None:
    """What the learner calls `target`: an expression on the failing line, else a variable."""
    if target is None:
        return None
    if scene.statement is not None:
        for node in ast.walk(scene.statement):
            if isinstance(node, (ast.Name, ast.Attribute, ast.Subscript)) and not isinstance(
                getattr(node, "ctx", None), ast.Store
            ):
                if scene.value(node) is target:
                    return scene.text(node)
    return path_in(scene, target)


def path_in(scene: Scene, target: Any) -> str | None:
    """A variable holding `target`, or the path to it inside a module (`model.fc1`, `model[0]`)."""
    import torch

    for name, value in _variables(scene):
        if value is target:
            return name
    if not isinstance(target, torch.nn.Module):
        return None
    for name, value in _variables(scene):
        if isinstance(value, torch.nn.Module) and value is not target:
            for path, module in value.named_modules():
                if module is target and path:
                    return name + "".join(
                        f"[{part}]" if part.isdigit() else f".{part}" for part in path.split(".")
                    )
    return None


def _variables(scene: Scene) -> Iterator[tuple[str, Any]]:
    seen = set()
    for name, value in scene.scope.items():
        if name.startswith("_") or name in seen:
            continue
        seen.add(name)
        yield name, value


def layer_name(module: Any) -> str:
    """`nn.Linear`, `nn.MSELoss`: how the lessons write a built-in layer's class."""
    cls = type(module) if not isinstance(module, type) else module
    if cls.__module__.startswith("torch.nn"):
        return f"nn.{cls.__name__}"
    if cls.__module__.startswith("torch.optim"):
        return f"torch.optim.{cls.__name__}"
    return cls.__name__


def called_with(scene: Scene, target: Any) -> ast.Call | None:
    """The call on the failing line whose callee is `target` (e.g. `self.fc1(x)`)."""
    for call in scene.calls():
        if scene.value(call.func) is target:
            return call
    return None


def argument(call: ast.Call | None, index: int, keyword: str) -> ast.expr | None:
    if call is None:
        return None
    if len(call.args) > index and not isinstance(call.args[index], ast.Starred):
        return call.args[index]
    for item in call.keywords:
        if item.arg == keyword:
            return item.value
    return None


def inner_call(scene: Scene, kind: type) -> tuple[Any, Any]:
    """The innermost `self` of type `kind` in torch's frames and its first argument."""
    for frame in reversed(scene.inner):
        module = frame.f_locals.get("self")
        if isinstance(module, kind):
            code_object = frame.f_code
            first = code_object.co_varnames[1] if code_object.co_argcount > 1 else None
            return module, frame.f_locals.get(first) if first else None
    return None, None


def layer_names(scene: Scene, layer: Any, received: Any) -> tuple[str | None, str | None]:
    """The learner's names for a layer found in torch's frames and for the input it got."""
    return name_of(scene, layer), input_name(scene, called_with(scene, layer), received)


def input_name(scene: Scene, call: ast.Call | None, value: Any) -> str | None:
    """The learner's name for a layer's input: the call's argument, or a variable holding it."""
    node = argument(call, 0, "input")
    if node is not None:
        given = scene.value(node)
        if given is value or (isinstance(value, (list, tuple)) and given == value):
            return scene.text(node)
    return name_of(scene, value)
