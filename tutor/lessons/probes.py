"""Probe a learner's model with a batch: what it returns, which layers learn, what ends it.

Checks test behaviour, not structure: `torch.tanh` in `forward` and an `nn.Tanh`
module are the same answer, and a layer that is created but never used in
`forward` is found by the gradient it never gets, whatever it is called.
"""

from __future__ import annotations

import copy
from typing import Any

import torch
from torch import nn

from tutor.i18n import N_, _, and_list
from tutor.lessons.behaviour import CheckFailed
from tutor.lessons.reprs import a_type, shape_text, show

ENDINGS = {
    "softmax": N_(
        "every row of `{name}(x)` adds up to 1: the model ends with a softmax. Return the raw "
        "logits: CrossEntropyLoss applies softmax itself"
    ),
    "log_softmax": N_(
        "every row of `{name}(x)` holds log-probabilities: the model ends with log_softmax. "
        "Return the raw logits: CrossEntropyLoss applies log_softmax itself"
    ),
    "sigmoid": N_(
        "every output of `{name}(x)` is between 0 and 1: the last layer is followed by a "
        "sigmoid. Return the last linear layer's output as it is: logits can be any number"
    ),
    "relu": N_(
        "no output of `{name}(x)` is negative on {rows} random inputs: the last layer is "
        "followed by ReLU. Return the last linear layer's output as it is: logits must be "
        "able to be negative"
    ),
}
UNUSED_ONE = N_(
    "`{layer}`, {kind}, never gets a gradient: it is created in __init__ but forward never uses it"
)
UNUSED_PARAMETER = N_(
    "`{layer}`, a parameter, never gets a gradient: it is created in __init__ but forward never "
    "uses it"
)
UNUSED_MANY = N_(
    "{layers} never get a gradient: they are created in __init__ but forward never uses them"
)
WRONG_SHAPE = N_("`{name}(x)` for a batch x of shape {batch} should have shape {want}, got {got}")
BROADCAST = N_(
    "`{name}(x)` for a batch x of shape {batch} should have shape {want}, got {got}: MSELoss "
    "would silently broadcast it against targets of shape {want} and compare every prediction "
    "with every target"
)


def output_of(model: Any, batch: torch.Tensor, name: str) -> torch.Tensor:
    """`model(batch)`, or a learner-facing failure saying which call failed and why."""
    if not callable(model):
        raise CheckFailed(
            _("`{name}` should be a model you can call, got {type}").format(
                name=name, type=type(model).__name__
            )
        )
    try:
        with torch.no_grad():
            out = model(on_device_of(model, batch))
    except Exception as error:  # noqa: BLE001 - the learner's model failing is the verdict
        raise CheckFailed(
            _("`{name}(x)` fails for a batch x of shape {batch}: {error}").format(
                name=name,
                batch=shape_text(batch.shape),
                error=f"{type(error).__name__}: {_first_line(error)}",
            )
        ) from None
    if not isinstance(out, torch.Tensor):
        raise CheckFailed(
            _(
                "`{name}(x)` should return a tensor, got {got}: does forward end with a `return`?"
            ).format(name=name, got=show(out))
        )
    return out.cpu()


def on_device_of(model: Any, batch: torch.Tensor) -> torch.Tensor:
    """The probe batch where the model's weights are: a GPU server runs the same checks."""
    if isinstance(model, nn.Module):
        first = next(model.parameters(), None)
        if first is not None:
            return batch.to(first.device)
    return batch


def expect_output(
    model: Any, batch: torch.Tensor, shape: tuple[int, ...], *, name: str = "model"
) -> torch.Tensor:
    """The output for `batch` has `shape`; (N,) against (N, 1) is named as the broadcast trap."""
    out = output_of(model, batch, name)
    if tuple(out.shape) != tuple(shape):
        got, want = tuple(out.shape), tuple(shape)
        squeezed = got == want[:-1] and want[-1:] == (1,) or want == got[:-1] and got[-1:] == (1,)
        raise CheckFailed(
            _(BROADCAST if squeezed else WRONG_SHAPE).format(
                name=name,
                batch=shape_text(batch.shape),
                want=shape_text(want),
                got=shape_text(got),
            )
        )
    return out


def unused_layers(model: nn.Module, batch: torch.Tensor) -> list[str]:
    """Submodules whose parameters get no gradient from one backward through `model`."""
    saved = {n: p.grad for n, p in model.named_parameters()}
    for p in model.parameters():
        p.grad = None
    try:
        with torch.enable_grad():
            out = model(on_device_of(model, batch))
            if isinstance(out, torch.Tensor) and out.requires_grad:
                out.float().sum().backward()
        missing = [n for n, p in model.named_parameters() if p.requires_grad and p.grad is None]
    finally:
        for n, p in model.named_parameters():
            p.grad = saved.get(n)
    layers: list[str] = []
    for param in missing:
        layer = param.rpartition(".")[0] or param
        if layer not in layers:
            layers.append(layer)
    return layers


