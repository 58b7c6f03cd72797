"""The explainer on real torch errors: each sentence names the learner's variables and shapes.

Every snippet raises torch's (or Python's) own error in code compiled as `<your code>`,
as the worker does. CUDA-only failures cannot happen on a CPU-only machine: those tests
raise torch's real message text from a helper (a frame outside the learner's code, as
torch's own frames are) with real tensors, on the meta device where a second device is
needed.
"""

from __future__ import annotations

import linecache
import textwrap
from typing import Any

import pytest
import torch

from tutor.feedback.explain import explain, raised

FILENAME = "<your code>"


def explained(code: str, **namespace: Any) -> str:
    """Run `code` as the learner's; return the explanation of the error it raises."""
    source = textwrap.dedent(code)
    linecache.cache[FILENAME] = (len(source), None, source.splitlines(True), FILENAME)
    scope = {"__name__": "__main__", **namespace}
    try:
        exec(compile(source, FILENAME, "exec"), scope)
    except Exception as error:  # noqa: BLE001 - the point of the test
        return explain(error, {FILENAME})
    raise AssertionError("the snippet did not fail")


def raiser(error: BaseException) -> Any:
    """A stand-in for a CUDA kernel: fails with torch's message, from outside learner code."""

    def fail(*args: Any, **kwargs: Any) -> Any:
        raise error

    return fail


def test_matmul_names_both_operands_and_the_transpose_that_fits() -> None:
    text = explained(
        """
        import torch
        features = torch.randn(8, 12)
        weights = torch.randn(5, 12)
        out = features @ weights
        """
    )
    assert "`features` has shape (8, 12)" in text
    assert "`weights` has shape (5, 12)" in text
    assert "(12)" in text and "(5)" in text
    assert "`features @ weights.T` has shape (8, 5)" in text


def test_matmul_inside_an_expression_points_at_the_failing_product() -> None:
    text = explained(
        """
        import torch
        x, w1, w2 = torch.randn(4, 3), torch.randn(3, 6), torch.randn(5, 2)
        y = torch.relu(x @ w1) @ w2 + 1
        """
    )
    assert "`torch.relu(x @ w1)` has shape (4, 6)" in text
    assert "`w2` has shape (5, 2)" in text
    assert "Transposing" not in text


def test_linear_layer_in_a_module_is_named_with_in_features_fix() -> None:
    text = explained(
        """
        import torch
        from torch import nn
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc1 = nn.Linear(10, 5)
            def forward(self, x):
                return self.fc1(x)
        model = Net()
        batch = torch.randn(8, 12)
        out = model(batch)
        """
    )
    assert "`self.fc1` is nn.Linear(10, 5)" in text
    assert "`x` has shape (8, 12)" in text
    assert "nn.Linear(12, 5)" in text


def test_linear_layer_inside_sequential_is_named_by_its_path() -> None:
    text = explained(
        """
        import torch
        from torch import nn
        model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(6, 1))
        out = model(torch.randn(3, 4))
        """
    )
    assert "`model[2]` is nn.Linear(6, 1)" in text
    assert "(3, 8)" in text and "nn.Linear(8, 1)" in text


def test_linear_with_features_in_rows_suggests_the_transpose() -> None:
    text = explained(
        """
        import torch
        layer = torch.nn.Linear(3, 1)
        data = torch.randn(3, 50)
        pred = layer(data)
        """
    )
    assert "`data` has shape (3, 50)" in text
    assert "`data.T` has shape (50, 3)" in text


def test_broadcasting_names_shapes_and_offers_a_column() -> None:
    text = explained(
        """
        import torch
        scores = torch.randn(3, 4)
        bias = torch.randn(3)
        total = scores + bias
        """
    )
    assert "`scores` has shape (3, 4) and `bias` has shape (3,)" in text
    assert "`bias[:, None]` has shape (3, 1)" in text


def test_broadcasting_inside_a_loss_names_the_arguments() -> None:
    text = explained(
        """
        import torch
        import torch.nn.functional as F
        pred, target = torch.randn(4, 3), torch.randn(5)
        loss = F.mse_loss(pred, target)
        """
    )
    assert "`pred` has shape (4, 3)" in text and "`target` has shape (5,)" in text


