"""Money, dates, numbers and percentages as a resident of each language expects them.

Everything goes through Babel's CLDR data, so "€ 50.000" (nl), "50 000 €" (fr) and
"€50,000" (en) come from one call, and so do list separators ("A، وB" is not
written in code). Babel separates with no-break (U+00A0) and narrow no-break
(U+202F) spaces and thin spaces around dashes; the SMS renderer normalizes
those, these functions keep CLDR's output as is. Digits are Latin in every
language (Babel's default numbering system), as Arabic speakers in Belgium read
amounts and dates on letters and posters.

Two things CLDR does not do: French writes the first day of a month as an
ordinal ("1er juin", not "1 juin"), and a phone number inside a right-to-left
text needs a left-to-right mark, or "+32 15 00 00 00" shows its groups in
reverse order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Literal

from babel import Locale
from babel.dates import format_date as _babel_format_date
from babel.dates import format_interval, format_skeleton
from babel.lists import format_list as _babel_format_list
from babel.numbers import format_currency, format_decimal, format_percent

__all__ = [
    "format_date",
    "format_list",
    "format_money",
    "format_number",
    "format_percentage",
    "format_period",
    "format_phone",
    "format_short_date",
    "format_short_period",
]

LocaleLike = Locale | str
ListStyle = Literal["standard", "or"]


def _locale(locale: LocaleLike) -> Locale:
    return locale if isinstance(locale, Locale) else Locale.parse(locale)


@cache
def _whole_currency_pattern(locale: Locale) -> str:
    # The locale's own currency pattern with the cents dropped: "¤ #,##0.00" -> "¤ #,##0".
    pattern: str = locale.currency_formats["standard"].pattern
    return pattern.replace("0.00", "0")


def format_money(
    amount: Decimal | int | float, currency: str, locale: LocaleLike, *, exact: bool = False
) -> str:
    """An amount of money; whole amounts without cents ("€ 50.000", not "€ 50.000,00").

    Budgets and idea costs are round numbers; ",00" only makes a text longer,
    which costs SMS characters. `exact`: every digit given, not rounded to the
    currency's cents (a price per SMS segment: "€0.0786").
    """
    value = Decimal(str(amount)) if isinstance(amount, float) else Decimal(amount)
    babel_locale = _locale(locale)
    if value == value.to_integral_value():
        return format_currency(
            value,
            currency,
            format=_whole_currency_pattern(babel_locale),
            locale=babel_locale,
            currency_digits=False,
        )
    return format_currency(value, currency, locale=babel_locale, decimal_quantization=not exact)


# Languages that write the first day of a month as an ordinal, and how.
_FIRST_OF_MONTH = {"fr": "1er"}
_LONE_ONE = re.compile(r"(?<!\d)1(?!\d)")
_LRM = "\u200e"


def _first_of_month(text: str, locale: Locale) -> str:
    # In a formatted date a "1" standing alone can only be a day: years have
    # four digits, other days are 2..31.
    ordinal = _FIRST_OF_MONTH.get(locale.language)
    return _LONE_ONE.sub(ordinal, text) if ordinal else text


def format_date(day: date, locale: LocaleLike, *, style: str = "long") -> str:
    """A calendar day: "15 maart 2027", "15 mars 2027", "March 15, 2027"."""
    babel_locale = _locale(locale)
    return _first_of_month(_babel_format_date(day, format=style, locale=babel_locale), babel_locale)


def format_short_date(day: date, locale: LocaleLike) -> str:
    """A day with an abbreviated month: "1 jun 2027" (nl), "1er juin 2027" (fr)."""
    babel_locale = _locale(locale)
    return _first_of_month(format_skeleton("yMMMd", day, locale=babel_locale), babel_locale)


def format_period(start: date, end: date, locale: LocaleLike) -> str:
    """A phase's first and last day as one range: "1 mrt – 30 apr 2027" (nl).

    CLDR's interval patterns leave out what both ends share ("1–20 mrt 2027").
    """
    babel_locale = _locale(locale)
    text = format_interval(start, end, skeleton="yMMMd", locale=babel_locale)
    return _first_of_month(text, babel_locale)


def format_short_period(start: date, end: date, locale: LocaleLike) -> str:
    """A range within one year, without the year: "1 feb – 14 mrt" (nl), "1er–14 févr." (fr).

    Keeps a timeline of several phases short enough for one SMS.
    """
    babel_locale = _locale(locale)
    text = format_interval(start, end, skeleton="MMMd", locale=babel_locale)
    return _first_of_month(text, babel_locale)


def format_list(items: Iterable[str], locale: LocaleLike, *, style: ListStyle = "standard") -> str:
    """Items joined as the locale joins them: "A, B en C" (nl), "A وB وC" (ar).

    `style` is a CLDR list style: "standard" (and), "or".
    """
    return _babel_format_list(list(items), style=style, locale=_locale(locale))


def format_phone(number: str, locale: LocaleLike) -> str:
    """A phone number as written, led by a left-to-right mark in a right-to-left language.

    Digits and spaces have no direction of their own: in an Arabic text
    "+32 15 00 00 00" would read "00 00 00 15 +32"; the mark keeps it whole.
    """
    return f"{_LRM}{number}" if _locale(locale).text_direction == "rtl" else number


def format_number(number: Decimal | int | float, locale: LocaleLike) -> str:
    """A count or quantity with the locale's grouping: "1.234" (nl), "1 234" (fr)."""
    return format_decimal(number, locale=_locale(locale))


def format_percentage(ratio: Decimal | float, locale: LocaleLike) -> str:
    """A ratio (0.25) as a percentage: "25%" (nl), "25 %" (fr), "%25" (tr)."""
    return format_percent(ratio, locale=_locale(locale))
