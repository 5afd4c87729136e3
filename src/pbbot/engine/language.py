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

from babel import Locale, UnknownLocaleError

from pbbot.domain.text import words
from pbbot.engine.keywords import KEYWORDS
from pbbot.i18n.catalogs import N_, Translator

__all__ = [
    "GREETINGS",
    "infer_language",
    "is_greeting",
    "language_names",
    "prepare",
    "unoffered_language",
]

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
# Regional varieties CLDR names apart, which residents mean by the language the
# city offers: Moroccan, Egyptian, Algerian, Tunisian, Levantine, Iraqi Arabic;
# West Flemish and Zeelandic.
_MACROLANGUAGES = {
    "ary": "ar", "arz": "ar", "arq": "ar", "aeb": "ar", "apc": "ar", "ajp": "ar", "acm": "ar",
    "vls": "nl", "zea": "nl",
}  # fmt: skip
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
    variant = _every_language_name(tuple(offered)).get(wanted)
    if variant is not None and _MACROLANGUAGES.get(variant) in offered:
        return _MACROLANGUAGES[variant]  # "Marokkaans Arabisch" is Arabic here
    keyword_of = [  # "YARDIM", "HULP", "لغة": a global word only one language has
        code
        for code in offered
        if wanted in {words(translators(code).gettext(word)) for word in KEYWORDS.values()}
    ]
    if len(keyword_of) == 1 and not _english_keyword(wanted):
        return keyword_of[0]
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


def is_greeting(
    text: str, offered: Sequence[str], translators: Callable[[str], Translator]
) -> bool:
    """Whether `text` is just a greeting, in any offered language ("merhaba", "hoi")."""
    wanted = words(text)
    return bool(wanted) and any(
        wanted == words(greeting)
        for code in offered
        for greeting in translators(code).gettext(GREETINGS).split("|")
        if greeting.strip()
    )


def _english_keyword(wanted: str) -> bool:
    # The English words (HELP, STOP, MENU) are everybody's: they tell no language.
    return wanted in {words(word) for word in KEYWORDS.values()}


@cache
def _every_language_name(offered: tuple[str, ...]) -> dict[str, str]:
    """Folded name -> language code, for every language CLDR names in the offered
    languages and English, and each in its own words ("Deutsch", "español")."""
    names: dict[str, str] = {}
    for locale in (*offered, "en"):
        for code, name in Locale.parse(locale).languages.items():
            names.setdefault(words(name), code.split("_")[0])
    for code in set(names.values()):
        try:
            own = Locale.parse(code).get_display_name(code)
        except (ValueError, UnknownLocaleError):
            continue
        if own:
            names.setdefault(words(own), code)
    return names


def prepare(offered: Sequence[str]) -> None:
    """Build the table of every language's names now, at start (it takes most of
    a second), rather than on some resident's first language answer."""
    _every_language_name(tuple(offered))


def unoffered_language(text: str, offered: Sequence[str]) -> str | None:
    """The code of the language `text` names when the edition does not offer it
    ("Almanca", "Deutsch"); None when it names none, or an offered one."""
    wanted = words(text)
    if any(wanted in map(words, language_names(code, tuple(offered))) for code in offered):
        return None
    code = _every_language_name(tuple(offered)).get(wanted)
    if code is None or code in offered or _MACROLANGUAGES.get(code) in offered:
        return None
    return code


def _starts_with(text: str, greeting: str) -> bool:
    return text == greeting or text.startswith(greeting + " ")
