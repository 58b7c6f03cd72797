"""Translation files' `strings` tables: found, checked, applied; hint headings per language."""

from __future__ import annotations

import pytest

from tests.lesson_texts import HEADER
from tutor.authoring.strings import missing_blocks
from tutor.lessons import code_strings
from tutor.lessons.loader import load_catalog
from tutor.lessons.translations import gaps
from tutor.locations import bundled_lessons_dir

ENGLISH = (
    HEADER.format(id="tiny", title="Tiny", order=1)
    + """
## Make x {#make-x}

Make `x`.

```python starter
import torch
x = ...  # TODO: three numbers, as floats
# print(x.dtype)
```

```python solution
import torch
x = torch.tensor([1.0, 2.0, 3.0])  # floats: note the decimal points
```

```python check
expect(x is not ..., "`x` is still the placeholder: replace it")
expect(x.dtype == torch.float32, f"`x` holds {x.dtype}, "
       "use a decimal point")
```

```python mistake message="use a decimal point"
import torch
x = torch.tensor([1, 2, 3])
```

### Hint

Use a decimal point.
"""
)

PORTUGUESE = """---
lang: pt
title: Minúscula
summary: Uma lição mínima.
---

## Faça x {#make-x}

Faça `x`.

```strings
- TODO: three numbers, as floats
+ TODO: três números, como floats

- floats: note the decimal points
+ floats: repare nos pontos decimais

- `x` is still the placeholder: replace it
+ `x` ainda é o marcador: troque-o

- `x` holds {x.dtype}, use a decimal point
+ use um ponto decimal: `x` guarda {x.dtype}

- use a decimal point
+ use um ponto decimal
```

### Dica

Use um ponto decimal.
"""


def test_comments_that_read_as_words_are_found_and_code_is_left_alone() -> None:
    source = "x = ...  # TODO: three numbers\n# print(x.dtype)\n# dtype\ny = 1  #   keep   spaces\n"
    found = code_strings.comments(source)
    assert [t.key for t in found] == ["TODO: three numbers", "keep   spaces"]
    table = {"TODO: three numbers": "TODO: três números", "keep   spaces": "mantenha"}
    assert code_strings.translate(source, found, table) == (
        "x = ...  # TODO: três números\n# print(x.dtype)\n# dtype\ny = 1  #   mantenha\n"
    )


def test_literals_keep_their_fields_quotes_and_concatenation() -> None:
    source = (
        'expect(ok, "a plain message here")\n'
        "expect(ok, f'`{name}` is {x.shape}, ' \"not {{braces}} here\")\n"
        'check("m", "float32")\n'
    )
    found = code_strings.literals(source)
    assert [t.key for t in found] == [
        "a plain message here",
        "`{name}` is {x.shape}, not {{{{braces}}}} here",
    ]
    assert code_strings.fields(found[1].key) == ["{name}", "{x.shape}"]
    translated = code_strings.translate(
        source, found, {found[1].key: "{x.shape} é a forma de `{name}`"}
    )
    assert translated.splitlines()[1] == "expect(ok, f'{x.shape} é a forma de `{name}`')"
    name, x = "m", type("X", (), {"shape": (2, 3)})()
    ok = True
    messages: list[str] = []

    def expect(condition: bool, message: str) -> None:
        messages.append(message)

    exec(translated, {"expect": expect, "ok": ok, "name": name, "x": x, "check": print})
    assert messages[1] == "(2, 3) é a forma de `m`"


def test_a_non_ascii_line_keeps_offsets_right() -> None:
    source = 'label = "é"; expect(ok, "the value is wrong")\n'
    (text,) = code_strings.literals(source)
    assert source[text.start : text.end] == '"the value is wrong"'


def test_translation_applies_to_starter_solution_checks_and_mistakes(write_lesson) -> None:
    write_lesson("01-tiny.md", ENGLISH)
    folder = write_lesson("01-tiny.pt.md", PORTUGUESE).parent
    catalog = load_catalog([folder])
    lesson = catalog.lessons[0]
    assert catalog.problems == ()
    assert gaps(lesson, lesson.translations["pt"]) == []
    (step,) = load_catalog([folder], lang="pt").lessons[0].steps
    exercise = step.exercise
    assert "# TODO: três números, como floats" in exercise.starter.source
    assert "# print(x.dtype)" in exercise.starter.source
    assert "# floats: repare nos pontos decimais" in exercise.solution.source
    assert 'f"use um ponto decimal: `x` guarda {x.dtype}"' in exercise.checks[0].source
    assert exercise.mistakes[0].message == "use um ponto decimal"
    assert step.hints == ("Use um ponto decimal.",)


def test_gaps_name_every_untranslated_text_and_stale_entry(write_lesson) -> None:
    write_lesson("01-tiny.md", ENGLISH)
    partial = PORTUGUESE.replace(
        "- use a decimal point\n+ use um ponto decimal\n",
        "- a text the English no longer has\n+ um texto antigo\n",
    ).replace("### Dica\n\nUse um ponto decimal.\n", "")
    path = write_lesson("01-tiny.pt.md", partial)
    lesson = load_catalog([path.parent]).lessons[0]
    messages = [gap.message for gap in gaps(lesson, lesson.translations["pt"])]
    assert messages == [
        "step 'make-x': its hints are not translated (### Dica)",
        "step 'make-x': not translated: `- use a decimal point`",
        "`- a text the English no longer has` matches no text in 01-tiny.md"
        " (changed in the English?)",
    ]
    assert all(gap.warning for gap in gaps(lesson, lesson.translations["pt"]))


