"""The snapshot part "voting.results": the published results, as the results
flow shows them to one resident (the loaders' signature is `pbbot.conversations.loads`'s).

It holds the publication residents read now (None before staff publish), its
chart in the resident's language (for a channel that shows pictures), the
projects that came from the resident's own accepted ideas, and what their own
ballot chose: read through their own number only (`voting.voters`), the way
"voting.mine" reads it, and left out when staff voided it (it did not count).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pbbot.conversations import loads
from pbbot.engine.images import IMAGE_CHANNELS
from pbbot.engine.state import ConversationState
from pbbot.ideas.tables import Idea
from pbbot.storage.tables import Resident
from pbbot.voting.casting import my_ballot
from pbbot.voting.results import chart_png, current_publication
from pbbot.voting.results_chat import RESULTS_PART
from pbbot.voting.results_view import MyResults
from pbbot.voting.tables import Project
from pbbot.voting.voters import find_voter

__all__ = ["load_results"]


@loads(RESULTS_PART)
async def load_results(
    session: AsyncSession, resident_id: int, state: ConversationState, edition_id: str
) -> MyResults:
    publication = await current_publication(session, edition_id)
    if publication is None:
        return MyResults(published=None)
    locale = state.locale or publication.results.default_language
    resident = await session.get(Resident, resident_id)
    # The chart only where it is shown (the simulator's residents are "sim-telegram").
    pictures = resident is not None and resident.channel.removeprefix("sim-") in IMAGE_CHANNELS
    own = await session.scalars(
        select(Project.number)
        .join(Idea, Idea.id == Project.idea_id)
        .where(Project.edition_id == edition_id, Idea.author_id == resident_id)
        .order_by(Project.number)
    )
    chosen: tuple[int, ...] | None = None
    split: tuple[tuple[str, int], ...] = ()
    voter = await find_voter(session, resident_id, state.answers, edition_id)
    if voter is not None:
        ballot = await my_ballot(session, edition_id=voter.box, voter=voter.number)
        if ballot is not None and not ballot.voided:
            chosen = tuple(ballot.choices.projects) or None
            split = tuple(ballot.choices.split)
    return MyResults(
        published=publication.results,
        chart=await chart_png(session, publication, locale) if pictures else None,
        own=tuple(own),
        chosen=chosen,
        split=split,
    )
