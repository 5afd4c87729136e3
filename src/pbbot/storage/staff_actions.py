"""The record of staff's actions (`staff_actions`): who changed what, when.

Every command that changes how the bot behaves for residents writes one row
in the same transaction as the change, so that the record and the change
stand or fall together.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pbbot.storage.tables import StaffAction

__all__ = ["record_staff_action"]


def record_staff_action(
    session: AsyncSession,
    *,
    edition: str,
    action: str,
    subject: str | None,
    detail: dict[str, Any],
    by: str,
    now: datetime,
) -> None:
    """Add the record of `action` ("broadcast.pause", "phase.set", ...) to the session."""
    session.add(
        StaffAction(
            edition=edition, action=action, subject=subject, detail=detail, done_by=by, done_at=now
        )
    )
