"""The voting part of a resident's data (`storage.data_rights.personal_data`).

A ballot names no one; what is the resident's is the link from their number
to it (`voting.casting`). An export says whether their number has a ballot,
never what it says (a staff command prints the export). Erasing removes the
link, and before the results are out the ballot with it (`forget_voter`), so
"Everything is deleted" is true: no one with that number sees the vote again.
The draft of an uncast ballot is an answer of the conversation, which goes
with the rest.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pbbot.storage.data_rights import personal_data
from pbbot.storage.tables import Conversation
from pbbot.voting.casting import forget_voter, my_ballot
from pbbot.voting.results_tables import PublishedResultsRow
from pbbot.voting.tables import SIMULATOR_BOX, VoterLink
from pbbot.voting.voters import Voter, find_voter

__all__ = ["erase_voting_data", "export_voting_data"]


async def _voters(session: AsyncSession, resident_id: int) -> list[Voter]:
    """The resident as a voter in every edition (ballot box) that has voters."""
    conversation = await session.get(Conversation, resident_id)
    answers = (conversation.state or {}).get("answers", {}) if conversation else {}
    boxes = await session.scalars(select(VoterLink.edition_id).distinct())
    editions = sorted({box.removesuffix(SIMULATOR_BOX) for box in boxes})
    found = [await find_voter(session, resident_id, answers, edition) for edition in editions]
    return [voter for voter in found if voter is not None]


async def export_voting_data(session: AsyncSession, resident_id: int) -> dict[str, Any]:
    voted = []
    for voter in await _voters(session, resident_id):
        ballot = await my_ballot(session, edition_id=voter.box, voter=voter.number)
        if ballot is not None:
            voted.append({"edition": voter.box, "voted": not ballot.voided})
    return {"ballots": voted}


async def erase_voting_data(session: AsyncSession, resident_id: int) -> None:
    for voter in await _voters(session, resident_id):
        published = await session.scalar(
            select(PublishedResultsRow.id).where(PublishedResultsRow.edition_id == voter.box)
        )
        await forget_voter(
            session, edition_id=voter.box, voter=voter.number, keep_ballot=published is not None
        )


personal_data("voting", export=export_voting_data, erase=erase_voting_data)
