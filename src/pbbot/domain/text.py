"""Folding a resident's words for comparison: case, accents, Arabic vowel marks
and tatweel, surrounding punctuation and repeated spaces do not count. The
engine matches answers with it; the SMS channel its carrier keywords."""

from __future__ import annotations

import string
import unicodedata

__all__ = ["fold"]

_TATWEEL = "\u0640"
# Punctuation a resident may put around a word ("Stop!", "« arrêt »", "نعم،").
_SURROUNDING = string.punctuation + string.whitespace + "«»“”‘’¡¿…،؟؛"


def fold(text: str) -> str:
    """The comparable form of `text`: "  Français! " and "francais" fold alike."""
    decomposed = unicodedata.normalize("NFKD", text.replace(_TATWEEL, "").casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.strip(_SURROUNDING).split())
