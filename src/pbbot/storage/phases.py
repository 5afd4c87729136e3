"""Staff's hand moves of the phase (`pbbot phase set|auto`), stored and read back.

Each move is a `phase_moves` row and a `staff_actions` row (who, when), in the
caller's transaction. Every process reads the moves from the database (the
conversation service before its batches, at most once a second), so a running
server follows a move made by another process without a restart.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pbbot.domain.edition import Edition, Phase
from pbbot.domain.timeline import Move, phase_at
from pbbot.errors import PbbotError
from pbbot.storage.staff_actions import record_staff_action
from pbbot.storage.tables import PhaseMove

__all__ = ["UnknownPhase", "current_phase", "latest_moves", "move_phase"]


class UnknownPhase(PbbotError):
    """Staff named a phase the edition file does not list."""


async def latest_moves(session: AsyncSession, edition_id: str) -> tuple[Move, ...]:
    """Every hand move of the edition, oldest first: staff make a handful per
    round, and the timeline needs the latest before any moment (a demo's
    pretended day may lie before the newest)."""
    rows = await session.execute(
        select(PhaseMove.kind, PhaseMove.moved_at, PhaseMove.moved_by)
        .where(PhaseMove.edition == edition_id)
        .order_by(PhaseMove.moved_at, PhaseMove.id)
    )
    return tuple(Move(kind, at, by) for kind, at, by in rows)


async def current_phase(session: AsyncSession, edition: Edition, now: datetime) -> Phase | None:
    """The phase running at `now`, hand moves included."""
    return phase_at(edition, now, await latest_moves(session, edition.id))


async def move_phase(
    session: AsyncSession, edition: Edition, kind: str | None, *, by: str, now: datetime
) -> Move:
    """Move the edition to phase `kind` by hand (None: back to the file's timeline)."""
    if kind is not None and edition.phase(kind) is None:
        raise UnknownPhase(
            f"the edition has no phase {kind!r}; it lists "
            + ", ".join(phase.kind for phase in edition.phases)
        )
    before = phase_at(edition, now, await latest_moves(session, edition.id))
    session.add(PhaseMove(edition=edition.id, kind=kind, moved_at=now, moved_by=by))
    record_staff_action(
        session,
        edition=edition.id,
        action="phase.set" if kind else "phase.auto",
        subject=kind,
        detail={"from": before.kind if before else None, "to": kind},
        by=by,
        now=now,
    )
    await session.flush()
    return Move(kind, now, by)