def test_view_to_a_size_that_does_not_fit() -> None:
    text = explained("import torch\nimages = torch.zeros(2, 3, 4)\nflat = images.view(2, 10)\n")
    assert "`images` has shape (2, 3, 4), that is 24 values" in text
    assert "(2, 10)" in text


def test_reshape_with_minus_one_says_why_it_cannot_be_inferred() -> None:
    text = explained("import torch\nt = torch.arange(12)\nu = t.reshape(-1, 5)\n")
    assert "`t` has shape (12,)" in text and "does not divide 12" in text


def test_view_of_a_transposed_tensor_recommends_reshape() -> None:
    text = explained("import torch\nm = torch.randn(3, 4)\nv = m.t().view(12)\n")
    assert "`m.t()` (shape (4, 3)) is not laid out contiguously" in text
    assert "`m.t().reshape(...)`" in text


def test_stack_of_different_shapes_names_the_entries() -> None:
    text = explained("import torch\na, b = torch.ones(3), torch.ones(4)\nc = torch.stack([a, b])\n")
    assert "`a` has shape (3,) and `b` has shape (4,)" in text


def test_cat_names_list_items_and_the_dimension_that_would_work() -> None:
    text = explained(
        "import torch\nparts = [torch.randn(3, 4), torch.randn(3, 5)]\nall_ = torch.cat(parts)\n"
    )
    assert "`parts[0]` has shape (3, 4) and `parts[1]` has shape (3, 5)" in text
    assert "dim=1" in text


def test_index_out_of_range_gives_the_valid_range() -> None:
    text = explained("import torch\nx = torch.randn(3, 4)\nv = x[1, 7]\n")
    assert "`x` has shape (3, 4)" in text and "dimension 1" in text
    assert "0 to 3" in text and "7" in text


def test_list_index_out_of_range() -> None:
    text = explained("losses = [0.5, 0.4]\nlast = losses[2]\n")
    assert "`losses` has 2 items" in text and "0 to 1" in text


def test_dimension_out_of_range() -> None:
    text = explained("import torch\nrow = torch.randn(5)\ns = row.softmax(dim=1)\n")
    assert "`row` has 1 dimensions (shape (5,))" in text and "no dimension 1" in text


def test_embedding_index_out_of_range() -> None:
    text = explained(
        "import torch\nemb = torch.nn.Embedding(5, 3)\nids = torch.tensor([1, 7])\ne = emb(ids)\n"
    )
    assert "`emb` is nn.Embedding(5, 3)" in text and "`ids` contains 7" in text


def test_float64_input_into_a_float32_layer_mentions_numpy() -> None:
    text = explained(
        """
        import numpy as np
        import torch
        net = torch.nn.Linear(3, 2)
        inputs = torch.from_numpy(np.ones((4, 3)))
        out = net(inputs)
        """
    )
    assert "`inputs` is float64 but the weights of `net` are float32" in text
    assert "NumPy" in text and "`inputs.float()`" in text


def test_double_times_float_matmul() -> None:
    text = explained(
        "import torch\na = torch.ones(2, 3, dtype=torch.float64)\nb = torch.ones(3, 2)\nc = a @ b\n"
    )
    assert "`a` is float64 and `b` is float32" in text and "`a.float()`" in text


def test_cross_entropy_with_float_targets_asks_for_long() -> None:
    text = explained(
        """
        import torch
        criterion = torch.nn.CrossEntropyLoss()
        logits = torch.randn(4, 3)
        labels = torch.tensor([0.0, 1.0, 2.0, 1.0])
        loss = criterion(logits, labels)
        """
    )
    assert "`labels` holds the classes as float32" in text
    assert "`criterion`" in text and "`labels.long()`" in text


