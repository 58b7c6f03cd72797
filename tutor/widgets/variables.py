"""The variables panel: every name the learner's code made, and what is inside on Enter.

Names and values come from the learner's namespace, so every cell is plain text: a
variable called `[/]` must not be parsed as markup (it once crashed the app).
"""

from __future__ import annotations

from math import prod

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Static

from tutor.sandbox.protocol import Stats, Variable
from tutor.widgets.plain import plain

COLUMNS = ("name", "type", "shape", "dtype", "device", "grad", "value")
CELL_LIMIT = 60
"""Characters of a name or value shown in a cell."""


class VariablesTable(DataTable[Text]):
    """Shows where each tensor lives: the answer to most device-mismatch errors."""

    DEFAULT_CSS = """
    VariablesTable {
        height: 1fr;
    }
    """

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = True
        self.add_columns(*COLUMNS)

    def show(self, variables: list[Variable]) -> None:
        self.clear()
        for variable in variables:
            self.add_row(*(plain(cell, CELL_LIMIT) for cell in row(variable)), key=variable.name)


class VariablesPanel(Vertical):
    """The table, and under it the details of the row Enter was pressed on."""

    DEFAULT_CSS = """
    VariablesPanel > #variable-details {
        display: none;
        height: auto;
        max-height: 50%;
        border-top: solid $accent 50%;
        padding: 0 1;
    }
    VariablesPanel.-details > #variable-details {
        display: block;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._variables: dict[str, Variable] = {}

    def compose(self) -> ComposeResult:
        yield VariablesTable(id="variables")
        with VerticalScroll(id="variable-details"):
            yield Static(id="variable-text")

    def show(self, variables: list[Variable]) -> None:
        self._variables = {variable.name: variable for variable in variables}
        self.query_one(VariablesTable).show(variables)
        self.remove_class("-details")

    @on(DataTable.RowSelected)
    def show_details(self, event: DataTable.RowSelected) -> None:
        variable = self._variables.get(str(event.row_key.value))
        if variable is None:
            return
        self.query_one("#variable-text", Static).update(plain("\n".join(details(variable)), 20_000))
        self.add_class("-details")


def row(variable: Variable) -> tuple[str, ...]:
    shape = "" if variable.shape is None else str(tuple(variable.shape))
    grad = {True: "yes", False: "no", None: ""}[variable.requires_grad]
    return (
        variable.name,
        variable.type,
        shape,
        (variable.dtype or "").removeprefix("torch."),
        variable.device or "",
        grad,
        summary(variable),
    )


def summary(variable: Variable) -> str:
    """The value column: what matters about this kind of object in a few characters."""
    if variable.parameters is not None:
        return f"{variable.parameters:,} parameters"
    if variable.stats is not None and (variable.stats.nan or variable.stats.inf):
        return f"⚠ {variable.stats.nan:,} NaN, {variable.stats.inf:,} inf"
    if variable.value:
        return variable.value
    if variable.length is not None:
        return f"{variable.length:,} items"
    return ""


def details(variable: Variable) -> list[str]:
    """Lines for the details pane: a tensor's numbers, or a model's layers."""
    lines = [f"{variable.name}: {variable.type}"]
    if variable.shape is not None:
        lines[0] += f" of shape {tuple(variable.shape)}, {variable.dtype} on {variable.device}"
    if variable.stats is not None:
        lines.extend(stats_lines(variable.stats, prod(variable.shape or ())))
    if variable.parameters is not None:
        lines[0] += f", {variable.parameters:,} parameters"
        for layer in variable.layers:
            output = f"output {layer.output_shape}" if layer.output_shape else "no forward pass yet"
            lines.append(
                f"{'  ' * layer.depth}{layer.name} ({layer.type}) · "
                f"{layer.parameters:,} parameters · {output}"
            )
    if variable.value:
        lines.append(f"value: {variable.value}")
    elif variable.length is not None:
        lines.append(f"{variable.length:,} items")
    return lines


def stats_lines(stats: Stats, size: int) -> list[str]:
    lines = []
    if stats.min is not None and stats.max is not None and stats.mean is not None:
        lines.append(f"min {stats.min:.6g} · max {stats.max:.6g} · mean {stats.mean:.6g}")
    lines.append(f"NaN values: {stats.nan:,} · infinite values: {stats.inf:,}")
    lines.append(f"first values: {stats.first}")
    if stats.counted < size:
        lines.append(f"(the figures cover the first {stats.counted:,} of {size:,} values)")
    return lines
