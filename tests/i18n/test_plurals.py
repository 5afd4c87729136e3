"""Plural-Forms headers against CLDR, Arabic's six forms above all."""

from __future__ import annotations

import pytest
from babel import Locale

from pbbot.i18n.catalogs import SUPPORTED_LOCALES, locales_dir
from pbbot.i18n.extract import catalog_path, read_catalog
from pbbot.i18n.plurals import (
    PLURAL_FORMS,
    cldr_plural_index,
    plural_forms_mismatch,
    plural_function,
    single_count_forms,
)

# The rule Babel 2.18 and older shipped for Arabic: no `n % 100`, so 103 is "other".
OLD_BABEL_ARABIC = (
    "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n>=3 && n<=10 ? 3 : "
    "n>=11 && n<=99 ? 4 : 5);"
)


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_our_header_agrees_with_cldr(locale: str) -> None:
    assert plural_forms_mismatch(locale, PLURAL_FORMS[locale]) is None


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_shipped_catalog_carries_our_header(locale: str) -> None:
    catalog = read_catalog(catalog_path(locales_dir(), locale), locale=locale)

    assert catalog.plural_forms == PLURAL_FORMS[locale]


def test_arabic_header_is_the_gettext_rule_derived_from_cldr() -> None:
    catalog = read_catalog(catalog_path(locales_dir(), "ar"), locale="ar")
    assert catalog.plural_forms == (
        "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : "
        "n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5);"
    )
    assert Locale.parse("ar").plural_form.tags == {"zero", "one", "two", "few", "many"}


@pytest.mark.parametrize(
    ("n", "category"),
    [
        (0, "zero"),
        (1, "one"),
        (2, "two"),
        (3, "few"),
        (10, "few"),
        (11, "many"),
        (99, "many"),
        (100, "other"),
        (101, "other"),
        (102, "other"),
        (103, "few"),
        (111, "many"),
    ],
)
def test_arabic_header_selects_the_cldr_category(n: int, category: str) -> None:
    forms = ("zero", "one", "two", "few", "many", "other")
    _, index_of = plural_function(PLURAL_FORMS["ar"])

    assert forms[index_of(n)] == category
    assert Locale.parse("ar").plural_form(n) == category


def test_old_babel_arabic_rule_is_refused() -> None:
    assert plural_forms_mismatch("ar", OLD_BABEL_ARABIC) == (
        "n=103 selects form 5, but CLDR says 'few' (form 3)"
    )


def test_french_two_form_convention_is_refused_because_cldr_has_many() -> None:
    assert plural_forms_mismatch("fr", "nplurals=2; plural=(n > 1);") == (
        "nplurals=2, but CLDR has 3 forms for fr (one, many, other)"
    )
    assert cldr_plural_index("fr", 1_000_000) == 1
    assert cldr_plural_index("fr", 0) == 0


def test_dutch_rule_with_the_french_zero_is_refused() -> None:
    assert plural_forms_mismatch("nl", "nplurals=2; plural=(n > 1);") == (
        "n=0 selects form 0, but CLDR says 'other' (form 1)"
    )


def test_malformed_header_is_reported_not_raised() -> None:
    assert plural_forms_mismatch("nl", "plural=(n != 1);") == (
        "malformed Plural-Forms header 'plural=(n != 1);'"
    )


def test_forms_for_a_single_count() -> None:
    assert single_count_forms(PLURAL_FORMS["ar"]) == {0, 1, 2}
    assert single_count_forms(PLURAL_FORMS["nl"]) == {0}
    assert single_count_forms(PLURAL_FORMS["fr"]) == set()
