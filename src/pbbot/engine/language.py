"""Recognizing a resident's language: from a language's name, a greeting or the script.

A language is named in many ways: in its own words ("Türkçe"), in another
shipped language ("Turks", "turc", "التركية"), as people say it ("عربي",
"Vlaams", "Hollandaca"), by its code or English name. A first message often
tells the language by itself: Arabic script, Turkish letters, or a greeting
("bonjour", "merhaba", "مرحبا") from each catalog's greeting list. Where the
message does not make it clear, the engine asks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache

from babel import Locale

from pbbot.domain.text import words
from pbbot.i18n.catalogs import N_, Translator

__all__ = ["GREETINGS", "infer_language", "language_names"]

# Translators: greetings that show a first message is written in this language,
# separated by |. Only greetings that belong to this language, not English loans.
GREETINGS = N_("hello|hi|hey|good morning|good afternoon|good evening")

# Names CLDR does not list but residents write: the adjective, the colloquial name.
_ALIASES: dict[str, tuple[str, ...]] = {
    "nl": ("Vlaams", "Hollands", "Flemish", "Hollandaca", "Flamanca", "هولندي", "فلامي"),
    "fr": ("Frans", "فرنسي", "فرنساوي", "Fransizca"),
    "en": ("Engels", "انجليزي", "إنجليزي", "Ingilizce"),
    "tr": ("Turks", "Turkish", "turc", "تركي"),
    "ar": ("Arabisch", "Arabic", "arabe", "Arapca", "عربي", "عربية", "Arabi"),
}
_ARABIC_SCRIPT = range(0x0600, 0x0700)
_TURKISH_LETTERS = frozenset("ğĞıİşŞ")


@cache
def language_names(code: str, locales: tuple[str, ...]) -> tuple[str, ...]:
    """Every way to name `code`: in each of `locales` (CLDR), in English, aliases, the code."""
    language = Locale.parse(code)
    names = [language.get_display_name(other) or "" for other in (code, *locales, "en")]
    return tuple(dict.fromkeys(n for n in (*names, *_ALIASES.get(code, ()), code) if n))


def infer_language(
    text: str, offered: Sequence[str], translators: Callable[[str], Translator]
) -> str | None:
    """The offered language a message is clearly written in or names, else None."""
    letters = [char for char in text if char.isalpha()]
    if not letters:
        return None
    if all(ord(char) in _ARABIC_SCRIPT for char in letters):
        return "ar" if "ar" in offered else None
    wanted = words(text)
    named = [code for code in offered if wanted in map(words, language_names(code, tuple(offered)))]
    if len(named) == 1:
        return named[0]
    greeted = {
        code
        for code in offered
        for greeting in translators(code).gettext(GREETINGS).split("|")
        if greeting.strip() and _starts_with(wanted, words(greeting))
    }
    if len(greeted) == 1:
        return greeted.pop()
    if not greeted and "tr" in offered and _TURKISH_LETTERS & set(letters):
        return "tr"
    return None


def _starts_with(text: str, greeting: str) -> bool:
    return text == greeting or text.startswith(greeting + " ")
