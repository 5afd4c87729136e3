"""Communicating vessels in chat, on the pure engine: the resident divides the
sample edition's € 600.000 over its four themes (Groen, Mobiliteit, Jeugd,
Cultuur). By SMS a split typed in percent or amounts, explained when it does
not add up, reviewed and cast; on Telegram buttons that move money between
themes, the sum never changing; a draft kept across days, a vote changed,
voting after closing refused. What an SMS screen costs: two GSM-7 segments in
Dutch, four UCS-2 segments in Arabic."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from pbbot.config.edition_file import load_edition
from pbbot.domain.edition import Edition
from pbbot.domain.messages import Inbound
from pbbot.engine.answers import answer_word
from pbbot.engine.events import MessagesForgotten
from pbbot.i18n.catalogs import translator
from pbbot.runtime import Runtime, build_runtime
from pbbot.voting.casting import BallotChoices, counted_ballots
from pbbot.voting.views import MyVote
from tests.voting.ballot_chat import PHONE, Voter

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "mechelen-2027.yaml"
SAMPLE_VOTING = "voting:\n  method: basket\n  rule: greedy\n  min_age: 12\n"
TOTAL = 600_000


def _vessels_file(tmp_path: Path, extra: str = "") -> Path:
    """The sample edition, voting by communicating vessels (as a city writes it)."""
    text = SAMPLE.read_text(encoding="utf-8")
    assert SAMPLE_VOTING in text
    path = tmp_path / "edition.yaml"
    voting = "voting:\n  method: vessels\n  min_age: 12\n" + extra
    path.write_text(text.replace(SAMPLE_VOTING, voting), encoding="utf-8")
    return path


def _vessels_edition(tmp_path: Path, extra: str = "") -> Edition:
    edition = load_edition(_vessels_file(tmp_path, extra))
    assert edition.voting.method == "vessels"
    return edition


@pytest.fixture
def edition(tmp_path: Path) -> Edition:
    return _vessels_edition(tmp_path)


def _voter(edition: Edition, locale: str = "nl", **fields: object) -> Voter:
    voter = Voter(locale, edition=edition, **fields)  # type: ignore[arg-type]
    if voter.channel == "telegram":
        answers = {**voter.state.answers, "voter_phone": PHONE}
        voter.state = replace(voter.state, answers=answers)
    return voter


def _plain(text: str) -> str:
    """Telegram keeps Babel's no-break spaces ("€\xa0600.000"); SMS sends plain ones."""
    return text.replace("\xa0", " ")


def _to_the_ballot(voter: Voter) -> str:
    voter.send("hallo")
    return _plain(voter.send("1"))  # "Stemmen" comes first in the menu while voting runs


def _split(voter: Voter) -> dict[str, int]:
    split = voter.state.answers["split"]
    assert isinstance(split, dict)
    return split


# -- SMS ---------------------------------------------------------------------------------


def test_a_dutch_split_by_sms_is_explained_fixed_reviewed_and_cast(edition: Edition) -> None:
    voter = _voter(edition)
    screen = _to_the_ballot(voter)
    assert screen.splitlines() == [
        "Verdeel € 600.000 over de thema's:",
        "1 Groen € 0 (0%)",  # an empty split: what to do is plain, nothing cast by accident
        "2 Mobiliteit € 0 (0%)",
        "3 Jeugd € 0 (0%)",
        "4 Cultuur € 0 (0%)",
        "Nog te verdelen: € 600.000.",
        "Stuur bv. 1=30 2=50 3=20 (procent) of bedragen; 0 om te stemmen.",
    ]
    screen = voter.send("1=30 2=50")  # percentages
    assert "1 Groen € 180.000 (30%)\n2 Mobiliteit € 300.000 (50%)" in screen
    assert "Nog te verdelen: € 120.000." in screen

    screen = voter.send("0")  # it does not add up yet: said in plain words, not cast
    assert screen.startswith("€ 120.000 is nog niet verdeeld: geef het aan een of meer thema's.")
    assert "Nog te verdelen" not in screen  # said once
    assert voter.state.step == "split" and not voter.cast()

    screen = voter.send("3=120.000")  # an amount, as the Dutch write it
    assert "3 Jeugd € 120.000 (20%)" in screen and "Nog te verdelen: € 0." in screen
    review = voter.send("0")
    assert review.splitlines()[:4] == [
        "Groen € 180.000 (30%)",
        "Mobiliteit € 300.000 (50%)",
        "Jeugd € 120.000 (20%)",
        "Cultuur € 0 (0%)",
    ]
    assert voter.state.step == "confirm"
    assert voter.send(answer_word("yes", translator("nl"))) == ""  # the receipt: the service's
    [cast] = voter.cast()
    assert (cast.method, cast.split, cast.projects, cast.voter, cast.day) == (
        "vessels",
        (("green", 180_000), ("mobility", 300_000), ("youth", 120_000)),
        (),
        None,
        date(2027, 4, 20),
    )
    assert "split" not in voter.state.answers  # the draft goes with the vote
    assert any(isinstance(event, MessagesForgotten) for event in voter.events)


