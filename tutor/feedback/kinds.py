"""Errors about what tensors hold and where: dtypes, loss targets, devices, GPU memory."""

from __future__ import annotations

import ast
import re
from typing import Any

from tutor.feedback.describe import (
    argument,
    code,
    dtype,
    inner_call,
    is_module,
    is_tensor,
    layer_name,
    layer_names,
    name_of,
    names,
    shape,
    tensors,
)
from tutor.feedback.messages import say
from tutor.feedback.rules import rule
from tutor.feedback.scene import MISSING, Scene

CLASSIFICATION_LOSSES = ("CrossEntropyLoss", "NLLLoss")
CLASSIFICATION_FUNCTIONS = ("cross_entropy", "nll_loss")


@rule(
    r"must have the same dtype|to have the same dtype|expected scalar type \w+ but found"
    r"|Input type \(\w+\) and (weight|bias) type|Found dtype \w+ but expected"
)
def dtypes(scene: Scene, match: re.Match[str]) -> str | None:
    import torch

    layer, received = inner_call(scene, torch.nn.Module)
    weight = getattr(layer, "weight", None)
    if is_tensor(weight) and is_tensor(received) and weight.dtype != received.dtype:
        layer_text, given = layer_names(scene, layer, received)
        if layer_text is None or given is None:
            return None
        first = say(
            "dtype_layer",
            input=given,
            input_dtype=dtype(received),
            layer=layer_text,
            weight_dtype=dtype(weight),
        )
        key = "dtype_numpy_fix" if received.dtype == torch.float64 else "dtype_fix"
        return f"{first} {say(key, code=code(given))}"
    found = tensors(scene, scene.operands())
    if len(found) != 2 or found[0][1].dtype == found[1][1].dtype:
        return None
    (a, x), (b, y) = found
    first = say("dtype_pair", a=a, b=b, da=dtype(x), db=dtype(y), expr=scene.text(scene.node))
    for text, value in found:
        if value.dtype == torch.float64:
            return f"{first} {say('dtype_numpy_fix', code=code(text))}"
    for text, value in found:
        if not value.is_floating_point():
            return f"{first} {say('dtype_fix', code=code(text))}"
    return first


def _loss_call(scene: Scene) -> tuple[ast.Call, str, Any, str, Any] | None:
    """A classification loss call on the line: (call, output text, output, target text, target)."""
    import torch

    functional = torch.nn.functional
    for call in scene.calls():
        function = scene.value(call.func)
        is_layer = type(function).__name__ in CLASSIFICATION_LOSSES and is_module(function)
        if not is_layer and not any(
            function is getattr(functional, n) for n in CLASSIFICATION_FUNCTIONS
        ):
            continue
        output, target = argument(call, 0, "input"), argument(call, 1, "target")
        if output is None or target is None:
            return None
        # An argument we may not re-evaluate (torch.randn(...)) is still in torch's frame.
        found = (
            scene.value(output, scene.local("input")),
            scene.value(target, scene.local("target")),
        )
        if not all(is_tensor(value) for value in found):
            return None
        return call, scene.text(output), found[0], scene.text(target), found[1]
    return None


def _loss_text(scene: Scene, call: ast.Call) -> str:
    function = scene.value(call.func)
    return (
        scene.text(call.func)
        if not callable(getattr(function, "forward", None))
        else (name_of(scene, function) or layer_name(function))
    )


@rule(r"expected target dtype to be Long|expected scalar type Long but found")
def target_dtype(scene: Scene, match: re.Match[str]) -> str | None:
    found = _loss_call(scene)
    if found is None or not found[4].is_floating_point() and found[4].dtype.itemsize == 8:
        return None
    call, _, _, target, value = found
    return say(
        "target_dtype",
        target=target,
        target_code=code(target),
        dtype=dtype(value),
        shape=shape(value),
        loss=_loss_text(scene, call),
    )


@rule(r"Target (-?\d+) is out of bounds", "IndexError")
def target_range(scene: Scene, match: re.Match[str]) -> str | None:
    found = _loss_call(scene)
    bad = int(match.group(1))
    if found is None or found[2].dim() < 2:
        return None
    _, output, scores, target, labels = found
    classes = scores.shape[1]
    fields = {
        "target": target,
        "bad": bad,
        "output": output,
        "shape": shape(scores),
        "classes": classes,
        "last": classes - 1,
    }
    if bad < 0:
        return say("target_negative", **fields)
    return say("target_range", needed=int(labels.max()) + 1, **fields)


@rule(r"Expected input batch_size \((\d+)\) to match target batch_size \((\d+)\)")
def target_batch(scene: Scene, match: re.Match[str]) -> str | None:
    found = _loss_call(scene)
    if found is None:
        return None
    call, output, scores, target, labels = found
    return say(
        "target_batch",
        output=output,
        rows=scores.shape[0],
        so=shape(scores),
        target=target,
        labels=labels.shape[0] if labels.dim() else 1,
        st=shape(labels),
        loss=_loss_text(scene, call),
    )


@rule(r"multi-target not supported")
def target_column(scene: Scene, match: re.Match[str]) -> str | None:
    found = _loss_call(scene)
    if found is None or found[4].dim() != 2 or found[4].shape[1] != 1:
        return None
    call, _, scores, target, labels = found
    return say(
        "target_column",
        target=target,
        target_code=code(target),
        st=shape(labels),
        rows=scores.shape[0],
        loss=_loss_text(scene, call),
    )