def test_cross_entropy_class_out_of_range_counts_the_classes() -> None:
    text = explained(
        """
        import torch
        import torch.nn.functional as F
        scores = torch.randn(4, 3)
        y = torch.tensor([0, 1, 3, 1])
        loss = F.cross_entropy(scores, y)
        """
    )
    assert "`y` contains class 3" in text and "`scores` has shape (4, 3)" in text
    assert "3 classes, numbered 0 to 2" in text and "4 outputs" in text


def test_cross_entropy_with_a_column_of_targets() -> None:
    text = explained(
        """
        import torch
        loss_fn = torch.nn.CrossEntropyLoss()
        out, y = torch.randn(4, 3), torch.tensor([[0], [1], [2], [1]])
        loss = loss_fn(out, y)
        """
    )
    assert "`y` has shape (4, 1)" in text and "`y.squeeze(1)`" in text


def test_device_mismatch_on_a_real_second_device() -> None:
    text = explained(
        """
        import torch
        model = torch.nn.Linear(3, 2).to("meta")
        device = torch.device("meta")
        x = torch.randn(4, 3)
        out = model(x)
        """
    )
    assert "`x` is on cpu but `model` is on meta" in text
    assert "`x = x.to(device)`" in text


@pytest.mark.parametrize(
    "message",
    [
        "Expected all tensors to be on the same device, but found at least two devices, "
        "cuda:0 and cpu! (when checking argument for argument mat2 in method wrapper_CUDA_mm)",
        "Expected all tensors to be on the same device, but got mat2 is on cpu, different "
        "from other tensors on cuda:0 (when checking argument in method wrapper_CUDA_mm)",
    ],
)
def test_device_mismatch_with_cuda_messages(message: str) -> None:
    text = explained(
        "hidden = torch.randn(2, 3, device='meta')\nw = torch.randn(3, 2)\ny = matmul(hidden, w)\n",
        torch=torch,
        matmul=raiser(RuntimeError(message)),
    )
    assert "`w` is on cpu but `hidden` is on meta" in text
    assert "`w = w.to('meta')`" in text


def test_cuda_out_of_memory_names_what_holds_memory() -> None:
    message = (
        "CUDA out of memory. Tried to allocate 20.00 GiB. GPU 0 has a total capacity of "
        "79.11 GiB of which 18.44 GiB is free."
    )
    text = explained(
        """
        activations = torch.empty(1024, 1024, 256, device="meta")
        w = torch.randn(3, requires_grad=True)
        losses = [(w * 2).sum() for _ in range(3)]
        out = forward(activations)
        """,
        torch=torch,
        forward=raiser(torch.OutOfMemoryError(message)),
    )
    assert "ran out of memory on line 5" in text
    assert "`activations` (1.0 GiB together)" in text
    assert "`losses` keeps 3 tensors" in text
    assert "torch.no_grad()" in text and "batch size" in text


def test_backward_twice_finds_the_tensor_computed_before_the_loop() -> None:
    text = explained(
        """
        import torch
        w = torch.randn(3, requires_grad=True)
        hidden = w * 2
        for step in range(3):
            loss = (hidden ** 2).sum()
            loss.backward()
        """
    )
    assert "`hidden` is computed once, before the loop on line 5" in text
    assert "`loss.backward()`" in text


def test_backward_twice_without_a_loop() -> None:
    text = explained(
        "import torch\nw = torch.randn(3, requires_grad=True)\n"
        "total = (w * w).sum()\ntotal.backward()\ntotal.backward()\n"
    )
    assert "`total.backward()` runs a second time" in text


def test_backward_without_grad_names_the_leaves() -> None:
    text = explained(
        """
        import torch
        x = torch.randn(5)
        w = torch.randn(5)
        pred = x * w
        loss = pred.sum()
        loss.backward()
        """
    )
    assert "`loss` does not require grad" in text
    assert "`x` and `w`" in text and "requires_grad=True" in text


def test_backward_of_a_loss_computed_under_no_grad() -> None:
    text = explained(
        """
        import torch
        w = torch.randn(5, requires_grad=True)
        with torch.no_grad():
            loss = (w * 2).sum()
        loss.backward()
        """
    )
    assert "`loss` was computed inside `with torch.no_grad():` (line 4)" in text


