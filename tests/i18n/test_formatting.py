"""Money, dates, numbers and percentages per locale, spaces spelled out.

NBSP is U+00A0 (no-break space), NNBSP U+202F (narrow no-break space), THIN U+2009,
RLM U+200F (right-to-left mark), LRM U+200E (left-to-right mark): Babel's CLDR
output, asserted exactly.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from babel import Locale

from pbbot.i18n.formatting import (
    format_date,
    format_list,
    format_money,
    format_number,
    format_percentage,
    format_period,
    format_phone,
    format_short_date,
    format_short_period,
)

NBSP, NNBSP, THIN, RLM, LRM = "\u00a0", "\u202f", "\u2009", "\u200f", "\u200e"


@pytest.mark.parametrize(
    ("locale", "whole", "with_cents"),
    [
        ("nl", f"€{NBSP}50.000", f"€{NBSP}1.234,50"),
        ("fr", f"50{NNBSP}000{NBSP}€", f"1{NNBSP}234,50{NBSP}€"),
        ("en", "€50,000", "€1,234.50"),
        ("tr", "€50.000", "€1.234,50"),
        ("ar", f"{RLM}50,000{NBSP}€", f"{RLM}1,234.50{NBSP}€"),
    ],
)
def test_money(locale: str, whole: str, with_cents: str) -> None:
    assert format_money(50000, "EUR", locale) == whole
    assert format_money(Decimal("50000.00"), "EUR", locale) == whole
    assert format_money(Decimal("1234.5"), "EUR", locale) == with_cents
    assert format_money(1234.5, "EUR", locale) == with_cents


def test_money_accepts_a_babel_locale() -> None:
    assert format_money(250, "EUR", Locale.parse("nl")) == f"€{NBSP}250"


@pytest.mark.parametrize(
    ("locale", "long", "short"),
    [
        ("nl", "15 maart 2027", "15 mrt 2027"),
        ("fr", "15 mars 2027", "15 mars 2027"),
        ("en", "March 15, 2027", "Mar 15, 2027"),
        ("tr", "15 Mart 2027", "15 Mar 2027"),
        ("ar", "15 مارس 2027", f"15{RLM}/03{RLM}/2027"),
    ],
)
def test_date(locale: str, long: str, short: str) -> None:
    assert format_date(date(2027, 3, 15), locale) == long
    assert format_date(date(2027, 3, 15), locale, style="medium") == short


@pytest.mark.parametrize(
    ("locale", "across_months", "within_a_month"),
    [
        ("nl", f"1 mrt{THIN}–{THIN}30 apr 2027", "1–20 mrt 2027"),
        ("fr", f"1er mars{THIN}–{THIN}30 avr. 2027", "1er–20 mars 2027"),
        ("en", f"Mar 1{THIN}–{THIN}Apr 30, 2027", f"Mar 1{THIN}–{THIN}20, 2027"),
        ("tr", f"1 Mar{THIN}–{THIN}30 Nis 2027", "1–20 Mar 2027"),
        ("ar", "1 مارس – 30 أبريل 2027", "1–20 مارس 2027"),
    ],
)
def test_period(locale: str, across_months: str, within_a_month: str) -> None:
    assert format_period(date(2027, 3, 1), date(2027, 4, 30), locale) == across_months
    assert format_period(date(2027, 3, 1), date(2027, 3, 20), locale) == within_a_month


@pytest.mark.parametrize(
    ("locale", "number", "percentage"),
    [
        ("nl", "1.234.567", "25%"),
        ("fr", f"1{NNBSP}234{NNBSP}567", f"25{NBSP}%"),
        ("en", "1,234,567", "25%"),
        ("tr", "1.234.567", "%25"),
        ("ar", "1,234,567", "25%"),
    ],
)
def test_number_and_percentage(locale: str, number: str, percentage: str) -> None:
    assert format_number(1234567, locale) == number
    assert format_percentage(0.25, locale) == percentage


@pytest.mark.parametrize(
    ("locale", "first", "fifteenth", "phase", "across_years"),
    [
        ("nl", "1 juni 2027", "15 juni 2027", f"1 feb{THIN}–{THIN}14 mrt", "1 jun 2027"),
        ("fr", "1er juin 2027", "15 juin 2027", f"1er févr.{THIN}–{THIN}14 mars", "1er juin 2027"),
        ("en", "June 1, 2027", "June 15, 2027", f"Feb 1{THIN}–{THIN}Mar 14", "Jun 1, 2027"),
        ("tr", "1 Haziran 2027", "15 Haziran 2027", f"1 Şub{THIN}–{THIN}14 Mar", "1 Haz 2027"),
        ("ar", "1 يونيو 2027", "15 يونيو 2027", "1 فبراير – 14 مارس", "1 يونيو 2027"),
    ],
)
def test_the_first_of_the_month(
    locale: str, first: str, fifteenth: str, phase: str, across_years: str
) -> None:
    """French writes "1er juin"; CLDR does not, so formatting adds it, and only to a day 1."""
    assert format_date(date(2027, 6, 1), locale) == first
    assert format_date(date(2027, 6, 15), locale) == fifteenth
    assert format_short_period(date(2027, 2, 1), date(2027, 3, 14), locale) == phase
    assert format_short_date(date(2027, 6, 1), locale) == across_years


def test_eleven_and_twenty_one_stay_as_they_are_in_french() -> None:
    assert format_short_period(date(2027, 1, 11), date(2027, 1, 21), "fr") == "11–21 janv."
    assert format_date(date(2027, 6, 1), "fr", style="short") == "01/06/2027"


@pytest.mark.parametrize(
    ("locale", "standard", "or_list"),
    [
        ("nl", "Groen, Jeugd en Cultuur", "MENU, HULP of STOP"),
        ("fr", "Groen, Jeugd et Cultuur", "MENU, HULP ou STOP"),
        ("en", "Groen, Jeugd, and Cultuur", "MENU, HULP, or STOP"),
        ("tr", "Groen, Jeugd ve Cultuur", "MENU, HULP veya STOP"),
        ("ar", "Groen وJeugd وCultuur", "MENU أو HULP أو STOP"),
    ],
)
def test_list(locale: str, standard: str, or_list: str) -> None:
    assert format_list(["Groen", "Jeugd", "Cultuur"], locale) == standard
    assert format_list(iter(["MENU", "HULP", "STOP"]), locale, style="or") == or_list


@pytest.mark.parametrize(
    ("locale", "expected"), [("nl", "+32 15 00 00 00"), ("ar", f"{LRM}+32 15 00 00 00")]
)
def test_phone_number_keeps_its_order_in_right_to_left_text(locale: str, expected: str) -> None:
    assert format_phone("+32 15 00 00 00", locale) == expected
