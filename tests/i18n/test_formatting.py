"""Money, dates, numbers and percentages per locale, spaces spelled out.

NBSP is U+00A0 (no-break space), NNBSP U+202F (narrow no-break space), THIN U+2009,
RLM U+200F (right-to-left mark): Babel's CLDR output, asserted exactly.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from babel import Locale

from pbbot.i18n.formatting import (
    format_date,
    format_money,
    format_number,
    format_percentage,
    format_period,
)

NBSP, NNBSP, THIN, RLM = "\u00a0", "\u202f", "\u2009", "\u200f"


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
        ("fr", f"1 mars{THIN}–{THIN}30 avr. 2027", "1–20 mars 2027"),
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
