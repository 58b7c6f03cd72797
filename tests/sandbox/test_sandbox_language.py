"""The language travels with each request: one warm worker words each verdict as asked."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.english import english_words
from tutor.lessons.model import CodeBlock
from tutor.sandbox.supervisor import Supervisor

pytestmark = pytest.mark.asyncio(loop_scope="module")

CHECKS = [CodeBlock("expect_tensor('m', shape=(2, 3))\n", Path("lesson.md"), 5)]
WRONG = "import torch\nm = torch.arange(6)\n"


async def test_each_request_gets_its_own_language(supervisor: Supervisor) -> None:
    """pt, then en, then es from the same worker: a switch needs no restart."""
    verdicts = {}
    for lang in ("pt", "en", "es"):
        finished = await supervisor.check(WRONG, key="language", checks=CHECKS, lang=lang)
        assert finished.check is not None and not finished.check.passed
        verdicts[lang] = finished.check.message
    assert verdicts == {
        "pt": "`m`: o esperado era um tensor de forma (2, 3), mas é int64 de forma (6,) em cpu",
        "en": "`m`: expected a tensor of shape (2, 3), got int64 of shape (6,) on cpu",
        "es": "`m`: se esperaba un tensor de forma (2, 3), pero es int64 de forma (6,) en cpu",
    }


async def test_explanations_and_warnings_of_a_run_are_in_the_requested_language(
    supervisor: Supervisor,
) -> None:
    code = "import torch\nx = torch.ones(3)\nx.float()\nbad = x[5]\n"
    finished = await supervisor.run(code, key="language-run", lang="es")
    assert finished.explanation.startswith("`x` tiene forma (3,)")
    assert finished.warnings == [
        "línea 3: `x.float()` devuelve un valor nuevo y deja `x` como estaba; "
        "escribe `x = x.float()`."
    ]
    assert english_words(finished.explanation) == []
    english = await supervisor.run(code, key="language-run", lang="en")
    assert english.explanation.startswith("`x` has shape (3,)")
