"""Template extraction, catalog update and compilation: the `pybabel` steps as functions.

They use Babel's own pieces (`babel.cfg` parsed by the frontend's mapping parser,
`extract_from_dir`, `Catalog.update`, `write_mo`) but return catalogs and paths,
so `pbbot i18n` and the tests share one code path, locations in the template are
relative to the project root whatever the working folder, and a new catalog gets
our CLDR-checked Plural-Forms header instead of Babel's table.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from pbbot import __version__
from pbbot.i18n.catalogs import DOMAIN, SUPPORTED_LOCALES
from pbbot.i18n.plurals import PLURAL_FORMS

__all__ = [
    "COMMENT_TAGS",
    "catalog_path",
    "compile_catalogs",
    "extract_template",
    "project_root",
    "read_catalog",
    "update_catalogs",
    "write_catalog",
]

# `# Translators: ...` above a gettext call reaches the translator as a comment.
COMMENT_TAGS = ("Translators:",)
_WIDTH = 100


def project_root() -> Path:
    """The repository root: where `babel.cfg`, `src/` and `flows/` live."""
    return Path(__file__).resolve().parents[3]


def catalog_path(folder: Path, locale: str) -> Path:
    return folder / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def extract_template(root: Path, *, mapping: Path | None = None) -> Catalog:
    """Collect every translatable text under `root` as `babel.cfg` maps it."""
    mapping = mapping or root / "babel.cfg"
    with mapping.open() as fileobj:
        method_map, options_map = parse_mapping_cfg(fileobj, filename=str(mapping))  # type: ignore[no-untyped-call]
    template = Catalog(
        project="pbbot",
        version=__version__,
        copyright_holder="pbbot contributors",
        domain=DOMAIN,
    )
    extracted = extract_from_dir(
        root,
        method_map,
        options_map,
        keywords=DEFAULT_KEYWORDS,
        comment_tags=COMMENT_TAGS,
        strip_comment_tags=True,
    )
    for filename, lineno, message, comments, context in extracted:
        template.add(
            message,
            None,
            [(Path(filename).as_posix(), lineno)],
            auto_comments=comments,
            context=context,
        )
    return template


def read_catalog(path: Path, *, locale: str | None = None) -> Catalog:
    with path.open("rb") as fileobj:
        return read_po(fileobj, locale=locale, domain=DOMAIN)


def write_catalog(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fileobj:
        write_po(fileobj, catalog, width=_WIDTH, ignore_obsolete=True)


def _new_catalog(template: Catalog, locale: str) -> Catalog:
    catalog = Catalog(
        locale=locale,
        domain=DOMAIN,
        project=template.project,
        version=template.version,
        copyright_holder=template.copyright_holder,
        fuzzy=False,
    )
    catalog.mime_headers = [("Plural-Forms", PLURAL_FORMS[locale])]
    return catalog


def update_catalogs(
    template: Catalog, folder: Path, locales: Iterable[str] = SUPPORTED_LOCALES
) -> list[Path]:
    """Bring each language's catalog in line with `template` (created when missing).

    New texts arrive untranslated, reworded ones as fuzzy guesses, and texts
    gone from the template are dropped; `pbbot i18n check` then lists the work.
    """
    written = []
    for locale in locales:
        path = catalog_path(folder, locale)
        catalog = (
            read_catalog(path, locale=locale) if path.exists() else _new_catalog(template, locale)
        )
        catalog.update(template)
        write_catalog(catalog, path)
        written.append(path)
    return written


def compile_catalogs(folder: Path, locales: Iterable[str] = SUPPORTED_LOCALES) -> list[Path]:
    """Write `<lang>/LC_MESSAGES/pbbot.mo` next to every `.po`; fuzzy guesses stay out."""
    written = []
    for locale in locales:
        source = catalog_path(folder, locale)
        catalog = read_catalog(source, locale=locale)
        target = source.with_suffix(".mo")
        with target.open("wb") as fileobj:
            write_mo(fileobj, catalog, use_fuzzy=False)
        written.append(target)
    return written
