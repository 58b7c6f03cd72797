"""The variables panel: every name the learner's code made, and what is inside on Enter.

Names and values come from the learner's namespace, so every cell is plain text: a
variable called `[/]` must not be parsed as markup (it once crashed the app).
"""

from __future__ import annotations

from math import prod

from rich.text import Text
from textual import on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Static

from tutor.i18n import N_, _
from tutor.sandbox.protocol import Stats, Variable
from tutor.widgets.plain import plain

COLUMNS = (N_("name"), N_("type"), "shape", "dtype", "device", "grad", N_("value"))
"""Headers; shape, dtype, device and grad are torch's own words, which learners search for."""
CELL_LIMIT = 60
"""Characters of a name or value shown in a cell."""


class VariablesTable(DataTable[Text]):
    """Shows where each tensor lives: the answer to most device-mismatch errors."""

    DEFAULT_CSS = """
    VariablesTable {
        height: 1fr;
        min-height: 4;
    }
    """

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = True
        self.add_columns(*(_(column) for column in COLUMNS))

    def show(self, variables: list[Variable]) -> None:
        self.clear()
        for variable in variables:
            self.add_row(*(plain(cell, CELL_LIMIT) for cell in row(variable)), key=variable.name)


class VariablesPanel(Vertical):
    """The table; Enter on a row shows its details in the table's place, Esc goes back.

    The details replace the table rather than share its rows: at 80x24 the panel
    has about a dozen, which a model's layer tree needs all of.
    """

    BINDINGS = [Binding("escape", "close_details", show=False)]

    DEFAULT_CSS = """
    VariablesPanel > #variable-details {
        display: none;
        height: 1fr;
        padding: 0 1;
    }
    VariablesPanel.-details > #variable-details {
        display: block;
    }
    VariablesPanel.-details > VariablesTable {
        display: none;
    }
    VariablesPanel #variable-back {
        color: $text-muted;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._variables: dict[str, Variable] = {}

    def compose(self) -> ComposeResult:
        yield VariablesTable(id="variables")
        with VerticalScroll(id="variable-details"):
            yield Static(id="variable-text")
            yield Static(_("Esc: back to the variables"), id="variable-back")

    @property
    def table(self) -> VariablesTable:
        return self.query_one(VariablesTable)

    def show(self, variables: list[Variable]) -> None:
        self._variables = {variable.name: variable for variable in variables}
        self.table.show(variables)
        self._close()

    @on(DataTable.RowSelected)
    def show_details(self, event: DataTable.RowSelected) -> None:
        variable = self._variables.get(str(event.row_key.value))
        if variable is None:
            return
        self.query_one("#variable-text", Static).update(plain("\n".join(details(variable)), 20_000))
        self.add_class("-details")
        scroll = self.query_one("#variable-details", VerticalScroll)
        scroll.scroll_home(animate=False)
        scroll.focus()  # arrows scroll a long layer tree

    def action_close_details(self) -> None:
        """With nothing open, Esc does what it does elsewhere on the screen."""
        if not self.has_class("-details"):
            raise SkipAction()
        self._close()

    def focus_table(self) -> None:
        self.remove_class("-details")
        self.table.focus()

    def _close(self) -> None:
        """Back to the table, keeping the focus in the panel if it was there."""
        had_focus = self.query_one("#variable-details").has_focus
        self.remove_class("-details")
        if had_focus:
            self.table.focus()


def row(variable: Variable) -> tuple[str, ...]:
    shape = "" if variable.shape is None else str(tuple(variable.shape))
    grad = {True: _("yes"), False: _("no"), None: ""}[variable.requires_grad]
    return (
        variable.name,
        variable.type,
        shape,
        dtype_name(variable),
        variable.device or "",
        grad,
        summary(variable),
    )


def dtype_name(variable: Variable) -> str:
    """`float32`, as the column is already headed dtype: the same word in row and details."""
    return (variable.dtype or "").removeprefix("torch.")


def summary(variable: Variable) -> str:
    """The value column: what matters about this kind of object in a few characters."""
    if variable.parameters is not None:
        return _("{parameters:,} parameters").format(parameters=variable.parameters)
    if variable.stats is not None and (variable.stats.nan or variable.stats.inf):
        return _("⚠ {nan:,} NaN, {inf:,} inf").format(
            nan=variable.stats.nan, inf=variable.stats.inf
        )
    if variable.value:
        return variable.value
    if variable.length is not None:
        return _("{length:,} items").format(length=variable.length)
    return ""


def details(variable: Variable) -> list[str]:
    """Lines for the details pane: a tensor's numbers, or a model's layers."""
    lines = [f"{variable.name}: {variable.type}"]
    if variable.shape is not None:
        lines[0] = _("{name}: {type} of shape {shape}, {dtype} on {device}").format(
            name=variable.name,
            type=variable.type,
            shape=tuple(variable.shape),
            dtype=dtype_name(variable),
            device=variable.device,
        )
    if variable.stats is not None:
        lines.extend(stats_lines(variable.stats, prod(variable.shape or ())))
    if variable.parameters is not None:
        lines[0] = _("{name}: {type}, {parameters:,} parameters").format(
            name=variable.name, type=variable.type, parameters=variable.parameters
        )
        for layer in variable.layers:
            output = (
                _("output {output_shape}").format(output_shape=layer.output_shape)
                if layer.output_shape
                else _("no forward pass yet")
            )
            lines.append(
                "  " * layer.depth
                + _("{name} ({type}) · {parameters:,} parameters · {output}").format(
                    name=layer.name, type=layer.type, parameters=layer.parameters, output=output
                )
            )
    if variable.value:
        lines.append(_("value: {value}").format(value=variable.value))
    elif variable.length is not None:
        lines.append(_("{length:,} items").format(length=variable.length))
    return lines


def stats_lines(stats: Stats, size: int) -> list[str]:
    lines = []
    if stats.min is not None and stats.max is not None and stats.mean is not None:
        lines.append(
            _("min {min:.6g} · max {max:.6g} · mean {mean:.6g}").format(
                min=stats.min, max=stats.max, mean=stats.mean
            )
        )
    lines.append(
        _("NaN values: {nan:,} · infinite values: {inf:,}").format(nan=stats.nan, inf=stats.inf)
    )
    lines.append(_("first values: {first}").format(first=stats.first))
    if stats.counted < size:
        lines.append(
            _("(the figures cover the first {counted:,} of {size:,} values)").format(
                counted=stats.counted, size=size
            )
        )
    return lines
