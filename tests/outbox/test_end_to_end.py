"""The outbox with the real senders: aiogram against the fake Bot API server, the twilio
client on the fake HTTP client; on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pbbot.channels.base import ChannelSender, OutboundEnvelope, SendReceipt
from pbbot.channels.sms.sender import TwilioSender
from pbbot.channels.sms.status import parse_status_callback
from pbbot.channels.telegram.bot import aiogram_sender
from pbbot.domain.messages import Channel, Choice
from pbbot.domain.payloads import callback_data_for
from pbbot.outbox.limits import default_limits
from pbbot.outbox.policy import OutboxPolicy
from pbbot.outbox.sender import Outbox
from pbbot.storage.delivery import record_delivery_status
from tests.fakes.telegram_api import TOKEN, FakeError, FakeTelegramAPI
from tests.fakes.twilio_http import ACCOUNT_SID, AUTH_TOKEN, FakeTwilioHttpClient, twilio_error
from tests.outbox.support import (
    START,
    FakeClock,
    ProcessDied,
    message,
    messages,
    queue,
    resident,
)

Sessions = async_sessionmaker[AsyncSession]
CHAT = "412345678"
PHONE = "+32470123456"
FROM_NUMBER = "+32460201234"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


async def drain(outbox: Outbox) -> None:
    while await outbox.send_due():
        pass


# --- Telegram ------------------------------------------------------------------------


class LimitedAfterOnePart(FakeTelegramAPI):
    """Answers 429 to the second sendMessage: a long text's first part got through."""

    async def _sendmessage(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        result = await super()._sendmessage(params, files)
        if len(self.calls_to("sendMessage")) == 1:
            self.fail_next(FakeError.too_many_requests(2), method="sendMessage")
        return result


@pytest.fixture
async def api() -> AsyncIterator[FakeTelegramAPI]:
    async with FakeTelegramAPI() as server:
        yield server


@asynccontextmanager
async def telegram_outbox(
    sessionmaker: Sessions, api: FakeTelegramAPI, clock: FakeClock
) -> AsyncIterator[Outbox]:
    """The outbox with the real aiogram sender, pointed at `api`."""
    sender = aiogram_sender(TOKEN, api_url=api.base_url)
    try:
        yield Outbox(sessionmaker, {"telegram": sender}, clock=clock)
    finally:
        await sender.close()


def sent_texts(api: FakeTelegramAPI) -> list[str]:
    return [call.params["text"] for call in api.calls_to("sendMessage")]


async def test_replies_arrive_in_order_with_their_keyboards(
    sessionmaker: Sessions, api: FakeTelegramAPI, clock: FakeClock
) -> None:
    choices = (Choice("district:north", "North"), Choice("idea:" + "x" * 80, "That idea"))
    await queue(sessionmaker, CHAT, "Thanks!", "Where do you live?", choices=choices)
    await queue(sessionmaker, "999", "Hello")

    async with telegram_outbox(sessionmaker, api, clock) as outbox:
        await drain(outbox)

    calls = [call for call in api.calls_to("sendMessage") if call.params["chat_id"] == int(CHAT)]
    assert [call.params["text"] for call in calls] == ["Thanks!", "Where do you live?"]
    assert [call.params["reply_markup"] for call in calls] == [
        {
            "inline_keyboard": [
                [{"text": "North", "callback_data": "district:north"}],
                [{"text": "That idea", "callback_data": callback_data_for("idea:" + "x" * 80)}],
            ]
        }
    ] * 2
    rows = await messages(sessionmaker)
    assert [(row.status, row.segments) for row in rows] == [("sent", 1)] * 3
    assert {row.provider_id for row in rows} == {"1", "2", "3"}  # Telegram's message ids


async def test_a_429_is_honored_and_the_message_sent_after_the_wait(
    sessionmaker: Sessions, api: FakeTelegramAPI, clock: FakeClock
) -> None:
    await queue(sessionmaker, CHAT, "hello")
    api.fail_next(FakeError.too_many_requests(2), method="sendMessage")

    async with telegram_outbox(sessionmaker, api, clock) as outbox:
        assert await outbox.send_due() == 1
        row = await message(sessionmaker, "hello")
        assert (row.status, row.attempts) == ("queued", 0)
        assert row.next_attempt_at == START + timedelta(seconds=2)

        clock.advance(1.9)
        assert await outbox.send_due(max_wait=0) == 0
        assert sent_texts(api) == ["hello"]  # refused once, not tried again yet

        clock.advance(0.1)
        await drain(outbox)

    assert sent_texts(api) == ["hello", "hello"]
    row = await message(sessionmaker, "hello")
    assert (row.status, row.attempts) == ("sent", 1)


async def test_a_long_text_limited_half_way_resumes_without_repeating_a_part(
    sessionmaker: Sessions, clock: FakeClock
) -> None:
    parts = [f"{word} idea counts. " * 150 for word in ("One", "Every", "Your")]
    await queue(sessionmaker, CHAT, "\n\n".join(parts))

    async with LimitedAfterOnePart() as api, telegram_outbox(sessionmaker, api, clock) as outbox:
        await drain(outbox)
        clock.advance(2.0)
        await drain(outbox)

    texts = [text.split()[0] for text in sent_texts(api)]
    assert texts == ["One", "Every", "Every", "Your"]  # the second part refused once
    [row] = await messages(sessionmaker)
    assert (row.status, row.attempts) == ("sent", 1)


async def test_blocked_by_the_user_makes_the_resident_unreachable(
    sessionmaker: Sessions, api: FakeTelegramAPI, clock: FakeClock
) -> None:
    await queue(sessionmaker, CHAT, "hello", "second")
    api.fail_next(FakeError.blocked(), method="sendMessage")

    async with telegram_outbox(sessionmaker, api, clock) as outbox:
        await drain(outbox)

    assert sent_texts(api) == ["hello"]
    assert (await resident(sessionmaker, CHAT)).unreachable
    assert [(row.status, row.error) for row in await messages(sessionmaker)] == [
        ("failed", "Forbidden: bot was blocked by the user"),
        ("failed", "the resident cannot be reached on this channel"),
    ]


# --- SMS -----------------------------------------------------------------------------


@pytest.fixture
async def http(clock: FakeClock) -> AsyncIterator[FakeTwilioHttpClient]:
    yield FakeTwilioHttpClient(now=clock.now)


def twilio_sender(http: FakeTwilioHttpClient, sender: str = FROM_NUMBER) -> TwilioSender:
    return TwilioSender(
        ACCOUNT_SID,
        AUTH_TOKEN,
        sender=sender,
        public_url="https://pb.mechelen.be/",
        http_client=http,
    )


def sms_outbox_with(sessionmaker: Sessions, sender: ChannelSender, clock: FakeClock) -> Outbox:
    return Outbox(sessionmaker, {"sms": sender}, limits=default_limits(10.0), clock=clock)


@pytest.fixture
async def sms_outbox(
    sessionmaker: Sessions, http: FakeTwilioHttpClient, clock: FakeClock
) -> AsyncIterator[Outbox]:
    sender = twilio_sender(http)
    yield sms_outbox_with(sessionmaker, sender, clock)
    await sender.close()


async def test_an_sms_is_one_rest_call_with_the_status_callback(
    sessionmaker: Sessions, http: FakeTwilioHttpClient, sms_outbox: Outbox
) -> None:
    choices = (Choice("north", "North"), Choice("south", "South"))
    await queue(sessionmaker, PHONE, "Where do you live?", channel="sms", choices=choices)

    await drain(sms_outbox)

    [request] = http.requests
    assert request.data == {
        "To": PHONE,
        "From": FROM_NUMBER,
        "Body": "Where do you live?\n1 North\n2 South",
        "StatusCallback": "https://pb.mechelen.be/sms/twilio/status",
    }
    [row] = await messages(sessionmaker)
    assert (row.status, row.provider_id, row.segments) == ("sent", "SM" + "0" * 31 + "1", 1)


async def test_error_21610_makes_the_resident_unreachable(
    sessionmaker: Sessions, http: FakeTwilioHttpClient, sms_outbox: Outbox
) -> None:
    await queue(sessionmaker, PHONE, "hello", "second", channel="sms")
    http.answers.append(twilio_error(400, 21610, "Attempt to send to unsubscribed recipient"))

    await drain(sms_outbox)

    assert len(http.requests) == 1
    assert (await resident(sessionmaker, PHONE)).unreachable
    [refused, waiting] = await messages(sessionmaker)
    assert (refused.status, waiting.status) == ("failed", "failed")
    assert (refused.error or "").startswith("Twilio 21610: ")
    assert waiting.error == "the resident cannot be reached on this channel"


async def test_status_callbacks_only_move_the_status_forward(
    sessionmaker: Sessions, sms_outbox: Outbox
) -> None:
    await queue(sessionmaker, PHONE, "hello", channel="sms")
    await drain(sms_outbox)
    [row] = await messages(sessionmaker)
    sid = row.provider_id
    assert sid is not None

    seen = []
    for status in ("sending", "delivered", "sent", "queued"):  # out of order, as they arrive
        report = parse_status_callback({"MessageSid": sid, "MessageStatus": status})
        async with sessionmaker.begin() as session:
            changed = await record_delivery_status(
                session, report.message_sid, report.status, report.error_code, now=START
            )
        seen.append((changed, (await message(sessionmaker, "hello")).status))

    assert seen == [
        (False, "sent"),
        (True, "delivered"),
        (False, "delivered"),
        (False, "delivered"),
    ]


async def test_a_failed_callback_with_21610_makes_the_resident_unreachable(
    sessionmaker: Sessions, sms_outbox: Outbox
) -> None:
    await queue(sessionmaker, PHONE, "hello", channel="sms")
    await drain(sms_outbox)
    [row] = await messages(sessionmaker)
    form = {"MessageSid": row.provider_id or "", "MessageStatus": "failed", "ErrorCode": "21610"}
    report = parse_status_callback(form)

    async with sessionmaker.begin() as session:
        assert await record_delivery_status(
            session, report.message_sid, report.status, report.error_code, now=START
        )

    assert (await resident(sessionmaker, PHONE)).unreachable
    assert (await message(sessionmaker, "hello")).status == "failed"


# --- SMS after a crash -----------------------------------------------------------------


class DiesDuringTheCall:
    """The process dies during the call to Twilio: after Twilio took the message, or before
    the request reached it."""

    def __init__(self, inner: TwilioSender, *, reached: bool):
        self.inner = inner
        self.reached = reached

    @property
    def channel(self) -> Channel:
        return self.inner.channel

    async def send(self, envelope: OutboundEnvelope) -> SendReceipt:
        if self.reached:
            await self.inner.send(envelope)
        raise ProcessDied

    async def close(self) -> None:
        pass


async def crash_during_the_first_call(
    sessionmaker: Sessions,
    http: FakeTwilioHttpClient,
    clock: FakeClock,
    *,
    reached: bool,
    sender: str = FROM_NUMBER,
) -> None:
    dying = DiesDuringTheCall(twilio_sender(http, sender), reached=reached)
    with pytest.raises(ProcessDied):
        await sms_outbox_with(sessionmaker, dying, clock).send_due()
    clock.advance(OutboxPolicy().lease)


def calls(http: FakeTwilioHttpClient) -> list[str]:
    return [f"{r.method} {r.data.get('Body') or r.params.get('To')}" for r in http.requests]


@pytest.mark.parametrize("sender", [FROM_NUMBER, "MG" + "a" * 32])
async def test_an_sms_twilio_took_before_the_crash_is_found_there_not_sent_again(
    sessionmaker: Sessions, http: FakeTwilioHttpClient, clock: FakeClock, sender: str
) -> None:
    await queue(sessionmaker, PHONE, "hello", "next", channel="sms")
    await crash_during_the_first_call(sessionmaker, http, clock, reached=True, sender=sender)

    await drain(sms_outbox_with(sessionmaker, twilio_sender(http, sender), clock))

    assert calls(http) == ["POST hello", f"GET {PHONE}", "POST next"]
    assert [m["body"] for m in http.messages.created] == ["hello", "next"]
    hello, _ = await messages(sessionmaker)
    assert (hello.status, hello.attempts) == ("sent", 2)
    assert (hello.provider_id, hello.uncertain_since) == ("SM" + "0" * 31 + "1", START)


async def test_an_sms_that_never_reached_twilio_is_sent_after_looking(
    sessionmaker: Sessions, http: FakeTwilioHttpClient, clock: FakeClock, sms_outbox: Outbox
) -> None:
    await queue(sessionmaker, PHONE, "hello", channel="sms")
    await crash_during_the_first_call(sessionmaker, http, clock, reached=False)

    await drain(sms_outbox)

    assert calls(http) == [f"GET {PHONE}", "POST hello"]
    [row] = await messages(sessionmaker)
    assert (row.status, row.provider_id, row.uncertain_since) == (
        "sent",
        "SM" + "0" * 31 + "1",
        START,
    )


async def test_the_same_text_sent_before_is_not_taken_for_the_uncertain_one(
    sessionmaker: Sessions, http: FakeTwilioHttpClient, clock: FakeClock, sms_outbox: Outbox
) -> None:
    await queue(sessionmaker, PHONE, "Sorry?", channel="sms")
    await drain(sms_outbox)
    clock.advance(5.0)
    await queue(sessionmaker, PHONE, "Sorry?", channel="sms", at=clock.now())
    await crash_during_the_first_call(sessionmaker, http, clock, reached=False)

    await drain(sms_outbox)

    assert calls(http) == ["POST Sorry?", f"GET {PHONE}", "POST Sorry?"]
    assert [row.provider_id for row in await messages(sessionmaker)] == [
        "SM" + "0" * 31 + "1",
        "SM" + "0" * 31 + "2",
    ]


async def test_an_uncertain_sms_waits_while_twilio_cannot_be_asked(
    sessionmaker: Sessions, http: FakeTwilioHttpClient, clock: FakeClock, sms_outbox: Outbox
) -> None:
    await queue(sessionmaker, PHONE, "hello", channel="sms")
    await crash_during_the_first_call(sessionmaker, http, clock, reached=True)
    http.answers.append(twilio_error(500, 20500, "Internal Server Error"))

    await drain(sms_outbox)
    [row] = await messages(sessionmaker)
    assert (row.status, row.error) == ("queued", "Twilio: Unable to fetch page")
    clock.advance(OutboxPolicy().backoff(row.attempts))
    await drain(sms_outbox)

    assert calls(http) == ["POST hello", f"GET {PHONE}", f"GET {PHONE}"]
    assert (await message(sessionmaker, "hello")).status == "sent"
