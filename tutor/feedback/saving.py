"""Errors from loading saved weights: a state_dict that does not fit, a file weights_only refuses.

torch's own messages span many lines (the verdict shows only the first, "Error(s) in
loading state_dict for Sequential:") or advise `weights_only=False`, which is the unsafe
way out. These rules read the keys and shapes out of the message, find the learner's
`load_state_dict` or `torch.load` call on the failing line, and say which model or file
it is and what to build or save instead.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from typing import Any

from tutor.feedback.describe import argument
from tutor.feedback.rules import rule
from tutor.feedback.scene import Scene
from tutor.i18n import _

SHOWN_KEYS = 4
"""How many key names a sentence lists before "…": a verdict is one line."""
_MISSING = object()


def _keys(message: str, label: str) -> list[str]:
    found = re.search(label + r" key\(s\) in state_dict: (.*?)\.\s*(?:\n|$)", message)
    return re.findall(r'"([^"]+)"', found.group(1)) if found else []


def _listed(keys: list[str]) -> str:
    shown = ", ".join(f"`{key}`" for key in keys[:SHOWN_KEYS])
    return shown + (", …" if len(keys) > SHOWN_KEYS else "")


def _method_call(scene: Scene, method: str) -> ast.Call | None:
    for call in scene.calls():
        if isinstance(call.func, ast.Attribute) and call.func.attr == method:
            return call
    return None


def _torch_load_call(scene: Scene) -> ast.Call | None:
    import torch

    for call in scene.calls():
        if scene.value(call.func) is torch.load:
            return call
    return None


@rule(r"Error\(s\) in loading state_dict for (\w+)", "RuntimeError")
def state_dict_mismatch(scene: Scene, match: re.Match[str]) -> str | None:
    """`model.load_state_dict(state)` where `state` was saved from another architecture."""
    call = _method_call(scene, "load_state_dict")
    if call is None or not isinstance(call.func, ast.Attribute):
        return None
    model = scene.text(call.func.value)
    node = argument(call, 0, "state_dict")
    given = scene.text(node) if node is not None else "the state_dict"
    value = scene.value(node, _MISSING) if node is not None else _MISSING
    missing, unexpected = _keys(scene.message, "Missing"), _keys(scene.message, "Unexpected")
    entry = _state_dict_entry(value, missing)
    if entry is not None:
        return _(
            "`{given}` is a whole checkpoint (its keys are {keys}), not a state_dict: pass "
            "its model entry, `{model}.load_state_dict({given}[{entry}])`."
        ).format(given=given, keys=_listed([str(k) for k in value]), model=model, entry=entry)
    if unexpected and missing and all(k.startswith("module.") for k in unexpected):
        stripped = {k.removeprefix("module.") for k in unexpected}
        if stripped == set(missing):
            return _(
                "Every saved key starts with `module.` ({example}): the model was wrapped in "
                "DistributedDataParallel or DataParallel when it was saved. Remove the "
                "prefix before loading, {{k.removeprefix('module.'): v for k, v in "
                "{given}.items()}}, and save `model.module.state_dict()` next time."
            ).format(example=f"`{unexpected[0]}`", given=given)
    if unexpected and missing and not any("." in k for k in unexpected):
        return _(
            "`{model}` has no place for {unexpected}: those look like a checkpoint's entries, "
            "not layer names. Pass the entry that holds the model's state_dict, such as "
            "`checkpoint['model']`."
        ).format(model=model, unexpected=_listed(unexpected))
    sizes = re.findall(
        r"size mismatch for ([\w.]+): copying a param with shape torch\.Size\(\[([^\]]*)\]\) "
        r"from checkpoint, the shape in current model is torch\.Size\(\[([^\]]*)\]\)",
        scene.message,
    )
    if sizes:
        key, saved, current = sizes[0]
        return _(
            "`{model}` is built with other sizes than the saved model: the saved `{key}` has "
            "shape {saved}, but `{model}`'s has shape {current}. Build `{model}` exactly as the "
            "saved model was built, with the same layer sizes, then load."
        ).format(model=model, key=key, saved=_shape(saved), current=_shape(current))
    if missing and unexpected:
        return _(
            "`{model}` and the saved model are built differently: `{model}` has {missing}, "
            "which the state_dict lacks, and the state_dict has {unexpected}, which `{model}` "
            "lacks. Build `{model}` with the same layers, in the same order, as the model "
            "that was saved."
        ).format(model=model, missing=_listed(missing), unexpected=_listed(unexpected))
    if missing:
        return _(
            "The state_dict lacks {missing}, which `{model}` has: `{model}` has layers the "
            "saved model did not have. Build it with the same layers as the model that was "
            "saved."
        ).format(model=model, missing=_listed(missing))
    if unexpected:
        return _(
            "`{model}` has no place for {unexpected} from the state_dict: the saved model had "
            "layers that `{model}` lacks. Build it with the same layers as the model that was "
            "saved."
        ).format(model=model, unexpected=_listed(unexpected))
    return None


def _state_dict_entry(value: Any, missing: list[str]) -> str | None:
    """The key (as code, `'model'`) of the entry of a checkpoint dict that holds the state_dict."""
    if not isinstance(value, Mapping) or not missing:
        return None
    for key, inner in value.items():
        if isinstance(inner, Mapping) and set(missing) <= {str(k) for k in inner}:
            return repr(key)
    return None


def _shape(text: str) -> str:
    dims = [d.strip() for d in text.split(",") if d.strip()]
    return f"({dims[0]},)" if len(dims) == 1 else f"({', '.join(dims)})"


@rule(r"Weights only load failed.*?Unsupported global: GLOBAL ([\w.]+)")
def weights_only_refused(scene: Scene, match: re.Match[str]) -> str | None:
    """`torch.load(path, weights_only=True)` on a file that holds a pickled model or optimizer."""
    import torch

    call = _torch_load_call(scene)
    node = argument(call, 0, "f")
    if node is None:
        return None
    path = scene.text(node) if isinstance(node, ast.Constant) else f"`{scene.text(node)}`"
    qualified = match.group(1)
    name = qualified.rsplit(".", 1)[-1]
    cls = getattr(torch.nn, name, None) or getattr(torch.optim, name, None)
    if isinstance(cls, type) and issubclass(cls, torch.nn.Module):
        save = "torch.save(model.state_dict(), ...)"
    elif isinstance(cls, type) and issubclass(cls, torch.optim.Optimizer):
        save = "torch.save(optimizer.state_dict(), ...)"
    else:
        return _(
            "{path} holds a pickled {name} object, and weights_only=True loads only tensors, "
            "numbers, strings and the lists and dicts that hold them. Save state_dicts and "
            "plain values instead; weights_only=False would run whatever code the file holds, "
            "so keep it for files you made yourself."
        ).format(path=path, name=name)
    return _(
        "{path} holds a whole pickled {name} (saved with torch.save on the object itself), "
        "and weights_only=True loads only tensors and plain containers. Save its state_dict "
        "instead, {save}, and load that into an object you build; weights_only=False would "
        "run whatever code the file holds, so keep it for files you made yourself."
    ).format(path=path, name=name, save=save)
