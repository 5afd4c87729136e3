"""Exactly once and in order: redeliveries, concurrent messages, crash and restart."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from pbbot.domain.messages import Inbound
from pbbot.runtime import Runtime, build_runtime
from pbbot.storage.codec import inbound_from_json
from pbbot.storage.tables import InboundMessage, OutboundMessage
from tests.fakes.telegram_updates import RESIDENT_ID, text_message
from tests.server.harness import EDITION, TODAY, City, running_city

# Onboarding and the menus, from the privacy question on: each answer means
# something only after the one before (a number picks from the menu on screen),
# so the replies show the order the bot saw them in. No two are the same text,
# so each can be found among the stored messages.
WALK = [
    "Yes, I agree",
    "Nekkerspoel",
    "34",
    "Timeline",
    "More information",
    "5",
    "Main menu",
    "3",
    "1",
    "4",
    "main menu",
    "2",
]


@dataclasses.dataclass(frozen=True)
class Handled:
    """An inbound message as stored, and the replies queued in answer to it."""

    text: str
    processed: bool
    replies: list[str]
    reply_ids: list[int]


async def handled(runtime: Runtime, address: str) -> list[Handled]:
    """A resident's messages in the order they were stored, with their replies."""
    async with runtime.sessionmaker() as session:
        inbound = list(
            await session.scalars(
                select(InboundMessage)
                .where(InboundMessage.address == address)
                .order_by(InboundMessage.id)
            )
        )
        replies = list(
            await session.execute(
                select(OutboundMessage.inbound_id, OutboundMessage.id, OutboundMessage.text)
                .where(OutboundMessage.address == address)
                .order_by(OutboundMessage.id)
            )
        )
    return [
        Handled(
            str(message.body["text"]),
            message.processed_at is not None,
            [text for inbound_id, _, text in replies if inbound_id == message.id],
            [reply_id for inbound_id, reply_id, _ in replies if inbound_id == message.id],
        )
        for message in inbound
    ]


async def replay_one_at_a_time(runtime: Runtime, address: str, *, to: str) -> None:
    """Send a resident's stored messages again, in their stored order and each
    after the one before, as the resident `to`."""
    async with runtime.sessionmaker() as session:
        stored = list(
            await session.scalars(
                select(InboundMessage.body)
                .where(InboundMessage.address == address)
                .order_by(InboundMessage.id)
            )
        )
    for body in stored:
        await runtime.service.handle(dataclasses.replace(inbound_from_json(body), address=to))


@pytest.fixture
async def city(database_url: str) -> AsyncIterator[City]:
    async with running_city(database_url) as running:
        yield running


async def test_a_redelivered_update_does_nothing_the_second_time(city: City) -> None:
    update = text_message("hello", update_id=41, language_code="en")
    first = await city.telegram(update)
    await city.settle()
    answered = city.sent_texts()
    second = await city.telegram(update)
    await city.settle()
    assert (first.status, second.status) == (200, 200)
    assert await city.inbound_count() == 1
    assert answered
    assert city.sent_texts() == answered


async def test_a_redelivered_sms_does_nothing_the_second_time(city: City) -> None:
    await city.sms("hallo", sid="SM" + "1" * 32)
    await city.settle()
    answered = len(city.twilio_http.requests)
    await city.sms("hallo", sid="SM" + "1" * 32)
    await city.settle()
    assert await city.inbound_count() == 1
    assert answered >= 1
    assert len(city.twilio_http.requests) == answered


async def test_concurrent_messages_from_one_resident_are_handled_in_order(city: City) -> None:
    await city.telegram(text_message("hello", update_id=1, language_code="en"))
    await city.telegram(text_message("3", update_id=2, language_code="en"))
    await city.settle()
    # A fast typist: twelve answers at once, each to the question the one before brings.
    updates = [
        text_message(text, update_id=100 + n, language_code="en") for n, text in enumerate(WALK)
    ]
    responses = await asyncio.gather(*(city.telegram(update) for update in updates))
    assert [response.status for response in responses] == [200] * 12
    await city.settle()

    resident = await handled(city.runtime, str(RESIDENT_ID))
    assert sorted(message.text for message in resident) == sorted(["hello", "3", *WALK])
    assert all(message.processed and message.replies for message in resident)
    # Replies were queued in the order the messages were stored: no answer to a
    # message came before the answer to an earlier one.
    reply_ids = [reply_id for message in resident for reply_id in message.reply_ids]
    assert reply_ids == sorted(reply_ids)
    # The webhooks ran side by side, so the order they stored the messages in is
    # the arrival order: the bot must answer as if they had come one by one in it.
    await replay_one_at_a_time(city.runtime, str(RESIDENT_ID), to="replayed")
    replayed = await handled(city.runtime, "replayed")
    assert [message.replies for message in resident] == [message.replies for message in replayed]


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
        answered = city.sent_texts()
        assert answered  # processed at start-up
        response = await city.telegram(text_message("hello", update_id=77, language_code="en"))
        assert response.status == 200  # Telegram's redelivery of the same update
        await city.settle()
        assert city.sent_texts() == answered
        assert await city.count(OutboundMessage) == len(answered)


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
        misses = [f"x{n}" for n in range(12)]
        sends = [
            (first if n % 2 else second).telegram(
                text_message(text, update_id=100 + n, language_code="en")
            )
            for n, text in enumerate(misses)
        ]
        assert [r.status for r in await asyncio.gather(*sends)] == [200] * 12
        await first.settle()
        await second.settle()
        texts = first.sent_texts() + second.sent_texts()
        resident = await handled(first.runtime, str(RESIDENT_ID))
    assert sorted(message.text for message in resident) == sorted(["hello", "3", *misses])
    assert all(message.processed for message in resident)
    assert [len(message.replies) for message in resident if message.text in misses] == [1] * 12
    # Twelve misses in a row, wherever each was handled: the menu-or-help offer
    # came after every third, so no message saw a state another had left behind.
    assert texts.count("Sorry, I don't understand. What would you like?") == 4
