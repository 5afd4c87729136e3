"""Folding a resident's words for comparison, as people really write them.

Case, accents, Arabic vowel marks and tatweel, direction marks, emoji variation
selectors and keycaps ("1️⃣"), circled digits ("①"), surrounding punctuation
and repeated spaces do not count. Turkish dotted and dotless i fold alike
("YARDIM", "yardım", "Yardim"), and so do the Arabic spellings people use
interchangeably: ة/ه, أ/إ/آ/ا, ى/ي, and a leading "ال" ("القائمة" is "قائمه").
The engine matches answers, keywords and language names with it.
"""

from __future__ import annotations

import re
import string
import unicodedata

__all__ = ["bare", "fold", "words"]

# Punctuation a resident may put around a word ("Stop!", "« arrêt »", "نعم،").
_SURROUNDING = string.punctuation + string.whitespace + "«»“”‘’¡¿…،؟؛"
# Marks that change nothing a person reads: non-spacing (vowel marks, accents
# once decomposed, variation selectors), enclosing (the keycap of "1️⃣") and
# format characters (direction marks, zero-width joiners, tatweel is Lm, below).
_INVISIBLE = frozenset({"Mn", "Me", "Cf"})
_TATWEEL = "\u0640"
_SKIN_TONES = re.compile("[\U0001f3fb-\U0001f3ff]")
_LETTERS = str.maketrans(
    {
        "ı": "i",  # Turkish dotless i; "İ" casefolds to "i" + a combining dot
        "ة": "ه",
        "ٱ": "ا",  # alef wasla (أ إ آ lose their hamza and madda in NFKD already)
        "ى": "ي",
        _TATWEEL: None,
    }
)
_ARABIC_ARTICLE = "ال"


def bare(text: str) -> str:
    """`text` in compatibility form without invisible marks: "①" is "1", "\u200f3" is "3"."""
    decomposed = unicodedata.normalize("NFKD", _SKIN_TONES.sub("", text))
    return "".join(char for char in decomposed if unicodedata.category(char) not in _INVISIBLE)


def _letters(text: str) -> str:
    return bare(text.casefold()).translate(_LETTERS)


def fold(text: str) -> str:
    """The comparable form of `text`: "  Français! " and "francais" fold alike."""
    return " ".join(map(_drop_article, _letters(text).strip(_SURROUNDING).split()))


def words(text: str) -> str:
    """`fold`, with punctuation inside the text as spaces: "Ja, akkoord" is "ja akkoord".

    Symbols stay: "👍" is a word.
    """
    spaced = "".join(" " if unicodedata.category(c)[0] == "P" else c for c in _letters(text))
    return " ".join(map(_drop_article, spaced.split()))


def _drop_article(word: str) -> str:
    # "القائمة" and "قائمة" are one word; a short word such as "الا" keeps its letters.
    if word.startswith(_ARABIC_ARTICLE) and len(word) > 3:
        return word[len(_ARABIC_ARTICLE) :]
    return word
