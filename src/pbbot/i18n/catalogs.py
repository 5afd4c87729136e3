"""Gettext catalogs: one domain (`pbbot`), one folder per language under `locales/`.

The engine gets a `Translator` for the resident's locale as an argument, so the
same texts reach SMS, Telegram and the simulator without any global state.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from babel import Locale
from babel.support import NullTranslations, Translations

from pbbot.domain.languages import SOURCE_LOCALE, SUPPORTED_LOCALES

__all__ = [
    "DOMAIN",
    "N_",
    "SOURCE_LOCALE",
    "SUPPORTED_LOCALES",
    "Translator",
    "locales_dir",
    "translator",
]

DOMAIN = "pbbot"


# Resolved once: the engine asks for translators on every message.
_BESIDE_SRC = Path(__file__).resolve().parents[3] / "locales"


def locales_dir() -> Path:
    """The `locales/` folder: `PBBOT_LOCALES_DIR`, else the one beside `src/`."""
    configured = os.environ.get("PBBOT_LOCALES_DIR")
    return Path(configured) if configured else _BESIDE_SRC


def N_(message: str) -> str:
    """Marks a text for extraction where it is defined; it is translated where it is used."""
    return message


class Translator:
    """Texts and plural forms of one locale, plus its Babel `Locale` for formatting."""

    def __init__(self, locale: str, translations: NullTranslations):
        self.locale = locale
        self.babel_locale = Locale.parse(locale)
        self._translations = translations

    @property
    def rtl(self) -> bool:
        return self.babel_locale.text_direction == "rtl"

    def gettext(self, message: str) -> str:
        return self._translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._translations.ngettext(singular, plural, n)

    def __repr__(self) -> str:
        return f"Translator({self.locale!r})"


@cache
def _load(locale: str, folder: str) -> Translator:
    # Babel falls back to NullTranslations (the English msgid) when no .mo exists;
    # `pbbot i18n check` and the test suite make sure that never ships.
    return Translator(locale, Translations.load(folder, [locale], domain=DOMAIN))


def translator(locale: str) -> Translator:
    """The translator for `locale` (one of SUPPORTED_LOCALES)."""
    if locale not in SUPPORTED_LOCALES:
        raise ValueError(f"unsupported locale {locale!r}; expected one of {SUPPORTED_LOCALES}")
    return _load(locale, str(locales_dir()))
