"""The ideas part of a resident's data (`pbbot.storage.data_rights.personal_data`).

Export: the ideas they sent (with staff's questions and their answers), the
ideas they support, their comments and their reports.

Erasure, in the chat or by staff:
- their ideas stay, as anonymous ideas: an idea is part of a public process
  (others support it, staff may have made it a project on the ballot), so it
  loses its author, and its voice note, which is their voice;
- their supports and reports go: they are the resident's own opinions;
- their comments go: unlike an idea, nothing else builds on a comment (no
  number, no supporters, no decision), and it is the resident's own words, so
  the right to erasure wins over keeping the discussion whole.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pbbot.ideas.tables import Idea, IdeaComment, IdeaQuestion, IdeaReport, IdeaSupport
from pbbot.storage.data_rights import as_json, personal_data

__all__ = ["erase_ideas_data", "export_ideas_data"]


async def export_ideas_data(session: AsyncSession, resident_id: int) -> dict[str, Any]:
    ideas = list(
        await session.scalars(select(Idea).where(Idea.author_id == resident_id).order_by(Idea.id))
    )
    questions = await session.scalars(
        select(IdeaQuestion)
        .where(IdeaQuestion.idea_id.in_([idea.id for idea in ideas]))
        .order_by(IdeaQuestion.id)
    )
    supports = await session.execute(
        select(Idea.edition_id, Idea.number, IdeaSupport.created_at)
        .join(Idea, Idea.id == IdeaSupport.idea_id)
        .where(IdeaSupport.resident_id == resident_id)
        .order_by(IdeaSupport.created_at)
    )
    comments = await session.scalars(
        select(IdeaComment).where(IdeaComment.author_id == resident_id).order_by(IdeaComment.id)
    )
    reports = await session.scalars(
        select(IdeaReport).where(IdeaReport.resident_id == resident_id).order_by(IdeaReport.id)
    )
    return {
        "ideas": [as_json(idea) for idea in ideas],
        "questions_about_their_ideas": [as_json(row) for row in questions],
        "supports": [
            {"edition": edition, "idea": number, "since": since.isoformat()}
            for edition, number, since in supports
        ],
        "comments": [as_json(row) for row in comments],
        "reports": [as_json(row) for row in reports],
    }


async def erase_ideas_data(session: AsyncSession, resident_id: int) -> None:
    # Their answers to staff's questions are their own words: they go too.
    await session.execute(
        update(IdeaQuestion)
        .where(IdeaQuestion.idea_id.in_(select(Idea.id).where(Idea.author_id == resident_id)))
        .values(answer=None)
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(Idea)
        .where(Idea.author_id == resident_id)
        # The voice, the photo and a shared pin can lead back to the person (a
        # voice, a face, their doorstep); the written idea stays, anonymous.
        .values(
            author_id=None, voice_file_id=None, photo_file_id=None, latitude=None, longitude=None
        )
        .execution_options(synchronize_session=False)
    )
    for entity, column in (
        (IdeaSupport, IdeaSupport.resident_id),
        (IdeaReport, IdeaReport.resident_id),
    ):
        await session.execute(
            delete(entity).where(column == resident_id).execution_options(synchronize_session=False)
        )
    comments = select(IdeaComment.id).where(IdeaComment.author_id == resident_id)
    # Reports on their comments go with the comments (a report names no row by key).
    await session.execute(
        delete(IdeaReport)
        .where(IdeaReport.kind == "comment", IdeaReport.item_id.in_(comments))
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        delete(IdeaComment)
        .where(IdeaComment.author_id == resident_id)
        .execution_options(synchronize_session=False)
    )


personal_data("ideas", export=export_ideas_data, erase=erase_ideas_data)
