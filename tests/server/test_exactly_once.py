"""Exactly once and in order: redeliveries, concurrent messages, crash and restart."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from pbbot.domain.messages import Inbound
from pbbot.runtime import build_runtime
from pbbot.storage.tables import InboundMessage, OutboundMessage
from tests.fakes.telegram_updates import text_message
from tests.server.harness import EDITION, TODAY, City, running_city


@pytest.fixture
async def city(database_url: str) -> AsyncIterator[City]:
    async with running_city(database_url) as running:
        yield running


async def test_a_redelivered_update_does_nothing_the_second_time(city: City) -> None:
    update = text_message("hello", update_id=41, language_code="en")
    first = await city.telegram(update)
    await city.settle()
    second = await city.telegram(update)
    await city.settle()
    assert (first.status, second.status) == (200, 200)
    assert await city.inbound_count() == 1
    assert len(city.sent_texts()) == 1


async def test_a_redelivered_sms_does_nothing_the_second_time(city: City) -> None:
    await city.sms("hallo", sid="SM" + "1" * 32)
    await city.sms("hallo", sid="SM" + "1" * 32)
    await city.settle()
    assert await city.inbound_count() == 1
    assert len(city.twilio_http.requests) == 1


async def test_concurrent_messages_from_one_resident_are_handled_in_order(city: City) -> None:
    await city.telegram(text_message("hello", update_id=1, language_code="en"))
    await city.telegram(text_message("3", update_id=2, language_code="en"))
    await city.settle()
    # A fast typist: twelve answers at once to a question that wants a number.
    updates = [text_message(f"x{n}", update_id=100 + n, language_code="en") for n in range(12)]
    responses = await asyncio.gather(*(city.telegram(update) for update in updates))
    assert [response.status for response in responses] == [200] * 12
    await city.settle()
    async with city.runtime.sessionmaker() as session:
        unprocessed = await session.scalar(
            select(InboundMessage).where(InboundMessage.processed_at.is_(None))
        )
    assert unprocessed is None
    assert await city.inbound_count() == 14
    # Each miss was counted on top of the previous one (misses 1, 2, then "stuck",
    # four times over): no message saw a state that another had already left.
    texts = city.sent_texts()
    assert texts.count("Sorry, I don't understand. What would you like?") == 4
    assert sum(text.startswith("Please reply with a number") for text in texts) == 8


async def test_a_message_stored_before_a_crash_is_processed_once_after_restart(
    database_url: str,
) -> None:
    crashed = build_runtime(EDITION, database_url, TODAY)
    # The webhook stored the message and answered 200; then the process died.
    await crashed.service.accept(
        Inbound(channel="telegram", address="412345678", text="hello", language_hint="en"),
        key="telegram:7000000001:77",
    )
    await crashed.close()

    async with running_city(database_url) as city:
        await city.settle()
        assert len(city.sent_texts()) == 1  # processed at start-up
        response = await city.telegram(text_message("hello", update_id=77, language_code="en"))
        assert response.status == 200  # Telegram's redelivery of the same update
        await city.settle()
        assert len(city.sent_texts()) == 1
        assert await city.count(OutboundMessage) == 1


async def test_two_server_processes_share_one_resident_without_losing_a_message(
    database_url: str, backend: str
) -> None:
    if backend != "postgres":
        pytest.skip("several server processes share PostgreSQL, not a SQLite file")
    async with running_city(database_url) as first, running_city(database_url) as second:
        await first.telegram(text_message("hello", update_id=1, language_code="en"))
        await first.settle()
        await second.telegram(text_message("3", update_id=2, language_code="en"))
        await second.settle()
        # Telegram spreads a fast typist's updates over both processes.
        sends = [
            (first if n % 2 else second).telegram(
                text_message(f"x{n}", update_id=100 + n, language_code="en")
            )
            for n in range(12)
        ]
        assert [r.status for r in await asyncio.gather(*sends)] == [200] * 12
        await first.settle()
        await second.settle()
        texts = first.sent_texts() + second.sent_texts()
    # Twelve misses in a row, wherever each was handled: the menu-or-help offer
    # came after every third, so no message saw a state another had left behind.
    assert texts.count("Sorry, I don't understand. What would you like?") == 4
