"""The variables-and-device panel: every tensor, parameter and module after a run."""

from __future__ import annotations

from textual.widgets import DataTable

from tutor.sandbox.protocol import Variable

COLUMNS = ("name", "type", "shape", "dtype", "device", "grad")


class VariablesTable(DataTable[str]):
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
            self.add_row(*row(variable), key=variable.name)


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
