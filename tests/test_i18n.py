"""Language choice and the gettext catalogs: plain unit tests, no terminal, no worker."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tutor import i18n

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("code", "lang"),
    [
        ("pt", "pt"),
        ("pt-BR", "pt"),
        ("pt_BR", "pt"),
        ("PT_br", "pt"),
        ("pt_BR.UTF-8", "pt"),
        ("es", "es"),
        ("es-ES", "es"),
        ("es_AR.UTF-8", "es"),
        ("EN", "en"),
        ("en_US.UTF-8", "en"),
        ("fr", None),
        ("C", None),
        ("", None),
    ],
)
def test_normalize(code: str, lang: str | None) -> None:
    assert i18n.normalize(code) == lang


@pytest.mark.parametrize(
    ("environ", "lang"),
    [
        ({}, "en"),
        ({"LANG": "pt_BR.UTF-8"}, "pt"),
        ({"LANG": "es_AR.UTF-8"}, "es"),
        ({"LANG": "pt_BR.UTF-8", "LC_ALL": "C"}, "en"),
        ({"LANG": "C.UTF-8", "LC_MESSAGES": "es_ES.UTF-8"}, "es"),
        ({"LANGUAGE": "fr:pt_BR", "LANG": "es_ES.UTF-8"}, "pt"),
        ({"LANGUAGE": "fr", "LANG": "es_ES.UTF-8"}, "es"),
    ],
)
def test_environment_decides_as_gettext_does(environ: dict[str, str], lang: str) -> None:
    assert i18n.from_environment(environ) == lang


def test_unknown_language_lists_the_available_ones() -> None:
    with pytest.raises(i18n.UnknownLanguage, match="fr: no such language; available: en, pt, es"):
        i18n.resolve("fr")
    assert i18n.resolve(None, {"LANG": "pt_BR.UTF-8"}) == "pt"


def test_switching_language_translates_later_calls() -> None:
    message = "{asked}: no such language; available: {names}"
    try:
        i18n.set_language("pt")
        assert i18n._(message) != message
        i18n.set_language("es")
        assert i18n._(message) != message
    finally:
        i18n.set_language("en")
    assert i18n._(message) == message


def test_catalogs_are_complete_and_compiled() -> None:
    """Every marked sentence has a pt and an es translation, and the shipped .mo matches."""
    result = subprocess.run(
        [sys.executable, "tools/catalogs.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_shipped_message_has_its_pt_and_es_version() -> None:
    """What `tutor dev check` reports per language, from the files the wheel ships."""
    assert len(i18n.messages()) > 200
    assert i18n.untranslated("pt") == [] and i18n.untranslated("es") == []
    assert i18n.untranslated("fr") == i18n.messages()
