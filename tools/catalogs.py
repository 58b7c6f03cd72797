"""Keep the gettext catalogs in step with the code: extract, update, compile, or check.

    python tools/catalogs.py          # after changing sentences in the code: refresh every .po
    python tools/catalogs.py --check  # what the test suite runs: exit 1 when anything is stale

Babel (a test extra) does the work; the compiled `.mo` files are committed so that an
installed `tutor` needs nothing but the standard library's gettext to read them.
"""

from __future__ import annotations

import argparse
import io
import sys
from datetime import datetime, timezone
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "tutor" / "locale"
TEMPLATE = LOCALE / "tutor.pot"
TRANSLATED = ("pt", "es")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
# Fixed header dates: a date that moved on every run would make every branch's catalogs
# conflict with every other's.
EPOCH = datetime(2026, 1, 1, tzinfo=timezone.utc)


def _new_catalog(locale: str | None = None) -> Catalog:
    return Catalog(
        locale=locale,
        project="pytorch-tutor",
        charset="utf-8",
        creation_date=EPOCH,
        revision_date=EPOCH,
        fuzzy=False,
    )


def extract() -> Catalog:
    """Every sentence marked in the package, without locations (they churn on every edit)."""
    catalog = _new_catalog()
    method_map = [("tutor/**.py", "python")]
    for _filename, _lineno, message, comments, context in extract_from_dir(
        ROOT, method_map, keywords=KEYWORDS, comment_tags=("TRANSLATORS:",)
    ):
        catalog.add(message, None, auto_comments=comments, context=context)
    return catalog


def _po_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, omit_header=False, no_location=True, sort_output=True, width=100)
    return out.getvalue()


def _mo_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as file:
        return read_po(file, locale=locale)


def _po_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / "tutor.po"


def refreshed(lang: str, template: Catalog) -> Catalog:
    """`lang`'s catalog with the template's messages: kept translations, new ones empty."""
    path = _po_path(lang)
    catalog = _read(path, lang) if path.exists() else _new_catalog(lang)
    catalog.update(template, no_fuzzy_matching=True, update_creation_date=False)
    catalog.obsolete.clear()
    return catalog


def untranslated(catalog: Catalog) -> list[str]:
    """Messages a learner would read in English: empty or fuzzy translations."""
    missing = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def problems() -> list[str]:
    """What is out of step: template vs code, .po vs template, .mo vs .po, untranslated."""
    found = []
    template = extract()
    if not TEMPLATE.exists() or {m.id for m in _read(TEMPLATE)} != {m.id for m in template}:
        found.append(f"{TEMPLATE.relative_to(ROOT)} is stale: run python tools/catalogs.py")
    for lang in TRANSLATED:
        po = _po_path(lang)
        if not po.exists():
            found.append(f"{po.relative_to(ROOT)} is missing: run python tools/catalogs.py")
            continue
        catalog = _read(po, lang)
        if {m.id for m in catalog if m.id} != {m.id for m in template if m.id}:
            found.append(f"{po.relative_to(ROOT)} is stale: run python tools/catalogs.py")
        for message_id in untranslated(catalog):
            found.append(f"{po.relative_to(ROOT)}: untranslated: {message_id!r}")
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.read_bytes() != _mo_bytes(catalog):
            stale = mo.relative_to(ROOT)
            found.append(f"{stale} does not match its .po: run python tools/catalogs.py")
    return found


def write() -> None:
    template = extract()
    TEMPLATE.parent.mkdir(parents=True, exist_ok=True)
    TEMPLATE.write_bytes(_po_bytes(template))
    for lang in TRANSLATED:
        catalog = refreshed(lang, template)
        po = _po_path(lang)
        po.parent.mkdir(parents=True, exist_ok=True)
        po.write_bytes(_po_bytes(catalog))
        # Compile what was written, read back, so the .mo never differs from a fresh check.
        po.with_suffix(".mo").write_bytes(_mo_bytes(_read(po, lang)))
        left = untranslated(catalog)
        print(f"{lang}: {len(left)} of {len([m for m in catalog if m.id])} untranslated")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report, change nothing")
    args = parser.parse_args(argv)
    if not args.check:
        write()
        return 0
    found = problems()
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