@rule(r"Using a target size .* that is different to the input size", "ValueError")
def loss_shapes(scene: Scene, match: re.Match[str]) -> str | None:
    pair = _prediction_and_target(scene)
    if pair is None:
        return None
    (pred, p), (target, t) = pair
    fields = {"pred": pred, "target": target, "sp": shape(p), "st": shape(t)}
    return say("loss_shapes", fix=_same_shape_fix(pred, p, target, t), **fields)


def _prediction_and_target(scene: Scene) -> tuple[tuple[str, Any], tuple[str, Any]] | None:
    for call in scene.calls():
        found = tensors(scene, call.args[:2])
        if len(found) == 2 and found[0][1].shape != found[1][1].shape:
            return found[0], found[1]
    return None


def _same_shape_fix(pred: str, p: Any, target: str, t: Any) -> str:
    if p.dim() == 2 and p.shape[1] == 1 and t.dim() == 1:
        return f"{code(pred)}.squeeze(1)"
    if t.dim() == 2 and t.shape[1] == 1 and p.dim() == 1:
        return f"{code(target)}.squeeze(1)"
    return f"{code(target)}.view_as({code(pred)})"


@rule(
    r"Expected all tensors to be on the same device|is not on the expected device"
    r"|Input type \(\S*cuda\S*\) and weight type|and weight type \(\S*cuda\S*\)"
    r"|indices should be either on cpu or on the same device"
)
def devices(scene: Scene, match: re.Match[str]) -> str | None:
    import torch

    found: list[tuple[str, Any]] = []
    layer, received = inner_call(scene, torch.nn.Module)
    parameter = next(iter(layer.parameters()), None) if layer is not None else None
    if parameter is not None and is_tensor(received) and parameter.device != received.device:
        layer_text, given = layer_names(scene, layer, received)
        if layer_text is not None and given is not None:
            found = [(layer_text, parameter.device), (given, received.device)]
    if not found:
        for call in scene.calls():
            value = scene.value(call.func)
            if is_module(value):
                first = next(iter(value.parameters()), None)
                if first is not None:
                    found.append((scene.text(call.func), first.device))
        found += [(text, value.device) for text, value in tensors(scene, scene.operands())]
    for a, da in found:
        for b, db in found:
            if da != db and db.type == "cpu":
                first = say("device_pair", a=b, da=db, b=a, db=da)
                if not _assignable(b):
                    return first
                fix = say("device_fix", name=b, code=code(b), target=_device_code(scene, da))
                return f"{first} {fix}"
    return None


def _assignable(text: str) -> bool:
    """Whether `text = text.to(...)` is valid code (a name or an attribute)."""
    try:
        node = ast.parse(text, mode="eval").body
    except SyntaxError:
        return False
    return isinstance(node, (ast.Name, ast.Attribute))


def _device_code(scene: Scene, where: Any) -> str:
    """The learner's own `device` variable when it names that device, else a literal."""
    import torch

    for name, value in scene.scope.items():
        if name.startswith("_"):
            continue
        if isinstance(value, (torch.device, str)) and _same_device(value, where):
            return name
    return repr(str(where))


def _same_device(value: Any, where: Any) -> bool:
    import torch

    try:
        wanted = torch.device(value)
    except (RuntimeError, TypeError):
        return False
    return wanted.type == where.type and (wanted.index in (None, where.index, 0))


@rule(r"out of memory", "OutOfMemoryError", "RuntimeError")
def out_of_memory(scene: Scene, match: re.Match[str]) -> str | None:
    import torch

    if "CUDA" not in scene.message and type(scene.error).__name__ != "OutOfMemoryError":
        return None
    sentences = [say("oom", line=scene.line)]
    held = []
    for name, value in scene.scope.items():
        if not name.startswith("_") and is_tensor(value) and value.device.type != "cpu":
            held.append((value.numel() * value.element_size(), name))
    held.sort(reverse=True)
    if held:
        total = _size(sum(size for size, _ in held[:3]))
        sentences.append(say("oom_largest", names=names(n for _, n in held[:3]), size=total))
    for name, value in scene.scope.items():
        if isinstance(value, list) and len(value) > 1 and not name.startswith("_"):
            graphs = [t for t in value if isinstance(t, torch.Tensor) and t.grad_fn is not None]
            if len(graphs) > 1:
                sentences.append(say("oom_graphs", name=name, count=len(graphs)))
                break
    sentences.append(say("oom_fix"))
    return " ".join(sentences)


def _size(count: int) -> str:
    size = float(count)
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GiB"


@rule(r"argument '\w+' \(position (\d+)\) must be Tensor, not ([\w.]+)", "TypeError")
def not_a_tensor(scene: Scene, match: re.Match[str]) -> str | None:
    """A NumPy array, a list or None where torch wants a tensor (`model(X_np)`)."""
    import torch

    position, kind = int(match.group(1)), match.group(2).rpartition(".")[2]
    layer, received = inner_call(scene, torch.nn.Module)
    name = where = None
    if layer is not None and type(received).__name__ == kind:
        where, name = layer_names(scene, layer, received)
    else:
        for call in scene.calls():
            node = argument(call, position - 1, "input")
            value = scene.value(node, MISSING) if node is not None else MISSING
            if type(value).__name__ == kind:
                name, where, received, layer = scene.text(node), scene.text(call.func), value, None
                break
    if name is None or where is None:
        return None
    fields = {"name": name, "where": where, "code": code(name)}
    if kind == "ndarray":
        return say("numpy_input_layer" if layer is not None else "numpy_input", **fields)
    if kind in ("list", "tuple"):
        return say("list_input", kind=kind, **fields)
    if kind == "NoneType":
        return say("none_input", **fields)
    return None
