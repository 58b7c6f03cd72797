"""The explainer on loading errors and convolution inputs: names, keys and shapes from the code."""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from tests.feedback.test_explain import explained


def make_model(hidden: int = 32) -> nn.Sequential:
    return nn.Sequential(nn.Linear(64, hidden), nn.ReLU(), nn.Dropout(0.2), nn.Linear(hidden, 10))


def test_another_architecture_names_the_keys_on_each_side(tmp_path: Path) -> None:
    path = tmp_path / "model.pt"
    torch.save(make_model().state_dict(), path)
    text = explained(
        """
        restored = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
        restored.load_state_dict(torch.load(path, weights_only=True))
        """,
        nn=nn,
        torch=torch,
        path=path,
    )
    assert "`restored` and the saved model are built differently" in text
    assert "`restored` has `2.weight`, `2.bias`, which the state_dict lacks" in text
    assert "the state_dict has `3.weight`, `3.bias`" in text


def test_other_sizes_name_the_parameter_and_both_shapes(tmp_path: Path) -> None:
    path = tmp_path / "model.pt"
    torch.save(make_model().state_dict(), path)
    text = explained(
        """
        restored = make_model(hidden=16)
        restored.load_state_dict(torch.load(path, weights_only=True))
        """,
        make_model=make_model,
        torch=torch,
        path=path,
    )
    assert "the saved `0.weight` has shape (32, 64), but `restored`'s has shape (16, 64)" in text


def test_a_whole_checkpoint_points_at_its_model_entry() -> None:
    checkpoint = {"epoch": 4, "model": make_model().state_dict(), "optimizer": {}}
    text = explained(
        """
        model = make_model()
        model.load_state_dict(checkpoint)
        """,
        make_model=make_model,
        checkpoint=checkpoint,
    )
    assert "`checkpoint` is a whole checkpoint (its keys are `epoch`, `model`, `optimizer`)" in text
    assert "`model.load_state_dict(checkpoint['model'])`" in text


def test_a_checkpoint_loaded_inline_is_recognised_by_its_keys(tmp_path: Path) -> None:
    path = tmp_path / "checkpoint.pt"
    torch.save({"epoch": 4, "model": make_model().state_dict()}, path)
    text = explained(
        """
        net = make_model()
        net.load_state_dict(torch.load(path, weights_only=True))
        """,
        make_model=make_model,
        torch=torch,
        path=path,
    )
    assert "`net` has no place for `epoch`, `model`" in text
    assert "checkpoint['model']" in text


def test_keys_saved_from_a_wrapped_model_suggest_removing_the_prefix() -> None:
    state = {f"module.{k}": v for k, v in make_model().state_dict().items()}
    text = explained(
        """
        model = make_model()
        model.load_state_dict(state)
        """,
        make_model=make_model,
        state=state,
    )
    assert "Every saved key starts with `module.` (`module.0.weight`)" in text
    assert "state.items()" in text


def test_a_pickled_model_refused_by_weights_only_says_to_save_the_state_dict(
    tmp_path: Path,
) -> None:
    path = tmp_path / "whole.pt"
    torch.save(make_model(), path)
    text = explained("model = torch.load(path, weights_only=True)\n", torch=torch, path=path)
    assert "`path` holds a whole pickled Sequential" in text
    assert "torch.save(model.state_dict(), ...)" in text


def test_flat_rows_into_a_convolution_get_the_reshape() -> None:
    text = explained(
        """
        conv = nn.Conv2d(1, 8, 3, padding=1)
        xb = torch.rand(16, 64)
        out = conv(xb)
        """,
        nn=nn,
        torch=torch,
    )
    assert "`conv` is an nn.Conv2d" in text and "`xb` has shape (16, 64)" in text
    assert "`xb.reshape(-1, 1, 8, 8)`" in text


def test_channels_last_images_get_the_permute() -> None:
    text = explained(
        """
        conv = nn.Conv2d(1, 8, 3, padding=1)
        images = torch.rand(16, 8, 8, 1)
        out = conv(images)
        """,
        nn=nn,
        torch=torch,
    )
    assert "`images` has shape (16, 8, 8, 1): channels last" in text
    assert "`images.permute(0, 3, 1, 2)`" in text


def test_a_layer_with_the_wrong_in_channels_is_named_inside_the_model() -> None:
    text = explained(
        """
        model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(16, 8, 3))
        out = model(torch.rand(4, 1, 8, 8))
        """,
        nn=nn,
        torch=torch,
    )
    assert "`model[2]` is nn.Conv2d(16, 8, ...)" in text
    assert "shape (4, 8, 8, 8): 8 in dimension 1" in text
    assert "Make it nn.Conv2d(8, 8, ...)" in text


def test_swapped_in_and_out_channels_are_named_as_such() -> None:
    text = explained(
        """
        conv = nn.Conv2d(8, 1, 3, padding=1)
        batch = torch.rand(16, 1, 8, 8)
        features = conv(batch)
        """,
        nn=nn,
        torch=torch,
    )
    assert "`conv` is nn.Conv2d(8, 1, ...), but `batch` has shape (16, 1, 8, 8)" in text
    assert "nn.Conv2d takes in_channels first, then out_channels" in text
    assert "write nn.Conv2d(1, 8, ...)" in text
