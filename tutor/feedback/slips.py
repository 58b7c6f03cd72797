"""Python slips torch learners make: a class for an instance, `with torch.no_grad:`, a
forward called with the wrong arguments, and the "did you mean" suggestions Python
prints for misspelt names but tutor's trimmed tracebacks lost."""

from __future__ import annotations

import ast
import builtins
import inspect
import re
from typing import Any

from tutor.feedback.describe import is_tensor, layer_name
from tutor.feedback.messages import say
from tutor.feedback.rules import rule
from tutor.feedback.scene import Scene
from tutor.feedback.suggest import closest


def _framework_class(value: Any) -> bool:
    import torch

    return isinstance(value, type) and issubclass(value, (torch.nn.Module, torch.optim.Optimizer))


@rule(r"", "TypeError", "AttributeError")
def class_not_instance(scene: Scene, match: re.Match[str]) -> str | None:
    """`model = nn.Linear` then `model(x)` or `model.parameters()`.

    Only when the evidence says so: the class is called with a tensor (data for a
    layer, not constructor arguments), or one of its methods was missing `self`.
    """
    if scene.statement is None:
        return None
    missing_self = "'self'" in scene.message or "type object" in scene.message
    for node in ast.walk(scene.statement):
        if isinstance(node, ast.Call):
            used = node.func
            evidence = any(is_tensor(scene.value(arg)) for arg in node.args)
        elif isinstance(node, ast.Attribute):
            used, evidence = node.value, missing_self
        else:
            continue
        if not isinstance(used, ast.Name) or not evidence:
            continue
        value = scene.value(used)
        if _framework_class(value) and used.id != value.__name__:
            return say("class_not_instance", name=used.id, cls=layer_name(value))
    return None


@rule(r"context manager protocol|__enter__", "TypeError", "AttributeError")
def context_class(scene: Scene, match: re.Match[str]) -> str | None:
    statement = scene.statement
    if not isinstance(statement, ast.With):
        return None
    for item in statement.items:
        value = scene.value(item.context_expr)
        if isinstance(value, type) and hasattr(value, "__enter__"):
            return say("context_class", expr=scene.text(item.context_expr))
    return None


@rule(r"forward\(\) (takes|missing|got an unexpected|got multiple)", "TypeError")
def forward_arguments(scene: Scene, match: re.Match[str]) -> str | None:
    import torch

    for call in scene.calls():
        module = scene.value(call.func)
        if not isinstance(module, torch.nn.Module):
            continue
        try:
            signature = inspect.signature(module.forward)
        except (TypeError, ValueError):
            return None
        try:
            signature.bind(*call.args, **{k.arg: k.value for k in call.keywords if k.arg})
            continue
        except TypeError:
            pass
        return say(
            "forward_arguments",
            call=scene.text(call),
            module=scene.text(call.func),
            given=len(call.args) + len(call.keywords),
            parameters=", ".join(signature.parameters),
        )
    return None


@rule(r"has no attribute", "AttributeError")
def attribute_suggestion(scene: Scene, match: re.Match[str]) -> str | None:
    error = scene.error
    name, target = getattr(error, "name", None), getattr(error, "obj", None)
    if not name or target is None:
        return None
    suggestion = closest(name, dir(target))
    if suggestion is None:
        return None
    text = None
    if scene.statement is not None:
        for node in ast.walk(scene.statement):
            if isinstance(node, ast.Attribute) and node.attr == name:
                text = scene.text(node.value)
    if text is None:
        return None
    key = "attribute_suggestion_class" if isinstance(target, type) else "attribute_suggestion"
    fields = {"target": text, "type": type(target).__name__, "name": name}
    return say(key, suggestion=suggestion, **fields)


@rule(r"name '(\w+)' is not defined", "NameError")
def name_suggestion(scene: Scene, match: re.Match[str]) -> str | None:
    name = match.group(1)
    found = closest(name, [*scene.scope, *dir(builtins)])
    return None if found is None else say("name_suggestion", name=name, suggestion=found)
