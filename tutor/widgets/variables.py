"""The variables-and-device panel: every tensor, parameter and module after a run.

Names and values come from the learner's namespace, so every cell is plain text: a
variable called `[/]` must not be parsed as markup (it once crashed the app).
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

from tutor.sandbox.protocol import Variable
from tutor.widgets.plain import plain

COLUMNS = ("name", "type", "shape", "dtype", "device", "grad")


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
    )
