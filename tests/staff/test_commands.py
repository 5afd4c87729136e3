"""Reading staff commands: each syntax, amounts as staff write them, and every
wrong use answered with what would be right."""

from __future__ import annotations

import pytest

from pbbot.ideas.review import Accept, Ask, Hide, Merge, Reject, Restore
from pbbot.staff.commands import (
    NOT_AN_AMOUNT,
    TEXT_EXAMPLE,
    TEXT_LINES,
    TWO_TEXTS,
    UNKNOWN_CRITERION,
    UNKNOWN_FILTER,
    UNKNOWN_MESSAGE,
    USAGE,
    BroadcastStatus,
    ControlBroadcast,
    Decide,
    Help,
    ListBroadcasts,
    ListIdeas,
    PreviewBroadcast,
    Problem,
    SendPreview,
    ShowIdea,
    StaffCommand,
    command_name,
    parse_command,
)
from tests.ideas.support import EDITION


def _parse(text: str, locale: str = "nl") -> StaffCommand | Problem:
    return parse_command(text, EDITION, locale=locale)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("/accept 3 5000", "accept"),
        ("/ACCEPT 3 5000", "accept"),
        ("/ideas@pb_test_bot", "ideas"),
        ("  /staffhelp", "staffhelp"),
        ("/start", None),  # the residents' conversation
        ("/acceptall 3", None),
        ("/broadcast_status 3", "broadcast_status"),
        ("/cancel 3", "cancel"),
        ("accept 3 5000", None),
        ("hello", None),
        ("", None),
    ],
)
def test_which_texts_are_staff_commands(text: str, name: str | None) -> None:
    assert command_name(text) == name


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("/ideas", ListIdeas()),
        ("/ideas submitted", ListIdeas(status="submitted")),
        ("/ideas green Submitted", ListIdeas(status="submitted", theme="green")),
        ("/idea 7", ShowIdea(7)),
        ("/idea #7", ShowIdea(7)),
        ("/accept 3 12500", Decide(3, Accept(cost=12500))),
        ("/accept #3 12.500", Decide(3, Accept(cost=12500))),
        ("/accept 3 12,5k Met een bank extra", Decide(3, Accept(12500, "Met een bank extra"))),
        ("/accept 3 €12.500", Decide(3, Accept(cost=12500))),
        ("/reject 4 max_cost", Decide(4, Reject(reason="max_cost"))),
        ("/reject 4 THEME Past niet.", Decide(4, Reject(reason="theme", note="Past niet."))),
        ("/ask 5 Welk park bedoelt u?", Decide(5, Ask(question="Welk park bedoelt u?"))),
        ("/merge 6 2", Decide(6, Merge(into=2))),
        ("/merge 6 #2 Hetzelfde plein.", Decide(6, Merge(into=2, note="Hetzelfde plein."))),
        ("/hide 8", Decide(8, Hide())),
        ("/hide 8 Beledigend.", Decide(8, Hide(note="Beledigend."))),
        ("/restore 8", Decide(8, Restore())),
        ("/restore@pb_test_bot 8 Nagekeken.", Decide(8, Restore(note="Nagekeken."))),
        ("/staffhelp", Help()),
        ("/ask 5 Waar?\nEn wanneer?", Decide(5, Ask(question="Waar?\nEn wanneer?"))),
    ],
)
def test_each_command(text: str, command: StaffCommand) -> None:
    assert _parse(text) == command


@pytest.mark.parametrize(
    ("text", "syntax"),
    [
        ("/idea", "/idea N"),
        ("/idea seven", "/idea N"),
        ("/idea 7 8", "/idea N"),
        ("/accept", "/accept N COST [note]"),
        ("/accept 3", "/accept N COST [note]"),
        ("/reject 3", "/reject N CRITERION [note]"),
        ("/ask 3", "/ask N question"),
        ("/merge 3", "/merge N M [note]"),
        ("/merge 3 four", "/merge N M [note]"),
        ("/hide", "/hide N [note]"),
        ("/restore x", "/restore N [note]"),
    ],
)
def test_a_wrong_use_is_answered_with_its_syntax(text: str, syntax: str) -> None:
    assert _parse(text) == Problem(USAGE, {"syntax": syntax})