@pytest.mark.parametrize(
    ("english", "translated", "problem"),
    [
        ("`x` holds {x.dtype}, use a decimal point", "`x` guarda {x.tipo}", "same {fields}"),
        ("`x` is still the placeholder: replace it", 'x é "o marcador"', "no longer compiles"),
    ],
)
def test_a_translation_that_would_break_a_check_is_refused(
    write_lesson, english: str, translated: str, problem: str
) -> None:
    write_lesson("01-tiny.md", ENGLISH)
    broken = PORTUGUESE.replace(f"- {english}\n+ ", f"- {english}\n+ {translated}\n+ old: ", 1)
    broken = broken.replace("\n+ old: ", "\n\n- unused\n+ ", 1)
    path = write_lesson("01-tiny.pt.md", broken)
    catalog = load_catalog([path.parent])
    assert any(problem in p.message for p in catalog.problems), catalog.problems
    assert catalog.lessons[0].translations == {}, "a broken translation is not used"


@pytest.mark.parametrize(
    ("name", "heading", "ok"),
    [
        ("01-tiny.pt.md", "### Dica", True),
        ("01-tiny.es.md", "### Pista", True),
        ("01-tiny.es.md", "### Hint", True),
        ("01-tiny.es.md", "### Indice", False),
        ("01-tiny.es.md", "### Dica", False),
        ("01-tiny.pt.md", "### Pista", False),
    ],
)
def test_hint_headings_are_the_languages_own(
    write_lesson, name: str, heading: str, ok: bool
) -> None:
    write_lesson("01-tiny.md", ENGLISH)
    lang = name.split(".")[1]
    path = write_lesson(
        name, PORTUGUESE.replace("lang: pt", f"lang: {lang}").replace("### Dica", heading)
    )
    problems = load_catalog([path.parent]).problems
    if ok:
        assert problems == ()
    else:
        (problem,) = problems
        assert f"`{heading}` is not a hint heading" in problem.message


def test_dev_strings_lists_only_what_is_missing(write_lesson) -> None:
    path = write_lesson("01-tiny.md", ENGLISH)
    lesson = load_catalog([path]).lessons[0]
    blocks = missing_blocks(lesson, None)
    assert blocks.startswith(
        "## Make x {#make-x}\n\n```strings\n- TODO: three numbers, as floats\n+ \n"
    )
    assert blocks.count("\n- ") == 5
    write_lesson("01-tiny.pt.md", PORTUGUESE)
    lesson = load_catalog([path.parent]).lessons[0]
    assert missing_blocks(lesson, lesson.translations["pt"]) == ""


SHIPPED = sorted(p for p in bundled_lessons_dir().glob("[0-9]*.md") if p.stem.count(".") == 0)


@pytest.mark.parametrize("lang", ["pt", "es"])
@pytest.mark.parametrize("english", SHIPPED, ids=lambda path: path.stem)
def test_every_shipped_lesson_is_translated_in_full(english, lang: str) -> None:
    """Prose, hints and every text in the code, in pt and in es: nothing left in English."""
    path = english.with_name(f"{english.stem}.{lang}.md")
    assert path.exists(), f"{path.name} is missing"
    catalog = load_catalog([english, path])
    assert catalog.problems == ()
    lesson = catalog.lessons[0]
    assert [str(gap) for gap in gaps(lesson, lesson.translations[lang])] == []


@pytest.mark.parametrize(
    ("comment", "words"),
    [
        ("TODO: shape (4,)", True),
        ('TODO: "cuda" or "cpu"', True),
        ("TODO: x squared", True),
        ("TODO: 0, 1, ..., 9 as float64", True),
        ("TODO: cross-entropy", True),
        ("TODO: loss = loss_fn(prediction, target), backpropagate, step", True),
        ("TODO: 2y + 3", False),
        ("TODO: (x - 1) * (x - 2) * (x - 3)", False),
        ("print(x.shape)", False),
        ("dtype", False),
    ],
)
def test_which_comments_are_words(comment: str, words: bool) -> None:
    found = code_strings.comments(f"x = ...  # {comment}\n")
    assert [text.key for text in found] == ([comment] if words else [])


def test_names_and_keys_ending_in_a_space_are_handled(write_lesson) -> None:
    assert code_strings.literals('isinstance(m, "torch.nn.modules.activation")\n') == []
    english = ENGLISH.replace('"`x` is still the placeholder: replace it"', '"`x` got "')
    write_lesson("01-tiny.md", english)
    portuguese = PORTUGUESE.replace(
        "- `x` is still the placeholder: replace it\n+ `x` ainda é o marcador: troque-o",
        "- `x` got \n+ `x` recebeu ",
    )
    folder = write_lesson("01-tiny.pt.md", portuguese).parent
    (step,) = load_catalog([folder], lang="pt").lessons[0].steps
    assert '"`x` recebeu "' in step.exercise.checks[0].source
