"""`pbbot i18n extract|update|compile|check` on a small project in a temporary folder."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import pytest

from pbbot.commands import i18n
from pbbot.i18n.catalogs import SUPPORTED_LOCALES
from pbbot.i18n.extract import catalog_path, project_root, read_catalog, write_catalog


def _pbbot(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="pbbot")
    i18n.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code: int = args.run(args)
    return code


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copy(project_root() / "babel.cfg", tmp_path / "babel.cfg")
    (tmp_path / "flows").mkdir()
    (tmp_path / "flows" / "help.yaml").write_text('text: "Send MENU for the menu."\n')
    return tmp_path


def _options(project: Path) -> list[str]:
    return ["--locales", str(project / "locales")]


def test_workflow_from_extract_to_a_clean_check(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    locales = project / "locales"
    assert _pbbot("i18n", "extract", *_options(project), "--root", str(project)) == 0
    assert _pbbot("i18n", "update", *_options(project)) == 0
    capsys.readouterr()

    assert _pbbot("i18n", "check", *_options(project), "--root", str(project)) == 1
    out, err = capsys.readouterr()
    assert (
        "nl: 0/1 translated\n  untranslated: 'Send MENU for the menu.' (flows/help.yaml:1)" in out
    )
    assert err == "catalogs are incomplete\n"

    for locale in SUPPORTED_LOCALES:
        path = catalog_path(locales, locale)
        catalog = read_catalog(path, locale=locale)
        catalog["Send MENU for the menu."].string = f"MENU ({locale})"
        write_catalog(catalog, path)
    assert _pbbot("i18n", "check", *_options(project), "--root", str(project)) == 0
    out, _ = capsys.readouterr()
    assert out.splitlines() == [f"{locale}: 1/1 translated" for locale in SUPPORTED_LOCALES]

    assert _pbbot("i18n", "compile", *_options(project)) == 0
    assert (locales / "ar" / "LC_MESSAGES" / "pbbot.mo").exists()


def test_check_reports_a_template_that_lags_behind_the_sources(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _pbbot("i18n", "extract", *_options(project), "--root", str(project))
    (project / "flows" / "stop.yaml").write_text("text: Bye.\n")
    capsys.readouterr()

    assert _pbbot("i18n", "check", *_options(project), "--root", str(project)) == 1
    out, _ = capsys.readouterr()
    assert out.splitlines()[:2] == [
        f"{project / 'locales' / 'pbbot.pot'} is out of date "
        "(run `pbbot i18n extract`, then `update`):",
        "  not extracted yet: 'Bye.' (flows/stop.yaml:1)",
    ]


def test_check_lists_edition_texts_that_break_the_writing_conventions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = (project_root() / "examples" / "mechelen-2027.yaml").read_text(encoding="utf-8")
    intro = "  tr: Belediye €600.000 ayırdı."
    assert intro in sample
    edition = tmp_path / "edition.yaml"
    edition.write_text(sample.replace(intro, "  tr: Belediye 600.000 € ayırdı."), encoding="utf-8")

    assert _pbbot("i18n", "check", "--edition", str(edition)) == 1
    out, _ = capsys.readouterr()
    assert out.splitlines()[-2:] == [
        f"{edition}: texts that break the language's conventions:",
        "  intro (tr): '600.000 €' is not how tr writes money: '€600.000'",
    ]
