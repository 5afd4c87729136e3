"""Broadcasts from the staff chat end to end: `/broadcast` through the real
webhook to a preview with buttons on the fake Bot API, the tap that confirms it
(once), residents receiving it, and nobody but staff able to start one."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from pbbot.broadcasts.content import Content, render
from pbbot.channels.sms.render import render_sms
from pbbot.domain.messages import Outbound
from pbbot.storage.tables import Broadcast, Resident
from tests.fakes.telegram_updates import RESIDENT_ID, callback_query, text_message
from tests.ideas.support import NOW
from tests.server.harness import City, running_city
from tests.server.test_staff_chat import STAFF, from_staff, texts_to

DUTCH_RESIDENT, FRENCH_RESIDENT = "7001", "+32470000301"


@pytest.fixture
async def city(database_url: str) -> AsyncIterator[City]:
    settings = {"PBBOT_STAFF_TELEGRAM_IDS": f"{STAFF}, 555000222"}
    async with running_city(database_url, settings=settings) as running:
        async with running.runtime.sessionmaker.begin() as session:
            for channel, address, locale in (
                ("telegram", DUTCH_RESIDENT, "nl"),
                ("sms", FRENCH_RESIDENT, "fr"),
            ):
                session.add(
                    Resident(channel=channel, address=address, locale=locale, created_at=NOW)
                )
        yield running


def tap(data: str, *, update_id: int, user_id: int = STAFF) -> dict[str, Any]:
    """A tap on a button under the bot's message in the staff member's private chat."""
    update = callback_query(data, update_id=update_id, language_code="en")
    query = update["callback_query"]
    query["from"] = {**query["from"], "id": user_id, "first_name": "An", "username": "an_p"}
    query["message"]["chat"] = {**query["message"]["chat"], "id": user_id}
    return update


def preview_buttons(city: City) -> dict[str, str]:
    """The buttons under the last message to the staff member: label -> data."""
    call = [
        call
        for call in city.telegram_api.calls_to("sendMessage")
        if str(call.params["chat_id"]) == str(STAFF)
    ][-1]
    rows = call.params["reply_markup"]["inline_keyboard"]
    return {button["text"]: button["callback_data"] for row in rows for button in row}


async def broadcasts(city: City) -> list[Broadcast]:
    async with city.runtime.sessionmaker() as session:
        return list(await session.scalars(select(Broadcast).order_by(Broadcast.id)))


async def test_a_confirmed_preview_reaches_the_residents_once(city: City) -> None:
    await city.telegram(from_staff("/broadcast voting", update_id=1))
    await city.settle()
    (preview,) = texts_to(city, STAFF)
    assert preview.startswith("Preview of “voting”, in English:\nVoting is open until")
    # The staff member's own chat is a subscriber too, so three.
    assert "Recipients: 3 (Telegram 2 · SMS 1)" in preview.splitlines()
    assert "No SMS price is set (PBBOT_SMS_SEGMENT_PRICE): the cost is unknown." in preview
    buttons = preview_buttons(city)
    assert list(buttons) == ["Send to 3 residents", "Don't send"]
    assert await broadcasts(city) == []

    send = buttons["Send to 3 residents"]
    first = await city.telegram(tap(send, update_id=2))
    again = await city.telegram(tap(send, update_id=3))  # a second tap, a while later
    await city.settle()
    assert (first.status, again.status) == (200, 200)
    (broadcast,) = await broadcasts(city)
    assert broadcast.created_by == "telegram:555000111 An Peeters @an_p"
    assert texts_to(city, STAFF)[1:3] == [
        f"Broadcast #{broadcast.id} is queued. Follow it with /broadcast_status {broadcast.id}; "
        f"hold it with /pause {broadcast.id}, stop it with /cancel {broadcast.id}.",
        f"This preview was sent already: broadcast #{broadcast.id}. "
        f"Follow it with /broadcast_status {broadcast.id}.",
    ]

    # The server's broadcast worker fans it out and the outbox sends it.
    for _ in range(250):
        if texts_to(city, DUTCH_RESIDENT) and city.sms_bodies():
            break
        await asyncio.sleep(0.02)
        await city.settle()
    edition, now = city.runtime.edition, datetime.now(UTC)
    voting = Content(message="voting")
    assert texts_to(city, DUTCH_RESIDENT) == [render(voting, edition, "nl", now=now)]
    # As the SMS channel sends it: in GSM-7, apostrophe and spaces plain.
    french = render(voting, edition, "fr", now=now)
    assert city.sms_bodies() == [render_sms(Outbound(french, "fr"))]
    await city.telegram(from_staff(f"/broadcast_status {broadcast.id}", update_id=4))
    await city.settle()
    assert texts_to(city, STAFF)[-1].startswith(f"Broadcast #{broadcast.id} (voting): ")
    assert len(await broadcasts(city)) == 1


async def test_dont_send_creates_no_broadcast(city: City) -> None:
    await city.telegram(from_staff("/broadcast voting channel=sms", update_id=1))
    await city.settle()
    buttons = preview_buttons(city)
    await city.telegram(tap(buttons["Don't send"], update_id=2))
    await city.telegram(tap(buttons["Send to 1 resident"], update_id=3))
    await city.settle()
    assert texts_to(city, STAFF)[1:] == [
        "Not sent. Nothing was queued.",
        "This preview is no longer open: nothing was sent. Start again with /broadcast.",
    ]
    assert await broadcasts(city) == []
    assert city.sms_bodies() == []


async def test_a_residents_broadcast_is_a_residents_message(city: City) -> None:
    """ "/broadcast voting" or a forged preview button from anyone but staff goes to
    the residents' conversation, which answers it as any text; nothing is sent."""
    await city.telegram(from_staff("/broadcast voting", update_id=1))
    await city.settle()
    send = preview_buttons(city)["Send to 3 residents"]

    await city.telegram(text_message("/broadcast voting", update_id=2, language_code="en"))
    await city.settle()
    await city.telegram(tap(send, update_id=3, user_id=RESIDENT_ID))
    await city.settle()
    replies = texts_to(city, RESIDENT_ID)
    assert replies and replies[0] == "Choose a language"
    assert not any(reply.startswith(("Preview of", "Broadcast #")) for reply in replies)
    assert await broadcasts(city) == []
    assert len(texts_to(city, STAFF)) == 1  # only the staff member's own preview


