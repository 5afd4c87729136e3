"""Communicating vessels in chat in Dutch, Arabic and Turkish, on the pure
engine: a split that does not add up is explained and fixed, reviewed and
cast; a draft waits for the next day; a cast vote is changed; after closing
the vote is refused; on Telegram the buttons keep the sum. Expected texts
come from the catalogs (`tests/voting/test_vessels_chat.py` has the Dutch
details and every refusal)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from pbbot.i18n.formatting import format_date
from pbbot.voting.views import MyVote
from tests.voting.ballot_chat import PHONE, Voter, euros, say, sms, with_voting, word

LOCALES = ("nl", "ar", "tr")
GREETING = {"nl": "hallo", "ar": "مرحبا", "tr": "merhaba"}
VESSELS = with_voting(method="vessels")


def _split_screen(voter: Voter) -> str:
    voter.send(GREETING[voter.locale])
    return voter.send("1")  # Vote, first in the voting phase


@pytest.mark.parametrize("locale", LOCALES)
def test_a_split_is_explained_fixed_reviewed_and_cast_by_sms(locale: str) -> None:
    voter = Voter(locale, edition=VESSELS)
    screen = _split_screen(voter)
    head = say(locale, "Divide {total} over the themes:", total=euros(locale, 600_000))
    assert sms(head) in screen
    voter.send("1=40 2=30")  # 70% divided
    text = voter.send("0")
    short = say(
        locale,
        "{missing} is not divided yet: give it to one or more themes.",
        missing=euros(locale, 180_000),
    )
    assert sms(short) in text
    voter.send("3=20 4=10")
    review = voter.send("0")
    assert sms(say(locale, "Cast this vote? You can change it until voting closes.")) in review
    voter.send(word(locale, "yes"))
    [cast] = voter.cast()
    assert dict(cast.split) == {
        "green": 240_000,
        "mobility": 180_000,
        "youth": 120_000,
        "culture": 60_000,
    }


@pytest.mark.parametrize("locale", LOCALES)
def test_too_much_is_explained_and_a_draft_waits_for_the_next_day(locale: str) -> None:
    voter = Voter(locale, edition=VESSELS)
    _split_screen(voter)
    voter.send("1=70 2=50")
    over = say(
        locale,
        "That is {excess} more than the {total} to divide: take it off a theme.",
        excess=euros(locale, 120_000),
        total=euros(locale, 600_000),
    )
    assert sms(over) in voter.send("0")
    voter.today += timedelta(days=1)
    voter.send("2=30")  # the next day, the draft is where it was
    voter.send("0")
    voter.send("1")
    [cast] = voter.cast()
    assert dict(cast.split) == {"green": 420_000, "mobility": 180_000}


@pytest.mark.parametrize("locale", LOCALES)
def test_a_cast_split_is_shown_and_changed(locale: str) -> None:
    cast_before = MyVote(cast_on=date(2027, 4, 14), split=(("green", 600_000),))
    voter = Voter(locale, edition=VESSELS, mine=cast_before)
    text = _split_screen(voter)
    shown = say(
        locale,
        "You voted on {date}: {chosen}.",
        date=format_date(date(2027, 4, 14), locale),
        chosen="",
    )
    assert sms(shown.split(":")[0]) in text
    voter.send("1")  # change it
    voter.send("1=50 4=50")
    voter.send("0")
    voter.send("1")
    [cast] = voter.cast()
    assert dict(cast.split) == {"green": 300_000, "culture": 300_000}


@pytest.mark.parametrize("locale", LOCALES)
def test_a_split_after_closing_is_refused(locale: str) -> None:
    voter = Voter(locale, edition=VESSELS)
    _split_screen(voter)
    voter.today = date(2027, 5, 10)
    closed = say(
        locale,
        "Voting closed on {date}. Thank you for taking part!",
        date=format_date(date(2027, 5, 9), locale),
    )
    assert sms(closed) in voter.send("1=100")
    assert not voter.cast()


@pytest.mark.parametrize("locale", LOCALES)
def test_telegram_buttons_keep_the_sum(locale: str) -> None:
    voter = Voter(locale, channel="telegram", edition=VESSELS)
    voter.state = voter.state.evolve(answers={**voter.state.answers, "voter_phone": PHONE})
    voter.send(GREETING[locale])
    voter.send(tap=1)
    for button in (1, 1, 3, 2):
        voter.send(tap=button)
        assert voter.message().replaces  # the split is edited in place
    voter.send(tap=voter.labels().index(say(locale, "Review and vote")) + 1)
    voter.send(tap=1)
    [cast] = voter.cast()
    assert sum(amount for _, amount in cast.split) == 600_000
