"""Read-only snapshots of ideas for the step: loaded by the service before the
step, in its transaction, and carried in the step's context.

Each loader is `async (session, resident_id, state, edition_id) -> data`,
registered under its part's name with `pbbot.conversations.loads`, the data a
frozen dataclass of `pbbot.ideas.views`, so an engine test can build one in memory:

- "ideas.mine": the resident's own ideas with their status, the ideas they
  support, and when they sent theirs (for the per-day limit);
- "ideas.page": the visible ideas of the theme being browsed, newest first;
- "ideas.one": the idea being looked at, with its visible comments;
- "ideas.decisions": why the resident's own ideas were not accepted, and the
  questions staff wait to have answered (it reads no answer, so it is right
  in any step of a turn).

`ideas.page` and `ideas.one` read what they show from the state's answers
(`browse_theme`, `idea_number`): the flow records them before the step that
needs the snapshot.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pbbot.conversations import loads
from pbbot.engine.state import ConversationState
from pbbot.ideas import queries
from pbbot.ideas.tables import Idea, IdeaComment, IdeaQuestion, IdeaReview, IdeaSupport
from pbbot.ideas.views import CommentView, Decisions, IdeaPage, IdeaView, MyIdeas, OneIdea

__all__ = [
    "PAGE_LIMIT",
    "CommentView",
    "IdeaPage",
    "IdeaView",
    "MyIdeas",
    "OneIdea",
    "load_idea",
    "load_mine",
    "load_page",
]

# The most ideas `ideas.page` loads: the flow pages through them, a few at a time.
PAGE_LIMIT = 200
THEME_ANSWER = "browse_theme"
NUMBER_ANSWER = "idea_number"


async def _views(session: AsyncSession, ideas: list[Idea]) -> tuple[IdeaView, ...]:
    counts = await queries.count_for(session, ideas)
    return tuple(
        IdeaView(
            id=idea.id,
            number=idea.number,
            title=idea.title,
            description=idea.description,
            theme=idea.theme_id,
            estimated_cost=idea.estimated_cost,
            place=idea.place,
            status=idea.status,
            merged_into=counts.merged_into(idea),
            supporters=counts.supporters.get(idea.id, 0),
            comments=counts.comments.get(idea.id, 0),
            created_at=idea.created_at,
        )
        for idea in ideas
    )


_NEWEST_FIRST = (Idea.created_at.desc(), Idea.id.desc())


@loads("ideas.mine")
async def load_mine(
    session: AsyncSession, resident_id: int, state: ConversationState, edition_id: str
) -> MyIdeas:
    """`ideas.mine`: hidden ones too, since a resident always sees their own."""
    in_edition = Idea.edition_id == edition_id
    own = await session.scalars(
        select(Idea).where(in_edition, Idea.author_id == resident_id).order_by(*_NEWEST_FIRST)
    )
    supported = await session.scalars(
        select(Idea)
        .join(IdeaSupport, IdeaSupport.idea_id == Idea.id)
        .where(in_edition, IdeaSupport.resident_id == resident_id, Idea.hidden.is_(False))
        .order_by(*_NEWEST_FIRST)
    )
    return MyIdeas(
        own=await _views(session, list(own)), supported=await _views(session, list(supported))
    )


@loads("ideas.page")
async def load_page(
    session: AsyncSession, resident_id: int, state: ConversationState, edition_id: str
) -> IdeaPage:
    """`ideas.page`: the visible ideas of the theme in the answer `browse_theme`
    (all themes if none), merged ones left out: their supporters moved on."""
    theme = state.answers.get(THEME_ANSWER)
    statement = select(Idea).where(
        Idea.edition_id == edition_id, Idea.hidden.is_(False), Idea.status != "merged"
    )
    if isinstance(theme, str):
        statement = statement.where(Idea.theme_id == theme)
    ideas = await session.scalars(statement.order_by(*_NEWEST_FIRST).limit(PAGE_LIMIT))
    return IdeaPage(
        theme=theme if isinstance(theme, str) else None,
        ideas=await _views(session, list(ideas)),
    )


@loads("ideas.one")
async def load_idea(
    session: AsyncSession, resident_id: int, state: ConversationState, edition_id: str
) -> OneIdea:
    """`ideas.one`: the idea numbered in the answer `idea_number`. A hidden idea
    is shown only to its author."""
    number = _number(state.answers.get(NUMBER_ANSWER))
    found = None if number is None else await queries.find_idea(session, edition_id, number)
    if found is None or (found.hidden and found.author_id != resident_id):
        return OneIdea(idea=None, comments=(), supported=False, own=False)
    comments = await session.scalars(
        select(IdeaComment)
        .where(IdeaComment.idea_id == found.id, IdeaComment.hidden.is_(False))
        .order_by(IdeaComment.id)
    )
    supported = await session.scalar(
        select(IdeaSupport.idea_id).where(
            IdeaSupport.idea_id == found.id, IdeaSupport.resident_id == resident_id
        )
    )
    (view,) = await _views(session, [found])
    return OneIdea(
        idea=view,
        comments=tuple(CommentView(c.id, c.text, c.created_at) for c in comments),
        supported=supported is not None,
        own=found.author_id == resident_id,
    )


def _number(answer: object) -> int | None:
    """The idea number in an answer: a whole number, or its digits ("27", "#27")."""
    if isinstance(answer, int) and not isinstance(answer, bool):
        return answer
    if isinstance(answer, str) and answer.lstrip("#").isdecimal():
        return int(answer.lstrip("#"))
    return None


@loads("ideas.decisions")
async def load_decisions(
    session: AsyncSession, resident_id: int, state: ConversationState, edition_id: str
) -> Decisions:
    own = (Idea.author_id == resident_id) & (Idea.edition_id == edition_id)
    rejections = await session.execute(
        select(IdeaReview.idea_id, IdeaReview.criterion)
        .join(Idea, Idea.id == IdeaReview.idea_id)
        .where(own, Idea.status == "rejected", IdeaReview.decision == "reject")
        .order_by(IdeaReview.id)
    )
    questions = await session.execute(
        select(IdeaQuestion.idea_id, IdeaQuestion.question)
        .join(Idea, Idea.id == IdeaQuestion.idea_id)
        .where(own, IdeaQuestion.answered_at.is_(None))
        .order_by(IdeaQuestion.id)
    )
    # Ordered oldest first: the latest of each idea is the one that stays.
    return Decisions(
        reasons={idea: criterion for idea, criterion in rejections if criterion},
        questions={idea: question for idea, question in questions},
    )
