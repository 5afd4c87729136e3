from __future__ import annotations

import pytest

from pbbot.channels.sms.keywords import (
    HELP_WORDS,
    OPT_IN_WORDS,
    OPT_OUT_WORDS,
    classify_keyword,
)


@pytest.mark.parametrize(
    "text",
    [
        *OPT_OUT_WORDS,
        "stop",
        " Stop! ",
        "arret",
        "Arrêt.",
        "« ARRÊT »",
        "Uitschrijven",
        "iptal",
        "IPTAL",
        "dur",
        "توقّف",  # with a shadda
        "الغاء",  # without the hamza
        "إلغاء   الاشتراك",
    ],
)
def test_opt_out_words(text: str) -> None:
    assert classify_keyword(text) == "opt_out"


@pytest.mark.parametrize("text", [*OPT_IN_WORDS, "start", "Unstop", "yes"])
def test_opt_in_words(text: str) -> None:
    assert classify_keyword(text) == "opt_in"


@pytest.mark.parametrize("text", ["démarrer", "STARTEN", "başla", "ابدأ"])
def test_localized_start_words_are_not_the_carriers(text: str) -> None:
    # Twilio lifts its block only on its own words; these stay ordinary text.
    assert classify_keyword(text) is None


@pytest.mark.parametrize("text", [*HELP_WORDS, "help?", "Hulp", "aide"])
def test_help_words(text: str) -> None:
    assert classify_keyword(text) == "help"


@pytest.mark.parametrize(
    "text",
    ["", "1", "stop de werken aan het plein", "Please stop", "stopper", "ja", "MENU", "😀", "ستوب"],
)
def test_only_the_whole_message_is_a_keyword(text: str) -> None:
    assert classify_keyword(text) is None
