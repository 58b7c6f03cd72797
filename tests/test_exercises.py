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


def test_only_a_run_killed_by_a_signal_is_checked_again() -> None:
    from tests.conftest import killed_by_a_signal
    from tutor.sandbox.protocol import Finished

    solution = next(answer for answer in LESSON_ANSWERS if answer.should_pass)
    aborted = Finished(
        "error", traceback="ProcessExitedException: process 1 terminated with signal SIGABRT"
    )
    wrong = Finished("error", traceback="NameError: name 'x' is not defined")
    assert killed_by_a_signal(Outcome(solution, aborted, 1.0))
    assert not killed_by_a_signal(Outcome(solution, wrong, 1.0))
