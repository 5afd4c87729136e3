"""What the broadcast core's tests share: the example edition, residents, copies."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pbbot.broadcasts.audience import parse_segment
from pbbot.broadcasts.content import catalog_content, staff_content
from pbbot.broadcasts.control import create_broadcast
from pbbot.config.edition_file import load_edition
from pbbot.storage.tables import OutboundMessage, Resident

EDITION_FILE = Path(__file__).resolve().parents[2] / "examples" / "mechelen-2027.yaml"
# The example's own reminders would join in whenever the clock passes them.
REMINDERS = load_edition(EDITION_FILE)
EDITION = replace(REMINDERS, reminders=())
# The voting phase's first morning, in Mechelen.
NOW = datetime(2027, 4, 12, 7, 0, tzinfo=UTC)
TEXTS = {"nl": "Stemmen kan nu.", "fr": "Le vote est ouvert.", "en": "Voting is open."}

Sessions = async_sessionmaker[AsyncSession]


@dataclass(frozen=True)
class Person:
    channel: str
    locale: str | None
    subscribed: bool = True
    unreachable: bool = False


async def add_residents(sessions: Sessions, people: list[Person]) -> list[int]:
    """Store the residents, in this order (their ids grow); their ids."""
    async with sessions.begin() as session:
        rows = [
            {
                "channel": person.channel,
                "address": f"{'+3247' if person.channel == 'sms' else ''}{1000 + index}",
                "locale": person.locale,
                "created_at": NOW,
                "subscribed": person.subscribed,
                "unreachable": person.unreachable,
            }
            for index, person in enumerate(people)
        ]
        result = await session.execute(insert(Resident).returning(Resident.id), rows)
        return list(result.scalars())


def town(size: int) -> list[Person]:
    """`size` subscribers, on both channels, in three languages."""
    locales = ("nl", "fr", "en")
    return [Person("telegram" if index % 2 else "sms", locales[index % 3]) for index in range(size)]


async def staff_broadcast(
    sessions: Sessions,
    *,
    segment: tuple[str, ...] = (),
    send_at: datetime = NOW,
    by: str = "an",
) -> int:
    async with sessions.begin() as session:
        return await create_broadcast(
            session,
            EDITION,
            staff_content(TEXTS, EDITION),
            parse_segment(segment, EDITION),
            by=by,
            send_at=send_at,
            now=NOW,
        )


async def catalog_broadcast(sessions: Sessions, message: str = "voting") -> int:
    async with sessions.begin() as session:
        return await create_broadcast(
            session,
            EDITION,
            catalog_content(message, EDITION),
            parse_segment((), EDITION),
            by="an",
            send_at=NOW,
            now=NOW,
        )


async def copies(sessions: Sessions, broadcast_id: int) -> list[OutboundMessage]:
    async with sessions() as session:
        found = await session.scalars(
            select(OutboundMessage)
            .where(OutboundMessage.broadcast_id == broadcast_id)
            .order_by(OutboundMessage.resident_id)
        )
        return list(found)


async def statuses(sessions: Sessions, broadcast_id: int) -> Counter[str]:
    return Counter(copy.status for copy in await copies(sessions, broadcast_id))
