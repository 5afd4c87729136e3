"""A broadcast's audience: segment specs as staff write them (and the errors
they see), and who is a recipient: subscribed, reachable, not erased, not the
simulator's, by language, channel, district, intermediary and state; in id
order, chunk by chunk; on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pbbot.broadcasts.audience import (
    Recipient,
    Segment,
    SegmentError,
    count_recipients,
    parse_segment,
    recipients,
)
from pbbot.config.edition_file import load_edition
from pbbot.ideas.tables import Idea
from pbbot.storage.audiences import IdRange, resident_states
from pbbot.storage.tables import Conversation, Resident
from pbbot.voting.casting import BallotChoices, cast_ballot, void_voter

EDITION = load_edition(Path(__file__).resolve().parents[2] / "examples" / "mechelen-2027.yaml")
NOW = datetime(2027, 4, 20, 9, 0, tzinfo=UTC)
Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture(autouse=True)
def ballot_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PBBOT_BALLOT_KEY", "k3y-for-the-audience-tests-0123456789")


# -- segment specs -------------------------------------------------------------------


def test_no_spec_is_everyone() -> None:
    segment = parse_segment([], EDITION)
    assert segment == Segment()
    assert segment.describe() == "everyone"


def test_commas_mean_any_of_and_specs_must_all_hold() -> None:
    segment = parse_segment(
        ["language=TR, ar", "channel=sms", "state=not_voted,sent_idea"], EDITION
    )
    assert segment.languages == frozenset({"tr", "ar"})
    assert segment.channels == frozenset({"sms"})
    assert segment.states == (frozenset({"not_voted", "sent_idea"}),)
    assert segment.describe() == "language=TR, ar; channel=sms; state=not_voted,sent_idea"


def test_a_key_twice_keeps_what_both_name_and_states_twice_must_both_hold() -> None:
    segment = parse_segment(
        ["language=nl,fr", "language=fr,en", "state=not_voted", "state=basket_draft"], EDITION
    )
    assert segment.languages == frozenset({"fr"})
    assert segment.states == (frozenset({"not_voted"}), frozenset({"basket_draft"}))


def test_districts_are_spelled_as_the_edition_spells_them() -> None:
    segment = parse_segment(["district=nekkerspoel,Heffen", "intermediary=library-2"], EDITION)
    assert segment.districts == frozenset({"Nekkerspoel", "Heffen"})
    assert segment.intermediaries == frozenset({"library-2"})


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("language=xx", "--segment: language=xx is not one of nl, fr, en, tr, ar"),
        ("channel=whatsapp", "--segment: channel=whatsapp is not one of sms, telegram"),
        (
            "district=Brussel",
            "--segment: district=Brussel is not one of Centrum, Nekkerspoel, Battel, Heffen, "
            "Hombeek, Leest, Muizen, Walem",
        ),
        (
            "state=happy",
            "--segment: state=happy is not one of sent_idea, not_voted, basket_draft",
        ),
        (
            "intermediary=la bibliothèque",
            "--segment: intermediary=la bibliothèque is not a /start code "
            "(letters, digits, _ and -)",
        ),
        (
            "age=30",
            "--segment: 'age=30' is not KEY=VALUE with a key of language, channel, district, "
            "intermediary, state",
        ),
        (
            "language",
            "--segment: 'language' is not KEY=VALUE with a key of language, channel, "
            "district, intermediary, state",
        ),
        ("language=", "--segment: language= names no value"),
    ],
)
def test_a_wrong_spec_says_what_is_wrong(spec: str, message: str) -> None:
    with pytest.raises(SegmentError) as raised:
        parse_segment([spec], EDITION)
    assert str(raised.value) == message


def test_a_reminder_goes_only_to_those_it_is_true_of() -> None:
    """ "You have not voted yet" never reaches a voter, however staff narrow it."""
    reminder = parse_segment(["channel=sms"], EDITION, message="voting_reminder")
    assert reminder.states == (frozenset({"not_voted"}),)
    assert reminder.channels == frozenset({"sms"})
    draft = parse_segment([], EDITION, message="basket_reminder")
    assert draft.describe() == "state=basket_draft"
    # Named already: not twice; and other messages go to whom staff say.
    assert parse_segment(["state=not_voted"], EDITION, message="voting_reminder").states == (
        frozenset({"not_voted"}),
    )
    assert parse_segment([], EDITION, message="voting").everyone


def test_a_reminder_s_wrong_audience_names_its_file_and_line() -> None:
    with pytest.raises(SegmentError) as raised:
        parse_segment(["state=not_vote"], EDITION, source="mechelen-2027.yaml", line=70)
    assert str(raised.value) == (
        "mechelen-2027.yaml:70: state=not_vote is not one of sent_idea, not_voted, basket_draft"
    )


def test_two_specs_no_one_can_match_are_refused() -> None:
    with pytest.raises(SegmentError, match="no value in common"):
        parse_segment(["language=nl", "language=fr"], EDITION)


def test_a_segment_survives_its_json() -> None:
    segment = parse_segment(
        ["language=tr,ar", "district=Heffen", "state=not_voted", "state=basket_draft"], EDITION
    )
    assert Segment.from_json(segment.to_json()) == segment
    assert Segment.from_json(Segment().to_json()) == Segment()


def test_the_features_register_their_states_with_labels() -> None:
    states = resident_states()
    assert {name: state.label for name, state in states.items()} == {
        "sent_idea": "sent an idea",
        "not_voted": "has not voted",
        "basket_draft": "started choosing but did not vote",
    }


def test_an_id_range_is_above_after_up_to_last() -> None:
    within = IdRange(3, 5)
    assert [n for n in range(8) if n in within] == [4, 5]
    assert 10**9 in IdRange(3)


# -- recipients ----------------------------------------------------------------------


@dataclass
class Person:
    channel: str = "telegram"
    locale: str | None = "nl"
    subscribed: bool = True
    unreachable: bool = False
    erased: bool = False
    start_param: str | None = None
    answers: dict[str, Any] = field(default_factory=dict)
    edition: str | None = None  # the edition the answers belong to (None: stored before any)


async def add(sessions: Sessions, *people: Person) -> list[int]:
    """Store the residents in this order (ids grow), with their answers; their ids."""
    async with sessions.begin() as session:
        ids = []
        for index, person in enumerate(people):
            sms = person.channel.endswith("sms")
            resident_id = await session.scalar(
                insert(Resident)
                .values(
                    channel=person.channel,
                    address=f"+3247000{index:04d}" if sms else str(7_000_000 + index),
                    locale=person.locale,
                    created_at=NOW,
                    subscribed=person.subscribed,
                    unreachable=person.unreachable,
                    start_param=person.start_param,
                    erased_at=NOW if person.erased else None,
                )
                .returning(Resident.id)
            )
            assert resident_id is not None
            ids.append(resident_id)
            if person.answers:
                state = {"locale": person.locale, "answers": person.answers}
                if person.edition is not None:
                    state["edition"] = person.edition
                await session.execute(
                    insert(Conversation).values(
                        resident_id=resident_id, state=state, updated_at=NOW, version=1
                    )
                )
        return ids


async def everyone(sessions: Sessions, *specs: str, limit: int = 1000) -> list[Recipient]:
    async with sessions() as session:
        return await recipients(session, EDITION, parse_segment(specs, EDITION), limit=limit)


async def counted(sessions: Sessions, *specs: str) -> Counter[tuple[str, str]]:
    async with sessions() as session:
        return await count_recipients(session, EDITION, parse_segment(specs, EDITION))


async def test_only_subscribed_reachable_live_residents_receive(sessionmaker: Sessions) -> None:
    ids = await add(
        sessionmaker,
        Person("telegram", "fr"),
        Person("sms", "tr"),
        Person("sms", subscribed=False),  # sent STOP
        Person("telegram", unreachable=True),  # blocked the bot
        Person("telegram", erased=True),  # erased everything, row not gone yet
        Person("sms", answers={"consent_declined": True}),  # said no to the privacy notice
        Person("sim-sms"),  # the simulator's
        Person("sim-telegram"),
    )
    ids += await add(sessionmaker, Person("sms", answers={"consent": "2027-02-02"}))
    found = await everyone(sessionmaker)
    assert found == [
        Recipient(ids[0], "telegram", "7000000", "fr"),
        Recipient(ids[1], "sms", "+32470000001", "tr"),
        Recipient(ids[-1], "sms", "+32470000000", "nl"),
    ]
    assert await counted(sessionmaker) == Counter(
        {("telegram", "fr"): 1, ("sms", "tr"): 1, ("sms", "nl"): 1}
    )


async def test_without_a_language_of_the_edition_residents_read_the_default(
    sessionmaker: Sessions,
) -> None:
    ids = await add(sessionmaker, Person(locale=None), Person(locale="de"), Person(locale="ar"))
    assert [r.locale for r in await everyone(sessionmaker)] == ["nl", "nl", "ar"]
    # They count as Dutch readers for a segment too.
    assert [r.resident_id for r in await everyone(sessionmaker, "language=nl")] == ids[:2]
    assert [r.resident_id for r in await everyone(sessionmaker, "language=ar,fr")] == ids[2:]
    assert await counted(sessionmaker, "language=nl") == Counter({("telegram", "nl"): 2})


async def test_by_channel_district_and_intermediary(sessionmaker: Sessions) -> None:
    ids = await add(
        sessionmaker,
        Person("sms", answers={"district": "Heffen"}),
        Person("telegram", answers={"district": "Heffen"}, start_param="library"),
        Person("telegram", answers={"district": "Battel"}, start_param="library"),
        Person("sms", start_param="market"),  # never said where they live
    )
    assert [r.resident_id for r in await everyone(sessionmaker, "channel=sms")] == [ids[0], ids[3]]
    assert [r.resident_id for r in await everyone(sessionmaker, "district=heffen")] == ids[:2]
    assert [r.resident_id for r in await everyone(sessionmaker, "intermediary=library")] == ids[1:3]
    found = await everyone(sessionmaker, "district=Heffen,Battel", "intermediary=library")
    assert [r.resident_id for r in found] == ids[1:3]
    assert await counted(sessionmaker, "district=Heffen") == Counter(
        {("sms", "nl"): 1, ("telegram", "nl"): 1}
    )


async def test_chunks_in_id_order_cover_everyone_once(sessionmaker: Sessions) -> None:
    ids = await add(sessionmaker, *[Person(subscribed=n % 3 != 0) for n in range(10)])
    wanted = [resident for n, resident in enumerate(ids) if n % 3 != 0]
    seen: list[int] = []
    after = 0
    async with sessionmaker() as session:
        while chunk := await recipients(session, EDITION, Segment(), after_id=after, limit=3):
            assert len(chunk) == 3 or len(seen) + len(chunk) == len(wanted)
            seen += [r.resident_id for r in chunk]
            after = chunk[-1].resident_id
    assert seen == wanted


# -- states --------------------------------------------------------------------------


async def add_idea(sessions: Sessions, author: int, number: int, edition: str = EDITION.id) -> None:
    async with sessions.begin() as session:
        await session.execute(
            insert(Idea).values(
                edition_id=edition,
                number=number,
                author_id=author,
                title="Bankjes aan de Dijle",
                description="Meer bankjes langs het water.",
                status="rejected",
                created_at=NOW,
            )
        )


async def vote(sessions: Sessions, phone: str, edition: str = EDITION.id) -> None:
    async with sessions.begin() as session:
        choices = BallotChoices("basket", projects=(3, 7))
        await cast_ballot(
            session, edition_id=edition, voter=phone, choices=choices, day=date(2027, 4, 20)
        )


async def test_sent_idea_is_any_idea_of_this_edition(sessionmaker: Sessions) -> None:
    ids = await add(sessionmaker, Person(), Person(), Person(), Person())
    await add_idea(sessionmaker, ids[0], 1)
    await add_idea(sessionmaker, ids[0], 2)  # two ideas: one recipient
    await add_idea(sessionmaker, ids[2], 3)  # rejected, still sent
    await add_idea(sessionmaker, ids[3], 1, edition="mechelen-2026")
    found = await everyone(sessionmaker, "state=sent_idea")
    assert [r.resident_id for r in found] == [ids[0], ids[2]]


async def test_not_voted_knows_voters_on_both_channels(sessionmaker: Sessions) -> None:
    ids = await add(
        sessionmaker,
        Person("sms"),  # +32470000000 votes by SMS
        Person("sms"),  # +32470000001 does not
        Person("telegram", answers={"voter_phone": "+32471111111"}),  # votes on Telegram
        Person("telegram", answers={"voter_phone": "+32470000001"}),  # shared, did not vote
        Person("telegram"),  # never shared a number: has not voted as far as anyone knows
        Person("sms"),  # +32470000005: voted, then staff voided the vote
        Person("sms"),  # +32470000006: voted in last year's edition only
    )
    async with sessionmaker() as session:
        assert await resident_states()["not_voted"].query(session, EDITION.id) == set(ids)
    await vote(sessionmaker, "+32470000000")
    await vote(sessionmaker, "+32471111111")
    await vote(sessionmaker, "+32470000005")
    await vote(sessionmaker, "+32470000006", edition="mechelen-2026")
    async with sessionmaker.begin() as session:
        await void_voter(session, edition_id=EDITION.id, voter="+32470000005")
    found = await everyone(sessionmaker, "state=not_voted")
    assert [r.resident_id for r in found] == [ids[1], ids[3], ids[4], ids[6]]
    # Chunk by chunk, the same residents.
    async with sessionmaker() as session:
        query = resident_states()["not_voted"].query
        assert await query(session, EDITION.id, IdRange(ids[0], ids[3])) == {ids[1], ids[3]}


async def test_basket_draft_is_a_started_choice_not_cast(sessionmaker: Sessions) -> None:
    ids = await add(
        sessionmaker,
        Person("sms", answers={"ballot": [3, 7]}),  # chose two projects, did not cast
        Person("sms", answers={"ballot": []}),  # took them out again: nothing started
        Person("telegram", answers={"ballot": None}),  # cast: the draft went
        Person("telegram", answers={"split": {"green": 300000, "youth": 0}}),  # vessels
        Person("telegram", answers={"split": {"green": 0}}),
        Person("sms", answers={"ballot": [12]}),  # +32470000005 voted, changing their vote
        Person("telegram", answers={"ballot": [5], "voter_phone": "+32479999999"}),
        Person("sms", answers={"ballot": [4]}, edition="mechelen-2025"),  # last round's draft
        Person("sms", answers={"ballot": [4]}, edition=EDITION.id),
    )
    await vote(sessionmaker, "+32470000005")
    found = await everyone(sessionmaker, "state=basket_draft")
    assert [r.resident_id for r in found] == [ids[0], ids[3], ids[6], ids[8]]
    # Both states: a draft and not voted; or either.
    await vote(sessionmaker, "+32479999999")
    both = await everyone(sessionmaker, "state=basket_draft", "state=not_voted")
    assert [r.resident_id for r in both] == [ids[0], ids[3], ids[8]]
    either = await counted(sessionmaker, "state=basket_draft,sent_idea", "channel=telegram")
    assert either == Counter({("telegram", "nl"): 1})


async def test_a_state_segment_in_chunks_matches_its_count(sessionmaker: Sessions) -> None:
    ids = await add(sessionmaker, *[Person("sms") for _ in range(9)])
    for n in (0, 1, 2, 3, 7):  # the first four voted: a whole chunk with nobody in the state
        await vote(sessionmaker, f"+3247000{n:04d}")
    seen: list[int] = []
    after = 0
    segment = parse_segment(["state=not_voted"], EDITION)
    async with sessionmaker() as session:
        while chunk := await recipients(session, EDITION, segment, after_id=after, limit=2):
            seen += [r.resident_id for r in chunk]
            after = chunk[-1].resident_id
    assert seen == [ids[4], ids[5], ids[6], ids[8]]
    assert await counted(sessionmaker, "state=not_voted") == Counter({("sms", "nl"): 4})