async def test_pause_resume_and_cancel_from_the_chat(city: City) -> None:
    await city.telegram(from_staff("/broadcast voting", update_id=1))
    await city.settle()
    await city.telegram(from_staff("/send 3", update_id=2))
    (broadcast,) = await broadcasts(city)
    number = broadcast.id
    # Each answer is queued when its command is done, so the statuses follow one another
    # however far the worker has got (a broadcast of three is not done within these).
    statuses = []
    commands = (f"/pause {number}", f"/resume {number}", f"/cancel {number}")
    for update_id, command in enumerate(commands, 3):
        await city.telegram(from_staff(command, update_id=update_id))
        statuses.append((await broadcasts(city))[0].status)
    await city.settle()

    assert statuses[0] == "paused"
    assert statuses[1] in ("scheduled", "fanning", "sending")
    assert statuses[2] == "cancelled"
    answers = texts_to(city, STAFF)[2:]
    assert answers[0].startswith(f"Broadcast #{number} is paused. Messages held: ")
    assert answers[1].startswith(f"Broadcast #{number} goes on. Messages queued again: ")
    assert answers[2].startswith(f"Broadcast #{number} is cancelled. Messages not sent: ")
    await city.telegram(from_staff("/broadcasts", update_id=9))
    await city.settle()
    assert texts_to(city, STAFF)[-1].startswith(f"#{number} voting · cancelled · ")
