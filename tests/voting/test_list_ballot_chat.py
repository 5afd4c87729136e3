"""The basket and the approval ballot in chat, on the pure engine, in Dutch,
Arabic and Turkish: every rule explained when it matters, a draft kept across
days, a vote checked and changed, voting after closing refused; by SMS and on
Telegram. Expected texts come from the catalogs, so the test reads what the
resident reads in their language."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from pbbot.i18n.formatting import format_date
from pbbot.voting.views import MyVote
from tests.voting.ballot_chat import (
    PHONE,
    Voter,
    euros,
    listed,
    sample_candidates,
    say,
    say_n,
    sms,
    with_voting,
    word,
)

COSTS = {c.number: c.cost for c in sample_candidates().projects}
LOCALES = ("nl", "ar", "tr")
GREETING = {"nl": "hallo", "ar": "مرحبا", "tr": "merhaba", "en": "hello"}
BUDGET = 600_000


def _vote_from_menu(voter: Voter) -> str:
    voter.send(GREETING[voter.locale])
    return voter.send("1")  # "Vote" comes first in the voting phase


def _in_basket(locale: str, chosen: list[int]) -> str:
    spent = sum(COSTS[n] for n in chosen)
    return sms(
        say(
            locale,
            "In your basket: {numbers} ({spent}). {left} left.",
            numbers=listed(locale, chosen),
            spent=euros(locale, spent),
            left=euros(locale, BUDGET - spent),
        )
    )


@pytest.mark.parametrize("locale", LOCALES)
def test_an_sms_basket_is_filled_reviewed_and_cast(locale: str) -> None:
    voter = Voter(locale)
    page = _vote_from_menu(voter)
    assert sms(say(locale, "Projects, page {page} of {pages}:", page="1", pages="3")) in page
    assert (
        sms(say(locale, "Your basket is empty: {left} to spend.", left=euros(locale, BUDGET)))
        in page
    )
    shown = [int(line.split()[0].strip("\u200f\u200e")) for line in page.splitlines()[1:9]]
    assert len(shown) == 8 and sorted(shown) != shown  # the resident's own order
    assert _in_basket(locale, [3, 7, 12]) in voter.send("3, 7 12")
    assert _in_basket(locale, [3, 12]) in voter.send("-7")
    review = voter.send("0")
    assert sms(say(locale, "Cast this vote? You can change it until voting closes.")) in review
    assert voter.send(word(locale, "yes")) == ""  # the receipt comes from the service
    [cast] = voter.cast()
    assert (cast.method, cast.projects, cast.voter, cast.day) == (
        "basket",
        (3, 12),
        None,
        date(2027, 4, 20),
    )
    assert "ballot" not in voter.state.answers  # the draft is gone with the vote


def test_the_next_page_comes_with_plus_or_the_word_more() -> None:
    voter = Voter("nl")
    first = _vote_from_menu(voter)
    second = voter.send("+")
    third = voter.send("meer")
    assert "pagina 2 van 3" in second and "pagina 3 van 3" in third
    numbers = {
        int(line.split()[0])
        for text in (first, second, third)
        for line in text.splitlines()
        if line[:1].isdigit() and "€" in line
    }
    assert numbers == set(COSTS)  # every project on one of the pages, once
    assert "pagina 1 van 3" in voter.send("+")  # and round again


@pytest.mark.parametrize("locale", LOCALES)
def test_a_project_over_what_is_left_is_refused_with_the_amounts(locale: str) -> None:
    voter = Voter(locale)
    _vote_from_menu(voter)
    dear = sorted(COSTS, key=COSTS.__getitem__, reverse=True)
    voter.send(" ".join(str(n) for n in dear))  # every project: over the budget
    chosen = voter.state.answers["ballot"]
    spent = sum(COSTS[n] for n in chosen)
    assert spent <= BUDGET
    refused = next(n for n in dear if n not in chosen)
    text = voter.send(str(refused))
    expected = say(
        locale,
        "Project {number} costs {cost}: only {left} is left. Remove one first, e.g. -3.",
        number=refused,
        cost=euros(locale, COSTS[refused]),
        left=euros(locale, BUDGET - spent),
    )
    assert sms(expected) in text


@pytest.mark.parametrize("locale", LOCALES)
def test_the_least_share_and_the_most_and_least_projects_are_explained(locale: str) -> None:
    edition = with_voting(min_share=Decimal("0.7"), min_projects=2, max_projects=3)
    voter = Voter(locale, edition=edition)
    _vote_from_menu(voter)
    cheap = sorted(COSTS, key=COSTS.__getitem__)
    voter.send(str(cheap[0]))
    text = voter.send("0")
    share = say(
        locale,
        "Spend at least {required} of the budget: add {missing} more in projects.",
        required=euros(locale, 420_000),
        missing=euros(locale, 420_000 - COSTS[cheap[0]]),
    )
    least = say_n(
        locale,
        "Choose at least {minimum} project.",
        "Choose at least {minimum} projects.",
        2,
        minimum=2,
    )
    assert sms(share) in text and sms(least) in text
    assert voter.state.step == "list"  # back to the basket, not to the vote
    voter.send(" ".join(str(n) for n in cheap[1:3]))
    most = say_n(
        locale,
        "You can choose at most {maximum} project. Remove one first, e.g. -3.",
        "You can choose at most {maximum} projects. Remove one first, e.g. -3.",
        3,
        maximum=3,
    )
    assert sms(most) in voter.send(str(cheap[3]))
    assert not voter.cast()


@pytest.mark.parametrize("locale", LOCALES)
def test_a_reply_that_is_not_numbers_gets_an_example(locale: str) -> None:
    voter = Voter(locale)
    _vote_from_menu(voter)
    text = voter.send("speeltuin")
    assert sms(say(locale, "Send project numbers, for example 3 7 12; -3 takes 3 out.")) in text
    assert voter.state.step == "list"
    missing = say(locale, "There is no project {number} on the ballot.", number=99)
    assert sms(missing) in voter.send("99")


def test_arabic_indic_digits_and_the_word_for_yes_in_arabic() -> None:
    voter = Voter("ar")
    voter.send("مرحبا")
    voter.send("١")
    voter.send("٣ و٧ ١٢")
    assert voter.state.answers["ballot"] == [3, 7, 12]
    voter.send("-٧")
    voter.send("٠")
    voter.send("نعم")
    [cast] = voter.cast()
    assert cast.projects == (3, 12)


@pytest.mark.parametrize("locale", LOCALES)
def test_a_draft_is_kept_and_resumed_the_next_day(locale: str) -> None:
    voter = Voter(locale)
    _vote_from_menu(voter)
    voter.send("3 12")
    voter.today += timedelta(days=1)
    text = voter.send(GREETING[locale])  # the next day, a greeting at the basket
    assert _in_basket(locale, [3, 12]) in text
    assert _in_basket(locale, [3, 12, 7]) in voter.send("7")  # and on from there
    voter.send("0")
    voter.send("1")
    [cast] = voter.cast()
    assert cast.projects == (3, 12, 7)


@pytest.mark.parametrize("locale", LOCALES)
def test_a_vote_is_shown_to_its_voter_and_changed(locale: str) -> None:
    voter = Voter(locale, mine=MyVote(cast_on=date(2027, 4, 14), projects=(3, 12)))
    voter.send(GREETING[locale])
    text = voter.send("1")
    day = format_date(date(2027, 4, 14), locale)
    shown = say(locale, "You voted on {date}: {chosen}.", date=day, chosen=listed(locale, [3, 12]))
    assert sms(shown) in text
    assert sms(say(locale, "Change my vote")) in text
    assert _in_basket(locale, [3, 12]) in voter.send("1")  # the list starts from the vote
    voter.send("-3")
    voter.send("0")
    voter.send("1")
    [cast] = voter.cast()
    assert cast.projects == (12,)


@pytest.mark.parametrize("locale", LOCALES)
def test_voting_after_it_closed_is_refused_politely(locale: str) -> None:
    voter = Voter(locale)
    _vote_from_menu(voter)
    voter.send("3 12")
    voter.today = date(2027, 5, 10)  # the results phase
    closed = say(
        locale,
        "Voting closed on {date}. Thank you for taking part!",
        date=format_date(date(2027, 5, 9), locale),
    )
    assert sms(closed) in voter.send("0")
    assert not voter.cast()
    fresh = Voter(locale, today=date(2027, 5, 10))
    fresh.send(GREETING[locale])
    assert say(locale, "Vote") not in fresh.labels()


def test_a_voided_voter_cannot_vote_again() -> None:
    voter = Voter("nl", mine=MyVote(voided=True))
    voter.send("hallo")
    text = voter.send("1")
    assert "terzijde gelegd" in text
    assert voter.state.flow == "vote"


@pytest.mark.parametrize("locale", LOCALES)
def test_eligibility_is_asked_when_not_known(locale: str) -> None:
    voter = Voter(locale)
    voter.state = replace(voter.state, answers={"consent": "2027-02-01"})
    text = _vote_from_menu(voter)
    assert sms(say(locale, "How old are you? Send your age in years, for example 34.")) in text
    too_young = say(
        locale,
        "You can vote from the age of {min_age}. "
        "You can still read the ideas and follow the results.",
        min_age=12,
    )
    assert sms(too_young) in voter.send("11")
    voter.state = replace(voter.state, answers={"consent": "2027-02-01"}, flow=None, step=None)
    _vote_from_menu(voter)
    assert sms(say(locale, "Which district do you live in?")) in voter.send("40")
    elsewhere = say(
        locale,
        "Only residents of the city's districts can vote. "
        "You can still read the ideas and follow the results.",
    )
    assert sms(elsewhere) in voter.send(str(len(voter.labels())))  # "Somewhere else" is last


@pytest.mark.parametrize("locale", LOCALES)
def test_telegram_asks_for_the_number_once_then_toggles_with_a_running_total(
    locale: str,
) -> None:
    voter = Voter(locale, channel="telegram")
    voter.send(GREETING[locale])
    voter.send(tap=1)
    assert voter.message().request == "contact"
    typed = voter.send("+32470000001")  # a typed number is not enough
    assert say(locale, "Please tap the button «Share my phone number» below.") in typed
    voter.send(contact=PHONE)
    number = int(voter.labels()[0].split()[0])
    assert _in_basket(locale, [number]) in sms(voter.send(tap=1))
    assert voter.labels()[0].startswith("✅ ")
    assert voter.message().replaces  # the list is edited in place
    voter.send(tap=1)
    assert not voter.labels()[0].startswith("✅ ")
    voter.send(tap=1)
    voter.send(tap=voter.labels().index(say(locale, "Review and vote")) + 1)
    voter.send(tap=1)
    [cast] = voter.cast()
    assert (cast.projects, cast.voter) == ((number,), PHONE)


def test_a_number_typed_on_telegram_is_not_the_button_at_that_place() -> None:
    # "3" is project 3 on a poster or by SMS; the third button is another project.
    voter = Voter("nl", channel="telegram")
    voter.state = replace(voter.state, answers={**voter.state.answers, "voter_phone": PHONE})
    voter.send("hallo")
    voter.send(tap=1)
    assert say("nl", "Please tap one of the buttons.") in voter.send("3")
    assert voter.labels()[0][:1] != "✅"


def test_a_shared_card_without_a_usable_number_is_asked_again() -> None:
    voter = Voter("nl", channel="telegram")
    voter.send("hallo")
    voter.send(tap=1)
    voter.send(contact="+")
    assert voter.state.step == "share_phone" and "voter_phone" not in voter.state.answers


def test_telegram_keeps_the_page_a_project_was_tapped_on() -> None:
    voter = Voter("nl", channel="telegram")
    voter.state = replace(voter.state, answers={**voter.state.answers, "voter_phone": PHONE})
    voter.send("hallo")
    voter.send(tap=1)
    voter.send(tap=voter.labels().index(say("nl", "Next")) + 1)
    second_page = voter.labels()
    voter.send(tap=2)
    assert voter.labels()[1] == "✅ " + second_page[1]


@pytest.mark.parametrize("channel", ["sms", "telegram"])
@pytest.mark.parametrize("locale", LOCALES)
def test_approval_picks_up_to_n_and_shows_costs_without_a_sum(locale: str, channel: str) -> None:
    edition = with_voting(method="approval", max_choices=2)
    voter = Voter(locale, channel=channel, edition=edition)
    voter.state = replace(voter.state, answers={**voter.state.answers, "voter_phone": PHONE})
    voter.send(GREETING[locale])
    text = voter.send("1") if channel == "sms" else voter.send(tap=1)
    up_to = say_n(
        locale, "Choose up to {left} project.", "Choose up to {left} projects.", 2, left=2
    )
    assert sms(up_to) in sms(text)
    assert euros(locale, BUDGET) not in text  # costs shown, no budget to spend
    if channel == "sms":
        text = voter.send("3 7 12")
        most = say_n(
            locale,
            "You can choose at most {maximum} project. Remove one first, e.g. -3.",
            "You can choose at most {maximum} projects. Remove one first, e.g. -3.",
            2,
            maximum=2,
        )
        assert sms(most) in text
        chosen = say(
            locale, "Chosen: {numbers}. Still open: {left}.", numbers=listed(locale, [3, 7]), left=0
        )
        assert sms(chosen) in text
        voter.send("0")
    else:
        voter.send(tap=1)
        voter.send(tap=voter.labels().index(say(locale, "Review and vote")) + 1)
    voter.send(word(locale, "yes"))
    [cast] = voter.cast()
    assert cast.method == "approval" and len(cast.projects) in (1, 2)


@pytest.mark.parametrize("locale", LOCALES)
def test_deleting_everything_says_what_happens_to_the_vote(locale: str) -> None:
    voter = Voter(locale, mine=MyVote(cast_on=date(2027, 4, 14), projects=(3, 12)))
    voter.send(GREETING[locale])
    voter.send(str(voter.labels().index(say(locale, "My data")) + 1))
    text = voter.send(str(voter.labels().index(say(locale, "Delete everything")) + 1))
    withdrawn = say(locale, "Your vote is withdrawn too; you can vote again until voting closes.")
    assert sms(withdrawn) in text
    after = Voter(locale, mine=MyVote(cast_on=date(2027, 4, 14), projects=(3, 12)))
    after.today = date(2027, 5, 12)
    after.send(GREETING[locale])
    after.send(str(after.labels().index(say(locale, "My data")) + 1))
    text = after.send(str(after.labels().index(say(locale, "Delete everything")) + 1))
    assert sms(say(locale, "Your vote stays in the count, linked to no one.")) in text
