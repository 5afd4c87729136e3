"""What residents type on SMS to fill in a ballot, read as edits or a split.

Basket and approval edits: numbers to add ("3 7 12", "3,7,12", "3, 7 en 12",
"+3"), numbers to remove ("-3", with any minus or dash: "−3", "–3"), both at
once ("3 -7"), and "0" to review the ballot. Communicating vessels: a theme
number, "=" (or ":"), and a value per theme ("1=30 2=50 3=20").

Digits may be in any script (Arabic-Indic "٣ ٧ ١٢", Extended "۳"), circled or
keycap ("①", "3️⃣"); direction marks and other invisible characters do not
count. "and" is skipped in the shipped languages (en, et, and, ve, و, also
when "و" is written onto the number: "٣ و٧").

The engine matches keywords (YES, HELP, ...) before these; anything else that
is not understood comes back as a `ReplyProblem`, never an exception, so the
engine can re-prompt with an example.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from pbbot.domain.amounts import parse_amount
from pbbot.domain.text import bare

__all__ = ["BasketEdits", "ReplyProblem", "SplitReply", "parse_basket_reply", "parse_split_reply"]

_MAX_DIGITS = 6  # a longer "number" is an amount or a phone number, not a project
_DASHES = "\u2212\u2013\u2014\u2010\u2011\u2012\ufe63\uff0d"  # minus, dashes, full-width
_SIGNS = str.maketrans(dict.fromkeys(_DASHES, "-") | {"\uff0b": "+", "٪": "%", "،": ",", "؛": ";"})
_AND = frozenset({"en", "et", "and", "ve", "و", "&"})
_EDIT = re.compile(r"([+-]?)(\d+)")
_SURROUNDING = ".!?:()[]\"'«»"


@dataclass(frozen=True, slots=True)
class BasketEdits:
    """Projects to add and to remove, each in the order typed; `review` for "0"."""

    adds: tuple[int, ...] = ()
    removes: tuple[int, ...] = ()
    review: bool = False


@dataclass(frozen=True, slots=True)
class SplitReply:
    """A split as typed: theme numbers with percentages or amounts (`unit` says which)."""

    unit: Literal["percent", "amount"]
    values: tuple[tuple[int, Decimal], ...]

    def as_dict(self) -> dict[int, Decimal]:
        return dict(self.values)


@dataclass(frozen=True, slots=True)
class ReplyProblem:
    """Why a reply was not understood.

    `empty`: nothing but spaces or marks; `unclear`: `text` is not a number,
    sign or "and" (e.g. "3-7", "abc"); `conflict`: `number` is both added and
    removed; `duplicate`: theme `number` is given twice; `mixed`: a split mixes
    percentages and amounts.
    """

    kind: Literal["empty", "unclear", "conflict", "duplicate", "mixed"]
    text: str = ""
    number: int | None = None


def _plain(text: str) -> str:
    # Compatibility forms without invisible marks ("①" is "1"), digits of any
    # script as ASCII, every dash as "-", Arabic punctuation as Latin.
    chars = (
        str(unicodedata.decimal(char)) if char.isdecimal() else char
        for char in bare(text).casefold()
    )
    return "".join(chars).translate(_SIGNS)


def parse_basket_reply(text: str) -> BasketEdits | ReplyProblem:
    """Edits to a basket or approval ballot (see the module), or why they are unclear."""
    tokens = re.sub(r"[,;/\s]+", " ", _plain(text)).split()
    adds: list[int] = []
    removes: list[int] = []
    review = False
    sign = ""
    for raw in tokens:
        token = raw.strip(_SURROUNDING)
        if token.startswith("و") and token[1:2] in ("-", "+", *"0123456789"):
            token = token[1:]
        if not token or (token in _AND and not sign):
            continue
        if token in ("+", "-") and not sign:
            sign = token
            continue
        match = _EDIT.fullmatch(token)
        if match is None or len(match[2]) > _MAX_DIGITS or (sign and match[1]):
            return ReplyProblem("unclear", raw)
        sign, number = sign or match[1], int(match[2])
        if number == 0:
            if sign:
                return ReplyProblem("unclear", raw)
            review = True
        elif sign == "-":
            removes.append(number)
        else:
            adds.append(number)
        sign = ""
    if sign:
        return ReplyProblem("unclear", sign)
    if not (adds or removes or review):
        return ReplyProblem("empty")
    both = [number for number in adds if number in removes]
    if both:
        return ReplyProblem("conflict", number=both[0])
    return BasketEdits(_unique(adds), _unique(removes), review)


def _unique(numbers: list[int]) -> tuple[int, ...]:
    return tuple(dict.fromkeys(numbers))


# A theme number and "=" or ":", not inside an amount ("120.000 2=" starts at "2").
_THEME = re.compile(r"(?<![\d.,])(\d{1,3})\s*[=:]\s*")
_PERCENT = re.compile(r"\d{1,3}(?:[.,]\d{1,2})?")
_ZERO = re.compile(r"0+(?:[.,]0+)?")
_PLAIN = re.compile(r"[\d., \u00a0\u202f\u066c]+")
_Kind = Literal["percent", "amount", "plain"]


def parse_split_reply(text: str, locale: str) -> SplitReply | ReplyProblem:
    """A communicating-vessels split, or why it is unclear.

    A value is in percent when it says so ("30%", "%30" as Turkish writes it)
    and an amount when it says so ("€ 120.000", "120k"); plain numbers follow
    the others, and when none says, numbers of at most 100 are percentages
    and larger ones amounts (budgets are far above 100). A plain 0 fits both.
    Amounts are read with `parse_amount` in `locale` ("120.000", "120 000").
    """
    plain = " ".join(_plain(text).split())
    markers = list(_THEME.finditer(plain))
    if not plain.strip(_SURROUNDING + " "):
        return ReplyProblem("empty")
    if not markers:
        return ReplyProblem("unclear", text.strip())
    if plain[: markers[0].start()].strip(_SURROUNDING + " "):
        return ReplyProblem("unclear", plain[: markers[0].start()].strip())
    entries: list[tuple[int, _Kind, Decimal]] = []
    for i, marker in enumerate(markers):
        end = markers[i + 1].start() if i + 1 < len(markers) else len(plain)
        raw = _trim(plain[marker.end() : end])
        read = _value(raw, locale)
        if read is None:
            return ReplyProblem("unclear", raw or marker.group().strip())
        number = int(marker[1])
        if any(number == seen for seen, _, _ in entries):
            return ReplyProblem("duplicate", number=number)
        entries.append((number, *read))
    unit = _unit([(kind, value) for _, kind, value in entries])
    if unit is None:
        return ReplyProblem("mixed", text.strip())
    return SplitReply(unit, tuple((number, value) for number, _, value in entries))


def _trim(raw: str) -> str:
    words = raw.strip(" ,;").split()
    while words and words[-1] in _AND:
        words.pop()
    return " ".join(words).strip(" ,;")


def _value(raw: str, locale: str) -> tuple[_Kind, Decimal] | None:
    if raw.startswith("%") or raw.endswith("%"):
        number = raw.strip("% ")
        if not _PERCENT.fullmatch(number):
            return None
        return "percent", Decimal(number.replace(",", "."))
    if _ZERO.fullmatch(raw):
        return "plain", Decimal(0)
    amount = parse_amount(raw, locale)
    if amount is None:
        return None
    return ("plain" if _PLAIN.fullmatch(raw) else "amount"), amount


def _unit(entries: list[tuple[_Kind, Decimal]]) -> Literal["percent", "amount"] | None:
    kinds = {kind for kind, _ in entries}
    if {"percent", "amount"} <= kinds:
        return None
    plain = [value for kind, value in entries if kind == "plain" and value != 0]
    if "amount" in kinds:
        return "amount"
    small = all(value <= 100 for value in plain)
    if "percent" in kinds:
        return "percent" if small else None
    if small:
        return "percent"
    return "amount" if all(value > 100 for value in plain) else None
