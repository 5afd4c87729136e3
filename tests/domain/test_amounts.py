"""An idea's estimated cost as residents write it, in every language pbbot ships."""

from __future__ import annotations

from decimal import Decimal

import pytest
from babel.numbers import format_currency, format_decimal
from hypothesis import given
from hypothesis import strategies as st

from pbbot.domain.amounts import parse_amount
from pbbot.i18n.formatting import format_money

LOCALES = ["nl", "fr", "en", "tr", "ar"]
TWELVE_FIVE = Decimal(12500)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12500", TWELVE_FIVE),
        ("12.500", TWELVE_FIVE),
        ("12,500", TWELVE_FIVE),
        ("12 500", TWELVE_FIVE),
        ("12\u00a0500", TWELVE_FIVE),  # no-break space
        ("12\u202f500", TWELVE_FIVE),  # narrow no-break space, as Babel writes fr
        ("12 500 €", TWELVE_FIVE),
        ("12\u202f500\u00a0€", TWELVE_FIVE),
        ("€ 12.500,-", TWELVE_FIVE),
        ("€12.500,--", TWELVE_FIVE),
        ("12.500,- euro", TWELVE_FIVE),
        ("€12,500", TWELVE_FIVE),
        ("12500€", TWELVE_FIVE),
        ("EUR 12500", TWELVE_FIVE),
        ("EUR12500", TWELVE_FIVE),
        ("12500 euro", TWELVE_FIVE),
        ("12500 Euros", TWELVE_FIVE),
        ("12.500 euro's", TWELVE_FIVE),
        ("12.500 EUR", TWELVE_FIVE),
        ("12.500 avro", TWELVE_FIVE),
        ("12.500 يورو", TWELVE_FIVE),
        ("12.500 €.", TWELVE_FIVE),
        ("ongeveer 12.500 euro", TWELVE_FIVE),
        ("environ 12 500 €", TWELVE_FIVE),
        ("about €12,500", TWELVE_FIVE),
        ("yaklaşık 12.500 avro", TWELVE_FIVE),
        ("YAKLAŞIK 12.500", TWELVE_FIVE),
        ("حوالي ١٢٥٠٠ يورو", TWELVE_FIVE),
        ("~12.500", TWELVE_FIVE),
        ("12k", Decimal(12000)),
        ("12K", Decimal(12000)),
        ("12 k", Decimal(12000)),
        ("€12k", Decimal(12000)),
        ("12k€", Decimal(12000)),
        ("12,5k", TWELVE_FIVE),
        ("12.5K", TWELVE_FIVE),
        ("12 duizend euro", Decimal(12000)),
        ("12,5 duizend", TWELVE_FIVE),
        ("12 mille euros", Decimal(12000)),
        ("12 thousand euros", Decimal(12000)),
        ("12 bin avro", Decimal(12000)),
        ("١٢ ألف يورو", Decimal(12000)),
        ("1,2 mln", Decimal(1_200_000)),
        ("1.2 million", Decimal(1_200_000)),
        ("1,2 million d'euros", Decimal(1_200_000)),
        ("2 millions d’euros", Decimal(2_000_000)),
        ("1,2 miljoen", Decimal(1_200_000)),
        ("1,2 milyon avro", Decimal(1_200_000)),
        ("١٫٢ مليون يورو", Decimal(1_200_000)),
        ("١٢٥٠٠", TWELVE_FIVE),  # Arabic-Indic digits
        ("۱۲۵۰۰", TWELVE_FIVE),  # Extended Arabic-Indic (Persian, Urdu) digits
        ("١٢٬٥٠٠", TWELVE_FIVE),  # the Arabic thousands separator U+066C
        ("١٢٬٥٠٠٫٥٠", Decimal("12500.50")),  # ... and the Arabic decimal mark U+066B
        ("١٢٫٥٠٠", Decimal("12.50")),  # ٫ is always a decimal mark, even before 3 digits
        ("١٢،٥٠٠", TWELVE_FIVE),  # the Arabic comma used as a comma
        ("\u200f12,500\u00a0€", TWELVE_FIVE),  # with a right-to-left mark, as Babel writes ar
        ("12.500,50", Decimal("12500.50")),
        ("12,500.50", Decimal("12500.50")),
        ("12 500,50 €", Decimal("12500.50")),
        ("€ 12.500,00", TWELVE_FIVE),  # zero cents: whole euros
        ("12.500,5", Decimal("12500.50")),
        ("12,50", Decimal("12.50")),  # not three digits: a decimal mark, whichever it is
        ("12.50", Decimal("12.50")),
        ("0,50", Decimal("0.50")),
        ("0,500", Decimal("0.50")),  # "0" cannot start a group: a decimal mark
        ("1.234.567", Decimal(1_234_567)),
        ("1,234,567.89", Decimal("1234567.89")),
        ("1.234.567,89", Decimal("1234567.89")),
        ("1 234 567", Decimal(1_234_567)),
        ("  12500 ", TWELVE_FIVE),
    ],
)
def test_amounts_as_residents_write_them(text: str, locale: str, expected: Decimal) -> None:
    assert parse_amount(text, locale) == expected


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "euro",
        "veel geld",
        "I don't know",
        "0",
        "0,00",
        "€ 0",
        "0k",
        "-12.500",
        "- 12.500",
        "−12.500",  # the minus sign U+2212
        "€ -12.500",
        "-€12.500",
        "10 or 20",
        "10 of 20",
        "10 ou 20",
        "10-20",
        "10 - 20 euro",
        "12k-15k",
        "10 20",
        "12 500 20",
        "2 x 500",
        "12.500 TL",
        "12.500 ₺",
        "$500",
        "500 USD",
        "£500",
        "12.500 lira",
        "12.500 dollar",
        "50%",
        "12.500,505",  # a fraction of a cent
        "0,001",
        "1.2.3",
        "1,2.3",
        "12.50.000",
        "1.2345.678",
        "012.500",
        "12 .500",
        ".5k",
        ",5",
        "12m",  # metres as likely as millions
        "1.2M",
        "1 miljard",  # unknown words are refused, never skipped
        "2 ton",
        "12 euro duizend",  # a multiplier only right after the number
        "k 12",
        "١٢٫٥٫٠",
        "1" * 16,  # more than 15 digits
        "12.500 per jaar",
    ],
)
def test_not_an_amount(text: str, locale: str) -> None:
    assert parse_amount(text, locale) is None


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        # Only after a multiplier, where both readings make sense, does the
        # locale's decimal symbol decide.
        ("1,250 mln", "nl", Decimal(1_250_000)),
        ("1,250 mln", "fr", Decimal(1_250_000)),
        ("1,250 mln", "tr", Decimal(1_250_000)),
        ("1,250 mln", "en", Decimal(1_250_000_000)),
        ("1.250 mln", "en", Decimal(1_250_000)),
        ("1.250 mln", "ar", Decimal(1_250_000)),
        ("1.250 mln", "nl", Decimal(1_250_000_000)),
        ("12,500k", "nl", TWELVE_FIVE),
        ("12,500k", "en", Decimal(12_500_000)),
        ("0,500 mln", "en", Decimal(500_000)),
        # Without a multiplier three digits always group thousands.
        ("12,500", "nl", TWELVE_FIVE),
        ("12.500", "en", TWELVE_FIVE),
    ],
)
def test_the_locale_decides_only_where_both_readings_exist(
    text: str, locale: str, expected: Decimal
) -> None:
    assert parse_amount(text, locale) == expected


