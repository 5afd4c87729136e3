"""Shared pieces of the ideas tests: the sample edition, residents, a service whose
step emits the events a test names, and translators with the texts under test."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.support import Translations
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pbbot.config.edition_file import load_edition
from pbbot.conversations import ConversationService
from pbbot.domain.messages import Inbound
from pbbot.engine.events import Event
from pbbot.engine.snapshot import EMPTY_SNAPSHOT, Snapshot
from pbbot.engine.state import ConversationState
from pbbot.i18n.catalogs import Translator
from pbbot.ideas.events import IdeaSubmitted
from pbbot.ideas.tables import Idea
from pbbot.storage.tables import OutboundMessage, Resident

EDITION = load_edition(Path(__file__).resolve().parents[2] / "examples" / "mechelen-2027.yaml")
NOW = datetime(2027, 2, 20, 9, 30, tzinfo=UTC)


def submitted(title: str = "Bankjes aan de Dijle", **fields: object) -> IdeaSubmitted:
    values: dict[str, object] = {
        "edition": EDITION.id,
        "title": title,
        "description": "Meer bankjes langs het water, voor wie niet lang kan stappen.",
        "theme": "green",
        "estimated_cost": 12500,
    }
    return IdeaSubmitted(**{**values, **fields})  # type: ignore[arg-type]


def scripted_service(
    sessionmaker: async_sessionmaker[AsyncSession],
    script: dict[str, Sequence[Event]],
    *,
    clock: Callable[[], datetime] = lambda: NOW,
) -> ConversationService:
    """A service whose step emits `script[text]`; "LANG xx" chooses a language first."""

    def step(
        state: ConversationState, inbound: Inbound, snapshot: Snapshot = EMPTY_SNAPSHOT, /
    ) -> tuple[ConversationState, list[Event]]:
        if inbound.text.startswith("LANG "):
            return state.evolve(locale=inbound.text.removeprefix("LANG ")), []
        return state, list(script.get(inbound.text, ()))

    return ConversationService(sessionmaker, step, clock=clock, edition_id=EDITION.id)


async def say(
    service: ConversationService, address: str, *texts: str, channel: str = "sms"
) -> None:
    for text in texts:
        await service.handle(Inbound(channel=channel, address=address, text=text))


async def resident_id(session: AsyncSession, address: str) -> int:
    found = await session.scalar(select(Resident.id).where(Resident.address == address))
    assert found is not None
    return found


async def idea_number(session: AsyncSession, number: int) -> Idea:
    idea = await session.scalar(select(Idea).where(Idea.number == number))
    assert idea is not None
    return idea


async def last_message(session: AsyncSession) -> OutboundMessage:
    message = await session.scalar(select(OutboundMessage).order_by(OutboundMessage.id.desc()))
    assert message is not None
    return message


def translator_with(locale: str, texts: dict[str, str | tuple[str, ...]]) -> Translator:
    """A translator that knows `texts` (msgid -> text, or a plural msgid's forms,
    keyed by its singular as 'singular|plural')."""
    catalog = Catalog(locale=locale, domain="pbbot")
    for msgid, text in texts.items():
        if isinstance(text, tuple):
            singular, plural = msgid.split("|")
            catalog.add((singular, plural), text)
        else:
            catalog.add(msgid, text)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translator(locale, Translations(buffer, domain="pbbot"))
