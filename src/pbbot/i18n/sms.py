"""SMS text hygiene: keep texts in GSM-7 where the language allows, and count segments.

An SMS costs one segment per 160 GSM-7 septets, but a single character outside
GSM-7 switches the whole message to UCS-2 (70 units), which can triple the
price of a text. Babel and translators put typography into texts (no-break
spaces around "€" and "%", smart quotes, "…", dashes) that has plain GSM-7
equivalents; `normalize_for_sms` replaces exactly that typography. It never
touches letters: a Turkish "ş" or an Arabic text needs UCS-2, and pretending
otherwise would change the language, so those texts are counted honestly.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pbbot.domain.gsm7 import (
    PART_GSM7,
    PART_UCS2,
    SINGLE_GSM7,
    SINGLE_UCS2,
    is_gsm7,
    unit_widths,
)

__all__ = [
    "SmsEncoding",
    "SmsSize",
    "is_gsm7",
    "normalize_for_sms",
    "sms_body",
    "sms_segments",
]

SmsEncoding = Literal["GSM-7", "UCS-2"]

# Guillemets with the (no-break) space French puts inside them become plain quotes.
_GUILLEMETS = re.compile(r"[«‹][\s\u00a0\u202f]*|[\s\u00a0\u202f]*[»›]")

_TYPOGRAPHY = str.maketrans(
    {
        # Spaces: Babel's no-break (U+00A0) and narrow no-break (U+202F), the
        # typographic spaces U+2000..U+200A, medium mathematical and ideographic.
        **dict.fromkeys(
            "\u00a0\u202f\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
            "\u205f\u3000\u1680\t",
            " ",
        ),
        # Invisible characters that carry nothing in a plain text message. Joiners
        # (U+200C, U+200D) and direction marks stay: Arabic and emoji need them.
        **dict.fromkeys("\u200b\u2060\ufeff\u00ad", ""),
        # Quotes, primes and accents used as apostrophes.
        **dict.fromkeys("‘’‚‛′`´", "'"),
        **dict.fromkeys("“”„‟″", '"'),
        # Hyphens, dashes and the minus sign.
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
        "…": "...",
        "•": "-",
        "×": "x",
        "\u2044": "/",  # fraction slash
        "\u2024": ".",  # one dot leader
    }
)


def normalize_for_sms(text: str) -> str:
    """`text` with typography replaced by its GSM-7 equivalent; letters untouched.

    NFC first, so that an "e" followed by a combining accent becomes the single
    "é" that GSM-7 has.
    """
    text = unicodedata.normalize("NFC", text)
    text = _GUILLEMETS.sub('"', text)
    return text.translate(_TYPOGRAPHY)


# A right-to-left mark starts every choice line of a right-to-left text, so that
# a line like "1 WhatsApp" (a digit, then Latin) still reads from the right.
_RLM = "\u200f"


def sms_body(text: str, labels: Sequence[str], *, rtl: bool) -> str:
    """The SMS a text with numbered choices becomes: the text, then "1 Label" lines.

    Normalized (`normalize_for_sms`), so it is what is sent and what is counted.
    """
    lines = [text] if text else []
    mark = _RLM if rtl else ""
    lines.extend(f"{mark}{number} {label}" for number, label in enumerate(labels, start=1))
    return normalize_for_sms("\n".join(lines))


@dataclass(frozen=True, slots=True)
class SmsSize:
    """How a text travels as SMS.

    `units` are septets for GSM-7 (extension characters count two) and UTF-16
    code units for UCS-2 (an emoji outside the BMP counts two); `characters`
    is the number of code points, what a person would call the length.
    """

    encoding: SmsEncoding
    characters: int
    units: int
    segments: int


def sms_segments(text: str) -> SmsSize:
    """Encoding, size and number of segments of `text`, sent as it is.

    Normalize first (`normalize_for_sms`) to count what will really be sent.
    An empty text counts as one segment: it still costs one message.
    """
    widths = unit_widths(text)
    if is_gsm7(text):
        encoding: SmsEncoding = "GSM-7"
        single, part = SINGLE_GSM7, PART_GSM7
    else:
        encoding = "UCS-2"
        single, part = SINGLE_UCS2, PART_UCS2
    units = sum(widths)
    segments = 1 if units <= single else _count_parts(widths, part)
    return SmsSize(encoding=encoding, characters=len(text), units=units, segments=segments)


def _count_parts(widths: list[int], part: int) -> int:
    """Parts of at most `part` units each, never splitting one character's units.

    An escape pair (GSM-7) or a surrogate pair (UCS-2) that would straddle two
    parts moves whole to the next one, as phones and Twilio do.
    """
    parts, used = 1, 0
    for width in widths:
        if used + width > part:
            parts, used = parts + 1, 0
        used += width
    return parts
