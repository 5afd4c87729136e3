"""Cleaning what residents type, the same way on every channel."""

from __future__ import annotations

import unicodedata

__all__ = ["clean_text"]


def clean_text(text: str) -> str:
    """`text` without control characters, line breaks kept as "\\n".

    Control characters (NUL, escape sequences, ...) carry nothing a resident
    meant and can break logs and terminals. Format characters stay: joiners
    build emoji and right-to-left marks shape Arabic.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return "".join(
        char for char in text if char == "\n" or unicodedata.category(char) != "Cc"
    ).strip()
