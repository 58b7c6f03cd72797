"""The lesson screen's keys: one table for the screen, its F1 help, the palette and the README.

Every action has a function key and an alt+ twin (terminals over SSH often lose F-keys),
and `priority` so the keys work from inside the editor.
"""

from __future__ import annotations

from textual.binding import Binding

LESSON_BINDINGS = [
    Binding("f1", "help", "Help", priority=True, tooltip="All keys"),
    Binding("f5,ctrl+r", "run", "Run", priority=True, tooltip="Run your code in the sandbox"),
    Binding(
        "f6,ctrl+t",
        "check",
        "Check",
        priority=True,
        tooltip="Run your code, then the exercise's checks",
    ),
    Binding("f2,alt+h", "hint", "Hint", priority=True, tooltip="Show the next hint"),
    Binding(
        "f3,alt+s", "solution", "Solution", priority=True, tooltip="Show the reference solution"
    ),
    Binding("f4", "interrupt('F4')", "Stop", priority=True, tooltip="Interrupt the running code"),
    Binding(
        "alt+c",
        "interrupt('alt+c')",
        "Stop",
        show=False,
        priority=True,
        tooltip="Interrupt the running code",
    ),
    Binding(
        "ctrl+c",
        "interrupt('ctrl+c')",
        "Stop",
        show=False,
        priority=True,
        tooltip="While code runs: interrupt it; otherwise copy the selection",
    ),
    Binding("f8,alt+n", "next_step", "Next", priority=True, tooltip="Go to the next step"),
    Binding("f7,alt+p", "previous_step", "Prev", priority=True, tooltip="Go to the previous step"),
    Binding(
        "f9,alt+g", "toggle_plot", "Plot", priority=True, tooltip="Show the plot or the output"
    ),
    Binding(
        "alt+v",
        "show_variables",
        "Variables",
        show=False,
        priority=True,
        tooltip="Show the variables and their devices",
    ),
    Binding(
        "alt+m",
        "toggle_results_size",
        "Enlarge",
        show=False,
        priority=True,
        tooltip="Give the output, variables and plot the whole screen, and back",
    ),
    Binding(
        "alt+l",
        "toggle_log_scale",
        "Log y",
        show=False,
        priority=True,
        tooltip="Log scale for the plot",
    ),
    Binding(
        "alt+up",
        "scroll_text(-1)",
        "Scroll text up",
        show=False,
        priority=True,
        tooltip="Scroll the step text up without leaving the editor",
    ),
    Binding(
        "alt+down",
        "scroll_text(1)",
        "Scroll text down",
        show=False,
        priority=True,
        tooltip="Scroll the step text down without leaving the editor",
    ),
    Binding(
        "alt+x",
        "reset",
        "Reset",
        show=False,
        priority=True,
        tooltip="Put the starter code back",
    ),
    Binding(
        "f12,alt+w",
        "restart",
        "Restart",
        show=False,
        priority=True,
        tooltip="Restart the worker (variables are lost)",
    ),
    Binding(
        "alt+e",
        "external_editor",
        "$EDITOR",
        show=False,
        priority=True,
        tooltip="Edit the code in $EDITOR",
    ),
    Binding(
        "f10,alt+a",
        "attempts",
        "Attempts",
        show=False,
        priority=True,
        tooltip="Your earlier runs and checks: put one's code back in the editor",
    ),
    Binding(
        "alt+d",
        "toggle_dark",
        "Light/dark",
        show=False,
        priority=True,
        tooltip="Switch light and dark theme",
    ),
    Binding("question_mark", "help", "Help", show=False, tooltip="All keys (outside the editor)"),
    Binding(
        "escape", "back", "Lessons", tooltip="Back to the lesson list (from the editor: twice)"
    ),
]
