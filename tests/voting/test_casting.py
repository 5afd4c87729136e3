"""The ballot store: one ballot per number, replaced by a new vote, gone when
voided; the same number from two channels at once is one ballot; the key of
the links from the settings or the database; on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import logging
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pbbot.errors import SettingsError
from pbbot.settings import load_settings
from pbbot.storage.tables import InstallationSecret
from pbbot.voting import secret
from pbbot.voting.casting import (
    BallotChoices,
    BallotCounts,
    CastOutcome,
    MyBallot,
    cast_ballot,
    count_ballots,
    counted_ballots,
    my_ballot,
    void_voter,
)
from pbbot.voting.tables import Ballot, VoterLink

Sessions = async_sessionmaker[AsyncSession]
EDITION = "mechelen-2027"
KEY = "k3y-for-the-tests-only-0123456789abcdef"
ANNA, BRAM = "+32470123456", "+32470654321"
DAY = date(2027, 4, 20)
BASKET = BallotChoices("basket", projects=(12, 3, 7))


@pytest.fixture(autouse=True)
def ballot_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PBBOT_BALLOT_KEY", KEY)


async def cast(
    sessions: Sessions,
    voter: str,
    choices: BallotChoices = BASKET,
    *,
    day: date = DAY,
    edition: str = EDITION,
) -> CastOutcome:
    async with sessions.begin() as session:
        return await cast_ballot(session, edition_id=edition, voter=voter, choices=choices, day=day)


async def mine(sessions: Sessions, voter: str, edition: str = EDITION) -> MyBallot | None:
    async with sessions() as session:
        return await my_ballot(session, edition_id=edition, voter=voter)


async def counted(sessions: Sessions, edition: str = EDITION) -> list[BallotChoices]:
    async with sessions() as session:
        return await counted_ballots(session, edition)


async def void(sessions: Sessions, voter: str) -> bool:
    async with sessions.begin() as session:
        return await void_voter(session, edition_id=EDITION, voter=voter, day=date(2027, 5, 2))


async def rows(sessions: Sessions) -> tuple[int, int]:
    async with sessions() as session:
        ballots = await session.scalar(select(func.count()).select_from(Ballot))
        links = await session.scalar(select(func.count()).select_from(VoterLink))
    return ballots or 0, links or 0


async def test_a_cast_ballot_counts_and_its_voter_can_see_it(sessionmaker: Sessions) -> None:
    assert await cast(sessionmaker, ANNA) == CastOutcome(replaced=False)

    # In number order: the order chosen could echo the resident's own list order.
    stored = BallotChoices("basket", projects=(3, 7, 12))
    assert await mine(sessionmaker, ANNA) == MyBallot(stored, cast_on=DAY, voided=False)
    assert await mine(sessionmaker, BRAM) is None
    assert await counted(sessionmaker) == [stored]


async def test_a_new_vote_replaces_the_old_one_and_says_so(sessionmaker: Sessions) -> None:
    await cast(sessionmaker, ANNA)
    async with sessionmaker() as session:
        first_id = await session.scalar(select(Ballot.id))
    changed = BallotChoices("basket", projects=(5,))

    assert await cast(sessionmaker, ANNA, changed, day=date(2027, 4, 22)) == CastOutcome(
        replaced=True
    )

    assert await counted(sessionmaker) == [changed]
    assert await mine(sessionmaker, ANNA) == MyBallot(changed, date(2027, 4, 22), voided=False)
    async with sessionmaker() as session:
        ballot_id = await session.scalar(select(Ballot.id))
    assert ballot_id != first_id  # a fresh row: nothing tells it was changed
    assert await rows(sessionmaker) == (1, 1)


async def test_a_voided_voter_no_longer_counts_and_cannot_vote_again(
    sessionmaker: Sessions,
) -> None:
    await cast(sessionmaker, ANNA)
    await cast(sessionmaker, BRAM, BallotChoices("basket", projects=(4,)))

    assert await void(sessionmaker, ANNA) is True

    assert await counted(sessionmaker) == [BallotChoices("basket", projects=(4,))]
    assert await mine(sessionmaker, ANNA) == MyBallot(
        BallotChoices(method=""), cast_on=date(2027, 5, 2), voided=True
    )
    assert await cast(sessionmaker, ANNA) == CastOutcome(replaced=False, refused="voided")
    assert await counted(sessionmaker) == [BallotChoices("basket", projects=(4,))]
    assert await void(sessionmaker, ANNA) is False  # nothing left to void
    async with sessionmaker() as session:
        assert await count_ballots(session, EDITION) == BallotCounts(chat=1, paper=0, voided=1)


async def test_voiding_a_number_that_never_voted_changes_nothing(sessionmaker: Sessions) -> None:
    assert await void(sessionmaker, ANNA) is False

    assert await rows(sessionmaker) == (0, 0)
    assert await cast(sessionmaker, ANNA) == CastOutcome(replaced=False)


async def test_each_edition_has_its_own_ballot(sessionmaker: Sessions) -> None:
    await cast(sessionmaker, ANNA)

    assert await cast(sessionmaker, ANNA, edition="mechelen-2029") == CastOutcome(replaced=False)

    assert len(await counted(sessionmaker)) == 1
    assert len(await counted(sessionmaker, "mechelen-2029")) == 1


async def test_a_split_is_kept_by_theme_without_its_empty_themes(sessionmaker: Sessions) -> None:
    split = BallotChoices("vessels", split=(("mobility", 250000), ("green", 350000), ("youth", 0)))

    await cast(sessionmaker, ANNA, split)

    stored = BallotChoices("vessels", split=(("green", 350000), ("mobility", 250000)))
    assert await counted(sessionmaker) == [stored]
    ballot = await mine(sessionmaker, ANNA)
    assert ballot is not None and ballot.choices == stored


async def test_the_same_number_voting_on_two_channels_at_once_is_one_ballot(
    sessionmaker: Sessions,
) -> None:
    telegram = BallotChoices("basket", projects=(1, 2))
    sms = BallotChoices("basket", projects=(9,))

    async with sessionmaker.begin() as first:
        assert await cast_ballot(
            first, edition_id=EDITION, voter=ANNA, choices=telegram, day=DAY
        ) == CastOutcome(replaced=False)
        second = asyncio.create_task(cast(sessionmaker, ANNA, sms))
        await asyncio.sleep(0.3)
        # PostgreSQL: waits for the first's link row; SQLite: for the one connection.
        assert not second.done()

    assert await second == CastOutcome(replaced=True)
    assert await counted(sessionmaker) == [sms]
    assert await rows(sessionmaker) == (1, 1)


async def test_two_changes_of_one_vote_at_once_leave_one_ballot(sessionmaker: Sessions) -> None:
    # Without the link's row lock, both would replace the same old ballot and
    # each insert its own new one: two ballots for one number.
    await cast(sessionmaker, ANNA)
    changes = [BallotChoices("basket", projects=(n,)) for n in range(1, 9)]

    outcomes = await asyncio.gather(*(cast(sessionmaker, ANNA, c) for c in changes))

    assert outcomes == [CastOutcome(replaced=True)] * len(changes)
    assert len(await counted(sessionmaker)) == 1
    assert await rows(sessionmaker) == (1, 1)


async def test_a_voter_is_a_phone_number_in_e164(sessionmaker: Sessions) -> None:
    async with sessionmaker.begin() as session:
        for not_e164 in ("412345678", "0470123456", "+32 470 12 34 56"):
            with pytest.raises(ValueError, match=r"E\.164"):
                await cast_ballot(
                    session, edition_id=EDITION, voter=not_e164, choices=BASKET, day=DAY
                )


def test_a_short_ballot_key_is_refused_by_the_settings() -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings({"PBBOT_BALLOT_KEY": "too-short"})

    assert refused.value.source == "PBBOT_BALLOT_KEY"
    assert "at least 32 characters, got 9" in str(refused.value)
    assert "too-short" not in str(refused.value)
    assert load_settings({"PBBOT_BALLOT_KEY": KEY}).ballot_key == KEY
    assert KEY not in repr(load_settings({"PBBOT_BALLOT_KEY": KEY}))


async def test_casting_with_a_short_key_is_refused(
    sessionmaker: Sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PBBOT_BALLOT_KEY", "x" * 31)

    with pytest.raises(SettingsError, match="at least 32 characters"):
        await cast(sessionmaker, ANNA)

    assert await rows(sessionmaker) == (0, 0)


async def test_without_a_key_the_database_keeps_one_and_a_warning_says_so(
    sessionmaker: Sessions, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("PBBOT_BALLOT_KEY")
    monkeypatch.setattr(secret, "_warned", False)

    with caplog.at_level(logging.WARNING, logger="pbbot.voting.secret"):
        await cast(sessionmaker, ANNA)
        assert await cast(sessionmaker, ANNA) == CastOutcome(replaced=True)

    (warning,) = [r.getMessage() for r in caplog.records if r.name == "pbbot.voting.secret"]
    assert "kept in the database, next to the ballots" in warning
    async with sessionmaker() as session:
        key = await session.scalar(
            select(InstallationSecret.value).where(InstallationSecret.name == "ballot-key")
        )
        link = await session.scalar(select(VoterLink.link))
    assert key is not None and len(key) == 32
    assert link == secret.voter_link(key, EDITION, ANNA)


async def test_a_key_made_in_a_transaction_that_rolled_back_is_not_used_again(
    sessionmaker: Sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PBBOT_BALLOT_KEY")
    async with sessionmaker() as session:
        await cast_ballot(session, edition_id=EDITION, voter=ANNA, choices=BASKET, day=DAY)
        await session.rollback()

    assert await cast(sessionmaker, ANNA) == CastOutcome(replaced=False)
    assert await cast(sessionmaker, ANNA) == CastOutcome(replaced=True)
    assert await rows(sessionmaker) == (1, 1)


async def test_another_key_is_refused_once_someone_voted(
    sessionmaker: Sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Before the first vote a new key simply takes over.
    async with sessionmaker.begin() as session:
        await secret.ballot_key(session)
    monkeypatch.setenv("PBBOT_BALLOT_KEY", KEY[::-1])
    await cast(sessionmaker, ANNA)

    monkeypatch.setenv("PBBOT_BALLOT_KEY", KEY)

    # With another key Anna's link would lead nowhere and she could vote twice.
    with pytest.raises(SettingsError, match="not the key the votes so far were cast with"):
        await cast(sessionmaker, ANNA)
    monkeypatch.setenv("PBBOT_BALLOT_KEY", KEY[::-1])
    assert await cast(sessionmaker, ANNA) == CastOutcome(replaced=True)
