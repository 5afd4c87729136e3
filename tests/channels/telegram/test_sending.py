from __future__ import annotations

import pytest

from pbbot.channels.base import OutboundEnvelope, SendReceipt
from pbbot.domain.messages import Choice, Outbound
from pbbot.domain.payloads import callback_data_for
from pbbot.errors import ChannelError, RateLimited, RecipientBlocked
from tests.channels.telegram.conftest import Driver
from tests.fakes.telegram_api import FakeError, FakeTelegramAPI

CHAT = 412345678


def _envelope(outbound: Outbound, message_id: str = "m1") -> OutboundEnvelope:
    return OutboundEnvelope(message_id=message_id, address=str(CHAT), outbound=outbound)


async def test_choices_are_sent_as_an_inline_keyboard(driver: Driver, api: FakeTelegramAPI) -> None:
    long_payload = "idea:" + "x" * 80
    outbound = Outbound(
        text="Waarover wil je meer weten?",
        locale="nl",
        choices=(Choice("info:pb", "Wat is de burgerbegroting?"), Choice(long_payload, "Dat idee")),
    )
    receipt = await driver.sender.send(_envelope(outbound))
    [call] = api.calls_to("sendMessage")
    assert call.params["chat_id"] == CHAT
    assert call.params["text"] == "Waarover wil je meer weten?"
    assert call.params["reply_markup"] == {
        "inline_keyboard": [
            [{"text": "Wat is de burgerbegroting?", "callback_data": "info:pb"}],
            [{"text": "Dat idee", "callback_data": callback_data_for(long_payload)}],
        ]
    }
    assert receipt == SendReceipt(provider_id="1", segments=1)


async def test_long_text_goes_out_in_parts_keyboard_on_the_last(
    driver: Driver, api: FakeTelegramAPI
) -> None:
    paragraph = "Elk idee telt. " * 150  # 2250 characters
    outbound = Outbound(
        text=f"{paragraph}\n\n{paragraph}\n\n{paragraph}",
        locale="nl",
        choices=(Choice("menu", "Menu"),),
    )
    receipt = await driver.sender.send(_envelope(outbound))
    calls = api.calls_to("sendMessage")
    assert [len(c.params["text"]) for c in calls] == [2249, 2249, 2249]
    assert ["reply_markup" in c.params for c in calls] == [False, False, True]
    assert receipt == SendReceipt(provider_id="3", segments=3)


async def test_contact_request_is_a_one_time_reply_keyboard(
    driver: Driver, api: FakeTelegramAPI
) -> None:
    outbound = Outbound(
        text="Deel je nummer", locale="en", choices=(Choice("skip", "Skip"),), request="contact"
    )
    await driver.sender.send(_envelope(outbound))
    [call] = api.calls_to("sendMessage")
    markup = call.params["reply_markup"]
    assert markup["keyboard"] == [
        [{"text": "Share my phone number", "request_contact": True}],
        [{"text": "Skip"}],
    ]
    assert (markup["one_time_keyboard"], markup["resize_keyboard"]) == (True, True)


async def test_location_request(driver: Driver, api: FakeTelegramAPI) -> None:
    await driver.sender.send(_envelope(Outbound(text="Waar?", locale="en", request="location")))
    [call] = api.calls_to("sendMessage")
    assert call.params["reply_markup"]["keyboard"] == [
        [{"text": "Share my location", "request_location": True}]
    ]


async def test_image_is_sent_as_a_photo_before_the_text(
    driver: Driver, api: FakeTelegramAPI
) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    await driver.sender.send(_envelope(Outbound(text="Je stembiljet", locale="nl", image=png)))
    assert [c.method for c in api.calls if c.method != "getMe"] == ["sendPhoto", "sendMessage"]
    assert api.calls_to("sendPhoto")[0].files["photo"] == png


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (FakeError.blocked(), RecipientBlocked),
        (FakeError.deactivated(), RecipientBlocked),
        (FakeError.bad_request("chat not found"), RecipientBlocked),
        (FakeError.bad_gateway(), ChannelError),
        (FakeError.bad_request("message is too long"), ChannelError),
    ],
)
async def test_errors_are_translated(
    driver: Driver, api: FakeTelegramAPI, error: FakeError, expected: type[ChannelError]
) -> None:
    api.fail_next(error, method="sendMessage")
    with pytest.raises(ChannelError) as raised:
        await driver.sender.send(_envelope(Outbound(text="Hallo", locale="nl")))
    assert type(raised.value) is expected


async def test_rate_limit_carries_retry_after(driver: Driver, api: FakeTelegramAPI) -> None:
    api.fail_next(FakeError.too_many_requests(7), method="sendMessage")
    with pytest.raises(RateLimited) as raised:
        await driver.sender.send(_envelope(Outbound(text="Hallo", locale="nl")))
    assert raised.value.retry_after == 7.0


async def test_retry_after_a_rate_limit_mid_message_resumes_where_it_stopped(
    driver: Driver, api: FakeTelegramAPI
) -> None:
    outbound = Outbound(text="\n\n".join(["a" * 3000, "b" * 3000, "c" * 3000]), locale="nl")
    await driver.sender.send(_envelope(Outbound(text="warm-up", locale="nl"), "m0"))
    api.calls.clear()
    api.fail_next(FakeError.too_many_requests(1), method="sendMessage")  # the first part goes
    api.fail_next(FakeError.too_many_requests(1), method="sendMessage")
    with pytest.raises(RateLimited):
        await driver.sender.send(_envelope(outbound, "m2"))
    with pytest.raises(RateLimited):
        await driver.sender.send(_envelope(outbound, "m2"))
    receipt = await driver.sender.send(_envelope(outbound, "m2"))
    sent = [c.params["text"][0] for c in api.calls_to("sendMessage")]
    assert sent == ["a", "a", "a", "b", "c"]  # the two refused attempts, then each part once
    assert receipt.segments == 3


async def test_callback_queries_are_always_answered(driver: Driver, api: FakeTelegramAPI) -> None:
    assert await driver.sender.answer_callback("1771265243981963719") is True
    api.fail_next(FakeError.bad_request("query is too old and response timeout expired"))
    assert await driver.sender.answer_callback("1771265243981963000") is False
    ids = [c.params["callback_query_id"] for c in api.calls_to("answerCallbackQuery")]
    assert ids == ["1771265243981963719", "1771265243981963000"]


async def test_an_address_that_is_no_chat_id_is_unreachable(driver: Driver) -> None:
    envelope = OutboundEnvelope("m1", "+32470123456", Outbound(text="Hallo", locale="nl"))
    with pytest.raises(RecipientBlocked):
        await driver.sender.send(envelope)


async def test_an_empty_message_is_refused_before_telegram(
    driver: Driver, api: FakeTelegramAPI
) -> None:
    with pytest.raises(ChannelError, match="nothing to send"):
        await driver.sender.send(_envelope(Outbound(text="  ", locale="nl")))
    assert api.calls_to("sendMessage") == []
