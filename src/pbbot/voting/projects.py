"""The edition's candidate projects in the database: import, accepted ideas, listing.

Both sources share one numbering. A CSV import runs in the caller's one
transaction: the file is checked whole first (`projects_file`), so a refused
file stores nothing. Accepted ideas join as projects the first time projects
are imported or listed (`add_accepted_ideas`, idempotent): an idea keeps its
project number, as a CSV row with a `ref` keeps its own across re-imports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from pbbot.domain.edition import Edition
from pbbot.ideas.projects import candidate_projects
from pbbot.ideas.tables import Idea
from pbbot.voting.projects_file import ProjectRow, read_projects_file
from pbbot.voting.tables import Project, ProjectCounter

__all__ = [
    "Imported",
    "ListedProject",
    "add_accepted_ideas",
    "import_projects",
    "list_projects",
    "store_projects",
]


@dataclass(frozen=True, slots=True)
class Imported:
    added: int
    updated: int
    ideas: int  # accepted ideas that joined the numbering on the way


@dataclass(frozen=True, slots=True)
class ListedProject:
    number: int
    cost: int
    theme: str | None
    title: dict[str, str]
    summary: dict[str, str]
    source: str


async def next_numbers(session: AsyncSession, edition_id: str, count: int) -> range:
    """`count` new project numbers, taken for good (one upsert; locked until commit)."""
    assert session.bind is not None
    dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(ProjectCounter).values(edition_id=edition_id, last_number=count)
    statement = statement.on_conflict_do_update(
        index_elements=["edition_id"], set_={"last_number": ProjectCounter.last_number + count}
    ).returning(ProjectCounter.last_number)
    last: int = (await session.execute(statement)).scalar_one()
    return range(last - count + 1, last + 1)


async def add_accepted_ideas(session: AsyncSession, edition: Edition, now: datetime) -> int:
    """Accepted ideas not yet projects become projects with new numbers; staff's
    later changes (cost, theme, title) reach those that are. Returns how many joined."""
    candidates = await candidate_projects(session, edition.id)
    if not candidates:
        return 0
    rows = await session.execute(
        select(Idea.number, Idea.id).where(
            Idea.edition_id == edition.id, Idea.number.in_([c.idea_number for c in candidates])
        )
    )
    ideas: dict[int, int] = {number: idea_id for number, idea_id in rows}
    existing = {
        project.idea_id: project
        for project in await session.scalars(
            select(Project).where(Project.idea_id.in_(list(ideas.values())))
        )
    }
    new = [c for c in candidates if ideas[c.idea_number] not in existing]
    numbers = iter(await next_numbers(session, edition.id, len(new)) if new else ())
    for candidate in candidates:
        # The idea's title is in its author's words: it stands for every language.
        title = {edition.default_language: candidate.title}
        project = existing.get(ideas[candidate.idea_number])
        if project is None:
            session.add(
                Project(
                    edition_id=edition.id,
                    number=next(numbers),
                    title=title,
                    summary={},
                    cost=candidate.cost,
                    theme_id=candidate.theme,
                    source="idea",
                    idea_id=ideas[candidate.idea_number],
                    created_at=now,
                )
            )
        else:
            project.title, project.cost, project.theme_id = title, candidate.cost, candidate.theme
    await session.flush()
    return len(new)


async def store_projects(
    session: AsyncSession, edition: Edition, rows: list[ProjectRow], now: datetime
) -> tuple[int, int]:
    """Checked rows as projects: a known `ref` updates its project. (added, updated)."""
    refs = [row.ref for row in rows if row.ref is not None]
    known = {
        project.ref: project
        for project in await session.scalars(
            select(Project).where(Project.edition_id == edition.id, Project.ref.in_(refs))
        )
    }
    new = [row for row in rows if row.ref not in known]
    numbers = iter(await next_numbers(session, edition.id, len(new)) if new else ())
    for row in rows:
        project = known.get(row.ref) if row.ref is not None else None
        if project is None:
            project = Project(
                edition_id=edition.id,
                number=next(numbers),
                source="csv",
                ref=row.ref,
                created_at=now,
            )
            session.add(project)
        project.title, project.summary = row.title, row.summary
        project.cost, project.theme_id = row.cost, row.theme
    await session.flush()
    return len(new), len(rows) - len(new)


async def import_projects(
    session: AsyncSession, edition: Edition, path: Path, now: datetime
) -> Imported:
    """Import a projects CSV; raises `ProjectsFileError` before storing anything."""
    rows = read_projects_file(path, edition)
    ideas = await add_accepted_ideas(session, edition, now)
    added, updated = await store_projects(session, edition, rows, now)
    return Imported(added=added, updated=updated, ideas=ideas)


async def list_projects(session: AsyncSession, edition_id: str) -> list[ListedProject]:
    """The edition's projects, by number."""
    projects = await session.scalars(
        select(Project).where(Project.edition_id == edition_id).order_by(Project.number)
    )
    return [
        ListedProject(p.number, p.cost, p.theme_id, dict(p.title), dict(p.summary), p.source)
        for p in projects
    ]
