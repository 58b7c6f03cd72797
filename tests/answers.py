"""The answers the suite checks, each through the warm-worker tester `tutor dev check` uses.

Built at collection time from the bundled lessons (solution, starter, each mistake) and
from the corpus of alternative answers (`tests/corpus/`), so every answer is a test of
its own with a readable id, while all of them run together in one pool (`checked`).
"""

from __future__ import annotations

from dataclasses import replace

from tests.conftest import LESSONS
from tests.corpus_cases import CORPUS, Case, load_cases
from tutor.authoring.tester import Answer, exercise_answers
from tutor.lessons.loader import load_catalog

CATALOG = load_catalog([LESSONS])
LESSON_ANSWERS = exercise_answers(CATALOG.exercises())
TRANSLATED_ANSWERS = [
    replace(answer, lang=lang)
    for lang in ("pt", "es")
    for answer in exercise_answers(load_catalog([LESSONS], lang=lang).exercises())
]
"""The same answers as a Portuguese or Spanish learner meets them: translated comments,
check messages in their language, and each mistake's expected words in translation."""
CASES = load_cases()


def corpus_answer(case: Case) -> Answer | None:
    """The case as an answer to its exercise; None when no exercise has its key."""
    step = CATALOG.find_step(case.key)
    if step is None or step.exercise is None:
        return None
    name, _, line = case.where.rpartition(":")
    what = "this correct answer" if case.passes else "this wrong answer"
    return Answer(step, case.code, case.passes, what, CORPUS / name, int(line), case.expect)


CORPUS_ANSWERS = [answer for case in CASES if (answer := corpus_answer(case)) is not None]


def answer_id(answer: Answer) -> str:
    """`tensors/from-a-list:solution`, `...:mistake@L123` (`pt:tensors/...` translated),
    or the corpus case's `file:line`."""
    if answer.path.parent == CORPUS:
        return f"{answer.path.name}:{answer.line}"
    kind = answer.what.split()[-1]
    suffix = f"@L{answer.line}" if kind == "mistake" else ""
    language = "" if answer.lang == "en" else f"{answer.lang}:"
    return f"{language}{answer.step.key}:{kind}{suffix}"
