"""argparse, the tutor way: one-line errors, help in the learner's language, checked values.

The CLI's commands live in `tutor.cli` (and `sandbox.commands`, `progress.commands`); what
they share about arguments and about speaking on stderr is here.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

from tutor import i18n
from tutor.i18n import _

EXIT_USAGE = 2


class UsageError(Exception):
    """Bad command-line input, said in one line."""


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None) -> None:  # type: ignore[no-untyped-def]
        super().add_usage(usage, actions, groups, _("usage: ") if prefix is None else prefix)


class Parser(argparse.ArgumentParser):
    """argparse, with its errors in one line instead of a usage block, in the learner's language.

    argparse words its help with the process-wide gettext domain, not ours: its headings
    and the -h line are set here, in our catalog's words.
    """

    def __init__(self, *args, parents=(), **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, formatter_class=_Formatter, **kwargs)
        self._positionals.title = _("positional arguments")
        self._optionals.title = _("options")
        for action in self._actions:
            if isinstance(action, argparse._HelpAction):
                action.help = _("show this help message and exit")
        for parent in parents:  # as argparse does, but after the headings have our words
            self._add_container_actions(parent)
            self._defaults.update(parent._defaults)

    def error(self, message: str) -> None:  # type: ignore[override]
        line = _("{prog}: {message} (see `{prog} --help`)").format(prog=self.prog, message=message)
        self.exit(EXIT_USAGE, line + "\n")


def language_in(words: list[str]) -> str:
    """The language `--lang` asks for among raw arguments, else the environment's."""
    for index, word in enumerate(words):
        asked = word.partition("=")[2] if word.startswith("--lang=") else None
        if word == "--lang" and index + 1 < len(words):
            asked = words[index + 1]
        if asked is not None:
            return i18n.normalize(asked) or i18n.from_environment()
    return i18n.from_environment()


def language(args: argparse.Namespace) -> str:
    """`--lang`, else the environment's language, as gettext programs choose it."""
    asked = getattr(args, "lang", None)
    try:
        return i18n.resolve(asked)
    except i18n.UnknownLanguage as error:
        raise UsageError(f"--lang {error}") from None


def checked(kind: str) -> Callable[[str], str]:
    """An argparse `type` that keeps the text and rejects it, in one line, if it is no `kind`.

    The values are parsed again where they are used (the worker, the limits); here they
    are only refused early, with the parsers' own words.
    """

    def check(text: str) -> str:
        from tutor.sandbox.limits import parse_fraction, parse_size
        from tutor.sandbox.worker import check_device

        validate = {"device": check_device, "size": parse_size, "share": parse_fraction}[kind]
        try:
            validate(text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None
        return text

    check.__name__ = kind  # argparse names it in "invalid <name> value"
    return check


def cap_gpu_memory(args: argparse.Namespace) -> None:
    """Lower the administrator's TUTOR_GPU_MEMORY for this process and its workers.

    Every `Limits()` made from here on, and every worker, reads the variable, so the
    cap holds for the app, `run`, `check`, `dev check` and `doctor` alike.
    """
    from tutor.sandbox.limits import GPU_MEMORY_VARIABLE, gpu_memory_cap

    try:
        cap = gpu_memory_cap(getattr(args, "gpu_memory", None))
    except ValueError as error:
        raise UsageError(str(error)) from None
    if cap is not None:
        os.environ[GPU_MEMORY_VARIABLE] = f"{cap:g}"


def count(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(
            _("not a number of threads: {text!r} (try 4)").format(text=text)
        )
    return int(text)


def tell(message: str | None) -> None:
    """One line on stderr, `tutor: ...`, after anything already printed; nothing for None."""
    if message:
        sys.stderr.flush()
        print(f"tutor: {message}", file=sys.stderr, flush=True)