@pytest.mark.parametrize("cost", ["veel", "12.500,50", "0", "-5", "12.500TL"])
def test_a_cost_that_is_not_whole_euros(cost: str) -> None:
    assert _parse(f"/accept 3 {cost}") == Problem(NOT_AN_AMOUNT, {"cost": cost})


def test_an_unknown_criterion_is_answered_with_the_valid_ones() -> None:
    assert _parse("/reject 3 ugly") == Problem(
        UNKNOWN_CRITERION,
        {
            "criterion": "ugly",
            "criteria": "max_cost, public, in_city, one_off, theme, duplicate, too_short, missing",
        },
    )


def test_an_unknown_filter_is_answered_with_the_statuses_and_themes() -> None:
    assert _parse("/ideas submitted sport") == Problem(
        UNKNOWN_FILTER,
        {
            "word": "sport",
            "statuses": "submitted, accepted, rejected, question, merged",
            "themes": "green, mobility, youth, culture",
        },
    )


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("/broadcast voting", PreviewBroadcast("voting")),
        ("/broadcast Voting language=nl,fr", PreviewBroadcast("voting", ("language=nl,fr",))),
        (
            "/broadcast voting_reminder state=not_voted channel=sms",
            PreviewBroadcast("voting_reminder", ("state=not_voted", "channel=sms")),
        ),
        ("/send 12", SendPreview(12)),
        ("/send 12.345", SendPreview(12345)),
        ("/send 12,345", SendPreview(12345)),
        ("/send 12\u202f345", SendPreview(12345)),
        ("/broadcasts", ListBroadcasts()),
        ("/broadcast_status 3", BroadcastStatus(3)),
        ("/broadcast_status@pb_test_bot #3", BroadcastStatus(3)),
        ("/pause 3", ControlBroadcast("pause", 3)),
        ("/resume 3", ControlBroadcast("resume", 3)),
        ("/cancel 3", ControlBroadcast("cancel", 3)),
    ],
)
def test_each_broadcast_command(text: str, command: StaffCommand) -> None:
    assert _parse(text) == command


@pytest.mark.parametrize(
    ("text", "syntax"),
    [
        ("/broadcast", "/broadcast MESSAGE|text [segment ...]"),
        ("/broadcast voting\nnl: Stem!", "/broadcast MESSAGE|text [segment ...]"),
        ("/send", "/send N"),
        ("/send all", "/send N"),
        ("/send 12.34", "/send N"),
        ("/broadcasts 3", "/broadcasts"),
        ("/broadcast_status", "/broadcast_status ID"),
        ("/pause three", "/pause ID"),
        ("/cancel 3 now", "/cancel ID"),
    ],
)
def test_a_wrong_broadcast_command_is_answered_with_its_syntax(text: str, syntax: str) -> None:
    assert _parse(text) == Problem(USAGE, {"syntax": syntax})


def test_staff_texts_one_line_per_language_and_lines_that_go_on() -> None:
    text = "/broadcast TEXT channel=sms\nnl: Stem nu!\nSend MENU.\nFR : Votez !\n\n"
    assert _parse(text) == PreviewBroadcast(
        None, ("channel=sms",), (("nl", "Stem nu!\nSend MENU."), ("fr", "Votez !"))
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("/broadcast text", Problem(TEXT_LINES, {"example": TEXT_EXAMPLE})),
        ("/broadcast text\nStem nu!", Problem(TEXT_LINES, {"example": TEXT_EXAMPLE})),
        ("/broadcast text\nnl: Stem!\nnl: Nu!", Problem(TWO_TEXTS, {"language": "nl"})),
    ],
)
def test_staff_texts_that_cannot_be_read(text: str, problem: Problem) -> None:
    assert _parse(text) == problem


def test_an_unknown_broadcast_message_is_answered_with_the_known_ones() -> None:
    assert _parse("/broadcast hello everyone") == Problem(
        UNKNOWN_MESSAGE,
        {
            "message": "hello",
            "messages": "information, ideation, review, voting, results, implementation, "
            "voting_reminder, basket_reminder",
        },
    )
