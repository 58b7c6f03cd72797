"""The code editor writes Python as people expect: indentation, comments, keys, ctrl+c."""

from __future__ import annotations

from pathlib import Path

from textual.app import App, ComposeResult

from tests.test_workspace import make_app, open_exercise, output_text, press_and_wait, verdict
from tutor.widgets.code_editor import (
    CodeEditor,
    code_part,
    dedent_lines,
    next_indent,
    toggle_comment,
)


def test_next_indent_follows_python_blocks() -> None:
    assert next_indent("for i in range(3):", 4) == "    "
    assert next_indent("    if x:  # a comment", 4) == "        "
    assert next_indent("    x = 1", 4) == "    "
    assert next_indent("        return x", 4) == "    "
    assert next_indent("    pass", 4) == ""
    assert next_indent("    passed = True", 4) == "    ", "a name starting with pass"
    assert next_indent("    s = 'a:'", 4) == "    "


def test_code_part_keeps_hashes_inside_strings() -> None:
    assert code_part("x = '#' + y  # note") == "x = '#' + y"
    assert code_part('s = """#:"""') == 's = """#:"""'
    assert code_part("d = {1: 2}  # :") == "d = {1: 2}"


def test_toggle_comment_and_dedent() -> None:
    lines = ["if x:", "    y = 1", "", "    z = 2"]
    commented = toggle_comment(lines)
    assert commented == ["# if x:", "#     y = 1", "", "#     z = 2"]
    assert toggle_comment(commented) == lines
    assert dedent_lines(["    a", "  b", "c", "\tt"], 4) == ["a", "b", "c", "t"]


class EditorApp(App[None]):
    def compose(self) -> ComposeResult:
        yield CodeEditor()


async def test_typing_a_nested_loop_without_spaces_gives_python() -> None:
    app = EditorApp()
    async with app.run_test() as pilot:
        editor = app.query_one(CodeEditor)
        editor.focus()
        for line in ["total = 0", "for i in range(3):", "for j in range(2):", "total += i * j"]:
            await pilot.press(*line, "enter")
        await pilot.press("backspace", "backspace", *"print(total)")
        assert editor.text == (
            "total = 0\n"
            "for i in range(3):\n"
            "    for j in range(2):\n"
            "        total += i * j\n"
            "print(total)"
        )


async def test_backspace_in_indentation_removes_a_level_and_undo_restores() -> None:
    app = EditorApp()
    async with app.run_test() as pilot:
        editor = app.query_one(CodeEditor)
        editor.focus()
        await pilot.pause()  # highlighting starts after the first paint, and moves the cursor
        editor.load_text("if x:\n        y")
        editor.move_cursor((1, 8))
        await pilot.press("backspace")
        assert editor.text == "if x:\n    y"
        await pilot.press("backspace")
        assert editor.text == "if x:\ny"
        await pilot.press("ctrl+z")  # Textual groups quick edits into one undo step
        assert editor.text == "if x:\n        y"
        editor.move_cursor((1, 9))
        await pilot.press("backspace")
        assert editor.text == "if x:\n        ", "outside the indentation: one character"


async def test_tab_and_shift_tab_move_selected_lines_and_comment_toggles() -> None:
    app = EditorApp()
    async with app.run_test() as pilot:
        editor = app.query_one(CodeEditor)
        editor.focus()
        editor.load_text("a = 1\nb = 2\nc = 3")
        editor.move_cursor((0, 0))
        editor.move_cursor((1, 3), select=True)
        await pilot.press("tab")
        assert editor.text == "    a = 1\n    b = 2\nc = 3"
        await pilot.press("shift+tab")
        assert editor.text == "a = 1\nb = 2\nc = 3"
        await pilot.press("ctrl+underscore")
        assert editor.text == "# a = 1\n# b = 2\nc = 3"
        await pilot.press("ctrl+z")
        assert editor.text == "a = 1\nb = 2\nc = 3", "one undo step per toggle"
        await pilot.press("ctrl+end")
        assert editor.cursor_location == (2, 5)
        await pilot.press("ctrl+home")
        assert editor.cursor_location == (0, 0)
        await pilot.press("ctrl+a")
        assert editor.selected_text == editor.text


async def test_a_typed_nested_loop_runs_in_the_sandbox(tutor_home: Path) -> None:
    app = make_app(tutor_home)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_exercise(app, pilot, "")
        for line in ["for i in range(2):", "for j in range(2):", "print(i, j, sep='-')"]:
            await pilot.press(*line, "enter")
        await press_and_wait(app, pilot, "f5")
        assert output_text(screen).split() == ["0-0", "0-1", "1-0", "1-1"]
        assert "ran in" in verdict(screen)


async def test_ctrl_c_stops_a_run_and_the_verdict_names_it(tutor_home: Path) -> None:
    app = make_app(tutor_home)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_exercise(app, pilot, "while True:\n    pass\n")
        await pilot.press("f5")
        while app.supervisor.state != "running":
            await pilot.pause(0.05)
        await press_and_wait(app, pilot, "ctrl+c")
        assert "stopped by ctrl+c" in verdict(screen)
        assert app.supervisor.state == "ready"
        assert screen.focused is screen.editor
        await pilot.press("ctrl+c")  # nothing runs: Textual's copy, no notice, no run
        assert app.supervisor.state == "ready"


async def test_set_code_keeps_the_cursor_and_is_undoable() -> None:
    app = EditorApp()
    async with app.run_test() as pilot:
        editor = app.query_one(CodeEditor)
        editor.load_text("a = 1\nb = 2\nc = 3\n")
        editor.move_cursor((2, 3))
        editor.set_code("a = 1\nb = 2\nc = 4\nd = 5\n")
        assert editor.cursor_location == (2, 3)
        editor.set_code("x\n")
        assert editor.cursor_location == (1, 0), "clamped to the shorter code"
        editor.focus()
        await pilot.press("ctrl+z")
        assert editor.text == "a = 1\nb = 2\nc = 4\nd = 5\n"


async def test_keys_pressed_on_the_code_before_the_editor_is_up_reach_it_in_order(
    tutor_home: Path, monkeypatch
) -> None:
    """The first frame shows the code as text; the editor replaces it right after. Here
    the editor is held back, so each key finds the preview: nothing may be lost."""
    from tutor.screens import lesson
    from tutor.widgets.code_preview import CodePreview

    monkeypatch.setattr(lesson, "after_first_frame", lambda node, callback: None)
    app = make_app(tutor_home)
    async with app.run_test() as pilot:
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen.editor, CodePreview) and screen.editor.has_focus
        assert "1  import torch" in str(screen.editor.render())
        await pilot.press("ctrl+a", *"x = 1", "enter", *"for i in range(2):", "enter", *"y = i")
        await pilot.pause()
        editor = screen.editor
        assert isinstance(editor, CodeEditor) and editor.has_focus
        assert not screen.query(CodePreview)
        assert editor.text == "x = 1\nfor i in range(2):\n    y = i", "ctrl+a (a binding) too"
        for _ in range(10):  # what was typed is undone; the code shown before is not
            editor.action_undo()
        assert editor.text.startswith("import torch")
