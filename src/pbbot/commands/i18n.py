"""`pbbot i18n extract|update|compile|check`: the catalog workflow in one command.

extract: sources and flows -> `locales/pbbot.pot`; update: template -> each
`<lang>/LC_MESSAGES/pbbot.po`; compile: `.po` -> `.mo` (the set-up runs it);
check: what is untranslated, fuzzy, stale or inconsistent, non-zero if anything;
it also checks the writing conventions of the edition's own texts (`--edition`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog

# Babel's catalog tools load in the actions below, never for `pbbot --help`.

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("i18n", help="extract, update, compile and check catalogs")
    actions = parser.add_subparsers(dest="i18n_command", required=True, metavar="ACTION")
    for name, run, help_text in (
        ("extract", _extract, "collect texts from src/ and flows/ into locales/pbbot.pot"),
        ("update", _update, "merge locales/pbbot.pot into every language's .po"),
        ("compile", _compile, "build the .mo files from the .po files"),
        ("check", _check, "list untranslated, fuzzy and inconsistent entries"),
    ):
        action = actions.add_parser(name, help=help_text, description=help_text)
        action.add_argument(
            "--locales", type=Path, metavar="DIR", help="catalog folder (default: locales/)"
        )
        if name in ("extract", "check"):
            action.add_argument(
                "--root", type=Path, metavar="DIR", help="project root with babel.cfg"
            )
        if name == "check":
            action.add_argument(
                "--edition", metavar="FILE", help="edition file (default: $PBBOT_EDITION)"
            )
        action.set_defaults(run=run)


def _folder(args: argparse.Namespace) -> Path:
    from pbbot.i18n.catalogs import locales_dir

    return args.locales or locales_dir()


def _template_path(args: argparse.Namespace) -> Path:
    from pbbot.i18n.catalogs import DOMAIN

    return _folder(args) / f"{DOMAIN}.pot"


def _current_template(args: argparse.Namespace) -> Catalog:
    from pbbot.i18n.extract import extract_template, project_root

    return extract_template(args.root or project_root())


def _extract(args: argparse.Namespace) -> int:
    from pbbot.i18n.extract import write_catalog

    template = _current_template(args)
    path = _template_path(args)
    write_catalog(template, path)
    print(f"{path}: {sum(1 for message in template if message.id)} texts")
    return 0


def _update(args: argparse.Namespace) -> int:
    from pbbot.i18n.extract import read_catalog, update_catalogs

    template = read_catalog(_template_path(args))
    for path in update_catalogs(template, _folder(args)):
        print(f"updated {path}")
    return 0


def _compile(args: argparse.Namespace) -> int:
    from pbbot.i18n.extract import compile_catalogs

    for path in compile_catalogs(_folder(args)):
        print(f"compiled {path}")
    return 0


def _check(args: argparse.Namespace) -> int:
    from pbbot.commands.options import DEFAULT_EDITION, edition_path
    from pbbot.config.edition_file import load_edition
    from pbbot.i18n.check import check_catalogs, template_drift
    from pbbot.i18n.conventions import edition_convention_errors
    from pbbot.i18n.extract import read_catalog

    current = _current_template(args)
    saved_path = _template_path(args)
    drift = (
        template_drift(read_catalog(saved_path), current)
        if saved_path.exists()
        else (f"{saved_path} does not exist",)
    )
    # The sample edition where it is (the repository); an edition named explicitly must load.
    edition_file = edition_path(args)
    wanted = edition_file != DEFAULT_EDITION or edition_file.exists()
    edition = load_edition(edition_file) if wanted else None
    currency = edition.currency if edition else "EUR"
    reports = check_catalogs(current, _folder(args), currency=currency)
    edition_errors = edition_convention_errors(edition) if edition else ()
    if not drift and not edition_errors and all(report.ok for report in reports):
        for report in reports:
            print(report.listing()[0])
        return 0
    if drift:
        print(f"{saved_path} is out of date (run `pbbot i18n extract`, then `update`):")
        print("\n".join(f"  {line}" for line in drift))
    for report in reports:
        print("\n".join(report.listing()))
    if edition_errors:
        print(f"{edition_file}: texts that break the language's conventions:")
        print("\n".join(f"  {line}" for line in edition_errors))
    print("catalogs are incomplete", file=sys.stderr)
    return 1
