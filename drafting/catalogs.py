"""The message catalogs' workflow, with Babel: extract the msgids of Python and templates into
drafting/locale/messages.pot, merge them into each language's .po, compile the .po files to .mo.

    python -m drafting.catalogs extract   # messages.pot from the code (babel.cfg says where)
    python -m drafting.catalogs update    # extract, then add new msgids to fr, en, de (fuzzy guesses off)
    python -m drafting.catalogs compile   # .po -> .mo (the build does it for the wheel)

The keywords are those of drafting.i18n (``_``, ``gettext``, ``ngettext``, ``N_``, ``Message``), the
templates' ``translate_in(language, msgid)`` (its second argument) and the domain errors of
drafting.errors, whose message is their first argument (``Invalid``: the second).
"""
from __future__ import annotations

import io
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

from drafting.i18n import DOMAIN, LANGUAGES, LOCALE_DIR, catalog_paths, compile_catalog

ROOT = Path(__file__).resolve().parent.parent
MAPPING = ROOT / "babel.cfg"
TEMPLATE = LOCALE_DIR / f"{DOMAIN}.pot"
KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "N_": None,
    "translate_in": (2,),
    "Message": None,
    "DomainError": None,
    "Invalid": (2,),
    "Unauthorized": None,
    "Forbidden": None,
    "NotFound": None,
    "Conflict": None,
    "RateLimited": None,
}


def extract() -> Catalog:
    """Every msgid of the checkout's Python and templates, as ``pybabel extract -F babel.cfg`` finds them."""
    with MAPPING.open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    catalog = Catalog(project="Navette", domain=DOMAIN, charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        ROOT, method_map, options_map, keywords=KEYWORDS, strip_comment_tags=True
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


_CREATION_DATE = re.compile(rb'^"POT-Creation-Date: [^"]*"\n', re.M)


def _write(path: Path, catalog: Catalog, **options) -> None:
    """Write a catalog, leaving the file alone when only its creation date would change (fewer
    merge conflicts)."""
    out = io.BytesIO()
    write_po(out, catalog, width=100, sort_output=True, **options)
    new = out.getvalue()
    if path.exists() and _CREATION_DATE.sub(b"", path.read_bytes()) == _CREATION_DATE.sub(b"", new):
        return
    path.write_bytes(new)


def write_template(catalog: Catalog) -> None:
    _write(TEMPLATE, catalog)


def update() -> None:
    """Merge the extracted msgids into each .po: new ones come untranslated, gone ones are dropped."""
    template = extract()
    write_template(template)
    for language in LANGUAGES:
        po_path, _ = catalog_paths(language)
        if po_path.exists():
            with po_path.open("rb") as source:
                catalog = read_po(source, locale=language, domain=DOMAIN)
        else:
            po_path.parent.mkdir(parents=True, exist_ok=True)
            catalog = Catalog(locale=language, domain=DOMAIN, project="Navette")
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        _write(po_path, catalog, no_location=True, include_previous=False)


def compile_all() -> list[Path]:
    written = []
    for language in LANGUAGES:
        po_path, mo_path = catalog_paths(language)
        mo_path.write_bytes(compile_catalog(po_path))
        written.append(mo_path)
    return written


def main(argv: list[str] | None = None) -> int:
    command = (argv if argv is not None else sys.argv[1:] or ["help"])[0]
    if command == "extract":
        write_template(extract())
    elif command == "update":
        update()
    elif command == "compile":
        for path in compile_all():
            print(path)
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
