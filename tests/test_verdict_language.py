"""A learner with LANG=pt_BR.UTF-8 or es_ES.UTF-8 never reads an English sentence in a verdict.

For every exercise, the untouched starter and its first (most typical) mistake are
checked in the learner's language through the same warm-worker tester as the rest of
the suite, and the verdict is searched for English function words outside code.
Verdicts are composed of two parts: the worker's sentences (gettext catalogs) and the
lesson's own check messages (the `strings` blocks of its translation files).
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.conftest import LESSONS
from tests.english import english_words
from tutor import i18n
from tutor.authoring.tester import Answer, Outcome, exercise_answers
from tutor.lessons.loader import load_catalog

ENVIRONMENTS = {"pt": "pt_BR.UTF-8", "es": "es_ES.UTF-8"}


def typical_answers(locale: str) -> list[Answer]:
    """The untouched starter and the first mistake of every exercise, in `locale`'s language."""
    lang = i18n.from_environment({"LANG": locale})
    answers = []
    for step in load_catalog([LESSONS], lang=lang).exercises():
        mine = exercise_answers([step])
        starter = [a for a in mine if a.what == "the untouched starter"]
        mistakes = [a for a in mine if a.what == "this mistake"]
        for answer in starter + mistakes[:1]:
            answers.append(replace(answer, lang=lang, expect=()))
    return answers


def _param(answer: Answer) -> object:
    kind = "starter" if answer.what == "the untouched starter" else "mistake"
    return pytest.param(answer, id=f"{answer.lang}:{answer.step.key}:{kind}")


ANSWERS = [answer for locale in ENVIRONMENTS.values() for answer in typical_answers(locale)]


def test_every_exercise_is_covered_in_both_languages() -> None:
    exercises = load_catalog([LESSONS]).exercises()
    for lang in ENVIRONMENTS:
        starters = [a for a in ANSWERS if a.lang == lang and a.what == "the untouched starter"]
        assert len(starters) == len(exercises)


@pytest.mark.parametrize("answer", [_param(a) for a in ANSWERS])
def test_the_verdict_has_no_english_sentence(
    answer: Answer, checked: dict[Answer, Outcome]
) -> None:
    outcome = checked[answer]
    verdict = outcome.verdict
    assert outcome.report is not None and not outcome.report.passed, verdict
    assert not outcome.broken, verdict
    found = english_words(verdict)
    assert not found, f"English words {found} in the {answer.lang} verdict: {verdict}"
