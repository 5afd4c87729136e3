"""Reply matching: numbers in any script, button payloads (long ones by reference),
labels without case or accents."""

from __future__ import annotations

import pytest

from pbbot.domain.payloads import callback_data_for
from pbbot.engine.replies import match_choice, normalize, parse_number

OFFERED = ["menu.main.about", "menu.main.vote", "ideas.list." + "idea-" * 20]
LABELS = {OFFERED[0]: "Over de burgerbegroting", OFFERED[1]: "Stemmen", OFFERED[2]: "Één idee"}


@pytest.mark.parametrize(
    ("text", "number"),
    [("3", 3), (" 3. ", 3), ("٣", 3), ("-30", -30), ("(2)", 2), ("three", None), ("", None)],
)
def test_numbers(text: str, number: int | None) -> None:
    assert parse_number(text) == number


@pytest.mark.parametrize(
    ("text", "payload", "chosen"),
    [
        ("2", None, OFFERED[1]),
        ("٢", None, OFFERED[1]),
        ("4", None, None),
        ("STEMMEN!", None, OFFERED[1]),
        ("een idee", None, OFFERED[2]),
        ("", OFFERED[0], OFFERED[0]),
        ("", "menu.main.gone", None),
        ("", callback_data_for(OFFERED[2]), OFFERED[2]),  # a button of a long payload
        ("", callback_data_for("ideas.list." + "other-" * 20), None),  # an old keyboard
    ],
)
def test_choice(text: str, payload: str | None, chosen: str | None) -> None:
    assert match_choice(text, payload, OFFERED, LABELS) == chosen


def test_normalize_folds_case_accents_and_arabic_marks() -> None:
    assert normalize("  DİL ") == "dil"
    assert normalize("Français") == "francais"
    assert normalize("لُغَة") == "لغة"