def test_backward_through_a_detached_value_says_the_graph_was_cut() -> None:
    text = explained(
        "import torch\nw = torch.randn(5, requires_grad=True)\n"
        "loss = (w.detach() * 2).sum()\nloss.backward()\n"
    )
    assert "although `w` does" in text and ".detach()" in text


def test_in_place_update_of_a_leaf_recommends_no_grad() -> None:
    text = explained(
        """
        import torch
        weight = torch.randn(5, requires_grad=True)
        (weight * 2).sum().backward()
        weight -= 0.1 * weight.grad
        """
    )
    assert "`weight` is a leaf tensor with requires_grad=True" in text
    assert "`weight -= 0.1 * weight.grad`" in text
    assert "with torch.no_grad():" in text and "`weight.grad.zero_()`" in text


def test_in_place_method_on_a_leaf() -> None:
    text = explained("import torch\nb = torch.zeros(2, requires_grad=True)\nb.add_(1)\n")
    assert "`b` is a leaf tensor" in text and "`b.add_(1)`" in text


def test_numpy_of_a_tensor_that_requires_grad() -> None:
    text = explained(
        "import torch\nw = torch.randn(3, requires_grad=True)\nout = w * 2\narr = out.numpy()\n"
    )
    assert "`out` requires grad" in text and "`out.detach().numpy()`" in text


def test_item_of_many_elements() -> None:
    text = explained("import torch\nlosses = torch.randn(4, 2)\nvalue = losses.item()\n")
    assert "`losses` has 8 elements (shape (4, 2))" in text and "`losses.sum()`" in text


def test_float_of_many_elements() -> None:
    text = explained("import torch\nerr = torch.randn(3)\nf = float(err)\n")
    assert "`err` has 3 elements" in text


def test_truth_value_of_a_many_element_tensor() -> None:
    text = explained("import torch\ndiff = torch.randn(3)\nif diff > 0:\n    print('up')\n")
    assert "`diff > 0` is a tensor of 3 values (shape (3,))" in text
    assert "`(diff > 0).any()`" in text and "`(diff > 0).all()`" in text


def test_class_instead_of_an_instance() -> None:
    text = explained(
        "import torch\nfrom torch import nn\nmodel = nn.Linear\n"
        "optimizer = torch.optim.SGD(model.parameters(), lr=0.1)\n"
    )
    assert "`model` is the class nn.Linear itself" in text
    assert "`model = nn.Linear(...)`" in text


def test_class_called_with_data() -> None:
    text = explained("import torch\nnet = torch.nn.Linear\nout = net(torch.randn(2, 3))\n")
    assert "`net` is the class nn.Linear itself" in text


def test_no_grad_without_parentheses() -> None:
    text = explained("import torch\nwith torch.no_grad:\n    pass\n")
    assert "`with torch.no_grad():`" in text


def test_forward_called_with_the_wrong_arguments() -> None:
    text = explained(
        """
        import torch
        from torch import nn
        class Model(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(3, 2)
            def forward(self, x):
                return self.fc(x)
        net = Model()
        inputs, labels = torch.randn(2, 3), torch.randn(2)
        out = net(inputs, labels)
        """
    )
    assert "`net(inputs, labels)` calls `net` with 2 argument(s)" in text
    assert "`forward(x)`" in text


def test_attribute_and_name_suggestions() -> None:
    text = explained("import torch\ngrad = torch.zeros(3)\ngrad.zero()\n")
    assert "did you mean `zero_`?" in text and "`grad` is a Tensor" in text
    assert "did you mean `weights`?" in explained("weights = 3\nprint(weight)\n")


def test_random_operands_are_named_without_moving_the_learners_seed() -> None:
    torch.manual_seed(0)
    text = explained("import torch\ny = torch.randn(8, 12) @ torch.randn(10, 5)\n")
    after = torch.get_rng_state()
    torch.manual_seed(0)
    torch.randn(8, 12), torch.randn(10, 5)  # what the learner's line itself drew
    assert "`torch.randn(8, 12)` has shape (8, 12)" in text
    assert torch.equal(after, torch.get_rng_state()), "explaining drew random numbers"


