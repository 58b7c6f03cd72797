"""The progress store: round trips, several instances at once, a bad store set aside, and
saving that fails (full disk, read-only, locked) without losing or crashing anything."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tutor.progress import ProgressStore, database
from tutor.progress.transfer import parse_text, to_text


@pytest.fixture
def path(tutor_home: Path) -> Path:
    return tutor_home / "progress.db"


def test_round_trip_keeps_everything_the_learner_did(path: Path) -> None:
    store = ProgressStore(path)
    store.mark_done("tensors/from-a-list")
    store.update("tensors/dtypes", code="x = 1\n", hints_shown=2, solution_shown=True)
    store.set_last_step("tensors/dtypes")
    store.add_attempt("tensors/dtypes", "run", "ran without errors", False, "x = 0\n")
    store.add_attempt("tensors/dtypes", "check", "not yet: x is 1", False, "x = 1\n")

    again = ProgressStore(path)
    assert again.progress.is_done("tensors/from-a-list")
    assert not again.progress.is_done("tensors/dtypes")
    dtypes = again.progress.exercise("tensors/dtypes")
    assert (dtypes.code, dtypes.hints_shown, dtypes.solution_shown) == ("x = 1\n", 2, True)
    assert again.progress.last_step == "tensors/dtypes"
    attempts = again.attempts("tensors/dtypes")
    assert [(a.kind, a.verdict, a.code) for a in attempts] == [
        ("check", "not yet: x is 1", "x = 1\n"),
        ("run", "ran without errors", "x = 0\n"),
    ], "newest first"
    assert again.problem is None and again.warning is None


def test_the_store_is_sqlite_with_a_rollback_journal(path: Path) -> None:
    ProgressStore(path).mark_done("a/b")
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete", "WAL breaks on NFS"
    assert db.execute("SELECT key, done FROM exercise").fetchall() == [("a/b", 1)]


def test_a_pass_in_one_instance_survives_another_instances_autosave(path: Path) -> None:
    first, second = ProgressStore(path), ProgressStore(path)
    first.update("a/b", hints_shown=2)
    first.mark_done("a/b")
    # `second` loaded before and has not seen the pass or the hints: it saves its code.
    second.update("a/b", code="mine = 1\n")
    second.update("a/b", hints_shown=1)
    record = ProgressStore(path).progress.exercise("a/b")
    assert record.done and record.hints_shown == 2 and record.code == "mine = 1\n"
    second.refresh()
    assert second.progress.is_done("a/b"), "a refresh shows other instances' passes"


def _hammer(path: str, worker: int, count: int) -> None:
    store = ProgressStore(Path(path))
    for number in range(count):
        key = f"lesson/w{worker}-{number}"
        store.update(key, code=f"# {worker} {number}\n")
        store.add_attempt(key, "check", "passed", True, "x = 1\n")
        store.mark_done(key)
        store.update("lesson/shared", code=f"# {worker}\n", hints_shown=number)
    for _ in range(300):  # what the app's retry timer does, without the 3 s wait
        if store.flush():
            break
        time.sleep(0.1)
    assert not store.unsaved, store.problem


def test_concurrent_processes_lose_nothing(path: Path) -> None:
    ProgressStore(path)
    workers, count = 4, 25
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(target=_hammer, args=(str(path), worker, count))
        for worker in range(workers)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(60)
        assert process.exitcode == 0
    store = ProgressStore(path)
    done = [key for key, record in store.progress.exercises.items() if record.done]
    assert len(done) == workers * count
    assert store.progress.exercise("lesson/shared").hints_shown == count - 1
    assert sum(len(store.attempts(key)) for key in done) == workers * count


# -- saving fails: locked, full, read-only ------------------------------------------


def test_a_locked_store_keeps_changes_in_memory_and_saves_them_later(path: Path) -> None:
    store = ProgressStore(path, busy_timeout=0.05, retries=2)
    said: list[str | None] = []
    store.on_problem = said.append
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    store.update("a/b", code="one\n")
    store.mark_done("a/b")
    store.update("a/b", code="two\n")
    assert store.unsaved and store.progress.exercise("a/b").code == "two\n"
    assert said == ["another program is holding the progress database locked"], "said once"
    assert not store.flush()
    holder.execute("ROLLBACK")
    assert store.flush() and not store.unsaved
    assert said[-1] is None and store.problem is None
    record = ProgressStore(path).progress.exercise("a/b")
    assert record.done and record.code == "two\n"


def test_a_full_disk_never_raises_and_the_edits_are_saved_once_space_is_back(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = ProgressStore(path)
    store.update("a/b", code="before\n")
    said: list[str | None] = []
    store.on_problem = said.append
    real_apply = database.apply

    def full(db: sqlite3.Connection, op: database.Op) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(database, "apply", full)
    for number in range(100):
        store.update("a/b", code=f"typing {number}\n")
    store.add_attempt("a/b", "run", "ran without errors", False, "typing 99\n")
    store.mark_done("c/d")
    assert said == [f"the disk holding {path.parent} is full"]
    assert len(store._pending) == 3, "a hundred autosaves of one exercise keep one code"
    assert ProgressStore(path).progress.exercise("a/b").code == "before\n"

    monkeypatch.setattr(database, "apply", real_apply)
    assert store.flush()
    again = ProgressStore(path)
    assert again.progress.exercise("a/b").code == "typing 99\n"
    assert again.progress.is_done("c/d")
    assert [a.code for a in again.attempts("a/b")] == ["typing 99\n"]
    assert said == [f"the disk holding {path.parent} is full", None]


def test_a_disk_full_os_error_is_named_the_same(path: Path) -> None:
    from tutor.progress.store import describe

    error = OSError(28, "No space left on device")
    assert describe(error, path) == f"the disk holding {path.parent} is full"


READ_ONLY_SCENARIO = """
import sys
from pathlib import Path
from tutor.progress import ProgressStore

