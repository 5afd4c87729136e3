"""Cleaning what residents type, the same way on every channel."""

from __future__ import annotations

import unicodedata

__all__ = ["clean_text"]

# Dropped from every text: control characters (NUL, escape sequences, ...) carry
# nothing a resident meant and break logs, terminals and PostgreSQL's text type;
# lone surrogates (a JSON "\ud800" escape) are not text at all, and no UTF-8
# encoder, so no database driver, takes them.
_DROPPED = frozenset({"Cc", "Cs"})


def clean_text(text: str, *, max_chars: int) -> str:
    """`text` without control characters, line breaks kept as "\\n", at most `max_chars` long.

    `max_chars` is what the channel's provider lets a resident send: a
    longer text did not come from it, and storing it would only cost space,
    so it is cut before it is cleaned (which also bounds the work).
    Format characters stay: joiners build emoji and right-to-left marks shape
    Arabic.
    """
    text = text[:max_chars].replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return "".join(
        char for char in text if char == "\n" or unicodedata.category(char) not in _DROPPED
    ).strip()
