"""`tutor dev check` against the one-by-one way: prints both wall times and the ratio.

    .venv/bin/python bench/dev_check.py [LESSON.md ...] [--workers N]

The one-by-one way is what an author without `dev check` does: one `tutor check`
(a fresh process and worker each) per solution, untouched starter and mistake. Both
run here on the same lesson files (by default three bundled lessons, like the
3-lesson pack of issue 12), one after the other, on this machine. Target: >= 5x.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tutor.authoring.tester import exercise_answers
from tutor.lessons.loader import load_catalog

REPO = Path(__file__).resolve().parent.parent
DEFAULT = ["01-tensors.md", "04-autograd.md", "06-optimizers.md"]


def tutor(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tutor", *args], cwd=REPO, capture_output=True, text=True
    )


def one_by_one(pack: Path, scratch: Path) -> tuple[float, int, int]:
    """Seconds, answers checked, answers whose verdict was not the promised pass/fail."""
    answers = exercise_answers(load_catalog([pack]).exercises())
    wrong = 0
    started = time.perf_counter()
    for number, answer in enumerate(answers):
        file = scratch / f"answer{number}.py"
        file.write_text(answer.code, encoding="utf-8")
        result = tutor("--lessons", str(pack), "check", answer.step.key, str(file))
        wrong += (result.returncode == 0) != answer.should_pass
    return time.perf_counter() - started, len(answers), wrong


def dev_check(pack: Path, workers: int | None) -> tuple[float, int]:
    extra = ["--workers", str(workers)] if workers else []
    started = time.perf_counter()
    result = tutor("dev", "check", *extra, str(pack))
    seconds = time.perf_counter() - started
    print(result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr)
    return seconds, result.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lessons", nargs="*", default=DEFAULT, help="lesson files (in lessons/)")
    parser.add_argument("--workers", type=int, help="dev check workers (default: one per core)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        pack, scratch = Path(tmp) / "pack", Path(tmp) / "answers"
        pack.mkdir()
        scratch.mkdir()
        for name in args.lessons:
            shutil.copy(REPO / "lessons" / Path(name).name, pack)
        fast, status = dev_check(pack, args.workers)
        slow, count, wrong = one_by_one(pack, scratch)
    print(f"{'answers checked':<28}{count:>10}")
    print(f"{'one tutor check each':<28}{slow:>9.1f} s  ({slow / count:.2f} s per answer)")
    print(f"{'tutor dev check':<28}{fast:>9.1f} s  (exit {status})")
    print(f"{'speed-up':<28}{slow / fast:>9.1f}x  (target >= 5x)")
    if wrong:
        print(f"note: {wrong} answer(s) got an unexpected verdict from tutor check")


if __name__ == "__main__":
    main()
