"""Every sentence the explainer says, as whole templates with named fields.

One place, so they can go into gettext catalogs (pt, es) as they are: a sentence is
never glued from fragments. Fields hold code (`x`, `model.fc1`), shapes `(8, 12)`,
dtypes, devices and numbers, never words.
"""

from __future__ import annotations

from typing import Any

from tutor.i18n import N_, _

TEMPLATES = {
    # shapes
    "linear": N_(
        "`{layer}` is nn.Linear({inputs}, {outputs}), so it expects inputs whose last "
        "dimension is {inputs}, but `{input}` has shape {shape}: its last dimension is {last}."
    ),
    "linear_unnamed": N_(
        "`{layer}` is nn.Linear({inputs}, {outputs}), so it expects inputs whose last "
        "dimension is {inputs}, but it received a tensor of shape {shape}."
    ),
    "linear_fix": N_(
        "Make it nn.Linear({last}, {outputs}) (in_features must equal the last dimension of "
        "its input), or give it an input whose last dimension is {inputs}."
    ),
    "linear_fix_transpose": N_(
        "If the rows of `{input}` are features, transpose it: `{input_code}.T` has shape "
        "{transposed}; otherwise make the layer nn.Linear({last}, {outputs})."
    ),
    "matmul": N_(
        "In `{expr}`, `{a}` has shape {sa} and `{b}` has shape {sb}: the last dimension of "
        "`{a}` ({ka}) must equal the number of rows of `{b}` ({kb})."
    ),
    "matmul_vector": N_(
        "In `{expr}`, `{a}` has shape {sa} and `{b}` has shape {sb}: the last dimension of "
        "`{a}` ({ka}) must equal the length of `{b}` ({kb})."
    ),
    "matmul_fix_b": N_(
        "Transposing `{b}` makes them fit: `{a_code} @ {b_code}.T` has shape {result}."
    ),
    "matmul_fix_a": N_(
        "Transposing `{a}` makes them fit: `{a_code}.T @ {b_code}` has shape {result}."
    ),
    "broadcast": N_(
        "`{a}` has shape {sa} and `{b}` has shape {sb}, which cannot be combined element by "
        "element: lined up from the right, their sizes {na} and {nb} differ and neither is 1."
    ),
    "broadcast_fix_column": N_(
        "To pair each of the {n} values of `{vector}` with a row of `{matrix}`, make it a "
        "column: `{vector_code}[:, None]` has shape ({n}, 1)."
    ),
    "broadcast_fix": N_("Make the sizes equal, or 1 where a tensor should be repeated."),
    "view": N_(
        "`{tensor}` has shape {shape}, that is {numel} values, but `{call}` asks for shape "
        "{target}: the sizes must multiply to {numel}."
    ),
    "view_infer": N_(
        "`{tensor}` has shape {shape}, that is {numel} values, but `{call}` asks for shape "
        "{target}: the known sizes multiply to {known}, which does not divide {numel}, so "
        "-1 cannot be filled in."
    ),
    "view_contiguous": N_(
        "`{tensor}` (shape {shape}) is not laid out contiguously in memory, because it comes "
        "from a transpose, permute, expand or slice, so `.view()` cannot regroup it. Use "
        "`{tensor_code}.reshape(...)` instead, or `{tensor_code}.contiguous().view(...)`."
    ),
    "stack": N_(
        "`{function}` needs tensors of one shape, but `{a}` has shape {sa} and `{b}` has "
        "shape {sb}."
    ),
    "cat": N_(
        "`{function}` along dimension {dim} needs all other dimensions equal, but `{a}` has "
        "shape {sa} and `{b}` has shape {sb}."
    ),
    "join_fix": N_(
        "They differ only in dimension {dim}, so `torch.cat(..., dim={dim})` would join them."
    ),
    "index": N_(
        "`{tensor}` has shape {shape}, so along dimension {dim} the valid indices are 0 to "
        "{last} (or -{size} to -1), and {index} is outside that range."
    ),
    "index_list": N_(
        "`{sequence}` has {size} items, so the valid indices are 0 to {last} (or -{size} to "
        "-1), and {index} is outside that range."
    ),
    "index_empty": N_("`{sequence}` is empty, so it has no item {index}."),
    "embedding": N_(
        "`{layer}` is nn.Embedding({rows}, {width}), so the indices it receives must be 0 to "
        "{last}, but `{input}` contains {bad}."
    ),
    "dimension": N_(
        "`{tensor}` has {ndim} dimensions (shape {shape}), so dim must be between {lo} and "
        "{hi}; there is no dimension {got}."
    ),
    # dtypes and losses
    "dtype_layer": N_(
        "`{input}` is {input_dtype} but the weights of `{layer}` are {weight_dtype}; a layer "
        "needs its input in its own dtype."
    ),
    "dtype_numpy_fix": N_(
        "NumPy arrays are float64 by default and torch.from_numpy / torch.tensor keep that: "
        "convert with `{code}.float()`, or create it with dtype=torch.float32."
    ),
    "dtype_fix": N_("Convert it with `{code}.float()`."),
    "dtype_pair": N_("`{a}` is {da} and `{b}` is {db}, but `{expr}` needs both in one dtype."),
    "target_dtype": N_(
        "`{target}` holds the classes as {dtype} numbers (shape {shape}), but `{loss}` wants "
        "class indices as integers (int64): pass `{target_code}.long()`."
    ),
    "target_range": N_(
        "`{target}` contains class {bad}, but `{output}` has shape {shape}, so it scores "
        "{classes} classes, numbered 0 to {last}. Give the last layer {needed} outputs, or "
        "number the classes from 0."
    ),
    "target_negative": N_(
        "`{target}` contains class {bad}, but class indices are numbered from 0 to {last} "
        "(`{output}` has shape {shape})."
    ),
    "target_batch": N_(
        "`{output}` has {rows} rows (shape {so}) but `{target}` has {labels} labels (shape "
        "{st}): `{loss}` needs one class index per row."
    ),
    "target_column": N_(
        "`{target}` has shape {st}, but `{loss}` wants one class index per row, shape "
        "({rows},): pass `{target_code}.squeeze(1)` or `{target_code}.view(-1)`."
    ),
    "loss_shapes": N_(
        "`{pred}` has shape {sp} but `{target}` has shape {st}; the loss compares them "
        "element by element, so they need the same shape: use `{fix}`."
    ),
    # devices and memory
    "device_pair": N_(
        "`{a}` is on {da} but `{b}` is on {db}; an operation needs all its tensors on one device."
    ),
    "device_fix": N_(
        "Move it: `{name} = {code}.to({target})` (`.to()` returns a moved copy, so assign it)."
    ),
    "oom": N_("The GPU ran out of memory on line {line}."),
    "oom_largest": N_("Your largest tensors on the GPU are {names} ({size} together)."),
    "oom_graphs": N_(
        "`{name}` keeps {count} tensors that each hold their whole computation graph: "
        "append `.item()` of the loss instead of the tensor."
    ),
    "oom_fix": N_(
        "Use a smaller batch size, and evaluate inside `with torch.no_grad():` so no graph is kept."
    ),
    # autograd
    "backward_twice_outside": N_(
        "`{loss}.backward()` goes through a graph that an earlier backward() already freed: "
        "`{name}` is computed once, before the loop on line {loop}, and every iteration "
        "reuses its graph. Compute `{name}` inside the loop (or `.detach()` it if it should "
        "not be trained through)."
    ),
    "backward_twice": N_(
        "`{loss}.backward()` runs a second time through the same graph, whose saved values "
        "the first call freed: compute `{loss}` again before each backward()."
    ),
    "no_grad_block": N_(
        "`{loss}` was computed inside `with torch.no_grad():` (line {line}), so it has no "
        "graph to backpropagate through: compute it outside that block."
    ),
    "no_grad_leaves": N_(
        "`{loss}` does not require grad: it is computed from {sources}, and none of them has "
        "requires_grad=True. Create the tensors you want to learn (the parameters, not the "
        "data) with requires_grad=True."
    ),
    "no_grad_cut": N_(
        "`{loss}` does not require grad although `{source}` does, so the graph was cut on "
        "the way: look for .detach(), .item(), .data or torch.tensor(...) between them."
    ),
    "no_grad": N_(
        "`{loss}` does not require grad, so backward() has nothing to compute: none of the "
        "tensors it comes from has requires_grad=True, or .detach(), .item() or "
        "torch.no_grad() cut the graph."
    ),
    "inplace_update": N_(
        "`{tensor}` is a leaf tensor with requires_grad=True, and `{code}` changes it in "
        "place while autograd is recording. Do the update inside `with torch.no_grad():`, "
        "then reset the gradient with `{tensor}.grad.zero_()`."
    ),
    "inplace": N_(
        "`{tensor}` is a leaf tensor with requires_grad=True, and `{code}` changes it in "
        "place while autograd is recording: do it inside `with torch.no_grad():`."
    ),
    "numpy": N_(
        "`{tensor}` requires grad (autograd tracks it), so it cannot become a NumPy array "
        "as it is: use `{tensor_code}.detach().numpy()`."
    ),
    "numpy_call": N_(
        "`{call}` turns `{tensor}` into a NumPy array, but `{tensor}` requires grad: pass "
        "`{tensor_code}.detach()` instead."
    ),
    "nonleaf_grad": N_(
        "line {line}: `{tensor}.grad` is None: `{tensor}` is not a leaf but the result of "
        "an operation ({function}), and backward() only fills the .grad of leaves. Read the "
        ".grad of the tensor you created with requires_grad=True, or call `{tensor}.retain_grad()` "
        "before backward()."
    ),
    "item": N_(
        "`{tensor}` has {count} elements (shape {shape}), but `{call}` needs exactly one: "
        "reduce it first (e.g. `{tensor_code}.sum()` or `.mean()`), or pick one element "
        "with an index."
    ),
    "truth": N_(
        "`{expr}` is a tensor of {count} values (shape {shape}), and Python cannot tell "
        "whether several values are true: use `{expr_code}.any()` (is any true?) or "
        "`{expr_code}.all()` (are all true?)."
    ),
    "mse_broadcast": N_(
        "line {line}: `{call}` compares `{pred}` of shape {sp} with `{target}` of shape {st}: they "
        "broadcast to shape {sb}, every prediction against every target, so the loss is "
        "wrong and training goes astray. Make the shapes equal: `{fix}`."
    ),
    "numpy_input_layer": N_(
        "`{name}` is a NumPy array, but `{where}` needs a tensor: convert it with "
        "`torch.from_numpy({code}).float()` (float32, like the layer's weights)."
    ),
    "numpy_input": N_(
        "`{name}` is a NumPy array, but `{where}` needs a tensor: convert it with "
        "`torch.from_numpy({code})`."
    ),
    "list_input": N_(
        "`{name}` is a Python {kind}, but `{where}` needs a tensor: convert it with "
        "`torch.tensor({code})`."
    ),
    "none_input": N_(
        "`{name}` is None, but `{where}` needs a tensor: check where `{name}` was assigned "
        "(a function without `return` gives None)."
    ),
    "grad_none_replaced": N_(
        "`{tensor}.grad` is None because `{tensor}` no longer tracks gradients: line {line} "
        "(`{code}`) replaced it with a new tensor. Update it in place instead, with "
        "`{tensor} -= ...` inside `with torch.no_grad():`."
    ),
    "grad_none_untracked": N_(
        "`{tensor}.grad` is None because `{tensor}` does not require grad: create it with "
        "requires_grad=True."
    ),
    "grad_none_nonleaf": N_(
        "`{tensor}.grad` is None because `{tensor}` is not a leaf but the result of an "
        "operation ({function}); backward() only fills the .grad of leaves."
    ),
    "grad_none_no_backward": N_(
        "`{tensor}.grad` is None: no backward() has filled it since `{tensor}` was created "
        "or since zero_grad() reset it. Call `loss.backward()` before using the gradient."
    ),
    "optimizer_method": N_(
        "`{arg}` is the method itself; the optimizer needs the parameters it returns: "
        "pass `{arg}()`."
    ),
    "optimizer_module": N_(
        "`{arg}` is a module; the optimizer needs its parameters: pass `{arg}.parameters()`."
    ),
    "optimizer_tensor": N_(
        "`{arg}` is a single tensor, but the optimizer takes a list of tensors: pass `[{arg}]`."
    ),
    "optimizer_nonleaf": N_(
        "`{arg}` is not a leaf tensor but the result of an operation ({function}), so the "
        "optimizer cannot update it: give it the tensors you created with requires_grad=True."
    ),
    "backward_not_scalar": N_(
        "`{loss}` has shape {shape} ({count} values), but backward() without arguments needs "
        "a single number: reduce it first, e.g. `{loss_code}.sum()` or `{loss_code}.mean()`."
    ),
    # Python slips
    "class_not_instance": N_(
        "`{name}` is the class {cls} itself, not an instance of it: create one first, e.g. "
        "`{name} = {cls}(...)` with its arguments."
    ),
    "context_class": N_(
        "`with {expr}:` uses the class itself; add parentheses to create the context: "
        "`with {expr}():`."
    ),
    "forward_arguments": N_(
        "`{call}` calls `{module}` with {given} argument(s), but its forward is defined as "
        "`forward({parameters})`: call it with arguments matching those parameters."
    ),
    "attribute_suggestion": N_(
        "`{target}` is a {type} and has no attribute `{name}`; did you mean `{suggestion}`?"
    ),
    "attribute_suggestion_class": N_(
        "`{target}` is a class and has no attribute `{name}`; did you mean `{suggestion}`?"
    ),
    "name_suggestion": N_("There is no variable `{name}`; did you mean `{suggestion}`?"),
    # "this line does nothing" (checked before running, no torch)
    "discarded_copy": N_(
        "line {line}: `{code}` returns a new value and leaves `{target}` as it was; write "
        "`{target} = {code}`."
    ),
    "discarded_result": N_(
        "line {line}: the result of `{code}` is thrown away; assign it to a variable."
    ),
    "not_called": N_("line {line}: `{code}` without () does nothing; write `{code}()`."),
    "function_as_value": N_(
        "line {line}: `{code}` without () is the function itself, which always counts as "
        "true; write `{code}()`."
    ),
    "comparison_discarded": N_(
        "line {line}: `{code}` compares and throws the answer away; to assign, use a single `=`."
    ),
}


def say(key: str, **fields: Any) -> str:
    """The sentence `key` in the learner's language, with its fields filled in."""
    return _(TEMPLATES[key]).format(**fields)
