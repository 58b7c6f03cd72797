"""Our own corpus of alternative answers: correct ones pass, wrong ones fail naming the mistake.

Each case runs in a warm sandbox worker exactly as a learner's check does (the
`tutor dev check` tester), batched with every other answer of the session.
"""

from __future__ import annotations

import pytest

from tests.answers import CASES, CATALOG, CORPUS_ANSWERS, answer_id
from tutor.authoring.tester import Answer, Outcome


def test_every_case_names_an_exercise() -> None:
    unknown = [case.where for case in CASES if CATALOG.find_step(case.key) is None]
    assert unknown == []


@pytest.mark.parametrize("answer", CORPUS_ANSWERS, ids=answer_id)
def test_case(answer: Answer, checked: dict[Answer, Outcome]) -> None:
    problem = checked[answer].problem
    assert problem is None, str(problem)
