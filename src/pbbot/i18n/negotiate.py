"""Picking a resident's language from a client hint, and naming languages in the menu.

Telegram sends the app's `language_code` ("nl-BE", "ar-MA", "en-US"): a good first
guess, never a decision. A language we do not ship gives None, and onboarding asks.
"""

from __future__ import annotations

from collections.abc import Iterable

from babel import Locale, negotiate_locale

from pbbot.i18n.catalogs import SUPPORTED_LOCALES

__all__ = ["locale_names", "negotiate"]


def negotiate(hint: str | None, offered: Iterable[str] = SUPPORTED_LOCALES) -> str | None:
    """The offered locale that matches `hint` ("nl-BE" -> "nl", "de" -> None)."""
    if not hint or not hint.strip():
        return None
    tag = hint.strip().replace("_", "-")
    available = list(offered)
    # Babel tries the full tag, then its language part; no aliases (they would
    # turn "nl" into "nl_NL" and miss our plain "nl").
    match = negotiate_locale([tag], available, sep="-", aliases={})
    if match is None:
        return None
    # Babel answers in the hint's spelling ("NL-be"); return ours.
    language = match.split("-")[0].lower()
    return next((code for code in available if code.lower() == language), None)


def locale_names(locales: Iterable[str] = SUPPORTED_LOCALES) -> dict[str, str]:
    """Each language in its own words, for the language menu: {"fr": "Français", ...}."""
    names = {}
    for code in locales:
        name = Locale.parse(code).get_display_name(code) or code
        names[code] = name[:1].upper() + name[1:]
    return names