def expect_all_used(model: Any, batch: torch.Tensor, *, name: str = "model") -> None:
    """Every parameter gets a gradient: no layer is defined and then left out of forward."""
    if not isinstance(model, nn.Module):
        return
    output_of(model, batch, name)
    unused = unused_layers(model, batch)
    if len(unused) == 1:
        layer = unused[0]
        modules = dict(model.named_modules())
        if layer not in modules:
            raise CheckFailed(_(UNUSED_PARAMETER).format(layer=f"{name}.{layer}"))
        kind = a_type(_kind(modules[layer]))
        raise CheckFailed(_(UNUSED_ONE).format(layer=f"{name}.{layer}", kind=kind))
    if unused:
        layers = and_list([f"`{name}.{layer}`" for layer in unused])
        raise CheckFailed(_(UNUSED_MANY).format(layers=layers))


def _kind(module: nn.Module) -> str:
    if isinstance(module, nn.Linear):
        return f"Linear({module.in_features}, {module.out_features})"
    return type(module).__name__


def output_activation(out: torch.Tensor) -> str | None:
    """What squashes the model's output, read from the outputs themselves."""
    if out.dim() < 2 or out.shape[-1] < 2 or not out.is_floating_point():
        return None
    data = out.detach().double()
    ones = torch.ones((), dtype=data.dtype)
    if bool((data >= 0).all()) and bool(torch.allclose(data.sum(dim=-1), ones, atol=1e-4)):
        return "softmax"
    if bool((data <= 0).all()) and bool(torch.allclose(data.exp().sum(dim=-1), ones, atol=1e-4)):
        return "log_softmax"
    if bool(((data > 0) & (data < 1)).all()):
        return "sigmoid"
    if bool((data >= 0).all()):
        return "relu"
    return None


def expect_logits(model: Any, batch: torch.Tensor, *, name: str = "model") -> torch.Tensor:
    """Raw scores: not squashed by softmax, log_softmax, sigmoid or ReLU at the end."""
    out = output_of(model, batch, name)
    ending = output_activation(out)
    if ending is not None:
        raise CheckFailed(_(ENDINGS[ending]).format(name=name, rows=len(batch)))
    return out


def is_linear(model: Any, shape: tuple[int, ...], scale: float = 1.0) -> bool:
    """f(a + b) − f(a) − f(b) + f(0) is zero only for a model with no activation at all.

    `scale` spreads the probe inputs over the range the model was trained on, where
    its bends are.
    """
    generator = torch.Generator().manual_seed(1)
    a = on_device_of(model, scale * torch.randn(shape, generator=generator))
    b = on_device_of(model, scale * torch.randn(shape, generator=generator))
    with torch.no_grad():
        gap = model(a + b) - model(a) - model(b) + model(torch.zeros_like(a))
        scale = 1 + float(model(a).abs().max())
    return bool(gap.abs().max() <= 1e-4 * scale)


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


def is_piecewise_linear(
    model: Any, low: float = -1.0, high: float = 1.0, *, features: int = 1
) -> bool:
    """A model that bends only at corners (ReLU) rather than smoothly (Tanh, sigmoid).

    Along a fine straight line through its input space (from `low` to `high` on each of
    `features` inputs) its outputs' second differences vanish except near the corners.
    """
    generator = torch.Generator().manual_seed(2)
    double = torch.float64  # evenly spaced points: float32 spacing alone bends the line
    t = torch.linspace(0, 1, 2001, dtype=double).reshape(-1, 1)
    start = low + (high - low) * torch.rand(1, features, generator=generator, dtype=double)
    end = low + (high - low) * torch.rand(1, features, generator=generator, dtype=double)
    if features == 1:
        start, end = torch.full((1, 1), low, dtype=double), torch.full((1, 1), high, dtype=double)
    exact = _in_float64(model)
    grid = on_device_of(exact, start + t * (end - start))
    with torch.no_grad():
        out = exact(grid).reshape(len(t), -1).double().cpu()
    bends = (out[2:] - 2 * out[1:-1] + out[:-2]).abs().amax(dim=1)
    # float64 rounding is ~1e-16; even a gentle smooth curve bends far more than that.
    flat = bends <= 1e-12 * (1 + float(out.abs().max()))
    return bool(flat.double().mean() > 0.5)


def _in_float64(model: Any) -> Any:
    """A float64 copy: in float32, rounding hides a smooth curve's small second differences."""
    if not isinstance(model, nn.Module):
        return model
    return copy.deepcopy(model).double()
