"""The secret ballot store: one ballot per voter, kept apart from who cast it.

A ballot row holds the choices, "chat" or "paper", and the day it was cast:
no voter, no time of day, and a random id, so neither a sequence nor a time
can be matched with the conversation log. Projects are stored in number order,
not in the order chosen, which could echo a resident's own order of the list.
A chat voter (their E.164 number) reaches their ballot only through their
`VoterLink`, a keyed hash (`pbbot.voting.secret`), kept so that a new vote
replaces the old one: the old row is deleted and a fresh one inserted, so no
history of changes remains. Staff can void a voter: their ballot is deleted
and the number cannot vote again in that edition.

Everything runs in the caller's transaction and never commits. The same
number casting from two channels at once is one ballot in the end: the link
row is unique, and each cast locks it (`SELECT ... FOR UPDATE` on PostgreSQL;
SQLite runs one transaction at a time).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pbbot.storage.repositories import insert_new_rows
from pbbot.voting.secret import ballot_key, voter_link
from pbbot.voting.tables import Ballot, VoterLink

__all__ = [
    "BALLOT_METHODS",
    "BallotChoices",
    "BallotCounts",
    "CastOutcome",
    "MyBallot",
    "ballot_row",
    "cast_ballot",
    "count_ballots",
    "counted_ballots",
    "forget_voter",
    "my_ballot",
    "store_ballots",
    "void_voter",
]

BALLOT_METHODS: tuple[str, ...] = ("basket", "approval", "pick_n", "vessels")
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")


@dataclass(frozen=True)
class BallotChoices:
    """What a ballot says: project numbers (basket, approval, pick_n) or a split
    of whole euros per theme id (vessels)."""

    method: str
    projects: tuple[int, ...] = ()
    split: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class CastOutcome:
    """`replaced`: this voter's earlier ballot was replaced; `refused`: nothing stored."""

    replaced: bool
    refused: Literal["voided"] | None = None


@dataclass(frozen=True)
class MyBallot:
    """A voter's own ballot, for them alone. A voided voter's has no choices
    (their ballot is gone), and `cast_on` is then the day staff voided it."""

    choices: BallotChoices
    cast_on: date
    voided: bool


@dataclass(frozen=True, slots=True)
class BallotCounts:
    """How many ballots, never what is on them."""

    chat: int
    paper: int
    voided: int  # voters staff voided

    @property
    def counted(self) -> int:
        return self.chat + self.paper


def _normalized(choices: BallotChoices) -> BallotChoices:
    if choices.method not in BALLOT_METHODS:
        raise ValueError(f"unknown ballot method {choices.method!r}")
    if choices.method == "vessels":
        if choices.projects:
            raise ValueError("a vessels ballot is a split, not projects")
        themes = [theme for theme, _ in choices.split]
        if len(set(themes)) != len(themes) or any(amount < 0 for _, amount in choices.split):
            raise ValueError(f"a theme twice, or below 0: {choices.split}")
        split = tuple(sorted((theme, int(amount)) for theme, amount in choices.split if amount))
        return BallotChoices("vessels", split=split)
    if choices.split:
        raise ValueError(f"a {choices.method} ballot is projects, not a split")
    if len(set(choices.projects)) != len(choices.projects):
        raise ValueError(f"a project twice: {choices.projects}")
    return BallotChoices(choices.method, projects=tuple(sorted(choices.projects)))


def _check_voter(voter: str) -> None:
    if not _E164.fullmatch(voter):
        # Not the number itself in the message: it may be one, badly written.
        raise ValueError("a voter is an E.164 phone number (+32470123456)")


def ballot_row(
    *,
    edition_id: str,
    choices: BallotChoices,
    day: date,
    source: Literal["chat", "paper"] = "chat",
    entered_by: str | None = None,
    entered_on: date | None = None,
) -> dict[str, Any]:
    """A ballot's row, with a fresh random id and nothing of the voter."""
    choices = _normalized(choices)
    return {
        "id": uuid.uuid4().hex,
        "edition_id": edition_id,
        "method": choices.method,
        "projects": list(choices.projects),
        "split": [list(pair) for pair in choices.split],
        "source": source,
        "cast_on": day,
        "entered_by": entered_by,
        "entered_on": entered_on,
    }


