"""Shape errors: matmul and nn.Linear, broadcasting, view/reshape, cat/stack, indexing."""

from __future__ import annotations

import ast
import re
from typing import Any

from tutor.feedback.describe import (
    broadcast_shape,
    called_with,
    code,
    inner_call,
    input_name,
    is_tensor,
    name_of,
    shape,
    tensors,
)
from tutor.feedback.messages import say
from tutor.feedback.rules import rule
from tutor.feedback.scene import Scene

MATMUL_FUNCTIONS = ("matmul", "mm", "bmm", "mv", "dot")


@rule(
    r"shapes cannot be multiplied|size mismatch, got input|inconsistent tensor size"
    r"|Expected size for first two dimensions of batch2"
)
def matmul(scene: Scene, match: re.Match[str]) -> str | None:
    import torch

    layer, received = inner_call(scene, torch.nn.Linear)
    if layer is None:
        for call in scene.calls():
            value = scene.value(call.func)
            if isinstance(value, torch.nn.Linear) and call.args:
                layer, received = value, scene.value(call.args[0])
                break
    if layer is not None and is_tensor(received):
        return _linear(scene, layer, received)
    pair = _matmul_operands(scene)
    return None if pair is None else _matmul(scene, *pair)


def _linear(scene: Scene, layer: Any, received: Any) -> str | None:
    name = name_of(scene, layer)
    if name is None:
        return None
    fields = {
        "layer": name,
        "inputs": layer.in_features,
        "outputs": layer.out_features,
        "shape": shape(received),
        "last": received.shape[-1] if received.dim() else 1,
    }
    if fields["last"] == layer.in_features:
        return None
    given = input_name(scene, called_with(scene, layer), received)
    if given is None:
        return say("linear_unnamed", **fields) + " " + say("linear_fix", **fields)
    first = say("linear", input=given, **fields)
    if received.dim() == 2 and received.shape[0] == layer.in_features:
        transposed = str((received.shape[1], received.shape[0]))
        fix = say(
            "linear_fix_transpose",
            input=given,
            input_code=code(given),
            transposed=transposed,
            **fields,
        )
        return f"{first} {fix}"
    return f"{first} {say('linear_fix', **fields)}"


def _matmul_operands(scene: Scene) -> tuple[ast.AST, ast.expr, ast.expr] | None:
    """The failing product and its two operands, as the learner wrote them."""
    node = scene.node
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
        return node, node.left, node.right
    for call in scene.calls():
        func = call.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name not in MATMUL_FUNCTIONS:
            continue
        receiver = scene.value(func.value) if isinstance(func, ast.Attribute) else None
        if is_tensor(receiver) and len(call.args) == 1:
            return call, func.value, call.args[0]  # type: ignore[attr-defined]
        if len(call.args) == 2:
            return call, call.args[0], call.args[1]
    return None


def _matmul(scene: Scene, node: ast.AST, left: ast.expr, right: ast.expr) -> str | None:
    a, b = scene.value(left), scene.value(right)
    if not (is_tensor(a) and is_tensor(b)) or a.dim() == 0 or b.dim() == 0:
        return None
    ka = a.shape[-1]
    kb = b.shape[-2] if b.dim() >= 2 else b.shape[0]
    if ka == kb:
        return None
    fields = {
        "expr": scene.text(node),
        "a": scene.text(left),
        "b": scene.text(right),
        "sa": shape(a),
        "sb": shape(b),
        "ka": ka,
        "kb": kb,
        "a_code": code(scene.text(left)),
        "b_code": code(scene.text(right)),
    }
    first = say("matmul" if b.dim() >= 2 else "matmul_vector", **fields)
    if a.dim() < 2 or b.dim() < 2:
        return first
    for key, x, y in (
        ("matmul_fix_b", tuple(a.shape), _transposed(b.shape)),
        ("matmul_fix_a", _transposed(a.shape), tuple(b.shape)),
    ):
        result = _product_shape(x, y)
        if result is not None:
            return f"{first} {say(key, result=str(result), **fields)}"
    return first


