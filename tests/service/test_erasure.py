"""Erasure that erases, on SQLite and PostgreSQL: after "Delete everything" (in
the chat) or `pbbot residents delete` (staff), nothing in the database leads
back to the resident, and a redelivered or replayed message still does nothing.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pbbot.channels.base import SendReceipt
from pbbot.domain.messages import Inbound
from pbbot.outbox.policy import OutboxPolicy
from pbbot.outbox.queue import OutboxQueue
from pbbot.runtime import Runtime, build_runtime
from pbbot.storage.tables import Base, ErasedInboundKey, OutboundMessage, Resident
from tests.outbox.support import FakeClock

EDITION = Path(__file__).resolve().parents[2] / "examples" / "mechelen-2027.yaml"
TODAY = date(2027, 2, 20)
PHONE = "+32470000044"
# English, agree, district 2, 30 years, then: My data, Delete everything, Yes.
TO_MY_DATA = ["👋", "3", "1", "2", "30"]
ERASE = ["4", "2", "1"]


@pytest.fixture
async def runtime(database_url: str) -> Runtime:
    runtime = build_runtime(EDITION, database_url, TODAY)
    yield runtime  # type: ignore[misc]
    await runtime.close()


async def say(runtime: Runtime, texts: list[str], *, prefix: str = "SM") -> list[str]:
    """Send `texts` as SMS with Twilio-like keys; the keys used."""
    keys = [f"twilio:{prefix}{index:032d}" for index in range(len(texts))]
    for body, key in zip(texts, keys, strict=True):
        await runtime.service.handle_many([(Inbound("sms", PHONE, text=body), key)])
    return keys


async def stored_anywhere(
    sessionmaker: async_sessionmaker[AsyncSession], *needles: str
) -> set[str]:
    """The tables in which any of `needles` appears in any column."""
    found = set()
    async with sessionmaker() as session:
        for table in Base.metadata.sorted_tables:
            rows = (await session.execute(select(table))).all()
            if any(needle in str(tuple(row)) for row in rows for needle in needles):
                found.add(table.name)
    return found


def outbox(runtime: Runtime) -> OutboxQueue:
    return OutboxQueue(
        runtime.sessionmaker, clock=FakeClock(), policy=OutboxPolicy(), owner="test outbox"
    )


async def send_all(queue: OutboxQueue) -> list[str]:
    """What the outbox sends now, one message at a time, as the provider accepts it."""
    texts = []
    while claimed := (await queue.claim("sms", 10, verifiable=True)).messages:
        for message in claimed:
            texts.append(message.outbound.text)
            await queue.sent(message, SendReceipt(provider_id=f"SM{message.id:032x}", segments=1))
    return texts


async def test_delete_everything_leaves_nothing_once_the_confirmation_has_left(
    runtime: Runtime,
) -> None:
    keys = await say(runtime, TO_MY_DATA)
    queue = outbox(runtime)
    await send_all(queue)
    keys += await say(runtime, ERASE, prefix="SMe")
    confirmation = runtime.flows.step("privacy", "erased").text

    # Until it has left, the confirmation needs the number; nothing else is kept.
    assert await stored_anywhere(runtime.sessionmaker, PHONE) == {
        "residents",
        "outbound_messages",
    }
    assert await send_all(queue) == [confirmation]
    assert await stored_anywhere(runtime.sessionmaker, PHONE, "Nekkerspoel", *keys) == set()
    async with runtime.sessionmaker() as session:
        digests = list(await session.scalars(select(ErasedInboundKey.digest)))
    assert len(digests) == len(keys)  # one per message, and none is a key
    assert await runtime.service.export_resident("sms", PHONE) is None

    # Twilio delivers the erasing message again: it is recognized and does nothing.
    new, outcome = await runtime.service.handle_many([(Inbound("sms", PHONE, text="1"), keys[-1])])
    assert new == [False] and outcome.replies == []
    assert await stored_anywhere(runtime.sessionmaker, PHONE) == set()
    # A new message is a new start.
    replies = await runtime.service.handle(Inbound("sms", PHONE, text="hallo"))
    assert replies[0].locale == "nl"


async def test_writing_again_before_the_confirmation_left_keeps_the_resident(
    runtime: Runtime,
) -> None:
    await say(runtime, TO_MY_DATA + ERASE)
    replies = await runtime.service.handle(Inbound("sms", PHONE, text="hallo"))
    await send_all(outbox(runtime))
    async with runtime.sessionmaker() as session:
        resident = await session.scalar(select(Resident).where(Resident.address == PHONE))
        texts = list(await session.scalars(select(OutboundMessage.text)))
    assert resident is not None and resident.erased_at is None
    assert texts == [runtime.flows.step("privacy", "erased").text] + [r.text for r in replies]


async def test_the_simulator_forgets_at_once(database_url: str) -> None:
    runtime = build_runtime(EDITION, database_url, TODAY, simulated=True)
    try:
        for body in TO_MY_DATA + ERASE:
            replies = await runtime.service.handle(Inbound("sms", PHONE, text=body))
        assert replies[-1].text == runtime.flows.step("privacy", "erased").text
        assert await stored_anywhere(runtime.sessionmaker, PHONE) == set()
    finally:
        await runtime.close()


async def test_staff_deletion_keeps_replays_out(runtime: Runtime) -> None:
    keys = await say(runtime, TO_MY_DATA)
    assert await runtime.service.delete_resident("sms", PHONE)
    assert await stored_anywhere(runtime.sessionmaker, PHONE, *keys) == set()

    replayed = [
        (Inbound("sms", PHONE, text=body), key) for body, key in zip(TO_MY_DATA, keys, strict=True)
    ]
    new, outcome = await runtime.service.handle_many(replayed)
    assert new == [False] * len(keys) and outcome.replies == []
    assert await stored_anywhere(runtime.sessionmaker, PHONE) == set()
    # The same key stored in a later process is recognized too.
    assert await runtime.service.accept(Inbound("sms", PHONE, text="2"), key=keys[1]) is None


async def test_a_message_deleted_while_it_is_sent_is_not_taken_for_a_double(
    runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    await say(runtime, ["hallo"])
    queue = outbox(runtime)
    [sending] = (await queue.claim("sms", 10, verifiable=True)).messages
    assert await runtime.service.delete_resident("sms", PHONE)  # while the call is on the wire

    with caplog.at_level(logging.INFO, logger="pbbot.outbox.queue"):
        await queue.sent(sending, SendReceipt(provider_id="SM" + "f" * 32, segments=1))
    assert "lease had run out" not in caplog.text
    assert "being erased" in caplog.text
    async with runtime.sessionmaker() as session:
        assert (await session.execute(text("SELECT count(*) FROM outbound_messages"))).scalar() == 0


async def test_the_erasure_key_is_kept_even_when_the_first_message_fails(
    database_url: str,
) -> None:
    # A key made inside a transaction that rolls back would hash erasures no
    # later process recognizes: it is made in a transaction of its own.
    from pbbot.conversations import ConversationService, StepFailed
    from pbbot.storage.database import create_engine, create_sessionmaker
    from pbbot.storage.tables import InstallationSecret

    def broken(*args: object) -> tuple[object, list[object]]:
        raise RuntimeError("a bug in the step")

    engine = create_engine(database_url)
    sessionmaker = create_sessionmaker(engine)
    try:
        service = ConversationService(sessionmaker, broken)  # type: ignore[arg-type]
        with pytest.raises(StepFailed):
            await service.handle(Inbound("sms", PHONE, text="hallo"))
        async with sessionmaker() as session:
            stored = list(await session.scalars(select(InstallationSecret.value)))
    finally:
        await engine.dispose()
    assert len(stored) == 1 and len(stored[0]) == 32