def test_whole_euros_and_cents_are_exact_decimals() -> None:
    whole = parse_amount("12.500", "nl")
    cents = parse_amount("12.500,5", "nl")
    assert (str(whole), str(cents)) == ("12500", "12500.50")
    assert isinstance(whole, Decimal)


@pytest.mark.parametrize("locale", ["nl", "fr", "en", "tr", "ar"])
def test_the_example_in_the_reprompt_reads_back(locale: str) -> None:
    # The re-prompt's example is money as CLDR writes it (`format_money`).
    assert parse_amount(format_money(12_500, "EUR", locale), locale) == TWELVE_FIVE


# Properties: whatever Babel writes in a shipped locale reads back.

amounts_in_cents = st.integers(min_value=1, max_value=10**13)
locales = st.sampled_from(LOCALES)


@given(cents=amounts_in_cents, locale=locales)
def test_babel_money_reads_back(cents: int, locale: str) -> None:
    amount = Decimal(cents) / 100
    assert parse_amount(format_currency(amount, "EUR", locale=locale), locale) == amount


@given(cents=amounts_in_cents, locale=locales)
def test_babel_money_in_arabic_digits_reads_back(cents: int, locale: str) -> None:
    amount = Decimal(cents) / 100
    text = format_currency(amount, "EUR", locale="ar", numbering_system="arab")
    assert parse_amount(text, locale) == amount


@given(euros=st.integers(min_value=1, max_value=10**15 - 1), locale=locales)
def test_whole_numbers_read_back_grouped_or_not(euros: int, locale: str) -> None:
    assert parse_amount(format_decimal(euros, locale=locale), locale) == euros
    assert parse_amount(str(euros), locale) == euros
    assert parse_amount(str(euros).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")), locale)


@given(
    first=st.integers(min_value=1, max_value=10**6),
    second=st.integers(min_value=1, max_value=10**6),
    between=st.sampled_from([" of ", " or ", " ou ", " veya ", " أو ", "-", " - ", "/", " tot "]),
    locale=locales,
)
def test_two_numbers_are_not_one_amount(first: int, second: int, between: str, locale: str) -> None:
    assert parse_amount(f"{first}{between}{second}", locale) is None


@given(euros=st.integers(min_value=0, max_value=10**9), locale=locales)
def test_negative_amounts_are_refused(euros: int, locale: str) -> None:
    assert parse_amount(f"-{format_decimal(euros, locale=locale)}", locale) is None
    assert parse_amount(f"€ -{euros}", locale) is None


@given(text=st.text(max_size=40), locale=locales)
def test_any_text_gives_none_or_a_positive_amount_in_cents(text: str, locale: str) -> None:
    amount = parse_amount(text, locale)
    assert amount is None or (amount > 0 and amount == amount.quantize(Decimal("0.01")))


@given(
    text=st.text(alphabet="0123456789.,k €-٫٬\u00a0", max_size=20),
    locale=locales,
)
def test_number_like_text_gives_none_or_a_positive_amount(text: str, locale: str) -> None:
    amount = parse_amount(text, locale)
    assert amount is None or (amount > 0 and amount.as_tuple().exponent in (0, -2))
