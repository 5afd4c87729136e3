"""Small queries shared by the handlers, snapshots, review and export: numbers,
lookups and the counts shown beside an idea."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from pbbot.ideas.tables import Idea, IdeaComment, IdeaCounter, IdeaSupport

__all__ = [
    "IdeaCounts",
    "comment_counts",
    "count_for",
    "find_idea",
    "lock_item",
    "next_number",
    "set_hidden",
    "support_counts",
]


async def next_number(session: AsyncSession, edition_id: str) -> int:
    """The edition's next idea number, taken for good (a number is never reused).

    One upsert: on PostgreSQL the counter row stays locked until commit, so a
    second process waits for it and takes the number after.
    """
    assert session.bind is not None
    dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(IdeaCounter).values(edition_id=edition_id, last_number=1)
    statement = statement.on_conflict_do_update(
        index_elements=["edition_id"], set_={"last_number": IdeaCounter.last_number + 1}
    ).returning(IdeaCounter.last_number)
    number: int = (await session.execute(statement)).scalar_one()
    return number


async def find_idea(
    session: AsyncSession, edition_id: str, number: int, *, lock: bool = False
) -> Idea | None:
    """Idea `number` of the edition; `lock`: until the transaction ends (PostgreSQL),
    so that a decision and the supports and reports on it happen one after another."""
    statement = select(Idea).where(Idea.edition_id == edition_id, Idea.number == number)
    return await session.scalar(statement.with_for_update() if lock else statement)


async def lock_item(session: AsyncSession, kind: str, item_id: int) -> Idea | IdeaComment | None:
    """An idea or a comment, locked until the transaction ends (see `find_idea`)."""
    if kind == "idea":
        return await session.scalar(select(Idea).where(Idea.id == item_id).with_for_update())
    return await session.scalar(
        select(IdeaComment).where(IdeaComment.id == item_id).with_for_update()
    )


async def support_counts(session: AsyncSession, idea_ids: Collection[int]) -> dict[int, int]:
    """Supporters per idea (ideas without any are left out)."""
    if not idea_ids:
        return {}
    rows = await session.execute(
        select(IdeaSupport.idea_id, func.count())
        .where(IdeaSupport.idea_id.in_(idea_ids))
        .group_by(IdeaSupport.idea_id)
    )
    return {idea_id: count for idea_id, count in rows}


async def comment_counts(
    session: AsyncSession, idea_ids: Collection[int], *, visible_only: bool = True
) -> dict[int, int]:
    """Comments per idea, by default only those residents can see."""
    if not idea_ids:
        return {}
    statement = select(IdeaComment.idea_id, func.count()).where(IdeaComment.idea_id.in_(idea_ids))
    if visible_only:
        statement = statement.where(IdeaComment.hidden.is_(False))
    rows = await session.execute(statement.group_by(IdeaComment.idea_id))
    return {idea_id: count for idea_id, count in rows}


async def set_hidden(session: AsyncSession, kind: str, item_id: int, *, hidden: bool) -> None:
    """Hide or show an idea or a comment."""
    entity = Idea if kind == "idea" else IdeaComment
    await session.execute(
        update(entity)
        .where(entity.id == item_id)
        .values(hidden=hidden)
        .execution_options(synchronize_session=False)
    )


@dataclass(frozen=True, slots=True)
class IdeaCounts:
    """What every view of an idea shows beside its own columns."""

    supporters: dict[int, int]
    comments: dict[int, int]  # visible ones
    numbers: dict[int, int]  # id -> number of the ideas some were merged into

    def merged_into(self, idea: Idea) -> int | None:
        return self.numbers.get(idea.merged_into_id) if idea.merged_into_id else None


async def count_for(session: AsyncSession, ideas: Sequence[Idea]) -> IdeaCounts:
    ids = [idea.id for idea in ideas]
    merged = {idea.merged_into_id for idea in ideas if idea.merged_into_id is not None}
    numbers: dict[int, int] = {}
    if merged:
        rows = await session.execute(select(Idea.id, Idea.number).where(Idea.id.in_(merged)))
        numbers = dict(rows.all())
    return IdeaCounts(
        supporters=await support_counts(session, ids),
        comments=await comment_counts(session, ids),
        numbers=numbers,
    )
