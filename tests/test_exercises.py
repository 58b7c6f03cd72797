"""Every exercise in `lessons/`: solution passes, starter fails, each mistake fails as promised,
in English and in each translation (the mistakes' words and check messages in that language).

Each answer runs in a warm sandbox worker exactly as a learner's check does (the
`tutor dev check` tester); all of them share one pool for the whole session.
"""

from __future__ import annotations

import pytest

from tests.answers import CATALOG, LESSON_ANSWERS, TRANSLATED_ANSWERS, answer_id
from tutor.authoring.tester import Answer, Outcome


def test_lessons_load_cleanly() -> None:
    assert CATALOG.problems == ()
    assert LESSON_ANSWERS


@pytest.mark.parametrize("answer", [*LESSON_ANSWERS, *TRANSLATED_ANSWERS], ids=answer_id)
def test_answer(answer: Answer, checked: dict[Answer, Outcome]) -> None:
    problem = checked[answer].problem
    assert problem is None, str(problem)
