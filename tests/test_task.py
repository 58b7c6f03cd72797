"""The task found in a step's text, the same way in every language (no markers needed)."""

from __future__ import annotations

from tutor.lessons.task import TASK_ROWS, split_task, task_rows


def test_a_closing_paragraph_with_the_data_it_introduces() -> None:
    text = (
        "Tensors hold numbers.\n\n"
        "```python\nt = torch.tensor([1])\n```\n\n"
        "Create a tensor `m` with this table:\n\n"
        "```\n1 2 3\n4 5 6\n```\n\n"
        "Then store its rank in `rank`.\n"
    )
    explanation, task = split_task(text)
    assert task.startswith("Create a tensor `m` with this table:")
    assert task.rstrip().endswith("Then store its rank in `rank`.")
    assert explanation.rstrip().endswith("```"), "the Python example stays in the explanation"


def test_a_list_brings_the_paragraph_that_introduces_it() -> None:
    text = "Slicing keeps a dimension.\n\nCrie:\n\n- `a`: a primeira linha\n- `b`: a última\n"
    explanation, task = split_task(text)
    assert explanation == "Slicing keeps a dimension.\n"
    assert task == "Crie:\n\n- `a`: a primeira linha\n- `b`: a última\n"


def test_an_explanation_paragraph_before_the_task_stays_out() -> None:
    text = "PyTorch finds gradients.\n\nMake `x` hold 3.5 and call `y.backward()`.\n"
    assert split_task(text) == (
        "PyTorch finds gradients.\n",
        "Make `x` hold 3.5 and call `y.backward()`.\n",
    )


def test_a_labelled_block_before_the_task_belongs_to_the_explanation() -> None:
    text = "The rule:\n\n```text\nz = 2x + 3y\n```\n\nBuild this graph.\n"
    assert split_task(text)[1] == "Build this graph.\n"


def test_a_long_closing_paragraph_is_the_whole_task() -> None:
    task = "Switch the model\nto eval mode and\ncompute `pred`\nwithout gradients;\nthen plot it.\n"
    text = f"Two things change:\n\n- `model.eval()`\n- `inference_mode()`\n\n{task}"
    assert split_task(text)[1] == task


def test_a_closing_tip_with_code_keeps_the_task_said_before_it() -> None:
    text = (
        "Layers stack.\n\n"
        "Prove it: give `single` the right weight.\n\n"
        "Copy values in under no_grad:\n\n"
        "```python\nwith torch.no_grad():\n    w.copy_(v)\n```\n"
    )
    explanation, task = split_task(text)
    assert explanation == "Layers stack.\n"
    assert task.startswith("Prove it: give `single` the right weight.")


def test_no_task_in_a_text_that_ends_with_a_heading_or_is_empty() -> None:
    assert split_task("") == ("", "")
    assert split_task("Intro.\n\n### More\n")[1] == ""


def test_every_exercise_of_every_bundled_language_has_a_task() -> None:
    from tutor.lessons.loader import load_catalog
    from tutor.locations import bundled_lessons_dir

    for lang in (None, "pt", "es"):
        catalog = load_catalog([bundled_lessons_dir()], lang=lang)
        for step in catalog.exercises():
            explanation, task = split_task(step.text)
            assert task.strip(), f"{lang} {step.key}: no task found"
            assert explanation + task != "", step.key


def test_rows_of_a_task_as_the_screen_wraps_it() -> None:
    words = " ".join(["word"] * 30)  # 149 columns: two rows of 76
    assert task_rows(f"{words}\n") == 2 + 1, "a blank row stays under the last block"
    assert task_rows("Make `x` **bold**.\n", width=16) == 1 + 1, "marks take no columns"
    listed = f"Create:\n\n- `a`: {words}\n- `b`: short\n\n```\n1 2\n3 4\n```\n"
    assert task_rows(listed) == (1 + 1) + (3 + 1 + 1) + (2 + 1)
    assert task_rows(listed, width=200) == (1 + 1) + (1 + 1 + 1) + (2 + 1)


def test_lint_warns_about_a_task_too_long_in_any_language(write_lesson) -> None:
    from tutor.lessons.loader import load_catalog
    from tutor.lessons.task_fit import long_tasks

    long = "\n".join(f"- `v{i}`: the value number {i}" for i in range(TASK_ROWS))
    english = write_lesson(
        "01-demo.md",
        "---\nid: demo\ntitle: Demo\norder: 1\nsummary: S.\n---\n\n"
        "## Short {#short}\n\nMake `x` equal 1.\n\n"
        "```python starter\nx = ...\n```\n\n```python solution\nx = 1\n```\n\n"
        "```python check\nexpect_equal('x', 1)\n```\n\n"
        '```python mistake message="x"\nx = 2\n```\n\n### Hint\n\nOne.\n',
    )
    translated = write_lesson(
        "01-demo.pt.md",
        "---\nlang: pt\ntitle: Demo\nsummary: S.\n---\n\n"
        f"## Curto {{#short}}\n\nCrie:\n\n{long}\n\n### Dica\n\nUm.\n",
    )
    problems = long_tasks(load_catalog([english.parent]))
    assert [(p.path, p.line, p.warning) for p in problems] == [(translated, 7, True)]
    assert f"takes {TASK_ROWS + 3} rows, {TASK_ROWS} stay above the editor" in problems[0].message