def _transposed(size: Any) -> tuple[int, ...]:
    return (*size[:-2], size[-1], size[-2])


def _product_shape(x: tuple[int, ...], y: tuple[int, ...]) -> tuple[int, ...] | None:
    """The shape of `x @ y` for matrices (batched or not), or None when they do not fit."""
    batch = broadcast_shape(x[:-2], y[:-2])
    if x[-1] != y[-2] or batch is None:
        return None
    return (*batch, x[-2], y[-1])


@rule(r"must match the size of tensor b|cannot be broadcast|not broadcastable")
def broadcast(scene: Scene, match: re.Match[str]) -> str | None:
    found = tensors(scene, scene.operands())
    if len(found) != 2:
        return None
    (a, x), (b, y) = found
    if broadcast_shape(x.shape, y.shape) is not None:
        return None
    pairs = zip(reversed(x.shape), reversed(y.shape), strict=False)
    na, nb = next((p, q) for p, q in pairs if p != q and 1 not in (p, q))
    fields = {"a": a, "b": b, "sa": shape(x), "sb": shape(y), "na": na, "nb": nb}
    first = say("broadcast", **fields)
    for (vector, v), (matrix, m) in (((a, x), (b, y)), ((b, y), (a, x))):
        if v.dim() == 1 and m.dim() == 2 and m.shape[0] == v.shape[0] != m.shape[1]:
            fix = say(
                "broadcast_fix_column",
                n=v.shape[0],
                vector=vector,
                matrix=matrix,
                vector_code=code(vector),
            )
            return f"{first} {fix}"
    return f"{first} {say('broadcast_fix')}"


@rule(r"shape '\[([^\]]*)\]' is invalid for input of size (\d+)")
def view_size(scene: Scene, match: re.Match[str]) -> str | None:
    numel = int(match.group(2))
    target = [int(part) for part in match.group(1).split(",") if part.strip()]
    found = _reshaped(scene, lambda t: t.numel() == numel)
    if found is None:
        return None
    call, text, tensor = found
    fields = {
        "tensor": text,
        "shape": shape(tensor),
        "numel": numel,
        "call": scene.text(call),
        "target": str(tuple(target)),
    }
    if -1 in target:
        known = 1
        for size in target:
            known *= size if size != -1 else 1
        return say("view_infer", known=known, **fields)
    return say("view", **fields)


@rule(r"view size is not compatible with input tensor's size and stride")
def view_contiguous(scene: Scene, match: re.Match[str]) -> str | None:
    found = _reshaped(scene, lambda t: not t.is_contiguous(), methods=("view",))
    if found is None:
        return None
    _, text, tensor = found
    return say("view_contiguous", tensor=text, tensor_code=code(text), shape=shape(tensor))


def _reshaped(
    scene: Scene, fits: Any, methods: tuple[str, ...] = ("view", "reshape")
) -> tuple[ast.Call, str, Any] | None:
    """The view/reshape call on the line, the text of the tensor it reshapes, and that tensor."""
    for call in scene.calls():
        func = call.func
        if not isinstance(func, ast.Attribute) or func.attr not in methods:
            continue
        receiver = scene.value(func.value)
        if is_tensor(receiver) and fits(receiver):
            return call, scene.text(func.value), receiver
        if call.args and func.attr == "reshape":
            first = scene.value(call.args[0])
            if is_tensor(first) and fits(first):
                return call, scene.text(call.args[0]), first
    return None


@rule(
    r"stack expects each tensor to be equal size, but got \[[^\]]*\] at entry (\d+) "
    r"and \[[^\]]*\] at entry (\d+)"
)
def stack(scene: Scene, match: re.Match[str]) -> str | None:
    return _joined(scene, "stack", int(match.group(1)), int(match.group(2)), None)


@rule(
    r"Sizes of tensors must match except in dimension (-?\d+)\. Expected size \d+ but got "
    r"size \d+ for tensor number (\d+)"
)
def cat(scene: Scene, match: re.Match[str]) -> str | None:
    return _joined(scene, "cat", 0, int(match.group(2)), int(match.group(1)))


