"""What residents type on SMS to fill in a ballot, in every script they type it in."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pbbot.domain.ballot_replies import (
    BasketEdits,
    ReplyProblem,
    SplitReply,
    parse_basket_reply,
    parse_split_reply,
)

LOCALES = ["nl", "fr", "en", "tr", "ar"]
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
EXTENDED = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def _adds(*numbers: int) -> BasketEdits:
    return BasketEdits(adds=numbers)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3 7 12", _adds(3, 7, 12)),
        ("3,7,12", _adds(3, 7, 12)),
        ("3, 7 en 12", _adds(3, 7, 12)),
        ("3, 7 and 12", _adds(3, 7, 12)),
        ("3, 7 et 12", _adds(3, 7, 12)),
        ("3, 7 ve 12", _adds(3, 7, 12)),
        ("3 و 7", _adds(3, 7)),
        ("3 و7", _adds(3, 7)),
        ("3;7 / 12", _adds(3, 7, 12)),
        ("  3\n7  ", _adds(3, 7)),
        ("3 & 7", _adds(3, 7)),
        ("3.", _adds(3)),
        ("(3)", _adds(3)),
        ("07", _adds(7)),
        ("+3", _adds(3)),
        ("+ 3", _adds(3)),
        ("＋3", _adds(3)),
        ("3 3 7", _adds(3, 7)),
        ("-3", BasketEdits(removes=(3,))),
        ("−3", BasketEdits(removes=(3,))),  # U+2212 minus sign
        ("–3", BasketEdits(removes=(3,))),  # en dash, as phones autocorrect
        ("—3", BasketEdits(removes=(3,))),
        ("- 3", BasketEdits(removes=(3,))),
        ("-3 -7", BasketEdits(removes=(3, 7))),
        ("3 -7", BasketEdits(adds=(3,), removes=(7,))),
        ("+3, -7 en 12", BasketEdits(adds=(3, 12), removes=(7,))),
        ("0", BasketEdits(review=True)),
        (" 0 ", BasketEdits(review=True)),
        ("3 7 0", BasketEdits(adds=(3, 7), review=True)),
        ("①", _adds(1)),
        ("3️⃣", _adds(3)),
        ("\u200f3 7", _adds(3, 7)),  # a right-to-left mark
        ("３ ７", _adds(3, 7)),  # full-width digits
    ],
)
def test_basket_edits(text: str, expected: BasketEdits) -> None:
    assert parse_basket_reply(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("٣ ٧ ١٢", _adds(3, 7, 12)),
        ("٣،٧،١٢", _adds(3, 7, 12)),  # the Arabic comma
        ("٣ و٧ و١٢", _adds(3, 7, 12)),
        ("-٣", BasketEdits(removes=(3,))),
        ("−٣", BasketEdits(removes=(3,))),
        ("٣ -٧", BasketEdits(adds=(3,), removes=(7,))),
        ("٠", BasketEdits(review=True)),
        ("\u200f٣ \u200f٧", _adds(3, 7)),
        ("۳ ۷ ۱۲", _adds(3, 7, 12)),  # Extended Arabic-Indic (Persian, Urdu keyboards)
        ("-۳", BasketEdits(removes=(3,))),
        ("3 ٧ ۱۲", _adds(3, 7, 12)),  # mixed scripts
    ],
)
def test_basket_edits_in_arabic_digits(text: str, expected: BasketEdits) -> None:
    assert parse_basket_reply(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ReplyProblem("empty")),
        ("   ", ReplyProblem("empty")),
        ("...", ReplyProblem("empty")),
        ("en", ReplyProblem("empty")),
        ("3-7", ReplyProblem("unclear", "3-7")),  # a range, or a remove? ask
        ("abc", ReplyProblem("unclear", "abc")),
        ("3 abc", ReplyProblem("unclear", "abc")),
        ("project 3", ReplyProblem("unclear", "project")),
        ("3.5", ReplyProblem("unclear", "3.5")),
        ("+-3", ReplyProblem("unclear", "+-3")),
        ("- -3", ReplyProblem("unclear", "-3")),
        ("-0", ReplyProblem("unclear", "-0")),
        ("3 -", ReplyProblem("unclear", "-")),
        ("1234567", ReplyProblem("unclear", "1234567")),
        ("3 -3", ReplyProblem("conflict", number=3)),
        ("٣ -٣", ReplyProblem("conflict", number=3)),
    ],
)
def test_basket_reply_problems(text: str, expected: ReplyProblem) -> None:
    assert parse_basket_reply(text) == expected


@given(
    st.lists(st.integers(min_value=1, max_value=999), min_size=1, max_size=8, unique=True),
    st.sampled_from([" ", ",", ", ", " en ", " و"]),
    st.sampled_from([None, ARABIC_INDIC, EXTENDED]),
)
def test_any_list_of_numbers_reads_back(
    numbers: list[int], separator: str, digits: dict[int, str] | None
) -> None:
    text = separator.join(map(str, numbers))
    if digits is not None:
        text = text.translate(digits)
    assert parse_basket_reply(text) == BasketEdits(adds=tuple(numbers))


@given(st.text(max_size=40))
def test_basket_reply_never_raises(text: str) -> None:
    result = parse_basket_reply(text)
    assert isinstance(result, BasketEdits | ReplyProblem)
    if isinstance(result, BasketEdits):
        assert not set(result.adds) & set(result.removes)
        assert all(number > 0 for number in result.adds + result.removes)


# -- communicating vessels -----------------------------------------------------------


def _split(unit: str, *values: tuple[int, int | str]) -> SplitReply:
    return SplitReply(unit, tuple((n, Decimal(v)) for n, v in values))  # type: ignore[arg-type]


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1=30 2=50 3=20", _split("percent", (1, 30), (2, 50), (3, 20))),
        ("1=30% 2=50% 3=20%", _split("percent", (1, 30), (2, 50), (3, 20))),
        ("1 = 30 %, 2 = 70 %", _split("percent", (1, 30), (2, 70))),
        ("1=%30 2=%70", _split("percent", (1, 30), (2, 70))),  # as Turkish writes it
        ("1=30% 2=70", _split("percent", (1, 30), (2, 70))),
        ("1=12,5% 2=87.5%", _split("percent", (1, "12.5"), (2, "87.5"))),
        ("1: 30, 2: 70", _split("percent", (1, 30), (2, 70))),
        ("1=30 en 2=70", _split("percent", (1, 30), (2, 70))),
        ("2=40", _split("percent", (2, 40))),
        ("1=100 2=0", _split("percent", (1, 100), (2, 0))),
        ("1=120000 2=80000", _split("amount", (1, 120_000), (2, 80_000))),
        ("1=120.000 2=80.000", _split("amount", (1, 120_000), (2, 80_000))),
        ("1=120.000, 2=80.000", _split("amount", (1, 120_000), (2, 80_000))),
        ("1=120 000 2=80 000", _split("amount", (1, 120_000), (2, 80_000))),
        ("1=€ 120.000 2=€ 80.000", _split("amount", (1, 120_000), (2, 80_000))),
        ("1=120k 2=80k", _split("amount", (1, 120_000), (2, 80_000))),
        ("1=120000 2=0 3=80000", _split("amount", (1, 120_000), (2, 0), (3, 80_000))),
        ("1=150000 2=50 €", _split("amount", (1, 150_000), (2, 50))),
        ("١=٣٠ ٢=٥٠ ٣=٢٠", _split("percent", (1, 30), (2, 50), (3, 20))),
        ("١=٣٠٪ ٢=٧٠٪", _split("percent", (1, 30), (2, 70))),  # the Arabic percent sign
        ("١=١٢٠٬٠٠٠ و٢=٨٠٬٠٠٠", _split("amount", (1, 120_000), (2, 80_000))),
        ("١=١٢٠٠٠٠، ٢=٨٠٠٠٠", _split("amount", (1, 120_000), (2, 80_000))),
        ("۱=۳۰ ۲=۷۰", _split("percent", (1, 30), (2, 70))),
        ("\u200f١=٣٠ \u200f٢=٧٠", _split("percent", (1, 30), (2, 70))),
    ],
)
def test_split_replies(text: str, expected: SplitReply, locale: str) -> None:
    assert parse_split_reply(text, locale) == expected


def test_split_as_dict() -> None:
    reply = parse_split_reply("1=30 2=70", "nl")
    assert isinstance(reply, SplitReply)
    assert reply.as_dict() == {1: Decimal(30), 2: Decimal(70)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ReplyProblem("empty")),
        (" . ", ReplyProblem("empty")),
        ("hallo", ReplyProblem("unclear", "hallo")),
        ("30 50 20", ReplyProblem("unclear", "30 50 20")),
        ("x 1=30", ReplyProblem("unclear", "x")),
        ("1=abc", ReplyProblem("unclear", "abc")),
        ("1= 2=50", ReplyProblem("unclear", "1=")),
        ("1=30 20 2=50", ReplyProblem("unclear", "30 20")),
        ("1=33.333%", ReplyProblem("unclear", "33.333%")),
        ("1=50 TL", ReplyProblem("unclear", "50 tl")),
        ("1=30 1=70", ReplyProblem("duplicate", number=1)),
        ("1=30% 2=70000", ReplyProblem("mixed", "1=30% 2=70000")),
        ("1=30% 2=€ 700", ReplyProblem("mixed", "1=30% 2=€ 700")),
        ("1=30 2=70000", ReplyProblem("mixed", "1=30 2=70000")),
    ],
)
def test_split_reply_problems(text: str, expected: ReplyProblem) -> None:
    assert parse_split_reply(text, "nl") == expected


@given(st.text(max_size=40), st.sampled_from(LOCALES))
def test_split_reply_never_raises(text: str, locale: str) -> None:
    assert isinstance(parse_split_reply(text, locale), SplitReply | ReplyProblem)


@given(
    st.lists(st.integers(min_value=0, max_value=100), min_size=1, max_size=6),
    st.sampled_from([None, ARABIC_INDIC, EXTENDED]),
)
def test_any_percent_split_reads_back(parts: list[int], digits: dict[int, str] | None) -> None:
    text = " ".join(f"{i}={part}%" for i, part in enumerate(parts, start=1))
    if digits is not None:
        text = text.translate(digits)
    expected = tuple((i, Decimal(part)) for i, part in enumerate(parts, start=1))
    assert parse_split_reply(text, "ar") == SplitReply("percent", expected)
