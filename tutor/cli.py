"""The `tutor` command: launch the app, or list, lint, run and check from the shell.

Subcommands import only what they need, so `tutor list` answers without loading
Textual and nothing here ever imports torch (only the sandbox worker does). Bad input
(an unknown device, size, language or lesson folder, a closed pipe) gets one line on
stderr and a non-zero exit, never a traceback or a usage block.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tutor import __version__, i18n
from tutor.arguments import (
    EXIT_USAGE,
    Parser,
    UsageError,
    cap_gpu_memory,
    checked,
    count,
    language,
    language_in,
    tell,
)
from tutor.course import listing, resolve, resume_step
from tutor.i18n import _
from tutor.lessons.cache import cached_catalog, kept
from tutor.lessons.files import lesson_files
from tutor.lessons.model import Catalog
from tutor.lessons.packs import Pack, installed_packs, search_folders

if TYPE_CHECKING:
    from tutor.lessons.watch import LessonWatcher
from tutor.locations import bundled_lessons_dir, cache_dir, progress_file
from tutor.progress import CANNOT_SAVE, ProgressStore
from tutor.progress.store import INTERACTIVE_BUSY_TIMEOUT

EXIT_BROKEN_PIPE = 141
"""As a shell reports a program that SIGPIPE ended (128 + 13): `tutor list | head`."""


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    i18n.set_language(language_in(words))  # --help is worded before the arguments are read
    try:
        args = build_parser().parse_args(words)
    except SystemExit as exit_:  # --help, --version, or the one-line error above
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    handler = getattr(args, "handler", launch)
    try:
        i18n.set_language(language(args))
        cap_gpu_memory(args)
        status = handler(args)
        sys.stdout.flush()  # a closed pipe shows here, not at exit as an unraisable error
        return status
    except UsageError as error:
        tell(str(error))
        return EXIT_USAGE
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # nothing left to flush at exit
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        return 130


def build_parser() -> argparse.ArgumentParser:
    common = Parser(add_help=False)
    common.add_argument(
        "--lessons",
        metavar="DIR",
        type=Path,
        action="append",
        default=argparse.SUPPRESS,
        help=_("use the lessons in DIR instead of the bundled ones (repeatable)"),
    )
    common.add_argument(
        "--lang",
        metavar="LANG",
        default=argparse.SUPPRESS,
        help=_("the language of the app and the lessons: en, pt or es (default: from LANG)"),
    )
    common.add_argument(
        "--device",
        metavar="DEVICE",
        type=checked("device"),
        default=argparse.SUPPRESS,
        help=_("where learners' code runs: auto (default), cpu, cuda or cuda:N"),
    )
    common.add_argument(
        "--gpu-memory",
        metavar="SHARE",
        type=checked("share"),
        default=argparse.SUPPRESS,
        help="share of each GPU the code may use, e.g. 0.5 (at most TUTOR_GPU_MEMORY if set)",
    )
    parser = Parser(
        prog="tutor",
        description=_("Learn PyTorch by doing, in your terminal."),
        parents=[common],
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"tutor {__version__}",
        help=_("show the version and exit"),
    )
    commands = parser.add_subparsers(title=_("commands"), metavar="COMMAND")

    open_parser = commands.add_parser(
        "open", parents=[common], help=_("open a lesson (LESSON or LESSON/STEP)")
    )
    open_parser.add_argument("target", metavar="LESSON")
    open_parser.set_defaults(handler=launch)

    list_parser = commands.add_parser("list", parents=[common], help=_("list lessons and progress"))
    list_parser.add_argument("--json", action="store_true", help=_("print JSON"))
    list_parser.set_defaults(handler=list_lessons)

    lint_parser = commands.add_parser(
        "lint", parents=[common], help=_("check lesson files; prints file:line: message")
    )
    lint_parser.add_argument("paths", metavar="PATH", nargs="*", type=Path)
    lint_parser.set_defaults(handler=lint)

    run_parser = commands.add_parser(
        "run", parents=[common], help=_("run FILE in the sandboxed worker, as `python FILE` would")
    )
    run_parser.add_argument("file", metavar="FILE", type=Path)
    run_parser.add_argument(
        "args", metavar="ARG", nargs="*", help=_("arguments for FILE (after --)")
    )
    run_parser.add_argument("--timeout", metavar="S", type=float, help=_("stop after S seconds"))
    run_parser.add_argument(
        "--memory",
        metavar="SIZE",
        type=checked("size"),
        help=_("memory limit, e.g. 2G (default: half the RAM, at most 4G)"),
    )
    run_parser.add_argument(
        "--threads",
        metavar="N",
        type=count,
        help=_("torch threads (default: torch's own, as with `python FILE`)"),
    )
    run_parser.add_argument(
        "--explain",
        action=argparse.BooleanOptionalAction,
        default=None,
        help=_("after an error, explain it on stderr (default: only when stderr is a terminal)"),
    )
    run_parser.set_defaults(handler=run_file)

    check_parser = commands.add_parser(
        "check", parents=[common], help=_("check FILE as your answer to EXERCISE (lesson/step)")
    )
    check_parser.add_argument("exercise", metavar="EXERCISE")
    check_parser.add_argument("file", metavar="FILE", type=Path)
    check_parser.add_argument(
        "--no-record",
        dest="record",
        action="store_false",
        help=_("only try: keep neither the attempt nor a pass in your progress"),
    )
    check_parser.set_defaults(handler=check_exercise)

    progress_parser = commands.add_parser(
        "progress", parents=[common], help=_("export or import your progress as JSON")
    )
    progress_commands = progress_parser.add_subparsers(
        title=_("progress commands"), metavar="ACTION", required=True
    )
    export_parser = progress_commands.add_parser(
        "export", help=_("write your progress, code and attempts as JSON (to stdout without FILE)")
    )
    export_parser.add_argument("file", metavar="FILE", type=Path, nargs="?")
    export_parser.set_defaults(handler=export_progress)
    import_parser = progress_commands.add_parser(
        "import", help=_("merge an export in: done stays done, the newer code wins")
    )
    import_parser.add_argument("file", metavar="FILE", type=Path)
    import_parser.set_defaults(handler=import_progress)

    dev_parser = commands.add_parser("dev", help=_("tools for lesson authors: check, new, strings"))
    dev_commands = dev_parser.add_subparsers(
        title=_("dev commands"), metavar="COMMAND", required=True
    )
    dev_check_parser = dev_commands.add_parser(
        "check",
        parents=[common],
        help=_("lint, then run every exercise's solution, starter and mistakes (file:line: what)"),
    )
    dev_check_parser.add_argument("paths", metavar="PATH", nargs="*", type=Path)
    dev_check_parser.add_argument(
        "--workers", metavar="N", type=int, help=_("workers in parallel (default: one per core)")
    )
    dev_check_parser.set_defaults(handler=dev_check)
    dev_strings_parser = dev_commands.add_parser(
        "strings",
        parents=[common],
        help=_("print the texts in a lesson's code that its --lang translation lacks"),
    )
    dev_strings_parser.add_argument("paths", metavar="LESSON", nargs="+", type=Path)
    dev_strings_parser.set_defaults(handler=dev_strings)
    dev_new_parser = dev_commands.add_parser(
        "new", help=_("write a new lesson file to start from (it passes `tutor dev check`)")
    )
    dev_new_parser.add_argument("lesson_id", metavar="LESSON-ID")
    dev_new_parser.add_argument("--title", help=_("the lesson's title (default: from the id)"))
    dev_new_parser.add_argument(
        "--dir", type=Path, default=Path(), help=_("the folder to write it in (default: here)")
    )
    dev_new_parser.set_defaults(handler=dev_new)

    doctor_parser = commands.add_parser(
        "doctor",
        parents=[common],
        help=_("show Python, torch, GPUs, terminal and active protections"),
    )
    doctor_parser.set_defaults(handler=doctor)
    return parser


def launch(args: argparse.Namespace) -> int:
    catalog = _catalog(args)
    store = ProgressStore(progress_file(), busy_timeout=INTERACTIVE_BUSY_TIMEOUT, retries=2)
    target = getattr(args, "target", None)
    step = (
        resolve(catalog, store.progress, target) if target else resume_step(catalog, store.progress)
    )
    if target and step is None:
        tell(_("no lesson or step {target!r}; try `tutor list`").format(target=target))
        return 2
    from tutor.app import TutorApp

    try:
        device = getattr(args, "device", "auto")
        app = TutorApp(
            catalog,
            store,
            start=step,
            open_start=bool(target) or None,
            device=device,
            watcher=_watcher(args),
        )
    except ValueError as error:
        tell(str(error))
        return 2
    app.run()
    if not store.flush() and store.unsaved:
        from tutor.progress.commands import rescue

        tell(_(CANNOT_SAVE).format(why=store.problem))
        rescue(store)
    return app.return_code or 0


def list_lessons(args: argparse.Namespace) -> int:
    catalog = _catalog(args)
    store = ProgressStore(progress_file())
    tell(store.warning)
    lessons = listing(catalog, store.progress)
    if args.json:
        import json  # here, not at the top: it is start-up time for `tutor` itself

        print(json.dumps(lessons, indent=2, ensure_ascii=False))
        for problem in catalog.problems:
            tell(str(problem))
        return 0
    source = None
    for lesson in lessons:
        if lesson["from"] != source:
            source = lesson["from"]
            print((_("bundled lessons") if source == "bundled" else source) + ":")
        done = sum(exercise["done"] for exercise in lesson["exercises"])
        count = _("{done}/{total} done").format(done=done, total=len(lesson["exercises"]))
        print(f"  {lesson['id']:<20} {lesson['title']:<32} {count}")
    for broken in catalog.broken:
        if broken.translates:
            tell(_("translation not used: {problem}").format(problem=broken.problems[0]))
        else:
            print(f"{broken.id:<20} " + _("(broken: {problem})").format(problem=broken.problems[0]))
    return 0


def lint(args: argparse.Namespace) -> int:
    """Report every problem in the given files, linted together to catch clashing ids."""
    from tutor.lessons.code_width import wide_lines
    from tutor.lessons.loader import load_catalog, plural, problems_summary
    from tutor.lessons.task_fit import long_tasks
    from tutor.lessons.translations import translation_gaps

    paths = args.paths or _lesson_dirs(args)
    files = list(lesson_files(paths))
    if not files:
        print("tutor lint: " + _("no lesson files found"), file=sys.stderr)
        return 1
    catalog = load_catalog(paths)
    problems = catalog.problems
    gaps = translation_gaps(catalog)
    wide = wide_lines(catalog)
    long = long_tasks(catalog)
    for problem in (*problems, *gaps, *wide, *long):
        print(problem)
    summary = problems_summary(problems, len(files))
    notes = []
    if gaps:
        notes.append(f"{len(gaps)} warnings: translations to finish")
    if wide:
        notes.append(f"{plural(len(wide), 'warning')}: code lines wider than the editor at 80x24")
    if long:
        notes.append(f"{plural(len(long), 'warning')}: tasks too long for 80x24")
    if notes:
        summary += f" ({'; '.join(notes)})"
    print(f"tutor lint: {summary}", file=sys.stderr)
    return 1 if problems else 0


def dev_strings(args: argparse.Namespace) -> int:
    from tutor.authoring.strings import main

    return main(args.paths, getattr(args, "lang", None))


def run_file(args: argparse.Namespace) -> int:
    from tutor.sandbox.commands import run_file

    device = getattr(args, "device", "auto")
    return run_file(
        args.file, device, args.timeout, args.memory, args.args, args.threads, args.explain
    )


def check_exercise(args: argparse.Namespace) -> int:
    step = _catalog(args).find_step(args.exercise)
    if step is None:
        tell(_("no exercise {name!r}; try `tutor list`").format(name=args.exercise))
        return 2
    from tutor.progress.attempts import verdict
    from tutor.sandbox.commands import check_file
    from tutor.sandbox.protocol import Finished

    def record(code: str, finished: Finished) -> None:
        """Keep the attempt and a pass, as the app does, so work done in any editor counts."""
        said, passed = verdict(finished, check=True)
        store = ProgressStore(progress_file())
        store.add_attempt(step.key, "check", said, passed, code)
        if passed:
            store.mark_done(step.key)
        store.flush()
        tell(store.warning)
        tell(_(CANNOT_SAVE).format(why=store.problem) if store.problem else None)
        store.close()

    device = getattr(args, "device", "auto")
    return check_file(step, args.file, device, on_finished=record if args.record else None)


def export_progress(args: argparse.Namespace) -> int:
    from tutor.progress.commands import export_progress

    return export_progress(progress_file(), args.file)


def import_progress(args: argparse.Namespace) -> int:
    from tutor.progress.commands import import_progress

    return import_progress(progress_file(), args.file)


def dev_check(args: argparse.Namespace) -> int:
    from tutor.authoring.devcheck import main as dev_check_main

    paths = args.paths or _lesson_dirs(args)
    lang = i18n.current() if getattr(args, "lang", None) else None
    return dev_check_main(paths, getattr(args, "device", "auto"), args.workers, lang)


def dev_new(args: argparse.Namespace) -> int:
    from tutor.authoring.scaffold import new_lesson

    try:
        path = new_lesson(args.dir, args.lesson_id, args.title)
    except (ValueError, OSError) as error:
        tell(str(error))
        return 2
    print(path)
    print(
        "tutor: "
        + _("edit it, then `tutor dev check {dir}`; try it with `tutor --lessons {dir}`").format(
            dir=args.dir
        ),
        file=sys.stderr,
    )
    return 0


def doctor(args: argparse.Namespace) -> int:
    from tutor.sandbox.commands import doctor

    return doctor(getattr(args, "device", "auto"))


def _lesson_dirs(args: argparse.Namespace) -> list[Path]:
    paths = list(getattr(args, "lessons", None) or [bundled_lessons_dir()])
    for path in paths:
        if not path.exists():
            raise UsageError(_("--lessons {path}: no such folder or file").format(path=path))
        if not path.is_dir() and path.suffix.lower() != ".md":
            raise UsageError(
                _("--lessons {path}: not a folder of lessons or a lesson file (.md)").format(
                    path=path
                )
            )
    return paths


def _catalog(args: argparse.Namespace) -> Catalog:
    """`--lessons` folders alone (an author's view), else the bundled lessons and every pack.

    In the learner's language: prose, hints and the words in the code where translated.
    Kept parsed between starts (see `tutor.lessons.cache`).
    """
    packs: Sequence[Pack] = ()
    if getattr(args, "lessons", None):
        paths = _lesson_dirs(args)
    else:
        paths = [bundled_lessons_dir()]
        packs, problems = kept(
            search_folders(), "packs", cache_dir() / "packs.pickle", installed_packs, tuple
        )
        for problem in problems:
            tell(str(problem))
    lang = i18n.current()

    def parse() -> Catalog:
        from tutor.lessons.loader import load_catalog  # the parser loads only on a cache miss

        return load_catalog(paths, lang=lang, packs=packs)

    return cached_catalog(
        [*lesson_files(paths), *lesson_files(pack.folder for pack in packs)],
        lang + "".join(f"\n{pack.name}={pack.folder}" for pack in packs),
        cache_dir() / f"catalog-{lang}.pickle",
        parse,
    )


def _watcher(args: argparse.Namespace) -> LessonWatcher | None:
    """An author's `--lessons` folders are watched: edits show in the open app."""
    if not getattr(args, "lessons", None):
        return None
    from tutor.lessons.watch import LessonWatcher

    return LessonWatcher(args.lessons, i18n.current())
