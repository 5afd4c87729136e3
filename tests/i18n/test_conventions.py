"""Writing conventions: money as `format_money` writes it, Arabic commas, phone numbers
in right-to-left text; on catalog texts and on the edition's own texts."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from pbbot.config.edition_file import load_edition
from pbbot.i18n.conventions import convention_errors, edition_convention_errors

EDITION = Path(__file__).resolve().parents[2] / "examples" / "mechelen-2027.yaml"
LRM, RLM, NBSP, NNBSP = "\u200e", "\u200f", "\u00a0", "\u202f"


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("De stad legt € 600.000 op tafel.", "nl"),
        (f"De stad legt €{NBSP}600.000 op tafel.", "nl"),  # CLDR's own no-break space
        (f"La ville met 600{NNBSP}000{NBSP}€ sur la table.", "fr"),
        ("La ville met 600 000 € sur la table.", "fr"),
        ("The city puts €600,000 on the table in 2027, for 12 projects.", "en"),
        ("Belediye €600.000 ayırdı.", "tr"),
        ("خصصت المدينة 600,000 € لأفكار السكان.", "ar"),
        (f"خصصت المدينة {RLM}600,000{NBSP}€ لأفكار السكان.", "ar"),
        ("نعم، أوافق", "ar"),
        (f"أرسل رقم هاتف، مثلًا {LRM}+32 470 12 34 56.", "ar"),
        ("Send a phone number, for example +32 470 12 34 56.", "en"),
        ("Mechelen 2027: 11–31 jan", "nl"),
    ],
)
def test_texts_that_follow_the_conventions(text: str, locale: str) -> None:
    assert convention_errors(text, locale) == []


def _money(written: str, locale: str, expected: str) -> str:
    return f"{written!r} is not how {locale} writes money: {expected!r}"


@pytest.mark.parametrize(
    ("text", "locale", "error"),
    [
        ("De stad legt €600.000 op tafel.", "nl", _money("€600.000", "nl", "€ 600.000")),
        ("Belediye 600.000 € ayırıyor.", "tr", _money("600.000 €", "tr", "€600.000")),
        ("Put 600.000 euro on the table.", "en", _money("600.000 euro", "en", "€600,000")),
        ("تخصص المدينة 600٬000 يورو.", "ar", _money("600٬000 يورو", "ar", "600,000 €")),
        ("Budget : 1 234,50 EUR", "fr", _money("1 234,50 EUR", "fr", "1 234,50 €")),
        ("قائمة, مساعدة", "ar", "Latin comma ',' in 'قائمة, مساعدة': ar writes '،'"),
        (
            "أرسل رقم هاتف، مثلًا +32 470 12 34 56.",
            "ar",
            "phone number '+32 470 12 34 56' needs a left-to-right mark (U+200E) before it",
        ),
    ],
)
def test_texts_that_break_them(text: str, locale: str, error: str) -> None:
    assert convention_errors(text, locale) == [error]


def test_the_sample_edition_follows_the_conventions() -> None:
    assert edition_convention_errors(load_edition(EDITION)) == ()


def test_an_edition_with_amounts_written_by_hand_is_caught() -> None:
    edition = load_edition(EDITION)
    green = edition.themes[0]
    faulty = dataclasses.replace(
        edition,
        intro={
            **edition.intro,
            "tr": "Belediye 600.000 € ayırıyor.",
            "ar": "تخصص المدينة 600٬000 يورو.",
        },
        themes=(
            dataclasses.replace(green, name={**green.name, "ar": "الخضرة, الحدائق"}),
            *edition.themes[1:],
        ),
    )

    assert edition_convention_errors(faulty) == (
        "intro (tr): '600.000 €' is not how tr writes money: '€600.000'",
        "intro (ar): '600٬000 يورو' is not how ar writes money: '600,000 €'",
        "themes.green.name (ar): Latin comma ',' in 'الخضرة, الحدائق': ar writes '،'",
    )
