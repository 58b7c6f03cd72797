"""The variables panel: what the worker reports about each name, and what the UI shows."""

from __future__ import annotations

import json
import math
from math import sqrt
from pathlib import Path

import numpy as np
import torch
from textual.app import App, ComposeResult

from tests.conftest import FIXTURE_LESSONS
from tests.fakes import FakeSupervisor
from tutor.app import TutorApp
from tutor.lessons.loader import load_catalog
from tutor.progress import ProgressStore
from tutor.sandbox import execution
from tutor.sandbox.protocol import Variable, VariablesEvent
from tutor.screens.lesson import LessonScreen
from tutor.widgets.variables import VariablesPanel, VariablesTable, details, row


def learner_namespace() -> dict:
    execution.watch_forward_passes()
    model = torch.nn.Sequential(torch.nn.Linear(10, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
    model(torch.zeros(64, 10))

    def own(x):
        return x

    own.__module__ = "__main__"
    return {
        "__builtins__": __builtins__,
        "_hidden": 1,
        "math": math,
        "sqrt": sqrt,
        "own": own,
        "arr": np.arange(6.0).reshape(2, 3),
        "rank": 2,
        "name": "x" * 500,
        "items": [1, 2, 3],
        "table": {"a": 1},
        "w": torch.tensor([1.0, float("nan"), float("inf"), 3.0], requires_grad=True),
        "model": model,
        "[/]": torch.zeros(2),
    }


def reported() -> dict:
    wire = json.loads(json.dumps({"variables": execution.variables(learner_namespace())}))
    return {variable.name: variable for variable in VariablesEvent.from_wire(wire).variables}


def test_every_learner_name_is_reported_but_imports_are_not() -> None:
    found = reported()
    assert set(found) == {"own", "arr", "rank", "name", "items", "table", "w", "model", "[/]"}
    assert found["arr"].shape == (2, 3) and found["arr"].dtype == "float64"
    assert (
        found["arr"].stats.max == 5.0
        and found["arr"].stats.first == "[0.0, 1.0, 2.0, 3.0, 4.0, 5.0]"
    )
    assert found["rank"].value == "2"
    assert len(found["name"].value) <= 60 and found["name"].length == 500
    assert found["items"].length == 3 and found["table"].type == "dict"


def test_tensor_statistics_count_nan_and_inf() -> None:
    w = reported()["w"]
    assert w.requires_grad is True and w.stats is not None
    assert (w.stats.nan, w.stats.inf) == (1, 1)
    assert (w.stats.min, w.stats.max, w.stats.mean) == (1.0, 3.0, 2.0)


def test_model_layers_with_parameters_and_last_output_shapes() -> None:
    model = reported()["model"]
    assert model.parameters == 10 * 4 + 4 + 4 + 1
    layers = {layer.name: layer for layer in model.layers}
    assert layers["0"].parameters == 44 and layers["0"].output_shape == "(64, 4)"
    assert layers["2"].output_shape == "(64, 1)" and layers["1"].type == "ReLU"


class PanelApp(App[None]):
    def compose(self) -> ComposeResult:
        yield VariablesPanel()


async def test_enter_on_a_row_opens_its_details_in_the_tables_place() -> None:
    app = PanelApp()
    async with app.run_test(size=(100, 40)) as pilot:
        panel = app.query_one(VariablesPanel)
        panel.show(list(reported().values()))
        table = app.query_one(VariablesTable)
        table.focus()
        names = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        table.move_cursor(row=names.index("model"))
        await pilot.press("enter")
        text = str(app.query_one("#variable-text").render())
        assert "0 (Linear) · 44 parameters · output (64, 4)" in text
        assert not table.display and app.focused is app.query_one("#variable-details")
        await pilot.press("escape")
        assert table.display and app.focused is table
        assert [str(cell) for cell in table.get_row("model")][-1] == "49 parameters"
        table.move_cursor(row=names.index("w"))
        await pilot.press("enter")
        text = str(app.query_one("#variable-text").render())
        assert "NaN values: 1 · infinite values: 1" in text and "min 1 · max 3 · mean 2" in text


async def test_at_80x24_keys_alone_open_a_models_layers_and_a_tensors_statistics(
    tutor_home: Path,
) -> None:
    """From the editor after a run: alt+v, arrows, Enter, Esc; alt+v goes back to typing."""
    variables = list(reported().values())
    catalog = load_catalog([FIXTURE_LESSONS])
    store = ProgressStore(tutor_home / "progress.db")
    supervisor = FakeSupervisor(events=[VariablesEvent(variables)])
    start = catalog.find_step("tensors/from-a-list")
    app = TutorApp(catalog, store, start=start, open_start=True, supervisor=supervisor)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LessonScreen) and screen.focused is screen.editor
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        await pilot.press("alt+v")
        await pilot.pause()
        names = [variable.name for variable in variables]
        details = screen.query_one("#variable-details")
        row = 0
        for name, shown in (
            ("model", "0 (Linear) · 44 parameters · output (64, 4)"),
            ("w", "NaN values: 1 · infinite values: 1"),
        ):
            moves = names.index(name) - row
            row += moves
            await pilot.press(*["down" if moves > 0 else "up"] * abs(moves), "enter")
            await pilot.pause()
            assert shown in str(screen.query_one("#variable-text").render())
            assert details.region.height >= 10, "the layer tree gets the panel's rows"
            assert screen.find_widget(details).region.bottom <= 23, "above the footer"
            await pilot.press("escape")
        assert isinstance(app.screen, LessonScreen), "Esc closed the details, not the step"
        await pilot.press("alt+v", "x")
        assert screen.focused is screen.editor and "x" in screen.editor.text


def test_a_tensor_s_dtype_reads_the_same_in_its_row_and_its_details() -> None:
    tensor = Variable("x", "Tensor", (2, 3), "torch.float32", "cpu", False)
    assert row(tensor)[3] == "float32"
    assert details(tensor)[0] == "x: Tensor of shape (2, 3), float32 on cpu"