store = ProgressStore(Path(sys.argv[1]))
assert store.progress.is_done("a/b"), "what is there can still be read"
store.update("a/b", code="new\\n")
store.mark_done("c/d")
print(store.problem)
print(store.progress.exercise("a/b").code == "new\\n", store.unsaved)
"""


def _read_only(home: Path, command: list[str]) -> list[str]:
    """Run `command` with `home` read-only: by its mode bits, or for root (who writes through
    them) on a read-only bind mount in a private mount namespace."""
    if os.geteuid() != 0:
        home.chmod(0o555)
        return command
    if (
        shutil.which("unshare") is None
        or subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode
    ):
        pytest.skip("running as root without mount namespaces: cannot make a read-only folder")
    script = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"'
    return ["unshare", "-m", "sh", "-c", script, "sh", str(home), *command]


@pytest.mark.parametrize("existing", [True, False], ids=["existing-store", "no-store-yet"])
def test_a_read_only_home_keeps_the_app_going(tutor_home: Path, existing: bool) -> None:
    path = tutor_home / "progress.db"
    tutor_home.mkdir()
    if existing:
        ProgressStore(path).mark_done("a/b")
    else:
        (tutor_home / "progress.json").write_text(
            '{"format": 1, "exercises": {"a/b": {"done": true}}}'
        )
    repo = Path(__file__).resolve().parent.parent
    command = _read_only(tutor_home, [sys.executable, "-c", READ_ONLY_SCENARIO, str(path)])
    try:
        result = subprocess.run(
            command,
            capture_output=True,
            text=True,
            cwd=repo,
            env={**os.environ, "PYTHONPATH": str(repo)},
            timeout=60,
        )
    finally:
        tutor_home.chmod(0o755)
    # Without a store and with none possible, the old progress.json is still shown.
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"{tutor_home} cannot be written", "True True"]


# -- a store that cannot be read --------------------------------------------------------


def _bad_database(path: Path) -> None:
    path.write_bytes(b"this is not a database at all, just text" * 100)


def _future_schema(path: Path) -> None:
    ProgressStore(path).mark_done("a/b")
    sqlite3.connect(path).execute("PRAGMA user_version = 99")


def _wrong_types(path: Path) -> None:
    ProgressStore(path).mark_done("a/b")
    db = sqlite3.connect(path)
    db.execute("UPDATE exercise SET hints_shown = 'many'")
    db.commit()


@pytest.mark.parametrize("spoil", [_bad_database, _future_schema, _wrong_types])
def test_an_unreadable_store_is_set_aside_with_one_line(path: Path, spoil) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    spoil(path)
    before = path.read_bytes()
    store = ProgressStore(path)
    assert store.progress.exercises == {}
    assert store.warning and "It was kept as" in store.warning and "\n" not in store.warning
    (backup,) = path.parent.glob("progress.db.corrupt-*")
    assert backup.read_bytes() == before
    store.mark_done("x/y")
    assert backup.read_bytes() == before, "the rescued copy is never overwritten"
    assert ProgressStore(path).progress.is_done("x/y")


def test_an_unmovable_bad_store_is_never_overwritten(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path.parent.mkdir(parents=True)
    _bad_database(path)
    before = path.read_bytes()

    def refuse(self: Path, target: Path) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "replace", refuse)
    store = ProgressStore(path)
    assert store.warning and "will not be saved" in store.warning
    store.mark_done("a/b")
    assert path.read_bytes() == before
    assert store.unsaved and store.problem == f"{path} cannot be read and could not be moved aside"


# -- the old progress.json ------------------------------------------------------------


def test_an_old_progress_json_is_imported_once_and_kept(path: Path) -> None:
    legacy = path.with_name("progress.json")
    legacy.parent.mkdir(parents=True)
    text = json.dumps(
        {
            "format": 1,
            "last_step": "tensors/dtypes",
            "exercises": {
                "tensors/from-a-list": {"done": True, "completed_at": "2025-01-02T03:04:05+0000"},
                "tensors/dtypes": {"code": "x = 1\n", "hints_shown": 1},
            },
        }
    )
    legacy.write_text(text)
    store = ProgressStore(path)
    assert store.progress.is_done("tensors/from-a-list")
    assert store.progress.exercise("tensors/dtypes").code == "x = 1\n"
    assert store.progress.last_step == "tensors/dtypes"
    assert legacy.read_text() == text, "kept as it was"
    store.update("tensors/dtypes", code="changed\n")
    assert ProgressStore(path).progress.exercise("tensors/dtypes").code == "changed\n", "once"


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b'["a list"]',
        b'{"format": 99}',
        b"\xff\xfe",
        b'{"format": 1, "exercises": {"a/b": 3}}',
        b'{"format": 1, "exercises": {"a/b": {"code": 5}}}',
        b'{"format": 1, "exercises": {"a/b": {"hints_shown": "2"}}}',
        b'{"format": 1, "last_step": ["x"]}',
        b"[" * 100_000 + b"]" * 100_000,
    ],
    ids=lambda content: content[:40].decode("latin-1"),
)
def test_an_unreadable_old_file_is_set_aside_and_the_learner_starts_clean(
    path: Path, content: bytes
) -> None:
    legacy = path.with_name("progress.json")
    legacy.parent.mkdir(parents=True)
    legacy.write_bytes(content)
    store = ProgressStore(path)
    assert store.progress.exercises == {}
    assert store.warning and "It was kept as" in store.warning and "\n" not in store.warning
    (backup,) = path.parent.glob("progress.json.corrupt-*")
    assert backup.read_bytes() == content
    store.mark_done("a/b")
    assert ProgressStore(path).progress.is_done("a/b")


# -- killed saves ---------------------------------------------------------------------

KILLED_SCENARIO = """
import os, signal, sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
db.execute("UPDATE exercise SET code = 'half written'")
db.execute("INSERT INTO attempt (exercise, at, kind, verdict, passed, code) "
           "SELECT exercise, at, kind, verdict, passed, code FROM attempt")
