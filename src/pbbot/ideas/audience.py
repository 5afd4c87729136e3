"""The ideas' resident state for broadcasts (`pbbot.storage.audiences`):
"sent_idea", whoever sent at least one idea in the edition, whatever became of it."""

from __future__ import annotations

from collections.abc import Set

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pbbot.i18n.catalogs import N_
from pbbot.ideas.tables import Idea
from pbbot.storage.audiences import EVERYONE, IdRange, resident_state

__all__ = ["sent_idea"]


@resident_state("sent_idea", N_("sent an idea"))
async def sent_idea(session: AsyncSession, edition_id: str, within: IdRange = EVERYONE) -> Set[int]:
    authors = await session.scalars(
        select(Idea.author_id)
        .where(Idea.edition_id == edition_id, within.clause(Idea.author_id))
        .distinct()
    )
    return {author for author in authors if author is not None}
