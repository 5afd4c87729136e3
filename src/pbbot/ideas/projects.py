"""The accepted ideas as candidate projects for the ballot: what voting reads."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pbbot.ideas.tables import CandidateProject, Idea

__all__ = ["Candidate", "candidate_projects"]


@dataclass(frozen=True, slots=True)
class Candidate:
    idea_number: int  # the project is known to residents by its idea's number
    title: str
    theme: str | None
    cost: int  # staff's estimate, whole units of the edition's currency


async def candidate_projects(session: AsyncSession, edition_id: str) -> list[Candidate]:
    """The edition's candidate projects, by idea number."""
    project = CandidateProject
    rows = await session.execute(
        select(Idea.number, project.title, project.theme_id, project.cost)
        .join(Idea, Idea.id == CandidateProject.idea_id)
        .where(CandidateProject.edition_id == edition_id)
        .order_by(Idea.number)
    )
    return [Candidate(*row) for row in rows]