def test_too_much_is_explained_and_taken_off_again(edition: Edition) -> None:
    voter = _voter(edition)
    _to_the_ballot(voter)
    screen = voter.send("1=50 2=50 3=20")  # 120%: each theme set, nothing evened out
    assert "€ 120.000 te veel verdeeld." in screen
    screen = voter.send("0")
    assert screen.startswith(
        "Dat is € 120.000 meer dan de € 600.000 om te verdelen: haal het bij een thema weg."
    )
    assert voter.state.step == "split"
    voter.send("3=0")
    voter.send("0")
    assert voter.state.step == "confirm"
    voter.send("1")  # "Stemmen", the first option
    [cast] = voter.cast()
    assert cast.split == (("green", 300_000), ("mobility", 300_000))


def test_percentages_adding_up_to_100_are_a_whole_split_in_whole_euros(edition: Edition) -> None:
    voter = _voter(edition)
    _to_the_ballot(voter)
    voter.send("4=100000")
    # Adding up to 100: the other themes go to 0, the rounding to the largest share.
    screen = voter.send("1=33,33 2=33,33 3=33,34")
    assert _split(voter) == {"green": 199_980, "mobility": 199_980, "youth": 200_040, "culture": 0}
    assert "Nog te verdelen: € 0." in screen
    voter.send("2=12.5")  # one share changed on its own: 12,5% of the total
    assert _split(voter)["mobility"] == 75_000
    voter.send("2=€ 199.980")  # an amount with its currency sign
    voter.send("0")
    voter.send("JA")
    [cast] = voter.cast()
    assert sum(amount for _, amount in cast.split) == TOTAL
    assert all(isinstance(amount, int) for _, amount in cast.split)


@pytest.mark.parametrize(
    ("reply", "explained"),
    [
        ("7=10", "Er is geen thema 7; de thema's zijn 1 tot en met 4."),
        ("1=700000", "Groen kan hoogstens het hele bedrag van € 600.000 krijgen."),
        ("1=30 2=200000", "Stuur percentages of bedragen, niet allebei in één bericht."),
        ("1=10 1=20", "Thema 1 staat er twee keer in: geef elk thema één waarde."),
        ("groen 30", "Niet begrepen. Schrijf een themanummer, = en een waarde, bv. 2=50."),
    ],
)
def test_a_reply_that_cannot_be_used_is_explained_and_changes_nothing(
    edition: Edition, reply: str, explained: str
) -> None:
    voter = _voter(edition)
    _to_the_ballot(voter)
    voter.send("1=30")
    screen = voter.send(reply)
    assert screen.splitlines()[0] == explained
    assert "1 Groen € 180.000 (30%)" in screen  # the split as it was, shown again
    assert _split(voter) == {"green": 180_000, "mobility": 0, "youth": 0, "culture": 0}


def test_arabic_indic_digits_and_the_word_for_yes_in_arabic(edition: Edition) -> None:
    voter = _voter(edition, "ar")
    _to_the_ballot(voter)
    assert voter.segments() <= 4
    screen = voter.send("١=٣٠ ٢=٥٠ ٣=٢٠")
    assert "1 المساحات الخضراء \u200f180,000 € (30%)" in screen
    assert _split(voter) == {"green": 180_000, "mobility": 300_000, "youth": 120_000, "culture": 0}
    assert voter.segments() <= 4
    voter.send("٠")
    assert voter.state.step == "confirm"
    voter.send("نعم")
    [cast] = voter.cast()
    assert cast.split == (("green", 180_000), ("mobility", 300_000), ("youth", 120_000))


