"""The task found in a step's text, the same way in every language (no markers needed)."""

from __future__ import annotations

from tutor.lessons.task import split_task


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
