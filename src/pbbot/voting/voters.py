"""Who a voter is: their phone number, one ballot per number across channels.

On SMS the number is the sender's own. On Telegram it is the number the
resident shared with Telegram's "share my contact" button (Telegram vouches
that it is theirs; a typed number is not accepted), kept in the answer
`voter_phone` of their conversation, which erasure removes with the rest.

The simulator's residents vote into a ballot box of their own (the edition's
id with `SIMULATOR_BOX` after it), so that staff trying the flows on the live
database never add a ballot to the count, and still see what residents see.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from pbbot.storage.tables import Resident
from pbbot.voting.eligibility import PHONE_ANSWER
from pbbot.voting.tables import SIMULATOR_BOX

__all__ = ["Voter", "find_voter"]

# Channels whose address is the resident's phone number.
_NUMBER_CHANNELS = frozenset({"sms", "sim-sms"})


@dataclass(frozen=True, slots=True)
class Voter:
    number: str  # E.164
    box: str  # the edition whose ballots theirs is among


async def find_voter(
    session: AsyncSession, resident_id: int, answers: Mapping[str, object], edition_id: str
) -> Voter | None:
    """The resident as a voter, or None if they have not given a number."""
    resident = await session.get(Resident, resident_id)
    if resident is None:
        return None
    box = edition_id + SIMULATOR_BOX if resident.channel.startswith("sim-") else edition_id
    if resident.channel in _NUMBER_CHANNELS:
        return Voter(resident.address, box)
    shared = answers.get(PHONE_ANSWER)
    return Voter(shared, box) if isinstance(shared, str) and shared else None