@pytest.mark.parametrize(("locale", "most"), [("nl", 2), ("ar", 4)])
def test_every_sms_screen_fits_the_budget(edition: Edition, locale: str, most: int) -> None:
    """Two GSM-7 segments in Dutch, four UCS-2 ones in Arabic, with the longest
    amounts (every theme at 100%) and every note."""
    voter = _voter(edition, locale)
    _to_the_ballot(voter)
    sizes = [voter.segments()]
    for reply in ["1=30 2=50", "0", "9=10", "1=30 2=200000", "1=5 1=6", "?", "1=100 2=100"]:
        voter.send(reply)
        sizes.append(voter.segments())
    voter.send("3=100 4=100")
    sizes.append(voter.segments())
    for reply in ["0", "1=700000", "1=5 1=6", "groen", "1=30 2=200000", "9=10"]:
        voter.send(reply)
        sizes.append(voter.segments())
    assert "(100%)" in voter.send("0")
    assert sizes == [min(size, most) for size in sizes], sizes
    assert voter.state.step == "split" and not voter.cast()


def test_a_draft_is_kept_and_resumed_the_next_day(edition: Edition) -> None:
    voter = _voter(edition)
    _to_the_ballot(voter)
    voter.send("1=30 2=50")
    voter.today += timedelta(days=1)
    screen = voter.send("2=40")  # the next day, where they left off
    assert "1 Groen € 180.000 (30%)\n2 Mobiliteit € 240.000 (40%)" in screen
    voter.send("menu")
    screen = voter.send("1")  # the vote from the menu again: the draft is there
    assert "2 Mobiliteit € 240.000 (40%)" in screen and "Nog te verdelen: € 180.000." in screen


def test_a_vote_is_shown_to_its_voter_and_changed_from_what_was_cast(edition: Edition) -> None:
    cast_split = (("culture", 400_000), ("green", 200_000))  # as the ballot store keeps it
    voter = _voter(edition, mine=MyVote(cast_on=date(2027, 4, 14), split=cast_split))
    text = _to_the_ballot(voter)
    assert "14 april 2027" in text
    assert "Cultuur € 400.000" in text
    screen = voter.send("1")  # change it: the split starts from the vote cast
    assert "1 Groen € 200.000 (33%)" in screen and "4 Cultuur € 400.000 (67%)" in screen
    assert "Nog te verdelen: € 0." in screen
    voter.send("4=200000 3=200000")
    voter.send("0")
    voter.send("JA")
    [cast] = voter.cast()
    assert cast.split == (("green", 200_000), ("youth", 200_000), ("culture", 200_000))


def test_voting_after_it_closed_is_refused_politely(edition: Edition) -> None:
    voter = _voter(edition)
    _to_the_ballot(voter)
    voter.send("1=30 2=50 3=20")
    voter.send("0")
    voter.today = date(2027, 5, 10)  # the results phase, with the vote still to confirm
    text = voter.send("JA")
    assert "9 mei 2027" in text  # when voting closed
    assert "telt niet mee" in text  # and that the split was not cast
    assert not voter.cast()
    assert "split" not in voter.state.answers  # a draft that can never count goes
    voter.state = replace(voter.state, flow="vote_vessels", step="split")
    text = voter.send("1=40")  # a split typed after closing changes nothing either
    assert "9 mei 2027" in text and not voter.cast()
    assert "split" not in voter.state.answers


# -- Telegram ---------------------------------------------------------------------------


def _tap(voter: Voter, label: str) -> str:
    return _plain(voter.send(tap=voter.labels().index(label) + 1))


def test_telegram_buttons_move_steps_and_keep_the_sum(edition: Edition) -> None:
    voter = _voter(edition, channel="telegram")
    text = _to_the_ballot(voter)  # an even split, so the sum is the total from the start
    assert "Groen € 150.000 (25%)" in text and "Cultuur € 150.000 (25%)" in text
    assert "+ geeft een thema € 30.000 meer" in text  # a twentieth: no step in the file
    assert voter.labels()[:4] == ["+ Groen", "− Groen", "+ Mobiliteit", "− Mobiliteit"]

    text = _tap(voter, "+ Groen")  # from the theme with the most: the lowest of equals
    assert text.startswith("€ 30.000 verschoven van Cultuur naar Groen.")
    assert voter.message().replaces  # the message is edited in place
    text = _tap(voter, "+ Groen")
    assert text.startswith("€ 30.000 verschoven van Jeugd naar Groen.")
    text = _tap(voter, "− Mobiliteit")  # to the theme with the least: the highest of equals
    assert text.startswith("€ 30.000 verschoven van Mobiliteit naar Jeugd.")
    assert _split(voter) == {
        "green": 210_000,
        "mobility": 120_000,
        "youth": 150_000,
        "culture": 120_000,
    }
    for _ in range(25):  # everything into one theme, and then some
        _tap(voter, "+ Groen")
        assert sum(_split(voter).values()) == TOTAL
    assert _plain(voter.message().text).startswith(
        "Het hele bedrag van € 600.000 gaat al naar Groen."
    )
    assert _tap(voter, "− Jeugd").startswith("Jeugd heeft niets meer om weg te geven.")
    _tap(voter, "− Groen")
    _tap(voter, translator("nl").gettext("Review and vote"))
    assert not voter.message().replaces  # the review is a message of its own
    voter.send(tap=1)
    [cast] = voter.cast()
    assert (cast.split, cast.voter) == ((("green", 570_000), ("mobility", 30_000)), PHONE)


