"""Catalog completeness: the shipped catalogs pass, and a broken one is caught."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog

from pbbot.i18n.catalogs import SUPPORTED_LOCALES, locales_dir
from pbbot.i18n.check import check_catalog, check_catalogs, placeholders, template_drift
from pbbot.i18n.extract import (
    catalog_path,
    extract_template,
    project_root,
    read_catalog,
    update_catalogs,
    write_catalog,
)
from pbbot.i18n.plurals import PLURAL_FORMS


def test_shipped_catalogs_are_complete_for_the_current_sources() -> None:
    template = extract_template(project_root())

    reports = check_catalogs(template, locales_dir())

    problems = [line for report in reports if not report.ok for line in report.listing()]
    assert problems == []
    assert [report.locale for report in reports] == list(SUPPORTED_LOCALES)


def test_shipped_template_is_up_to_date() -> None:
    saved = read_catalog(locales_dir() / "pbbot.pot")

    assert template_drift(saved, extract_template(project_root())) == ()


def _template() -> Catalog:
    template = Catalog(domain="pbbot")
    template.add("Menu", locations=[("flows/main.yaml", 3)])
    template.add("Budget: {amount}", locations=[("flows/info.yaml", 7)])
    template.add("Hello %(name)s", locations=[("src/pbbot/engine/x.py", 5)])
    template.add(("{n} idea", "{n} ideas"), locations=[("flows/ideas.yaml", 9)])
    template.add("Stop", locations=[("flows/main.yaml", 12)])
    return template


@pytest.fixture
def dutch(tmp_path: Path) -> Path:
    """A complete Dutch catalog in a temporary folder."""
    update_catalogs(_template(), tmp_path, ["nl"])
    path = catalog_path(tmp_path, "nl")
    catalog = read_catalog(path, locale="nl")
    catalog["Menu"].string = "Menu"
    catalog["Budget: {amount}"].string = "Budget: {amount}"
    catalog["Hello %(name)s"].string = "Hallo %(name)s"
    catalog[("{n} idea", "{n} ideas")].string = ("één idee", "{n} ideeën")
    catalog["Stop"].string = "Stop"
    write_catalog(catalog, path)
    return tmp_path


def test_complete_catalog_passes(dutch: Path) -> None:
    (report,) = check_catalogs(_template(), dutch, ["nl"])

    assert report.ok
    assert report.listing() == ["nl: 5/5 translated"]


def test_incomplete_catalog_is_listed_entry_by_entry(dutch: Path) -> None:
    path = catalog_path(dutch, "nl")
    catalog = read_catalog(path, locale="nl")
    catalog["Menu"].string = ""
    catalog["Stop"].flags.add("fuzzy")
    catalog["Budget: {amount}"].string = "Budget: {bedrag}"
    catalog[("{n} idea", "{n} ideas")].string = ("één idee", "")
    catalog.add("Old text", "Oude tekst")
    catalog.mime_headers = [("Plural-Forms", "nplurals=2; plural=(n > 1);")]
    write_catalog(catalog, path)

    (report,) = check_catalogs(_template(), dutch, ["nl"])

    assert not report.ok
    assert report.listing() == [
        "nl: 2/5 translated",
        "  Plural-Forms header: 'nplurals=2; plural=(n > 1);': "
        "n=0 selects form 0, but CLDR says 'other' (form 1)",
        "  untranslated: 'Menu' (flows/main.yaml:3)",
        "  untranslated: '{n} idea' (flows/ideas.yaml:9)",
        "  fuzzy: 'Stop' (flows/main.yaml:12)",
        "  not in the template: 'Old text'",
        "  placeholders differ: 'Budget: {amount}' (flows/info.yaml:7): "
        "['{bedrag}'] vs ['{amount}']",
    ]


def test_missing_catalog_file_is_reported(tmp_path: Path) -> None:
    (report,) = check_catalogs(_template(), tmp_path, ["tr"])

    assert not report.ok
    assert report.header_errors == (
        f"{catalog_path(tmp_path, 'tr')} does not exist (run `pbbot i18n update`)",
    )
    assert len(report.untranslated) == 5


def test_arabic_plural_entry_needs_six_forms_and_the_count_where_many_counts_share_one() -> None:
    template = Catalog(domain="pbbot")
    template.add(("{n} vote", "{n} votes"))
    catalog = Catalog(locale="ar", domain="pbbot")
    catalog.mime_headers = [("Plural-Forms", PLURAL_FORMS["ar"])]
    # Zero, one and two may spell the number out; "few" must show it.
    catalog.add(("{n} vote", "{n} votes"), ("لا أصوات", "صوت واحد", "صوتان", "أصوات", "{n} صوتًا"))

    report = check_catalog(catalog, template, "ar")

    assert report.plural_errors == ("'{n} vote': 5 forms, expected 6",)
    assert report.placeholder_errors == ("'{n} vote' form 3: [] vs ['{n}']",)


def test_language_header_must_match_the_folder() -> None:
    catalog = Catalog(locale="fr", domain="pbbot")
    catalog.mime_headers = [("Plural-Forms", "nplurals=2; plural=(n != 1);")]

    report = check_catalog(catalog, Catalog(), "nl")

    assert report.header_errors == ("Language is fr, expected nl",)


def test_template_drift_names_both_directions() -> None:
    saved, current = Catalog(), Catalog()
    saved.add("Gone", locations=[("flows/a.yaml", 1)])
    current.add("New", locations=[("flows/a.yaml", 2)])

    assert template_drift(saved, current) == (
        "not extracted yet: 'New' (flows/a.yaml:2)",
        "no longer in the sources: 'Gone' (flows/a.yaml:1)",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello %(name)s, you have %(n)d votes", {"%(name)", "%(n)"}),
        ("%s of %d", {"%0", "%1"}),
        ("100%% sure", set()),
        ("Budget {amount:,} for {edition.name}", {"{amount}", "{edition}"}),
        ("Braces {{literal}}", set()),
        ("Unbalanced { brace", set()),
    ],
)
def test_placeholders(text: str, expected: set[str]) -> None:
    assert placeholders(text) == expected


def test_translations_that_break_the_writing_conventions_are_listed() -> None:
    template = Catalog(domain="pbbot")
    template.add("Ideas up to €60,000.", locations=[("flows/rules.yaml", 3)])
    template.add("Send MENU, HELP or STOP.", locations=[("flows/help.yaml", 4)])
    catalog = Catalog(locale="ar", domain="pbbot")
    catalog.mime_headers = [("Plural-Forms", PLURAL_FORMS["ar"])]
    catalog.add("Ideas up to €60,000.", "أفكار حتى 60٬000 يورو.")
    catalog.add("Send MENU, HELP or STOP.", "أرسل قائمة, مساعدة أو توقف.")

    report = check_catalog(catalog, template, "ar")

    assert not report.ok
    assert report.listing()[1:] == [
        "  conventions: 'Ideas up to €60,000.' (flows/rules.yaml:3): "
        "'60٬000 يورو' is not how ar writes money: '60,000 €'",
        "  conventions: 'Send MENU, HELP or STOP.' (flows/help.yaml:4): "
        "Latin comma ',' in 'أرسل قائمة, مساعدة أو توقف.': ar writes '،'",
    ]
