"""Every exercise has its own corpus: at least 3 other correct answers and 5 wrong ones.

The corpus measures whether checks generalise beyond the lesson's own solution and
mistakes; an exercise without one is unmeasured.
"""

from __future__ import annotations

from collections import Counter

from tests.conftest import LESSONS
from tests.corpus_cases import load_cases
from tutor.lessons.loader import load_catalog

MIN_CORRECT = 3
MIN_WRONG = 5


def test_every_exercise_has_enough_corpus_cases() -> None:
    counts = Counter((case.key, case.passes) for case in load_cases())
    short = []
    for step in load_catalog([LESSONS]).exercises():
        correct, wrong = counts[(step.key, True)], counts[(step.key, False)]
        if correct < MIN_CORRECT or wrong < MIN_WRONG:
            short.append(f"{step.key}: {correct} correct, {wrong} wrong")
    assert short == []
