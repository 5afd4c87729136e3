"""The languages pbbot ships: each has a complete catalog, checked by the test suite."""

from __future__ import annotations

__all__ = ["SOURCE_LOCALE", "SUPPORTED_LOCALES"]

SUPPORTED_LOCALES: tuple[str, ...] = ("nl", "fr", "en", "tr", "ar")
# msgids are written in English; every language, English included, ships a catalog.
SOURCE_LOCALE = "en"
