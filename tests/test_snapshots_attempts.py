"""The attempts list at 80x24, pinned as an SVG snapshot (learner code shown as plain text)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_LESSONS
from tests.fakes import FakeSupervisor
from tutor.app import TutorApp
from tutor.lessons.loader import load_catalog
from tutor.progress import Attempt, ProgressStore, Snapshot


def test_attempts_80x24(snap_compare, tutor_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    key = "tensors/from-a-list"
    store = ProgressStore(tutor_home / "progress.db")
    store.merge(
        Snapshot(
            attempts=[
                Attempt(
                    key,
                    "2026-01-05T10:00:00+00:00",
                    "run",
                    "ran without errors",
                    False,
                    "import torch\n\nm = torch.tensor([1, 2, 3, 4, 5, 6])\n",
                ),
                Attempt(
                    key,
                    "2026-01-05T10:02:30+00:00",
                    "check",
                    "not yet: expected a tensor of shape (2, 3), got int64 of shape (6,)",
                    False,
                    "import torch\n\nm = torch.tensor([1, 2, 3, 4, 5, 6])\nrank = 1\n",
                ),
                Attempt(
                    key,
                    "2026-01-05T10:05:00+00:00",
                    "check",
                    "passed",
                    True,
                    "import torch\n\nm = torch.tensor([[1, 2, 3], [4, 5, 6]])  # [b]x[/b]\n"
                    "rank = m.ndim\n",
                ),
            ]
        )
    )
    catalog = load_catalog([FIXTURE_LESSONS])
    app = TutorApp(
        catalog, store, start=catalog.find_step(key), open_start=True, supervisor=FakeSupervisor()
    )
    try:
        assert snap_compare(app, terminal_size=(80, 24), press=["f10"])
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
