"""Re-evaluate parts of the learner's failing line without side effects.

The trick comes from tensor-sensor: torch's kernels know shapes but not the learner's
variable names, so we parse the line, evaluate its operands bottom-up in the learner's
namespace, and find the deepest sub-expression that still fails. Unlike a debugger we
must never run anything twice that could change state: only names, constants,
attribute reads that cannot run learner code, subscripts, operators on tensors and
numbers, and a whitelist of pure torch functions, tensor methods and stateless layers
are evaluated; anything else raises `Unsafe` and is simply left unknown.
"""

from __future__ import annotations

import ast
import builtins
import inspect
import operator
import types
from collections.abc import Iterator, Mapping
from typing import Any

MAX_ELEMENTS = 1 << 24
"""Operands bigger than this are not recomputed: an explanation must stay under ~50 ms."""

TORCH_FUNCTIONS = (
    "cat concat concatenate stack hstack vstack mm matmul bmm mv dot outer einsum reshape "
    "flatten squeeze unsqueeze transpose permute t zeros ones full zeros_like ones_like "
    "full_like eye arange linspace tensor as_tensor from_numpy add sub mul div sum mean "
    "max min argmax argmin exp log sigmoid tanh relu softmax log_softmax where clamp abs "
    "sqrt broadcast_to index_select gather masked_fill numel is_tensor"
).split()
RANDOM = "randn rand randint randperm normal randn_like rand_like randint_like".split()
"""Pure once the generator's state is put back (`fork_rng`), as long as it is the CPU's."""
FUNCTIONAL = (
    "linear relu softmax log_softmax sigmoid tanh gelu leaky_relu mse_loss l1_loss "
    "cross_entropy nll_loss binary_cross_entropy binary_cross_entropy_with_logits one_hot "
    "pad conv1d conv2d embedding normalize"
).split()
TENSOR_METHODS = frozenset(
    (
        "view reshape view_as reshape_as expand expand_as repeat t transpose permute squeeze "
        "unsqueeze flatten contiguous float double long int half bool to cpu detach clone size "
        "dim numel sum mean max min argmax argmin std var abs exp log sqrt sigmoid tanh relu "
        "softmax log_softmax matmul mm bmm mv dot add sub mul div pow type_as numpy item tolist "
        "index_select gather masked_fill clamp round any all eq ne gt lt ge le norm split "
        "chunk unbind narrow select"
    ).split()
)
LAYERS = frozenset(
    (
        "Linear Bilinear Conv1d Conv2d Conv3d Embedding ReLU LeakyReLU GELU Sigmoid Tanh "
        "Softmax LogSoftmax Flatten Unflatten Identity MSELoss L1Loss CrossEntropyLoss NLLLoss "
        "BCELoss BCEWithLogitsLoss"
    ).split()
)
"""Built-in layers whose forward changes nothing (no running statistics, no randomness)."""
BUILTINS = frozenset(
    (builtins.len, builtins.float, builtins.int, builtins.bool, builtins.abs, builtins.round)
)
PLAIN = (int, float, complex, bool, str, bytes, tuple, list, type(None), slice, range)
BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
    ast.MatMult: operator.matmul,
}
UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Not: operator.not_}
COMPARE = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Is: operator.is_,
    ast.IsNot: operator.is_not,
}


class Unsafe(Exception):
    """Evaluating this node could run code with side effects, so its value stays unknown."""


def children(node: ast.AST) -> Iterator[ast.expr]:
    """The operand expressions of `node` in evaluation order (not the names it binds)."""
    if isinstance(node, ast.Assign):
        yield node.value
        for target in node.targets:
            if isinstance(target, ast.Subscript):
                yield target.value
                yield target.slice
        return
    if isinstance(node, ast.AugAssign):
        yield node.target if isinstance(node.target, ast.Name) else node.target.value  # type: ignore[misc]
        yield node.value
        return
    if isinstance(node, ast.With):
        yield from (item.context_expr for item in node.items)
        return
    if isinstance(node, (ast.If, ast.While)):
        yield node.test
        return
    if isinstance(node, (ast.For, ast.Lambda, ast.FunctionDef, ast.ClassDef)):
        return
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.expr) and not isinstance(getattr(child, "ctx", None), ast.Store):
            yield child
        elif isinstance(child, ast.keyword):
            yield child.value