async def store_ballots(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Insert `ballot_row`s, in one statement."""
    if rows:
        await session.execute(insert(Ballot), rows)


async def _link(session: AsyncSession, edition_id: str, voter: str) -> str:
    _check_voter(voter)
    return voter_link(await ballot_key(session), edition_id, voter)


async def _locked(
    session: AsyncSession, edition_id: str, link: str
) -> tuple[str | None, bool] | None:
    """The link's (ballot id, voided), locked until the transaction ends; None if absent."""
    statement = (
        select(VoterLink.ballot_id, VoterLink.voided)
        .where(VoterLink.edition_id == edition_id, VoterLink.link == link)
        .with_for_update()
    )
    row = (await session.execute(statement)).one_or_none()
    return None if row is None else (row[0], row[1])


async def cast_ballot(
    session: AsyncSession, *, edition_id: str, voter: str, choices: BallotChoices, day: date
) -> CastOutcome:
    """Store `voter`'s ballot, replacing theirs if they voted before; refused if voided."""
    choices = _normalized(choices)
    link = await _link(session, edition_id, voter)
    # Two casts by one number at once: the second insert waits for the first
    # transaction and does nothing; the lock below then sees its ballot.
    await insert_new_rows(
        session,
        VoterLink,
        ("edition_id", "link"),
        [{"edition_id": edition_id, "link": link, "ballot_id": None, "voided": False}],
    )
    locked = await _locked(session, edition_id, link)
    assert locked is not None, "inserted just now, or by another transaction before"
    old_ballot, voided = locked
    if voided:
        return CastOutcome(replaced=False, refused="voided")
    if old_ballot is not None:
        await session.execute(
            delete(Ballot)
            .where(Ballot.id == old_ballot)
            .execution_options(synchronize_session=False)
        )
    row = ballot_row(edition_id=edition_id, choices=choices, day=day)
    await store_ballots(session, [row])
    new_ballot = row["id"]
    await session.execute(
        update(VoterLink)
        .where(VoterLink.edition_id == edition_id, VoterLink.link == link)
        .values(ballot_id=new_ballot)
        .execution_options(synchronize_session=False)
    )
    return CastOutcome(replaced=old_ballot is not None)


async def my_ballot(session: AsyncSession, *, edition_id: str, voter: str) -> MyBallot | None:
    """The ballot `voter` cast in the edition, or None if they have not voted."""
    link = await _link(session, edition_id, voter)
    found = (
        await session.execute(
            select(VoterLink.ballot_id, VoterLink.voided, VoterLink.voided_on).where(
                VoterLink.edition_id == edition_id, VoterLink.link == link
            )
        )
    ).one_or_none()
    if found is None:
        return None
    ballot_id, voided, voided_on = found
    if voided:
        return MyBallot(BallotChoices(method=""), cast_on=voided_on or date.today(), voided=True)
    if ballot_id is None:
        return None
    ballot = await session.get(Ballot, ballot_id, populate_existing=True)
    assert ballot is not None, "the link's ballot is kept while the link points at it"
    return MyBallot(_choices(ballot.method, ballot.projects, ballot.split), ballot.cast_on, False)


async def void_voter(
    session: AsyncSession, *, edition_id: str, voter: str, day: date | None = None
) -> bool:
    """Delete `voter`'s ballot for good: it no longer counts and they cannot vote again.

    False (and nothing changes) when the number has no ballot in the edition,
    never voted or was voided before.
    """
    link = await _link(session, edition_id, voter)
    locked = await _locked(session, edition_id, link)
    if locked is None or locked[1] or locked[0] is None:
        return False
    ballot_id = locked[0]
    await session.execute(
        update(VoterLink)
        .where(VoterLink.edition_id == edition_id, VoterLink.link == link)
        .values(ballot_id=None, voided=True, voided_on=day or date.today())
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        delete(Ballot).where(Ballot.id == ballot_id).execution_options(synchronize_session=False)
    )
    return True


async def forget_voter(
    session: AsyncSession, *, edition_id: str, voter: str, keep_ballot: bool
) -> None:
    """A voter who erased their data: the link to their number goes, so nobody
    with that number can see or change the ballot. While the count is still to
    come the ballot goes too (`keep_ballot=False`): the vote is withdrawn, and
    the number may vote again. Once results are published the ballot stays,
    anonymous, in the count it is part of. A voided voter's link stays: it
    names no choice, and it keeps the number from voting again."""
    link = await _link(session, edition_id, voter)
    locked = await _locked(session, edition_id, link)
    if locked is None or locked[1]:
        return
    await session.execute(
        delete(VoterLink)
        .where(VoterLink.edition_id == edition_id, VoterLink.link == link)
        .execution_options(synchronize_session=False)
    )
    if locked[0] is not None and not keep_ballot:
        await session.execute(
            delete(Ballot)
            .where(Ballot.id == locked[0])
            .execution_options(synchronize_session=False)
        )


def _choices(method: str, projects: list[int], split: list[Any]) -> BallotChoices:
    return BallotChoices(
        method,
        projects=tuple(int(number) for number in projects),
        split=tuple((str(theme), int(amount)) for theme, amount in split),
    )


async def counted_ballots(session: AsyncSession, edition_id: str) -> list[BallotChoices]:
    """Every ballot that counts in the edition, chat and paper (voided ones are gone)."""
    rows = await session.execute(
        select(Ballot.method, Ballot.projects, Ballot.split)
        .where(Ballot.edition_id == edition_id)
        .order_by(Ballot.id)  # random ids: an order that says nothing
    )
    return [_choices(method, projects, split) for method, projects, split in rows]


async def count_ballots(session: AsyncSession, edition_id: str) -> BallotCounts:
    """How many chat and paper ballots count, and how many voters were voided."""
    by_source = dict(
        (
            await session.execute(
                select(Ballot.source, func.count())
                .where(Ballot.edition_id == edition_id)
                .group_by(Ballot.source)
            )
        ).all()
    )
    voided = await session.scalar(
        select(func.count())
        .select_from(VoterLink)
        .where(VoterLink.edition_id == edition_id, VoterLink.voided)
    )
    return BallotCounts(by_source.get("chat", 0), by_source.get("paper", 0), voided or 0)