db.execute("PRAGMA cache_size = 1")  # spill the change into the file, journal beside it
db.execute("UPDATE exercise SET code = hex(randomblob(100000))")
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_killed_save_leaves_neither_half_a_change_nor_temp_files(path: Path) -> None:
    store = ProgressStore(path)
    store.update("a/b", code="whole\n")
    store.add_attempt("a/b", "run", "ran without errors", False, "whole\n")
    store.close()
    stale = path.with_name(".progress.json.abc123.tmp")
    stale.write_text("left by an older tutor killed while saving")
    result = subprocess.run([sys.executable, "-c", KILLED_SCENARIO, str(path)], timeout=60)
    assert result.returncode == -signal.SIGKILL
    again = ProgressStore(path)
    assert again.progress.exercise("a/b").code == "whole\n"
    assert len(again.attempts("a/b")) == 1
    assert sorted(p.name for p in path.parent.iterdir()) == ["progress.db"]


# -- export and import ----------------------------------------------------------------


def test_export_then_import_elsewhere_gives_the_same_progress(path: Path, tmp_path: Path) -> None:
    store = ProgressStore(path)
    store.mark_done("a/b")
    store.update("a/b", code="mine\n", hints_shown=1)
    store.add_attempt("a/b", "check", "passed", True, "mine\n")
    text = to_text(store.snapshot())
    assert json.loads(text)["exercises"]["a/b"]["attempts"][0]["verdict"] == "passed"

    other = ProgressStore(tmp_path / "other" / "progress.db")
    assert other.merge(parse_text(text)) == (1, 1)
    assert other.merge(parse_text(text)) == (0, 0), "importing twice adds nothing"
    record = other.progress.exercise("a/b")
    assert record.done and record.code == "mine\n" and record.hints_shown == 1
    assert [a.verdict for a in other.attempts("a/b")] == ["passed"]


