"""Reply matching: numbers in any script, button payloads (long ones by reference),
labels without case or accents."""

from __future__ import annotations

import pytest

from pbbot.domain.payloads import callback_data_for
from pbbot.domain.text import fold
from pbbot.engine.replies import match_choice, parse_number

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
        ("ja", None, None),  # no label starts with it
        ("", OFFERED[0], OFFERED[0]),
        ("", "menu.main.gone", None),
        ("", callback_data_for(OFFERED[2]), OFFERED[2]),  # a button of a long payload
        ("", callback_data_for("ideas.list." + "other-" * 20), None),  # an old keyboard
    ],
)
def test_choice(text: str, payload: str | None, chosen: str | None) -> None:
    assert match_choice(text, payload, OFFERED, LABELS) == chosen


def test_fold_ignores_case_accents_and_arabic_marks() -> None:
    assert fold("  DİL ") == "dil"
    assert fold("Français") == "francais"
    assert fold("لُغَة") == "لغة"


@pytest.mark.parametrize(("text", "chosen"), [("ja", "c.yes"), ("JA!", "c.yes"), ("nee", "c.no")])
def test_the_first_part_of_a_label_is_enough_when_unambiguous(text: str, chosen: str) -> None:
    labels = {"c.yes": "Ja, akkoord", "c.no": "Nee"}
    assert match_choice(text, None, ["c.yes", "c.no"], labels) == chosen


def test_an_ambiguous_first_part_is_not_a_choice() -> None:
    labels = {"a.one": "Ja, graag", "a.two": "Ja, maar later"}
    assert match_choice("ja", None, ["a.one", "a.two"], labels) is None


def test_arabic_first_part() -> None:
    labels = {"c.yes": "نعم، أوافق", "c.no": "لا"}
    assert match_choice("نعم", None, ["c.yes", "c.no"], labels) == "c.yes"
