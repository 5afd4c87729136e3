"""An idea's estimated cost in euros, read the way residents write it.

"12.500", "12,500", "12 500 €", "€ 12.500,-", "12k", "12,5k", "1,2 mln",
"EUR 12500", "12.500,50", "١٢٬٥٠٠" all come out as one exact `Decimal`.

The rules, in the order they apply:

- Digits may be in any script (Arabic-Indic "١٢٥٠٠", Extended "۱۲۵۰۰").
  Direction marks and other invisible characters do not count.
- A group separator is ".", ",", the Arabic "٬" or a space (plain, no-break
  U+00A0, narrow no-break U+202F, thin); groups after the first have exactly
  three digits. The Arabic "٫" is always a decimal mark.
- Ambiguity: a single "." or "," followed by exactly three digits groups
  thousands, in every locale ("12,500" and "12.500" are both twelve thousand
  five hundred: residents of Belgium write both whatever language they chose).
  Any other single "." or "," is a decimal mark: a group separator is always
  followed by three digits, so there is no second reading ("12,5k" and
  "12.5K" are both 12 500, in every locale). The locale's decimal symbol
  decides only where both readings exist: after a multiplier ("1,250 mln" is
  1 250 000 in nl, 1 250 000 000 in en) and after a lone zero ("0,500 mln").
- Mixed separators follow their order: the last one, written once, is the
  decimal mark ("12.500,50" and "12,500.50" are both 12 500.50).
- ",-" after a whole amount ("€ 12.500,-") means no cents.
- A multiplier right after the number: k, duizend, mille, thousand, bin, ألف;
  mln, mio, miljoen, million(s), milyon, مليون. A bare "m" is not read as
  million (it is as likely metres).
- Euros only. "€", "EUR", "euro", "euros", "euro's", "avro" (tr), "يورو" (ar)
  may stand before or after. Any other currency ("12.500 TL", "$500") gives
  None, like any word this module does not know: the re-prompt asks for an
  amount in euros with an example, which answers both. Unknown words give None
  rather than being skipped, because a skipped "miljard" or "ton" would turn a
  large amount into a small one; a few words for "about" are allowed.
- None for zero, a negative amount, no number, two numbers ("10 or 20"),
  fractions of a cent, and more than 15 digits.

The result is whole euros (`Decimal("12500")`) or cents (`Decimal("12500.50")`).

Why not `babel.numbers.parse_decimal`: it reads "12.500" as 12.5 in en and
"12,500" as 12.5 in nl (against the ambiguity rule), refuses spaces as group
separators, and does not know the Arabic separators in a Latin-digit locale.
Babel still gives the locale's decimal symbol and the example amount.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, localcontext
from functools import cache

from babel import Locale
from babel.numbers import get_decimal_symbol

__all__ = ["parse_amount"]

_MAX_DIGITS = 15  # a trillion euros is no idea's cost; keeps Decimal arithmetic exact

_ARABIC_DECIMAL = "\u066b"  # ٫, never a group separator
_ARABIC_GROUP = "\u066c"  # ٬, never a decimal mark
_SPACES = "\u00a0\u202f\u2007\u2009\u200a\u2002\u2003\u2004\u2005\u2006\u2008\u205f\u3000\t"

_MULTIPLIERS: dict[str, int] = {
    **dict.fromkeys(["k", "duizend", "mille", "thousand", "bin", "الف", "الاف"], 1_000),
    **dict.fromkeys(
        ["mln", "mio", "miljoen", "million", "millions", "milyon", "مليون", "ملايين"], 1_000_000
    ),
}
_EURO = frozenset({"€", "eur", "euro", "euros", "euro's", "d'euros", "avro", "يورو", "اليورو"})
# Words for "about", and the French "de" of "12 millions de euros".
_FILLERS = frozenset(
    {
        "ongeveer", "circa", "ca", "rond", "zo'n", "environ", "env", "about", "around",
        "approx", "approximately", "roughly", "yaklasik", "civari", "civarinda", "kadar",
        "حوالي", "تقريبا", "de",
    }
)  # fmt: skip
_PUNCTUATION = frozenset(".,!?:;~≈±()'\"")
_KNOWN = _EURO | _FILLERS | _PUNCTUATION

# A number: digit groups joined by single separators (spaces already collapsed).
_NUMBER = re.compile(rf"\d+(?:[.,{_ARABIC_DECIMAL}{_ARABIC_GROUP} ]\d+)*")
# ",-" / ",=" / ".--" after a whole amount: no cents.
_NO_CENTS = re.compile(r"(?<=\d)[.,](?:-{1,2}|=|–|—)(?!\d)")
_TOKEN = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*|\S")


def _plain(text: str) -> str:
    # Digits of any script as ASCII, every kind of space as one plain space,
    # the Arabic comma as a comma, invisible format characters (LRM, RLM, ALM,
    # zero-width) gone.
    chars: list[str] = []
    for char in unicodedata.normalize("NFC", text):
        if char.isdecimal():
            chars.append(str(unicodedata.decimal(char)))
        elif char in _SPACES:
            chars.append(" ")
        elif char == "\u060c":
            chars.append(",")
        elif char in "’‘`´":
            chars.append("'")
        elif unicodedata.category(char) != "Cf":
            chars.append(char)
    return " ".join("".join(chars).split())


def _fold(word: str) -> str:
    # Case, accents and Arabic hamza or vowel marks do not count ("yaklaşık", "ألف").
    decomposed = unicodedata.normalize("NFKD", word.casefold().replace("ı", "i"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("ـ", "")


def _decimal_index(groups: list[str], seps: list[str], *, decimal: str, multiplied: bool) -> int:
    """Where the decimal mark is among `seps`, or -1 when the number is whole."""
    if not seps:
        return -1
    last = seps[-1]
    if _ARABIC_DECIMAL in seps:
        return len(seps) - 1 if last == _ARABIC_DECIMAL else -2
    if last not in ".," or seps.count(last) != 1:
        return -1
    if any(sep in ".," for sep in seps[:-1]):  # mixed: the later mark is the decimal one
        return len(seps) - 1
    if len(groups[-1]) != 3:
        return len(seps) - 1
    if len(groups) == 2 and (groups[0] == "0" or (multiplied and last == decimal)):
        return len(seps) - 1
    return -1


def _number(run: str, *, decimal: str, multiplied: bool) -> Decimal | None:
    parts = re.split(rf"([.,{_ARABIC_DECIMAL}{_ARABIC_GROUP} ])", run)
    groups, seps = parts[::2], parts[1::2]
    at = _decimal_index(groups, seps, decimal=decimal, multiplied=multiplied)
    if at == -2:  # "٫" written twice, or not last
        return None
    whole_groups = groups if at < 0 else groups[: at + 1]
    group_seps = seps if at < 0 else seps[:at]
    fraction = "" if at < 0 else groups[-1]
    if group_seps:
        if len(set(group_seps)) != 1 or _ARABIC_DECIMAL in group_seps:
            return None
        first, rest = whole_groups[0], whole_groups[1:]
        if not 1 <= len(first) <= 3 or first.startswith("0"):
            return None
        if any(len(group) != 3 for group in rest):
            return None
    whole = "".join(whole_groups)
    if len(whole) + len(fraction) > _MAX_DIGITS:
        return None
    return Decimal(f"{whole}.{fraction}" if fraction else whole)


def _multiplier(words: list[str]) -> int:
    """The multiplier right after the number (taken off `words`), or 1."""
    return _MULTIPLIERS[words.pop(0)] if words and words[0] in _MULTIPLIERS else 1


def parse_amount(text: str, locale: str) -> Decimal | None:
    """An amount in euros written in `locale`'s ways, or None (see the module's rules)."""
    plain = _NO_CENTS.sub("", _plain(text))
    numbers = list(_NUMBER.finditer(plain))
    if len(numbers) != 1:
        return None
    found = numbers[0]
    start = found.start()
    if start and plain[start - 1] in ".," and not plain[: start - 1][-1:].isalpha():
        return None  # ".5k": a number without its leading digit
    before = [_fold(t) for t in _TOKEN.findall(plain[:start])]
    after = [_fold(t) for t in _TOKEN.findall(plain[found.end() :])]
    multiplier = _multiplier(after)
    if not all(word in _KNOWN for word in before + after):
        return None
    value = _number(found.group(), decimal=_decimal_symbol(locale), multiplied=multiplier > 1)
    if value is None:
        return None
    with localcontext() as context:
        context.prec = 40
        amount = value * multiplier
    cents = amount.quantize(Decimal("0.01"))
    if amount <= 0 or cents != amount:
        return None
    whole = amount.quantize(Decimal(1))
    return whole if whole == amount else cents


@cache
def _decimal_symbol(locale: str) -> str:
    return str(get_decimal_symbol(Locale.parse(locale)))
