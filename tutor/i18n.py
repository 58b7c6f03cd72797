"""The language the learner reads: which one, and the gettext catalogs that speak it.

Every sentence the app, the CLI and the worker show goes through `_()` (or `ngettext()`),
looked up in `tutor/locale/<lang>/LC_MESSAGES/tutor.mo`. The `.po` sources next to them are
the translators' files; Babel extracts and compiles them (`python tools/catalogs.py`), and
the compiled catalogs ship in the wheel, so no tool is needed at run time.

One language is current per process: the CLI sets it at start-up, the app when the learner
switches language, the worker for each request. Module-level constants that hold a sentence
are marked with `N_()` and translated where they are shown, so a switch takes effect at once.
"""

from __future__ import annotations

import ast
import gettext
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "tutor"

#: The languages the app speaks, in the order menus list them.
LANGUAGES: tuple[str, ...] = ("en", "pt", "es")
NAMES: dict[str, str] = {"en": "English", "pt": "Português (Brasil)", "es": "Español"}

# The variables gettext itself consults, in its order: LANGUAGE is a colon-separated list
# of preferences, the others hold one locale name such as pt_BR.UTF-8.
_ENVIRONMENT = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


class UnknownLanguage(ValueError):
    """A language code the app does not speak; the message lists the ones it does."""

    def __init__(self, asked: str) -> None:
        self.asked = asked
        super().__init__(
            _("{asked}: no such language; available: {names}").format(
                asked=asked, names=", ".join(LANGUAGES)
            )
        )


def normalize(code: str) -> str | None:
    """The app language a locale name or tag means ("pt_BR.UTF-8", "PT-br", "es"), or None.

    A region never matters: Brazilian Portuguese is what we ship, and neutral Spanish serves
    every Spanish-speaking region.
    """
    base = code.strip().partition(".")[0].partition("@")[0]
    base = base.replace("-", "_").partition("_")[0].lower()
    return base if base in LANGUAGES else None


def from_environment(environ: Mapping[str, str] | None = None) -> str:
    """The language gettext programs would pick from the environment, English if none fits.

    As in gettext, the first variable that is set decides; within LANGUAGE's list the first
    language we speak wins, and "C"/"POSIX" mean English.
    """
    environ = os.environ if environ is None else environ
    for variable in _ENVIRONMENT:
        value = environ.get(variable, "")
        if not value:
            continue
        for code in value.split(":") if variable == "LANGUAGE" else (value,):
            found = normalize(code)
            if found:
                return found
        if variable != "LANGUAGE":
            return "en"
    return "en"


def resolve(asked: str | None, environ: Mapping[str, str] | None = None) -> str:
    """The language for `--lang asked`, or the environment's when no flag was given."""
    if asked is None:
        return from_environment(environ)
    found = normalize(asked)
    if found is None:
        raise UnknownLanguage(asked)
    return found


_current = "en"
_translation: gettext.NullTranslations = gettext.NullTranslations()


def set_language(lang: str) -> None:
    """Make `lang` the language of every later `_()` in this process."""
    global _current, _translation
    if lang not in LANGUAGES:
        raise UnknownLanguage(lang)
    _current = lang
    _translation = gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)


def current() -> str:
    return _current


def _(message: str) -> str:
    """`message` in the current language (itself where the catalog lacks it)."""
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a sentence about `n` things that the current language uses for `n`."""
    return _translation.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a sentence for extraction where it is defined; `_()` translates it where shown."""
    return message


def and_list(items: Sequence[str]) -> str:
    """`a`, `b` and `c` in the current language: how a sentence lists several names."""
    if len(items) <= 1:
        return "".join(items)
    return _("{items} and {last}").format(items=", ".join(items[:-1]), last=items[-1])


def or_list(items: Sequence[str]) -> str:
    """`a`, `b` or `c` in the current language: how a sentence offers alternatives."""
    if len(items) <= 1:
        return "".join(items)
    return _("{items} or {last}").format(items=", ".join(items[:-1]), last=items[-1])


def messages() -> list[str]:
    """Every sentence the app can show, as the shipped template (`tutor.pot`) lists them."""
    found: list[str] = []
    current: list[str] | None = None
    for line in (LOCALE_DIR / f"{DOMAIN}.pot").read_text(encoding="utf-8").splitlines():
        if line.startswith("msgid "):
            current = [ast.literal_eval(line[6:])]
            found.append("")
        elif line.startswith('"') and current is not None:
            current.append(ast.literal_eval(line))
        else:
            if current is not None:
                found[-1] = "".join(current)
            current = None
    if current is not None:
        found[-1] = "".join(current)
    return [message for message in found if message]


def untranslated(lang: str) -> list[str]:
    """The sentences a learner reading `lang` would still see in English."""
    if lang == "en":
        return []
    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"
    if not path.exists():
        return messages()
    with path.open("rb") as file:
        catalog = gettext.GNUTranslations(file)._catalog  # type: ignore[attr-defined]
    known = {key[0] if isinstance(key, tuple) else key for key in catalog}
    return [message for message in messages() if message not in known]
