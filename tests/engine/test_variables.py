"""Variables in the resident's language: lists, timeline lines and phone numbers
punctuated as the locale writes them (CLDR), never with separators from code."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pbbot.config.edition_file import load_edition
from pbbot.engine.context import StepContext, Turn
from pbbot.engine.flowset import load_engine_flows
from pbbot.engine.variables import VARIABLES
from pbbot.i18n.catalogs import translator

EDITION = Path(__file__).resolve().parents[2] / "examples" / "mechelen-2027.yaml"
NBSP, LRM = "\u00a0", "\u200e"


@pytest.fixture(scope="module")
def context() -> StepContext:
    return StepContext(load_edition(EDITION), load_engine_flows(), date(2027, 2, 20))


def _value(name: str, locale: str, context: StepContext) -> str:
    turn = Turn(channel="sms", locale=locale, answers={})
    return VARIABLES[name](context, turn, translator(locale))


@pytest.mark.parametrize(
    ("locale", "themes"),
    [
        ("nl", "Groen, Mobiliteit, Jeugd en Cultuur"),
        ("fr", "Nature, Mobilité, Jeunesse et Culture"),
        ("en", "Green, Mobility, Youth, and Culture"),
        ("ar", "المساحات الخضراء والتنقل والشباب والثقافة"),
    ],
)
def test_themes_are_a_list_in_the_locales_words(
    locale: str, themes: str, context: StepContext
) -> None:
    assert _value("themes", locale, context) == themes


def test_arabic_lists_have_no_latin_comma(context: StepContext) -> None:
    assert "," not in _value("themes", "ar", context)
    assert "," not in _value("keywords", "ar", context)


def test_french_timeline_puts_a_no_break_space_before_the_colon_and_writes_1er(
    context: StepContext,
) -> None:
    lines = _value("timeline", "fr", context).splitlines()

    assert lines[1] == f"> Idées{NBSP}: 1er févr.\u2009–\u200914 mars"
    assert lines[-1] == f"- Réalisation{NBSP}: dès le 1er juin 2027"


def test_the_phone_number_keeps_its_order_in_arabic(context: StepContext) -> None:
    assert f"\n{LRM}+32 15 00 00 00\n" in _value("contact", "ar", context)
    assert "\n+32 15 00 00 00\n" in _value("contact", "nl", context)