def test_import_keeps_done_and_the_newer_code(path: Path) -> None:
    store = ProgressStore(path)
    store.mark_done("a/b")
    store.update("a/b", code="newer here\n")
    store.update("c/d", code="older here\n")
    incoming = parse_text(
        json.dumps(
            {
                "format": 2,
                "exercises": {
                    "a/b": {"done": False, "code": "old\n", "code_saved_at": "2000-01-01T00:00"},
                    "c/d": {"done": True, "code": "new\n", "code_saved_at": "2999-01-01T00:00"},
                },
            }
        )
    )
    store.merge(incoming)
    assert store.progress.is_done("a/b") and store.progress.is_done("c/d")
    assert store.progress.exercise("a/b").code == "newer here\n"
    assert store.progress.exercise("c/d").code == "new\n"


def test_tutor_home_decides_where_progress_lives(tutor_home: Path) -> None:
    from tutor.locations import progress_file

    assert progress_file() == tutor_home / "progress.db"


def test_attempt_verdicts_are_one_line() -> None:
    from tutor.lessons.model import CheckReport
    from tutor.progress.attempts import verdict
    from tutor.sandbox.protocol import Finished

    failing = Finished("ok", check=CheckReport(False, "`x` has shape (2,)\nwant (3,)"))
    assert verdict(failing, check=True) == ("not yet: `x` has shape (2,)", False)
    assert verdict(Finished("ok", check=CheckReport(True)), check=True) == ("passed", True)
    raised = Finished("error", traceback="Traceback...\nNameError: name 'y' is not defined\n")
    assert verdict(raised, check=False) == ("error: NameError: name 'y' is not defined", False)
    assert verdict(Finished("timeout", reason="stopped after 30 s"), check=True)[0] == (
        "stopped after 30 s"
    )


def test_changes_never_saved_can_be_rescued_into_an_importable_file(
    path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from tutor.progress.commands import rescue

    store = ProgressStore(path)
    store.update("a/b", code="saved\n")

    def full(db: sqlite3.Connection, op: database.Op) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(database, "apply", full)
    store.update("a/b", code="typed while the disk was full\n")
    store.add_attempt("a/b", "run", "ran without errors", False, "typed\n")
    monkeypatch.setattr("tempfile.gettempdir", lambda: str(tmp_path))
    rescue(store)
    (rescued,) = tmp_path.glob("tutor-unsaved-*.json")

    elsewhere = ProgressStore(tmp_path / "elsewhere" / "progress.db")
    elsewhere.merge(parse_text(rescued.read_text()))
    assert elsewhere.progress.exercise("a/b").code == "typed while the disk was full\n"
    assert [attempt.code for attempt in elsewhere.attempts("a/b")] == ["typed\n"]
