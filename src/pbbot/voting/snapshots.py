"""Read-only snapshots of the ballot for the step, loaded by the service in
its transaction (the loaders' signature is `pbbot.conversations.loads`'s):

- "voting.candidates": the edition's candidate projects, and the seed of this
  resident's own order of them (stable, so a project stays where they saw it);
- "voting.mine": what this resident's number has cast, for "you voted on …"
  and for a change of vote. Only the resident's own number opens it.
"""

from __future__ import annotations

import hashlib
import hmac

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pbbot.conversations import loads
from pbbot.engine.state import ConversationState
from pbbot.voting.casting import my_ballot
from pbbot.voting.secret import ballot_key
from pbbot.voting.tables import Project
from pbbot.voting.views import Candidate, Candidates, MyVote
from pbbot.voting.voters import find_voter

__all__ = ["load_candidates", "load_mine"]


@loads("voting.candidates")
async def load_candidates(
    session: AsyncSession, resident_id: int, state: ConversationState, edition_id: str
) -> Candidates:
    projects = await session.scalars(
        select(Project).where(Project.edition_id == edition_id).order_by(Project.number)
    )
    # Keyed, so that the order says nothing about who the resident is.
    key = await ballot_key(session)
    seed = hmac.new(key, f"order\0{edition_id}\0{resident_id}".encode(), hashlib.sha256).digest()
    return Candidates(
        projects=tuple(
            Candidate(
                number=project.number,
                title=dict(project.title),
                summary=dict(project.summary or {}),
                cost=project.cost,
                theme=project.theme_id,
            )
            for project in projects
        ),
        order_seed=seed,
    )


@loads("voting.mine")
async def load_mine(
    session: AsyncSession, resident_id: int, state: ConversationState, edition_id: str
) -> MyVote:
    voter = await find_voter(session, resident_id, state.answers, edition_id)
    if voter is None:
        return MyVote()
    ballot = await my_ballot(session, edition_id=voter.box, voter=voter.number)
    if ballot is None:
        return MyVote()
    return MyVote(
        cast_on=ballot.cast_on,
        projects=tuple(ballot.choices.projects),
        split=tuple(ballot.choices.split),
        voided=ballot.voided,
    )
