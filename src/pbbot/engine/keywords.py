"""Global words that work at any step, in every shipped language.

Each keyword has an English word and a translation per catalog; a resident
may use the word of any shipped language, since they may not know which
language the bot thinks they speak. Telegram commands
("/start", "/help") count too.
"""

from __future__ import annotations

from functools import cache

from pbbot.domain.text import fold
from pbbot.i18n.catalogs import N_, SUPPORTED_LOCALES, Translator, translator

__all__ = ["CARRIER_CHANNELS", "KEYWORDS", "keyword_of", "keyword_word", "start_word"]

# Channels whose carrier handles STOP itself and lifts its block only on its own
# START (Twilio: START, UNSTOP, YES), whatever language the resident speaks.
CARRIER_CHANNELS = frozenset({"sms"})

# keyword -> English word (the msgid; translators give the word in their language).
KEYWORDS: dict[str, str] = {
    "menu": N_("MENU"),
    "help": N_("HELP"),
    "language": N_("LANGUAGE"),
    "stop": N_("STOP"),
    "start": N_("START"),
}


def keyword_word(keyword: str, translator: Translator) -> str:
    """The word for `keyword` in the translator's language, as shown in help texts."""
    return translator.gettext(KEYWORDS[keyword])


def start_word(channel: str, translator: Translator) -> str:
    """The word that brings a stopped resident back, as texts should name it."""
    if channel in CARRIER_CHANNELS:
        return KEYWORDS["start"]
    return keyword_word("start", translator)


@cache
def _words() -> dict[str, str]:
    """Normalized word -> keyword, over English and every shipped catalog."""
    words = {}
    for keyword, english in KEYWORDS.items():
        words[fold(english)] = keyword
        for locale in SUPPORTED_LOCALES:
            words[fold(keyword_word(keyword, translator(locale)))] = keyword
    return words


def keyword_of(text: str) -> str | None:
    """The keyword a whole message is, if it is one; else None."""
    if len(text) > 30:
        return None
    return _words().get(fold(text.lstrip("/")))
