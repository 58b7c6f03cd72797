"""The loader: good lessons load in full; each kind of malformed lesson is located by line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.lesson_texts import EXERCISE, READING, lesson
from tutor.lessons.loader import load_catalog


def line_of(path: Path, fragment: str) -> int:
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if fragment in line:
            return number
    raise AssertionError(f"{fragment!r} not in {path}")


def test_good_lesson_loads_steps_exercise_and_hints(write_lesson) -> None:
    path = write_lesson("01-tiny.md", lesson())
    catalog = load_catalog([path.parent])
    assert catalog.problems == ()
    (tiny,) = catalog.lessons
    assert (tiny.id, tiny.title, tiny.order, tiny.intro) == ("tiny", "Tiny", 1, "Intro prose.")
    reading, exercise = tiny.steps
    assert reading.key == "tiny/reading" and not reading.is_exercise
    assert exercise.key == "tiny/make-x" and exercise.hints == ("Use a decimal point.",)
    assert "x = ..." in exercise.exercise.starter.source
    assert exercise.exercise.starter.line == line_of(path, "```python starter") + 1
    assert exercise.exercise.mistakes[0].message == "got int64"
    assert "```" not in exercise.text, "role code blocks are taken out of the prose"


def test_lessons_sorted_by_order_and_broken_ones_kept_apart(write_lesson) -> None:
    write_lesson("a.md", lesson(id="second", order=2))
    write_lesson("b.md", lesson(id="first", order=1))
    write_lesson("c.md", "no header at all\n")
    catalog = load_catalog([write_lesson("d.md", lesson(id="third", order=3)).parent])
    assert [item.id for item in catalog.lessons] == ["first", "second", "third"]
    assert [broken.path.name for broken in catalog.broken] == ["c.md"]


def test_plain_code_blocks_stay_in_the_prose(write_lesson) -> None:
    body = READING.replace("Just words.", "```python\nprint('shown, not run')\n```")
    catalog = load_catalog([write_lesson("x.md", lesson(body=body)).parent])
    assert "print('shown, not run')" in catalog.lessons[0].steps[0].text


def test_headings_inside_code_fences_are_not_steps(write_lesson) -> None:
    body = READING.replace("Just words.", "```markdown\n## Not a step {#nope}\n```")
    (tiny,) = load_catalog([write_lesson("x.md", lesson(body=body)).parent]).lessons
    assert [step.id for step in tiny.steps] == ["reading"]


BROKEN_CASES = {
    "bad header line": (
        lambda text: text.replace("order: 2", "order 2"),
        "order 2",
        "header lines are `key: value`",
    ),
    "unknown key": (
        lambda text: text.replace("order: 2", "order: 2\nauthor: me"),
        "author: me",
        "unknown header key 'author'",
    ),
    "order not a number": (
        lambda text: text.replace("order: 2", "order: first"),
        "order: first",
        "`order` must be a whole number",
    ),
    "duplicate step id": (
        lambda text: text + "\n## Again {#reading}\n\nMore.\n",
        "## Again",
        "duplicate step id 'reading'",
    ),
    "step without id": (
        lambda text: text.replace("## Reading {#reading}", "## Reading"),
        "## Reading",
        "step heading needs an id",
    ),
    "missing solution": (
        lambda text: text.replace("```python solution", "```python"),
        "## Make x",
        "has no `python solution` block",
    ),
    "missing hint": (
        lambda text: text.replace("### Hint\n\nUse a decimal point.\n", ""),
        "## Make x",
        "needs at least one `### Hint`",
    ),
    "syntax error in starter": (
        lambda text: text.replace("x = ...\n", "x = (\n", 1),
        "x = (",
        "syntax error in starter code",
    ),
    "syntax error in check": (
        lambda text: text.replace('expect_tensor("x"', 'expect_tensor("x" +'),
        'expect_tensor("x" +',
        "syntax error in check code",
    ),
    "syntax error in solution": (
        lambda text: text.replace(
            "x = torch.tensor([1.0, 2.0, 3.0])", "x = torch.tensor([1.0, 2.0, 3.0)"
        ),
        "x = torch.tensor([1.0, 2.0, 3.0)",
        "syntax error in solution code",
    ),
    "unknown code role": (
        lambda text: text.replace("```python check", "```python chek"),
        "```python chek",
        "unknown code role 'chek'",
    ),
    "mistake without message": (
        lambda text: text.replace('```python mistake message="got int64"', "```python mistake"),
        "```python mistake",
        'message="..."',
    ),
    "unclosed header": (
        lambda text: text.replace("---\n\nIntro", "\nIntro"),
        "---",
        "header block is not closed",
    ),
}


@pytest.mark.parametrize("case", BROKEN_CASES, ids=list(BROKEN_CASES))
def test_broken_lesson_is_reported_at_its_line_and_others_still_load(
    write_lesson, case: str
) -> None:
    breaks, fragment, message = BROKEN_CASES[case]
    good = write_lesson("01-good.md", lesson(id="good"))
    bad = write_lesson("02-bad.md", breaks(lesson(id="bad", order=2)))
    catalog = load_catalog([good.parent])
    assert [item.id for item in catalog.lessons] == ["good"]
    (broken,) = catalog.broken
    located = [(problem.line, problem.message) for problem in broken.problems]
    assert any(line == line_of(bad, fragment) and message in text for line, text in located), (
        located
    )
    assert all(str(problem).startswith(f"{bad}:") for problem in broken.problems)


def test_duplicate_lesson_id_across_files(write_lesson) -> None:
    write_lesson("01-a.md", lesson(id="same"))
    second = write_lesson("02-b.md", lesson(id="same", order=2))
    catalog = load_catalog([second.parent])
    assert len(catalog.lessons) == 1
    (problem,) = catalog.problems
    assert problem.path == second and problem.line == 2
    assert "duplicate lesson id 'same'" in problem.message


def test_unreadable_file_is_a_problem_not_a_crash(write_lesson) -> None:
    path = write_lesson("bin.md", "")
    path.write_bytes(b"\xff\xfe\x00bad")
    (broken,) = load_catalog([path.parent]).broken
    assert "cannot read lesson" in broken.problems[0].message


def test_translation_replaces_prose_and_keeps_code(write_lesson) -> None:
    write_lesson("01-tiny.md", lesson())
    translation = write_lesson(
        "01-tiny.pt.md",
        "---\nlang: pt\ntitle: Minúscula\n---\n\nIntrodução.\n\n"
        "## Faça x {#make-x}\n\nFaça `x`.\n\n### Dica\n\nUse um ponto decimal.\n",
    )
    english = load_catalog([translation.parent])
    portuguese = load_catalog([translation.parent], lang="pt")
    assert english.problems == () and portuguese.problems == ()
    step = portuguese.lessons[0].steps[1]
    assert (portuguese.lessons[0].title, step.title, step.text) == (
        "Minúscula",
        "Faça x",
        "Faça `x`.",
    )
    assert step.hints == ("Use um ponto decimal.",)
    assert step.exercise == english.lessons[0].steps[1].exercise
    assert portuguese.lessons[0].steps[0].title == "Reading", "untranslated steps stay in English"


def test_translation_with_code_or_unknown_step_is_reported(write_lesson) -> None:
    write_lesson("01-tiny.md", lesson())
    translation = write_lesson(
        "01-tiny.es.md",
        "---\nlang: es\n---\n\n## Nada {#nothing}\n\nTexto.\n\n"
        "```python check\nexpect(True, 'x')\n```\n",
    )
    problems = [problem.message for problem in load_catalog([translation.parent]).problems]
    assert any("step 'nothing' is not in 01-tiny.md" in message for message in problems)
    assert any("translations carry prose only" in message for message in problems)


def test_exercise_and_reading_text_round_trip(write_lesson) -> None:
    path = write_lesson("t.md", lesson(body=EXERCISE))
    (step,) = load_catalog([path.parent]).lessons[0].steps
    assert step.text == "Make `x` a float32 tensor of shape (3,) holding 1, 2, 3."


@pytest.mark.parametrize(
    "info,message",
    [
        ('message="say \\"hi\\" twice"', 'say "hi" twice'),
        ("message='say \"hi\" twice'", 'say "hi" twice'),
        ('message="a \\\\ b"', "a \\ b"),
    ],
)
def test_mistake_messages_may_contain_quotes(write_lesson, info: str, message: str) -> None:
    path = write_lesson("t.md", lesson().replace('message="got int64"', info))
    catalog = load_catalog([path.parent])
    assert catalog.problems == ()
    assert catalog.lessons[0].steps[1].exercise.mistakes[0].message == message


def test_an_unreadable_attribute_is_reported_not_dropped(write_lesson) -> None:
    path = write_lesson("t.md", lesson().replace('message="got int64"', 'message="say "hi""'))
    problems = load_catalog([path.parent]).problems
    line = line_of(path, "```python mistake")
    assert any(
        p.line == line and p.message.startswith('cannot read \'hi""\': write key="value"')
        for p in problems
    ), problems


def test_every_header_error_at_once_sorted_by_line(write_lesson) -> None:
    text = (
        lesson()
        .replace("summary: A tiny lesson for tests.\n", "")
        .replace("order: 1", "order: one")
    )
    text = text.replace("```python solution", "```python")
    path = write_lesson("t.md", text)
    (broken,) = load_catalog([path.parent]).broken
    messages = [problem.message for problem in broken.problems]
    assert "header is missing 'summary'" in messages
    assert "`order` must be a whole number, got 'one'" in messages
    lines = [problem.line for problem in broken.problems]
    assert lines == sorted(lines)


def test_translation_of_a_lesson_with_errors_says_so(write_lesson) -> None:
    write_lesson("01-tiny.md", lesson().replace("### Hint\n\nUse a decimal point.\n", ""))
    good = write_lesson("01-tiny.pt.md", "---\nlang: pt\n---\n\n## Faça x {#make-x}\n\nFaça.\n")
    catalog = load_catalog([good.parent])
    assert [b.path.name for b in catalog.broken] == ["01-tiny.md"], "a good translation is fine"
    (broken,) = catalog.broken
    assert broken.lesson is not None and broken.lesson.id == "tiny"
    write_lesson("02-none.md", "no header at all\n")
    write_lesson("02-none.es.md", "---\nlang: es\n---\n\n## Nada {#nothing}\n\nTexto.\n")
    catalog = load_catalog([good.parent])
    (orphan,) = [b for b in catalog.broken if b.translates]
    assert orphan.translates == "02-none.md"
    assert orphan.problems[0].message == (
        "the lesson it translates, 02-none.md, cannot be loaded: fix that file first"
    )


def test_a_translation_with_fewer_hints_is_reported_at_its_step(write_lesson) -> None:
    write_lesson(
        "01-tiny.md", lesson().replace("Use a decimal point.\n", "One.\n\n### Hint\n\nTwo.\n")
    )
    translation = write_lesson(
        "01-tiny.pt.md", "---\nlang: pt\n---\n\n## Faça x {#make-x}\n\nFaça.\n\n### Dica\n\nUm.\n"
    )
    (broken,) = load_catalog([translation.parent]).broken
    (problem,) = broken.problems
    assert (problem.path, problem.line) == (translation, line_of(translation, "## Faça x"))
    assert problem.message == (
        "step 'make-x' has 2 hints in 01-tiny.md and 1 here: translate every one"
        " (or none, to keep the originals)"
    )
