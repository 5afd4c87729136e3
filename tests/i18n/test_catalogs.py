"""The translator the engine gets: compiled catalogs, plural forms, direction."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog

from pbbot.i18n.catalogs import translator
from pbbot.i18n.extract import (
    catalog_path,
    compile_catalogs,
    read_catalog,
    update_catalogs,
    write_catalog,
)

VOTES = ("{n} vote", "{n} votes")
ARABIC_VOTES = (
    "لا أصوات",  # zero
    "صوت واحد",  # one
    "صوتان",  # two
    "{n} أصوات",  # few: 3-10
    "{n} صوتًا",  # many: 11-99
    "{n} صوت",  # other: 100-102, ...
)


@pytest.fixture
def locales(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Compiled nl and ar catalogs holding one plural text, as `translator()` reads them."""
    template = Catalog(domain="pbbot")
    template.add(VOTES)
    template.add("Menu")
    update_catalogs(template, tmp_path, ["nl", "ar"])
    for locale, forms, menu in (
        ("nl", ("één stem", "{n} stemmen"), "Menu"),
        ("ar", ARABIC_VOTES, "القائمة"),
    ):
        path = catalog_path(tmp_path, locale)
        catalog = read_catalog(path, locale=locale)
        catalog[VOTES].string = forms
        catalog["Menu"].string = menu
        write_catalog(catalog, path)
    compile_catalogs(tmp_path, ["nl", "ar"])
    monkeypatch.setenv("PBBOT_LOCALES_DIR", str(tmp_path))
    return tmp_path


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, "لا أصوات"),
        (1, "صوت واحد"),
        (2, "صوتان"),
        (3, "3 أصوات"),
        (10, "10 أصوات"),
        (11, "11 صوتًا"),
        (99, "99 صوتًا"),
        (100, "100 صوت"),
        (101, "101 صوت"),
        (102, "102 صوت"),
        (103, "103 أصوات"),
    ],
)
def test_compiled_arabic_catalog_picks_the_cldr_form(locales: Path, n: int, expected: str) -> None:
    arabic = translator("ar")

    assert arabic.ngettext(*VOTES, n).format(n=n) == expected


@pytest.mark.parametrize(("n", "expected"), [(0, "0 stemmen"), (1, "één stem"), (2, "2 stemmen")])
def test_compiled_dutch_catalog_picks_the_form(locales: Path, n: int, expected: str) -> None:
    assert translator("nl").ngettext(*VOTES, n).format(n=n) == expected


def test_translator_knows_direction_and_babel_locale(locales: Path) -> None:
    arabic, dutch = translator("ar"), translator("nl")

    assert arabic.gettext("Menu") == "القائمة"
    assert (arabic.rtl, dutch.rtl) == (True, False)
    assert (arabic.locale, str(dutch.babel_locale)) == ("ar", "nl")


def test_unsupported_locale_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported locale 'de'"):
        translator("de")
