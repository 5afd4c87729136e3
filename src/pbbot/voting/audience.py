"""Voting's resident states for broadcasts (`pbbot.storage.audiences`).

- "not_voted": no ballot of theirs counts in the edition. A voter is a phone
  number (`voting.voters`): an SMS resident's own, a Telegram resident's
  shared one; a Telegram resident who shared none has not voted (as far as
  anyone can tell). A voter staff voided has voted: they cannot vote again,
  so a reminder would only confuse them.
- "basket_draft": started choosing (a draft in their conversation:
  `voting.choosing.DRAFT` for a list of projects, `voting.vessels.DRAFT` for
  a split) and never cast it. A voter changing a vote they cast is not in
  it: their vote counts.

Ballots are found only through voter links (`voting.secret`), so the states
make each resident's link and look it up; nothing learns what anyone chose.
Links are made only when some exist: before anyone voted, no key is read
(nor made).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Set
from typing import Any

from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from pbbot.i18n.catalogs import N_
from pbbot.storage.audiences import EVERYONE, LIVE_CHANNELS, IdRange, resident_state
from pbbot.storage.tables import Conversation, Resident
from pbbot.voting import choosing, vessels
from pbbot.voting.eligibility import PHONE_ANSWER
from pbbot.voting.secret import ballot_key, voter_link
from pbbot.voting.tables import VoterLink

__all__ = ["basket_draft", "not_voted"]

# Above this many numbers, reading every link of the edition beats asking for each.
_LOOKUP_MOST = 2_000
_LOOKUP_BATCH = 1_000


def _answer(name: str) -> ColumnElement[Any]:
    return Conversation.state[("answers", name)]


def _residents(within: IdRange, *columns: ColumnElement[Any]) -> Select[Any]:
    """Live residents in the range: id, channel, address, shared number, `columns`."""
    return (
        select(
            Resident.id,
            Resident.channel,
            Resident.address,
            Conversation.state[("answers", PHONE_ANSWER)].as_string(),
            *columns,
        )
        .outerjoin(Conversation, Conversation.resident_id == Resident.id)
        .where(Resident.channel.in_(LIVE_CHANNELS), within.clause(Resident.id))
    )


def _number(channel: str, address: str, shared: str | None) -> str | None:
    return address if channel == "sms" else shared or None


async def _voted(session: AsyncSession, edition_id: str, numbers: Mapping[int, str]) -> set[int]:
    """The residents among `numbers` (resident id -> number) whose number voted."""
    has_voted = or_(VoterLink.ballot_id.is_not(None), VoterLink.voided)
    of_edition = select(VoterLink.link).where(VoterLink.edition_id == edition_id, has_voted)
    if not numbers or await session.scalar(of_edition.limit(1)) is None:
        return set()
    key = await ballot_key(session)
    links = {resident: voter_link(key, edition_id, number) for resident, number in numbers.items()}
    if len(links) > _LOOKUP_MOST:
        voted = set(await session.scalars(of_edition))
    else:
        voted = set()
        for batch in _batches(sorted(set(links.values()))):
            voted.update(await session.scalars(of_edition.where(VoterLink.link.in_(batch))))
    return {resident for resident, link in links.items() if link in voted}


def _batches(items: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(items), _LOOKUP_BATCH):
        yield items[start : start + _LOOKUP_BATCH]


@resident_state("not_voted", N_("has not voted"))
async def not_voted(session: AsyncSession, edition_id: str, within: IdRange = EVERYONE) -> Set[int]:
    rows = (await session.execute(_residents(within))).all()
    numbers = {}
    for resident, channel, address, shared in rows:
        number = _number(channel, address, shared)
        if number is not None:
            numbers[resident] = number
    voted = await _voted(session, edition_id, numbers)
    return {row[0] for row in rows} - voted


def _is_draft(ballot: object, split: object) -> bool:
    if isinstance(ballot, list) and ballot:
        return True
    return isinstance(split, dict) and any(
        isinstance(amount, int) and amount > 0 for amount in split.values()
    )


@resident_state("basket_draft", N_("started choosing but did not vote"))
async def basket_draft(
    session: AsyncSession, edition_id: str, within: IdRange = EVERYONE
) -> Set[int]:
    # A draft of an earlier edition's ballot is no draft of this one's (it goes when
    # the resident next writes; `ConversationState.in_edition`).
    edition = Conversation.state["edition"].as_string()
    drafts = _residents(within, _answer(choosing.DRAFT), _answer(vessels.DRAFT)).where(
        or_(_answer(choosing.DRAFT).is_not(None), _answer(vessels.DRAFT).is_not(None)),
        or_(edition.is_(None), edition == edition_id),
    )
    started = {}
    for resident, channel, address, shared, ballot, split in await session.execute(drafts):
        if _is_draft(ballot, split):
            started[resident] = _number(channel, address, shared)
    numbers = {resident: number for resident, number in started.items() if number is not None}
    return set(started) - await _voted(session, edition_id, numbers)