class Evaluator:
    """Values of sub-expressions in one scope, each computed at most once."""

    def __init__(self, scope: Mapping[str, Any]) -> None:
        import torch

        self.torch = torch
        self.scope = scope
        self._done: dict[int, tuple[bool, Any]] = {}
        nn = torch.nn
        self._functions = {id(getattr(torch, n)) for n in TORCH_FUNCTIONS if hasattr(torch, n)}
        functional = torch.nn.functional
        self._functions |= {id(getattr(functional, n, None)) for n in FUNCTIONAL}
        self._layers = tuple(getattr(nn, n) for n in LAYERS if hasattr(nn, n))
        self._random = {id(getattr(torch, n, None)) for n in RANDOM}

    def value(self, node: ast.AST) -> Any:
        """The node's value; raises `Unsafe`, or the error the node itself raises."""
        done = self._done.get(id(node))
        if done is None:
            try:
                done = (True, self._evaluate(node))
            except Unsafe as error:
                done = (False, error)
            except Exception as error:  # noqa: BLE001 - the node's own failure is the finding
                done = (False, error)
            self._done[id(node)] = done
        ok, result = done
        if ok:
            return result
        raise result

    def known(self, node: ast.AST, default: Any = None) -> Any:
        """The node's value, or `default` when it is unsafe to compute or fails."""
        try:
            return self.value(node)
        except Exception:  # noqa: BLE001 - unknown is a fine answer here
            return default

    def culprit(self, node: ast.AST) -> ast.AST:
        """The deepest sub-expression of `node` that fails when evaluated on its own."""
        for child in children(node):
            try:
                self.value(child)
            except Unsafe:
                continue
            except Exception:  # noqa: BLE001 - this child fails: look inside it
                return self.culprit(child)
        return node

    def _evaluate(self, node: ast.AST) -> Any:
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            return self._name(node.id)
        if isinstance(node, ast.Attribute):
            return self._attribute(self.value(node.value), node.attr)
        if isinstance(node, ast.Subscript):
            return self._subscript(self.value(node.value), self.value(node.slice))
        if isinstance(node, ast.Slice):
            parts = (node.lower, node.upper, node.step)
            return slice(*(None if p is None else self.value(p) for p in parts))
        if isinstance(node, (ast.Tuple, ast.List)):
            items = [self.value(element) for element in node.elts]
            return tuple(items) if isinstance(node, ast.Tuple) else items
        if isinstance(node, ast.BinOp) and type(node.op) in BINARY:
            left, right = self._operands(self.value(node.left), self.value(node.right))
            return BINARY[type(node.op)](left, right)
        if isinstance(node, ast.UnaryOp) and type(node.op) in UNARY:
            (operand,) = self._operands(self.value(node.operand))
            return UNARY[type(node.op)](operand)
        if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in COMPARE:
            left, right = self._operands(self.value(node.left), self.value(node.comparators[0]))
            return COMPARE[type(node.ops[0])](left, right)
        if isinstance(node, ast.BoolOp):
            result: Any = None
            for operand in node.values:
                (result,) = self._operands(self.value(operand))
                if bool(result) is isinstance(node.op, ast.Or):
                    return result
            return result
        if isinstance(node, ast.IfExp):
            (test,) = self._operands(self.value(node.test))
            return self.value(node.body if test else node.orelse)
        if isinstance(node, ast.Call):
            return self._call(node)
        raise Unsafe(type(node).__name__)

    def _name(self, name: str) -> Any:
        if name in self.scope:
            return self.scope[name]
        if hasattr(builtins, name):
            return getattr(builtins, name)
        raise NameError(name)

    def _operands(self, *values: Any) -> tuple[Any, ...]:
        import numpy

        for value in values:
            if isinstance(value, self.torch.Tensor):
                if value.numel() > MAX_ELEMENTS:
                    raise Unsafe("too big to recompute")
            elif not isinstance(value, (*PLAIN, numpy.ndarray, numpy.generic)):
                raise Unsafe(f"operator on {type(value).__name__}")
        return values

    def _attribute(self, target: Any, name: str) -> Any:
        torch = self.torch
        if isinstance(target, (types.ModuleType, torch.Tensor, torch.dtype, torch.device)):
            return getattr(target, name)
        try:
            static = inspect.getattr_static(target, name)
        except AttributeError:
            if isinstance(target, torch.nn.Module) and (
                type(target).__getattr__ is torch.nn.Module.__getattr__
            ):
                return getattr(target, name)
            raise Unsafe(f"dynamic attribute {name}") from None
        if isinstance(static, property) or (
            hasattr(type(static), "__get__") and hasattr(type(static), "__set__")
        ):
            owner = getattr(getattr(static, "fget", None), "__module__", "") or ""
            if not owner.startswith(("torch", "numpy")):
                raise Unsafe(f"property {name}")
        return getattr(target, name)

    def _subscript(self, target: Any, index: Any) -> Any:
        import numpy

        torch = self.torch
        containers = (
            torch.Tensor,
            numpy.ndarray,
            list,
            tuple,
            str,
            dict,
            torch.nn.Sequential,
            torch.nn.ModuleList,
        )
        if type(target) not in containers and not isinstance(target, torch.Tensor):
            raise Unsafe(f"subscript of {type(target).__name__}")
        if isinstance(target, torch.Tensor) and target.numel() > MAX_ELEMENTS:
            if isinstance(index, torch.Tensor):
                raise Unsafe("too big to recompute")
        return target[index]

    def _call(self, node: ast.Call) -> Any:
        function = self.value(node.func)
        if any(isinstance(arg, ast.Starred) for arg in node.args):
            raise Unsafe("starred arguments")
        if not self._pure(function):
            raise Unsafe(f"call of {getattr(function, '__name__', type(function).__name__)}")
        args = [self.value(arg) for arg in node.args]
        kwargs = {}
        for keyword in node.keywords:
            if keyword.arg is None:
                raise Unsafe("** arguments")
            kwargs[keyword.arg] = self.value(keyword.value)
        self._sized(args, kwargs, getattr(function, "__self__", None))
        if id(function) in self._random:
            return self._random_call(function, args, kwargs)
        return function(*args, **kwargs)

    def _random_call(self, function: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
        """`torch.randn(8, 12)` on the failing line, without moving the learner's seed."""
        torch = self.torch
        where = kwargs.get("device")
        if where is not None and torch.device(where).type != "cpu":
            raise Unsafe("a random tensor on another device's generator")
        if any(isinstance(a, torch.Tensor) and a.device.type != "cpu" for a in args):
            raise Unsafe("a random tensor on another device's generator")
        with torch.random.fork_rng(devices=[]):
            return function(*args, **kwargs)

    def _sized(self, args: list[Any], kwargs: dict[str, Any], receiver: Any) -> None:
        torch = self.torch
        total = 0
        for value in (*args, *kwargs.values(), receiver):
            items = value if isinstance(value, (list, tuple)) else (value,)
            for item in items:
                if isinstance(item, torch.Tensor):
                    total += item.numel()
        if total > MAX_ELEMENTS:
            raise Unsafe("too big to recompute")

    def _pure(self, function: Any) -> bool:
        torch = self.torch
        if isinstance(function, types.BuiltinFunctionType) and function in BUILTINS:
            return True
        if id(function) in self._functions or id(function) in self._random:
            return True
        receiver = getattr(function, "__self__", None)
        if isinstance(receiver, torch.Tensor):
            return getattr(function, "__name__", "") in TENSOR_METHODS
        if isinstance(function, torch.nn.Module):
            return self._pure_layer(function)
        return False

    def _pure_layer(self, module: Any) -> bool:
        if type(module) is self.torch.nn.Sequential:
            return not _hooked(module) and all(self._pure_layer(m) for m in module)
        return type(module) in self._layers and not _hooked(module)


def _hooked(module: Any) -> bool:
    """A learner hook could do anything when the layer runs."""
    return bool(module._forward_hooks or module._forward_pre_hooks)
