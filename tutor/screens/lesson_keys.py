"""The lesson screen's keys: one table for the screen, its F1 help, the palette and the README.

Every action has a function key and an alt+ twin (terminals over SSH often lose F-keys),
and `priority` so the keys work from inside the editor.
"""

from __future__ import annotations

from textual.binding import Binding

from tutor.i18n import N_

LESSON_BINDINGS = [
    Binding("f1", "help", N_("Help"), priority=True, tooltip=N_("All keys")),
    Binding(
        "f5,ctrl+r", "run", N_("Run"), priority=True, tooltip=N_("Run your code in the sandbox")
    ),
    Binding(
        "f6,ctrl+t",
        "check",
        N_("Check"),
        priority=True,
        tooltip=N_("Run your code, then the exercise's checks"),
    ),
    Binding("f2,alt+h", "hint", N_("Hint"), priority=True, tooltip=N_("Show the next hint")),
    Binding(
        "f3,alt+s",
        "solution",
        N_("Solution"),
        priority=True,
        tooltip=N_("Show the reference solution"),
    ),
    Binding(
        "f4", "interrupt('F4')", N_("Stop"), priority=True, tooltip=N_("Interrupt the running code")
    ),
    Binding(
        "alt+c",
        "interrupt('alt+c')",
        N_("Stop"),
        show=False,
        priority=True,
        tooltip=N_("Interrupt the running code"),
    ),
    Binding(
        "ctrl+c",
        "interrupt('ctrl+c')",
        N_("Stop"),
        show=False,
        priority=True,
        tooltip=N_("While code runs: interrupt it; otherwise copy the selection"),
    ),
    Binding("f8,alt+n", "next_step", N_("Next"), priority=True, tooltip=N_("Go to the next step")),
    Binding(
        "f7,alt+p",
        "previous_step",
        N_("Prev"),
        priority=True,
        tooltip=N_("Go to the previous step"),
    ),
    Binding(
        "f9,alt+g",
        "toggle_plot",
        N_("Plot"),
        priority=True,
        tooltip=N_("Show the plot or the output"),
    ),
    Binding(
        "alt+v",
        "show_variables",
        N_("Variables"),
        show=False,
        priority=True,
        tooltip=N_("Go to the variables (Enter opens a row, Esc closes it), or back to the editor"),
    ),
    Binding(
        "alt+m",
        "toggle_results_size",
        N_("Enlarge"),
        show=False,
        priority=True,
        tooltip=N_("Give the output, variables and plot the whole screen, and back"),
    ),
    Binding(
        "alt+l",
        "toggle_log_scale",
        N_("Log y"),
        show=False,
        priority=True,
        tooltip=N_("Log scale for the plot"),
    ),
    Binding(
        "alt+up",
        "scroll_text(-1)",
        N_("Scroll text up"),
        show=False,
        priority=True,
        tooltip=N_("Scroll the step text up without leaving the editor"),
    ),
    Binding(
        "alt+down",
        "scroll_text(1)",
        N_("Scroll text down"),
        show=False,
        priority=True,
        tooltip=N_("Scroll the step text down without leaving the editor"),
    ),
    Binding(
        "alt+x",
        "reset",
        N_("Reset"),
        show=False,
        priority=True,
        tooltip=N_("Put the starter code back"),
    ),
    Binding(
        "f12,alt+w",
        "restart",
        N_("Restart"),
        show=False,
        priority=True,
        tooltip=N_("Restart the worker (variables are lost)"),
    ),
    Binding(
        "alt+e",
        "external_editor",
        N_("$EDITOR"),
        show=False,
        priority=True,
        tooltip=N_("Edit the code in $EDITOR"),
    ),
    Binding(
        "f10,alt+a",
        "attempts",
        N_("Attempts"),
        show=False,
        priority=True,
        tooltip=N_("Your earlier runs and checks: put one's code back in the editor"),
    ),
    Binding(
        "alt+d",
        "toggle_dark",
        N_("Light/dark"),
        show=False,
        priority=True,
        tooltip=N_("Switch light and dark theme"),
    ),
    Binding(
        "question_mark", "help", N_("Help"), show=False, tooltip=N_("All keys (outside the editor)")
    ),
    Binding(
        "escape",
        "back",
        N_("Lessons"),
        tooltip=N_("Back to the lesson list (from the editor: twice)"),
    ),
]
