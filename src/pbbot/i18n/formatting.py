"""Money, dates, numbers and percentages as a resident of each language expects them.

Everything goes through Babel's CLDR data, so "€ 50.000" (nl), "50 000 €" (fr) and
"€50,000" (en) come from one call. Babel separates with no-break (U+00A0) and
narrow no-break (U+202F) spaces and thin spaces around dashes; the SMS renderer
normalizes those, these functions keep CLDR's output as is. Digits are Latin in
every language (Babel's default numbering system), as Arabic speakers in Belgium
read amounts and dates on letters and posters.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import cache

from babel import Locale
from babel.dates import format_date as _babel_format_date
from babel.dates import format_interval
from babel.numbers import format_currency, format_decimal, format_percent

__all__ = ["format_date", "format_money", "format_number", "format_percentage", "format_period"]

LocaleLike = Locale | str


def _locale(locale: LocaleLike) -> Locale:
    return locale if isinstance(locale, Locale) else Locale.parse(locale)


@cache
def _whole_currency_pattern(locale: Locale) -> str:
    # The locale's own currency pattern with the cents dropped: "¤ #,##0.00" -> "¤ #,##0".
    pattern: str = locale.currency_formats["standard"].pattern
    return pattern.replace("0.00", "0")


def format_money(amount: Decimal | int | float, currency: str, locale: LocaleLike) -> str:
    """An amount of money; whole amounts without cents ("€ 50.000", not "€ 50.000,00").

    Budgets and idea costs are round numbers; ",00" only makes a text longer,
    which costs SMS characters.
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
    return format_currency(value, currency, locale=babel_locale)


def format_date(day: date, locale: LocaleLike, *, style: str = "long") -> str:
    """A calendar day: "15 maart 2027", "15 mars 2027", "March 15, 2027"."""
    return _babel_format_date(day, format=style, locale=_locale(locale))


def format_period(start: date, end: date, locale: LocaleLike) -> str:
    """A phase's first and last day as one range: "1 mrt – 30 apr 2027" (nl).

    CLDR's interval patterns leave out what both ends share ("1–20 mrt 2027").
    """
    return format_interval(start, end, skeleton="yMMMd", locale=_locale(locale))


def format_number(number: Decimal | int | float, locale: LocaleLike) -> str:
    """A count or quantity with the locale's grouping: "1.234" (nl), "1 234" (fr)."""
    return format_decimal(number, locale=_locale(locale))


def format_percentage(ratio: Decimal | float, locale: LocaleLike) -> str:
    """A ratio (0.25) as a percentage: "25%" (nl), "25 %" (fr), "%25" (tr)."""
    return format_percent(ratio, locale=_locale(locale))