def test_numpy_array_or_list_fed_to_a_layer_or_function() -> None:
    text = explained(
        "import numpy as np, torch\nnet = torch.nn.Linear(3, 2)\n"
        "X_np = np.ones((4, 3))\nout = net(X_np)\n"
    )
    assert "`X_np` is a NumPy array, but `net` needs a tensor" in text
    assert "`torch.from_numpy(X_np).float()`" in text
    text = explained("import numpy as np, torch\narr = np.ones(3)\ne = torch.exp(arr)\n")
    assert "`arr` is a NumPy array, but `torch.exp` needs a tensor" in text
    text = explained("import torch\nnet = torch.nn.Linear(3, 2)\nout = net([[1.0, 2.0, 3.0]])\n")
    assert "is a Python list" in text and "`torch.tensor([[1.0, 2.0, 3.0]])`" in text


def test_grad_that_is_none_says_why() -> None:
    text = explained(
        """
        import torch
        x = torch.tensor(-3.5, requires_grad=True)
        for step in range(3):
            loss = (x - 2) ** 2
            loss.backward()
            with torch.no_grad():
                x = x - 0.1 * x.grad
            x.grad.zero_()
        """
    )
    assert "`x.grad` is None because `x` no longer tracks gradients: line 8" in text
    assert "`x = x - 0.1 * x.grad`" in text and "`x -= ...`" in text
    text = explained(
        "import torch\nw = torch.tensor(1.0, requires_grad=True)\n"
        "opt = torch.optim.SGD([w], lr=0.1)\nopt.zero_grad()\nw -= 0.1 * w.grad\n"
    )
    assert "`w.grad` is None: no backward() has filled it" in text


@pytest.mark.parametrize(
    ("argument", "expected"),
    [
        ("model.parameters", "pass `model.parameters()`"),
        ("model", "`model` is a module"),
        ("w", "`w` is a single tensor"),
        ("[w * 2]", "`w * 2` is not a leaf tensor"),
    ],
)
def test_what_an_optimizer_was_given_instead_of_parameters(argument: str, expected: str) -> None:
    text = explained(
        "import torch\nmodel = torch.nn.Linear(2, 1)\nw = torch.ones(2, requires_grad=True)\n"
        f"optimizer = torch.optim.SGD({argument}, lr=0.1)\n"
    )
    assert expected in text


def test_backward_of_a_non_scalar() -> None:
    text = explained(
        "import torch\nw = torch.ones(2, requires_grad=True)\nerrors = (w * 3 - 1) ** 2\n"
        "errors.backward()\n"
    )
    assert "`errors` has shape (2,) (2 values)" in text and "`errors.mean()`" in text


def test_unknown_errors_and_unconfirmed_stories_say_nothing() -> None:
    assert explained("x = 1 / 0\n") == ""
    assert explained("raise ValueError('shape mismatch (8x12 and 10x5)')\n") == ""
    fake = RuntimeError("mat1 and mat2 shapes cannot be multiplied (8x12 and 10x5)")
    assert explained("a = 3\nb = 4\nc = f(a, b)\n", f=raiser(fake)) == ""
    wrong_arguments = (
        "import torch\nclass Net(torch.nn.Module):\n    def __init__(self, n):\n"
        "        super().__init__()\nfactory = Net\nm = factory(3, 4)\n"
    )
    assert explained(wrong_arguments) == "", "a constructor call with wrong arguments"


def test_side_effects_are_never_re_run() -> None:
    calls: list[int] = []

    def step() -> torch.Tensor:
        calls.append(1)
        return torch.randn(3, 4)

    explained("import torch\nv = step() @ torch.randn(5, 2)\n", step=step)
    assert calls == [1]


def test_check_message_puts_the_error_first_then_the_explanation() -> None:
    assert raised("ZeroDivisionError: division by zero", "") == (
        "your code raised ZeroDivisionError: division by zero"
    )
    assert raised("RuntimeError: x", "Because.") == "your code raised RuntimeError: x. Because."