def test_telegram_moves_the_edition_s_step_from_a_cast_vote(tmp_path: Path) -> None:
    edition = _vessels_edition(tmp_path, "  step: 25000\n")
    mine = MyVote(cast_on=date(2027, 4, 14), split=(("youth", 600_000),))
    voter = _voter(edition, channel="telegram", mine=mine)
    _to_the_ballot(voter)
    text = _plain(voter.send(tap=1))  # change my vote: it starts from the vote cast
    assert "Jeugd € 600.000 (100%)" in text and "€ 25.000" in text
    text = _tap(voter, "+ Cultuur")
    assert text.startswith("€ 25.000 verschoven van Jeugd naar Cultuur.")
    assert _split(voter) == {"green": 0, "mobility": 0, "youth": 575_000, "culture": 25_000}


def test_telegram_starts_evenly_from_an_sms_draft_that_does_not_add_up(edition: Edition) -> None:
    voter = _voter(edition)
    _to_the_ballot(voter)
    voter.send("1=30")  # by SMS: € 420.000 still to divide
    voter.channel = "telegram"
    voter.state = replace(voter.state, answers={**voter.state.answers, "voter_phone": PHONE})
    voter.send("menu")
    text = _plain(voter.send(tap=1))
    assert text.startswith("Je verdeling kwam niet uit op het totaal")
    assert sum(_split(voter).values()) == TOTAL


# -- through the service --------------------------------------------------------------


@pytest.fixture
async def runtime(database_url: str, tmp_path: Path) -> AsyncIterator[Runtime]:
    at_ten = datetime(2027, 4, 20, 10, tzinfo=UTC)
    made = build_runtime(
        _vessels_file(tmp_path), database_url, date(2027, 4, 20), clock=lambda: at_ten
    )
    yield made
    await made.close()


async def _send(runtime: Runtime, *texts: str) -> str:
    replies = []
    for text in texts:
        replies = await runtime.service.handle(Inbound("sms", "+32470555201", text))
    return _plain("\n".join(reply.text for reply in replies))


async def _ballots(runtime: Runtime) -> list[BallotChoices]:
    async with runtime.sessionmaker() as session:
        return await counted_ballots(session, runtime.edition.id)


async def test_a_dutch_resident_divides_the_budget_by_sms_and_changes_it(runtime: Runtime) -> None:
    await _send(runtime, "hallo", "1", "NEE", "NEE")  # Dutch, agree, no district, no age
    screen = await _send(runtime, "1", "34", "1")  # Vote, age, the first district
    assert "Nog te verdelen: € 600.000." in screen
    await _send(runtime, "1=30 2=50 3=20", "0")
    receipt = await _send(runtime, "JA")
    assert receipt.startswith("Bedankt! Je stem is binnen: het budget verdeeld over 3 thema's.")
    split = (("green", 180_000), ("mobility", 300_000), ("youth", 120_000))
    assert await _ballots(runtime) == [BallotChoices("vessels", split=split)]

    screen = await _send(runtime, "hallo", "1", "1")  # the menu, Vote, change my vote
    assert "3 Jeugd € 120.000 (20%)" in screen  # the split starts from the vote cast
    await _send(runtime, "3=0 4=120000", "0")
    receipt = await _send(runtime, "JA")
    assert receipt.startswith("Je nieuwe stem is binnen en vervangt de vorige")
    split = (("culture", 120_000), ("green", 180_000), ("mobility", 300_000))
    assert await _ballots(runtime) == [BallotChoices("vessels", split=split)]
