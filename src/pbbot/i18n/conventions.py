"""Writing conventions a native reader notices at once, checked on every text.

- Money as the locale writes it: an amount typed by hand in a catalog or
  edition text must read exactly as `format_money` writes `{budget}` for that
  locale, or one SMS shows "600.000 €" next to "€600.000". Spaces count alike
  (CLDR's no-break spaces look like spaces) and so do invisible direction marks.
- The locale's own comma: where CLDR's list patterns separate with "،"
  (Arabic), a Latin "," is a typo; a comma between digits is a number's
  grouping ("60,000") and stays.
- Phone numbers in right-to-left text: digits and spaces have no direction of
  their own, so "+32 15 00 00 00" needs a left-to-right mark (U+200E) before it.

`pbbot i18n check` runs these on the catalogs and on the edition's texts.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from decimal import Decimal
from functools import cache

from babel import Locale
from babel.numbers import get_currency_name, get_currency_symbol

from pbbot.domain.edition import Edition, LocalizedText
from pbbot.domain.languages import SUPPORTED_LOCALES
from pbbot.i18n.formatting import format_money

__all__ = ["convention_errors", "edition_convention_errors"]

_MARKS = "\u200e\u200f\u061c"  # left-to-right, right-to-left and Arabic letter marks
_SPACES = " \u00a0\u202f\u2009"
# A written amount: grouped by threes ("600.000", "600 000", "600٬000") or not,
# with at most two decimals. The look-behind keeps "2027 600" from reading as one.
_NUMBER = (
    rf"(?<![\d.,])(?:\d{{1,3}}(?:[{_SPACES}.,'\u066c]\d{{3}})+|\d+)(?:[.,\u066b]\d{{1,2}}(?!\d))?"
)
# A run of digits and spaces, maybe with a leading "+": a phone number if long enough.
_DIGIT_RUN = re.compile(r"\+?\d[\d \u00a0]*\d")
_PHONE_DIGITS = 8
_DIGIT_COMMA = re.compile(r"(?<=\d),(?=\d)")


@cache
def _amounts(currency: str) -> re.Pattern[str]:
    """Amounts in `currency`: a symbol, code or name before or after a number."""
    names = {currency, get_currency_symbol(currency, "en")}
    for locale in SUPPORTED_LOCALES:
        names.add(get_currency_symbol(currency, locale))
        names.update(get_currency_name(currency, count=n, locale=locale) for n in (1, 2, 5))
    words = "|".join(
        re.escape(name) + (r"(?!\w)" if name[-1].isalnum() else "")
        for name in sorted(names, key=len, reverse=True)
    )
    marks, space = f"[{_MARKS}]*", f"[{_SPACES}]?"
    return re.compile(
        rf"(?<!\w)(?:{words}){space}{marks}(?P<after>{_NUMBER})"
        rf"|(?P<before>{_NUMBER}){space}{marks}(?:{words})",
        re.IGNORECASE,
    )


def _value(number: str) -> Decimal:
    digits = [str(unicodedata.digit(char)) for char in number if char.isdecimal()]
    decimals = re.search(r"[.,\u066b](\d{1,2})$", number)  # ",50"; "600.000" has none
    if decimals:
        whole = "".join(digits[: -len(decimals.group(1))])
        return Decimal(f"{whole}.{decimals.group(1)}")
    return Decimal("".join(digits))


def _plain(text: str) -> str:
    without_marks = "".join(char for char in text if char not in _MARKS)
    return re.sub(f"[{_SPACES}]", " ", without_marks).strip()


def _money_errors(text: str, locale: str, currency: str) -> Iterator[str]:
    for match in _amounts(currency).finditer(text):
        written = _plain(match.group(0))
        amount = _value(match.group("after") or match.group("before"))
        expected = format_money(amount, currency, locale)
        if written != _plain(expected):
            yield f"{written!r} is not how {locale} writes money: {_plain(expected)!r}"


@cache
def _commas(locale: str) -> frozenset[str]:
    """The commas of the locale's CLDR list patterns: {","}, or {"،"} for Arabic."""
    patterns = Locale.parse(locale).list_patterns.values()
    middles = (pattern.get("middle") or "" for pattern in patterns)
    return frozenset(
        char
        for middle in middles
        for char in middle.replace("{0}", "").replace("{1}", "")
        if unicodedata.category(char) == "Po"
    )


def _comma_errors(text: str, locale: str) -> Iterator[str]:
    commas = _commas(locale)
    if not commas or "," in commas:
        return
    if "," in _DIGIT_COMMA.sub("", text):
        own = "".join(sorted(commas))
        yield f"Latin comma ',' in {text!r}: {locale} writes {own!r}"


def _phone_errors(text: str, locale: str) -> Iterator[str]:
    if Locale.parse(locale).text_direction != "rtl":
        return
    for match in _DIGIT_RUN.finditer(text):
        number = match.group(0)
        if sum(char.isdecimal() for char in number) < _PHONE_DIGITS:
            continue
        if not text[: match.start()].endswith("\u200e"):
            yield f"phone number {number!r} needs a left-to-right mark (U+200E) before it"


def convention_errors(text: str, locale: str, currency: str = "EUR") -> list[str]:
    """What breaks the locale's conventions in `text`, one readable line each."""
    return [
        *_money_errors(text, locale, currency),
        *_comma_errors(text, locale),
        *_phone_errors(text, locale),
    ]


def edition_convention_errors(edition: Edition) -> tuple[str, ...]:
    """The same checks on the texts staff wrote in the edition file, per language."""
    texts: list[tuple[str, LocalizedText]] = [
        ("name", edition.name),
        ("intro", edition.intro),
        *((f"themes.{theme.id}.name", theme.name) for theme in edition.themes),
        ("expectations.note", edition.expectations.note),
        ("criteria.extra", edition.criteria.extra),
    ]
    errors: list[str] = []
    for field, localized in texts:
        for locale, text in localized.items():
            errors.extend(
                f"{field} ({locale}): {error}"
                for error in convention_errors(text, locale, edition.currency)
            )
    return tuple(errors)
