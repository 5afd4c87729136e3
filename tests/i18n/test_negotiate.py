"""A client's language hint to one of our languages, and the language menu's names."""

from __future__ import annotations

import pytest

from pbbot.i18n.negotiate import locale_names, negotiate


@pytest.mark.parametrize(
    ("hint", "expected"),
    [
        ("nl-BE", "nl"),
        ("nl", "nl"),
        ("fr", "fr"),
        ("fr-BE", "fr"),
        ("ar-MA", "ar"),
        ("tr", "tr"),
        ("en-US", "en"),
        ("EN-gb", "en"),
        ("nl_BE", "nl"),
        (" tr-TR ", "tr"),
        ("de", None),
        ("pt-br", None),
        ("", None),
        (None, None),
        ("not a language", None),
    ],
)
def test_negotiate(hint: str | None, expected: str | None) -> None:
    assert negotiate(hint) == expected


def test_negotiate_within_the_languages_an_edition_offers() -> None:
    assert negotiate("fr-BE", offered=["nl", "en"]) is None
    assert negotiate("en-US", offered=["nl", "en"]) == "en"


def test_each_language_is_named_in_itself() -> None:
    assert locale_names() == {
        "nl": "Nederlands",
        "fr": "Français",
        "en": "English",
        "tr": "Türkçe",
        "ar": "العربية",
    }
    assert locale_names(["tr", "nl"]) == {"tr": "Türkçe", "nl": "Nederlands"}
