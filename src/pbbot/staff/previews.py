"""A broadcast preview waiting for its staff member's confirm, kept in the database.

Each staff member has at most one open preview: a row of `edition_state` under
"staff-preview:<Telegram user id>", so it survives a restart and every server
process sees it. A new `/broadcast` replaces it; confirming or dropping it
deletes it, in the transaction that creates the broadcast (or not), with the
row locked on PostgreSQL, so that of two taps at once one finds it and the
other finds nothing. The preview's id is the stored id of the `/broadcast`
message; the buttons carry it, so a tap on an older preview's buttons cannot
confirm the newer one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pbbot.storage import repositories
from pbbot.storage.tables import EditionState

__all__ = [
    "CONFIRM_WITHIN",
    "Preview",
    "broadcast_key",
    "close_preview",
    "locked_preview",
    "open_preview",
]

# Long enough to read the figures and ask a colleague; short enough that the
# figures (and the staff member's intent) still hold when it is sent.
CONFIRM_WITHIN = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class Preview:
    """What the staff member saw: the catalog message or their own texts (by
    language), the audience as typed, how many it reaches."""

    preview_id: int
    message: str | None
    texts: Mapping[str, str]
    specs: tuple[str, ...]
    count: int
    by: str
    shown_at: datetime

    def expired(self, now: datetime) -> bool:
        return now - self.shown_at > CONFIRM_WITHIN


def broadcast_key(edition_id: str, preview_id: int) -> str:
    """The created broadcast's key: one broadcast per preview, whatever races."""
    return f"staff-preview:{edition_id}:{preview_id}"


def _state_key(user_id: int) -> str:
    return f"staff-preview:{user_id}"


async def open_preview(
    session: AsyncSession, edition_id: str, user_id: int, preview: Preview
) -> None:
    """Keep `preview` as the staff member's open one, in place of any other."""
    value: dict[str, Any] = {
        "preview": preview.preview_id,
        "message": preview.message,
        "texts": dict(preview.texts),
        "specs": list(preview.specs),
        "count": preview.count,
        "by": preview.by,
    }
    await repositories.set_edition_value(
        session, edition_id, _state_key(user_id), value, now=preview.shown_at
    )


async def locked_preview(session: AsyncSession, edition_id: str, user_id: int) -> Preview | None:
    """The staff member's open preview, locked until the transaction ends; None if none."""
    row = await _row(session, edition_id, user_id)
    if row is None:
        return None
    value = row.value
    return Preview(
        preview_id=int(value["preview"]),
        message=value["message"],
        texts={str(language): str(text) for language, text in value["texts"].items()},
        specs=tuple(str(spec) for spec in value["specs"]),
        count=int(value["count"]),
        by=str(value["by"]),
        shown_at=row.updated_at,
    )


async def close_preview(session: AsyncSession, edition_id: str, user_id: int) -> None:
    """The staff member's preview is no longer open (sent, dropped or expired)."""
    row = await _row(session, edition_id, user_id)
    if row is not None:
        await session.delete(row)
        await session.flush()


async def _row(session: AsyncSession, edition_id: str, user_id: int) -> EditionState | None:
    return await session.scalar(
        select(EditionState)
        .where(EditionState.edition == edition_id, EditionState.key == _state_key(user_id))
        .with_for_update()
    )