def _joined(scene: Scene, kind: str, first: int, second: int, dim: int | None) -> str | None:
    import torch

    names = {"stack": ("stack",), "cat": ("cat", "concat", "concatenate", "hstack", "vstack")}
    for call in scene.calls():
        function = scene.value(call.func)
        if not any(function is getattr(torch, n, None) for n in names[kind]) or not call.args:
            continue
        listed = call.args[0]
        if isinstance(listed, (ast.List, ast.Tuple)):
            if max(first, second) >= len(listed.elts):
                return None
            a, b = (scene.text(listed.elts[i]) for i in (first, second))
            x, y = (scene.value(listed.elts[i]) for i in (first, second))
        else:
            sequence = scene.value(listed)
            if not isinstance(sequence, (list, tuple)) or max(first, second) >= len(sequence):
                return None
            a, b = (f"{scene.text(listed)}[{i}]" for i in (first, second))
            x, y = sequence[first], sequence[second]
        if not (is_tensor(x) and is_tensor(y)):
            return None
        fields = {"function": scene.text(call.func), "a": a, "b": b}
        text = say(kind, sa=shape(x), sb=shape(y), dim=dim, **fields)
        if x.dim() == y.dim():
            differ = [i for i in range(x.dim()) if x.shape[i] != y.shape[i]]
            if len(differ) == 1 and differ[0] != dim:
                text += " " + say("join_fix", dim=differ[0])
        return text
    return None


@rule(r"index (-?\d+) is out of bounds for dimension (\d+) with size (\d+)", "IndexError")
def index(scene: Scene, match: re.Match[str]) -> str | None:
    bad, dim, size = (int(group) for group in match.groups())
    for node in _subscripts(scene):
        value = scene.value(node.value)
        if is_tensor(value) and value.dim() > dim and value.shape[dim] == size:
            return say(
                "index",
                tensor=scene.text(node.value),
                shape=shape(value),
                dim=dim,
                last=size - 1,
                size=size,
                index=bad,
            )
    return None


@rule(r"(list|tuple) index out of range", "IndexError")
def sequence_index(scene: Scene, match: re.Match[str]) -> str | None:
    for node in _subscripts(scene):
        value, position = scene.value(node.value), scene.value(node.slice)
        if not isinstance(value, (list, tuple)) or not isinstance(position, int):
            continue
        if -len(value) <= position < len(value):
            continue
        name = scene.text(node.value)
        if not value:
            return say("index_empty", sequence=name, index=position)
        return say(
            "index_list", sequence=name, size=len(value), last=len(value) - 1, index=position
        )
    return None


def _subscripts(scene: Scene) -> list[ast.Subscript]:
    node = scene.node
    found = [node] if isinstance(node, ast.Subscript) else []
    if scene.statement is not None:
        found += [n for n in ast.walk(scene.statement) if isinstance(n, ast.Subscript)]
    return found


@rule(r"index out of range in self", "IndexError")
def embedding(scene: Scene, match: re.Match[str]) -> str | None:
    import torch

    layer, received = inner_call(scene, torch.nn.Embedding)
    name = name_of(scene, layer)
    if layer is None or name is None or not is_tensor(received):
        return None
    given = input_name(scene, called_with(scene, layer), received)
    rows = layer.num_embeddings
    outside = received[(received < 0) | (received >= rows)]
    if given is None or outside.numel() == 0:
        return None
    return say(
        "embedding",
        layer=name,
        rows=rows,
        width=layer.embedding_dim,
        last=rows - 1,
        input=given,
        bad=int(outside[0]),
    )


@rule(r"Dimension out of range \(expected to be in range of \[(-?\d+), (-?\d+)\], but got (-?\d+)")
def dimension(scene: Scene, match: re.Match[str]) -> str | None:
    lo, hi, got = (int(group) for group in match.groups())
    for text, value in tensors(scene, scene.operands()):
        if value.dim() == hi + 1 or (value.dim() == 0 and hi == 0):
            return say(
                "dimension",
                tensor=text,
                ndim=value.dim(),
                shape=shape(value),
                lo=lo,
                hi=hi,
                got=got,
            )
    return None
