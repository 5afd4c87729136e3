"""The SMS alphabets: which texts fit GSM-7, and how many units a text takes.

A text that is all GSM-7 travels in septets (160 in one SMS, 153 per part of a
multipart one: the header that joins the parts takes the rest); a single
character outside it switches the whole message to UCS-2, counted in UTF-16
units (70, or 67 per part). The SMS segment count (`pbbot.i18n.sms`) and the
joining of a phone-split message (`pbbot.domain.freetext`) both read it here.
"""

from __future__ import annotations

__all__ = [
    "GSM7_BASIC",
    "GSM7_EXTENSION",
    "PART_GSM7",
    "PART_UCS2",
    "SINGLE_GSM7",
    "SINGLE_UCS2",
    "is_gsm7",
    "unit_widths",
]

# GSM 03.38 default alphabet (one septet each); 0x1B, the escape, is left out.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: each character is sent as escape + character (two septets).
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

SINGLE_GSM7, PART_GSM7 = 160, 153  # a multipart header takes 7 septets per part
SINGLE_UCS2, PART_UCS2 = 70, 67  # ... and 3 UTF-16 units per part


def is_gsm7(text: str) -> bool:
    """Whether `text` can be sent in the GSM-7 alphabet (with its extension table)."""
    return all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text)


def unit_widths(text: str) -> list[int]:
    """Each character's units: septets in GSM-7 (the extension's count two),
    else UTF-16 code units (a character outside the BMP counts two)."""
    if is_gsm7(text):
        return [2 if char in GSM7_EXTENSION else 1 for char in text]
    return [2 if ord(char) > 0xFFFF else 1 for char in text]
