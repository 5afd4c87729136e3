"""The scripted conversations through the conversation service, on SQLite and
PostgreSQL: state survives between messages only through the database, and a
restart (a new engine on the same database) loses nothing.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, update

from pbbot.domain.messages import Inbound, Outbound
from pbbot.runtime import build_runtime
from pbbot.storage.tables import (
    InboundMessage,
    OutboundMessage,
)
from tests.conversations.script import LANGUAGES, RENDERINGS, SCRIPTS, play

EDITION = Path(__file__).resolve().parents[2] / "examples" / "mechelen-2027.yaml"
TODAY = date(2027, 2, 20)


@pytest.mark.parametrize("rendering", RENDERINGS)
@pytest.mark.parametrize("locale", LANGUAGES)
@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.stem)
async def test_scripted_conversation_is_stored(
    script: Path, locale: str, rendering: str, database_url: str
) -> None:
    runtime = build_runtime(EDITION, database_url, TODAY)
    try:
        await play(script, locale, rendering, runtime.service.handle, address="+32470000002")
    finally:
        await runtime.close()


async def test_restart_loses_no_conversation(database_url: str) -> None:
    first = build_runtime(EDITION, database_url, TODAY)
    await first.service.handle(Inbound(channel="sms", address="+32470000003", text="hello"))
    await first.service.handle(Inbound(channel="sms", address="+32470000003", text="3"))
    await first.close()

    second = build_runtime(EDITION, database_url, TODAY)
    try:
        replies: list[Outbound] = await second.service.handle(
            Inbound(channel="sms", address="+32470000003", text="1")
        )
    finally:
        await second.close()
    # The consent answer was understood: the restarted server knew the resident
    # had chosen English and was at the consent question.
    assert replies[0].locale == "en"
    assert replies[0].text.startswith("In which district do you live?")


async def _stored(runtime: object, address: str) -> tuple[list[dict[str, object]], list[str]]:
    """The resident's stored inbound bodies, and the status of each message to them."""
    async with runtime.sessionmaker() as session:  # type: ignore[attr-defined]
        bodies = list(
            await session.scalars(
                select(InboundMessage.body)
                .where(InboundMessage.address == address)
                .order_by(InboundMessage.id)
            )
        )
        statuses = list(
            await session.scalars(
                select(OutboundMessage.status)
                .where(OutboundMessage.address == address)
                .order_by(OutboundMessage.id)
            )
        )
    return bodies, statuses


async def test_stop_on_telegram_skips_the_replies_still_queued(database_url: str) -> None:
    runtime = build_runtime(EDITION, database_url, TODAY)
    chat = "412345678"
    try:
        for text in ["/start", "3", "1", "1", "40", "STOP"]:  # nothing was sent meanwhile
            replies = await runtime.service.handle(Inbound("telegram", chat, text=text))
        _, statuses = await _stored(runtime, chat)
    finally:
        await runtime.close()
    assert replies[-1].text.startswith("You will get no more messages.")
    assert statuses[-1] == "queued"  # the STOP confirmation still goes
    assert set(statuses[:-1]) == {"skipped"}


async def test_deleting_the_answers_blanks_the_messages_that_gave_them(database_url: str) -> None:
    runtime = build_runtime(EDITION, database_url, TODAY)
    phone = "+32470000005"
    try:
        # ... English, agree, Nekkerspoel, 34 years, My data, delete my answers, yes
        for text in ["👋", "3", "1", "Nekkerspoel", "34 years", "4", "1"]:
            await runtime.service.handle(Inbound("sms", phone, text=text))
        async with runtime.sessionmaker.begin() as session:  # the outbox sent them
            await session.execute(update(OutboundMessage).values(status="sent"))
        await runtime.service.handle(Inbound("sms", phone, text="1"))
        bodies, statuses = await _stored(runtime, phone)
        export = await runtime.service.export_resident("sms", phone)
    finally:
        await runtime.close()
    assert bodies == [{}] * 8
    assert statuses[-1] == "queued"  # "Done: your answers are deleted." still goes
    assert export is not None
    assert "district" not in export["conversation"]["state"]["answers"]
    assert "Nekkerspoel" not in str(export) and "34 years" not in str(export)
