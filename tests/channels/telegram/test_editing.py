"""Editing in place: a reply that replaces the tapped list is shown in that
message (`editMessageText`), with both drivers against the fake Bot API; what
cannot be edited is sent anew."""

from __future__ import annotations

import pytest

from pbbot.channels.base import OutboundEnvelope, SendReceipt
from pbbot.channels.telegram.sending import edit_refusal
from pbbot.channels.telegram.updates import parse_update
from pbbot.domain.messages import Choice, Outbound
from pbbot.errors import ChannelError, RateLimited, RecipientBlocked
from tests.channels.telegram.conftest import Driver
from tests.fakes import telegram_updates as tg
from tests.fakes.telegram_api import BOT_ID, FakeError, FakeTelegramAPI

CHAT = tg.RESIDENT_ID
BASKET = (Choice("vote.basket.p3", "☐ 3 Speeltuin"), Choice("vote.basket.p7", "☑ 7 Bomen"))


def _basket(total: str, choices: tuple[Choice, ...] = BASKET) -> Outbound:
    return Outbound(text=f"Je mandje: {total}", locale="nl", choices=choices, replaces=True)


def _envelope(outbound: Outbound, edits: str | None, message_id: str = "m2") -> OutboundEnvelope:
    return OutboundEnvelope(message_id, str(CHAT), outbound, edits=edits)


def _keyboard(choices: tuple[Choice, ...]) -> dict[str, object]:
    return {"inline_keyboard": [[{"text": c.label, "callback_data": c.payload}] for c in choices]}


async def _first_list(driver: Driver) -> str:
    receipt = await driver.sender.send(_envelope(_basket("€ 0"), None, "m1"))
    return receipt.provider_id


async def test_a_replacing_list_edits_the_tapped_message(
    driver: Driver, api: FakeTelegramAPI
) -> None:
    shown = await _first_list(driver)
    toggled = (Choice("vote.basket.p3", "☑ 3 Speeltuin"), BASKET[1])

    receipt = await driver.sender.send(_envelope(_basket("€ 45.000", toggled), shown))

    assert receipt == SendReceipt(provider_id=shown, segments=1)
    assert len(api.calls_to("sendMessage")) == 1  # the first list only
    [edit] = api.calls_to("editMessageText")
    assert (edit.params["chat_id"], edit.params["message_id"]) == (CHAT, int(shown))
    assert api.shown[(CHAT, int(shown))] == {
        "text": "Je mandje: € 45.000",
        "reply_markup": _keyboard(toggled),
    }


async def test_a_list_without_buttons_edits_them_away(driver: Driver, api: FakeTelegramAPI) -> None:
    shown = await _first_list(driver)
    await driver.sender.send(_envelope(_basket("gestemd", ()), shown))
    assert api.shown[(CHAT, int(shown))] == {"text": "Je mandje: gestemd", "reply_markup": None}


async def test_an_unchanged_list_counts_as_shown(driver: Driver, api: FakeTelegramAPI) -> None:
    shown = await _first_list(driver)
    receipt = await driver.sender.send(_envelope(_basket("€ 0"), shown))
    assert receipt == SendReceipt(provider_id=shown, segments=1)
    assert len(api.calls_to("editMessageText")) == 1  # refused as not modified: nothing else
    assert len(api.calls_to("sendMessage")) == 1


async def test_a_message_that_is_gone_gets_a_new_one(driver: Driver, api: FakeTelegramAPI) -> None:
    receipt = await driver.sender.send(_envelope(_basket("€ 45.000"), "999"))
    [edit] = api.calls_to("editMessageText")
    assert edit.params["message_id"] == 999
    [sent] = api.calls_to("sendMessage")
    assert sent.params["text"] == "Je mandje: € 45.000"
    assert sent.params["reply_markup"] == _keyboard(BASKET)
    assert receipt == SendReceipt(provider_id="1", segments=1)


@pytest.mark.parametrize("refusal", ["message can't be edited", "MESSAGE_ID_INVALID"])
async def test_a_message_telegram_will_not_edit_gets_a_new_one(
    driver: Driver, api: FakeTelegramAPI, refusal: str
) -> None:
    shown = await _first_list(driver)
    api.fail_next(FakeError.bad_request(refusal), method="editMessageText")
    receipt = await driver.sender.send(_envelope(_basket("€ 45.000"), shown))
    assert len(api.calls_to("sendMessage")) == 2
    assert receipt.provider_id != shown


async def test_a_photo_is_never_edited(driver: Driver, api: FakeTelegramAPI) -> None:
    shown = await _first_list(driver)
    chart = Outbound(text="De uitslag", locale="nl", image=b"\x89PNG\r\n", replaces=True)
    await driver.sender.send(_envelope(chart, shown))
    assert api.calls_to("editMessageText") == []
    assert len(api.calls_to("sendPhoto")) == 1
    assert len(api.calls_to("sendMessage")) == 2


async def test_a_contact_request_is_never_edited(driver: Driver, api: FakeTelegramAPI) -> None:
    shown = await _first_list(driver)
    ask = Outbound(text="Deel je nummer", locale="nl", request="contact", replaces=True)
    await driver.sender.send(_envelope(ask, shown))
    assert api.calls_to("editMessageText") == []
    assert "keyboard" in api.calls_to("sendMessage")[-1].params["reply_markup"]


async def test_a_text_of_several_messages_is_sent_anew(
    driver: Driver, api: FakeTelegramAPI
) -> None:
    shown = await _first_list(driver)
    paragraph = "Elk project telt. " * 150
    long = Outbound(text=f"{paragraph}\n\n{paragraph}", locale="nl", choices=BASKET, replaces=True)
    receipt = await driver.sender.send(_envelope(long, shown))
    assert api.calls_to("editMessageText") == []
    assert len(api.calls_to("sendMessage")) == 3
    assert receipt.segments == 2
    assert api.shown[(CHAT, int(shown))]["text"] == "Je mandje: € 0"


async def test_edit_errors_are_the_channels_errors(driver: Driver, api: FakeTelegramAPI) -> None:
    shown = await _first_list(driver)
    api.fail_next(FakeError.too_many_requests(7), method="editMessageText")
    with pytest.raises(RateLimited) as limited:
        await driver.sender.send(_envelope(_basket("€ 45.000"), shown))
    assert limited.value.retry_after == 7
    api.fail_next(FakeError.blocked(), method="editMessageText")
    with pytest.raises(RecipientBlocked):
        await driver.sender.send(_envelope(_basket("€ 45.000"), shown))
    api.fail_next(FakeError.bad_gateway(), method="editMessageText")
    with pytest.raises(ChannelError):
        await driver.sender.send(_envelope(_basket("€ 45.000"), shown))
    # None of these fell back to a new message: the outbox retries the edit.
    assert len(api.calls_to("sendMessage")) == 1


async def test_a_tap_names_the_message_it_was_under(driver: Driver) -> None:
    parsed = parse_update(driver.read_update(tg.callback_query("x.y.z", message_id=812)), BOT_ID)
    assert parsed is not None
    assert parsed.inbound.message_ref == "812"


async def test_a_tap_under_an_inaccessible_message_names_none(driver: Driver) -> None:
    update = tg.callback_query("x.y.z", message_id=812)
    # What Telegram sends for a message the bot can no longer see: chat, id, date 0.
    update["callback_query"]["message"] = {
        "chat": update["callback_query"]["message"]["chat"],
        "message_id": 812,
        "date": 0,
    }
    parsed = parse_update(driver.read_update(update), BOT_ID)
    assert parsed is not None
    assert (parsed.inbound.payload, parsed.inbound.message_ref) == ("x.y.z", None)


def test_telegrams_refusals_are_read_alike_by_both_drivers() -> None:
    assert edit_refusal("Bad Request: message is not modified: specified new ...") == "unchanged"
    assert edit_refusal("Bad Request: message to edit not found") == "not_editable"
    assert edit_refusal("Message can't be edited") == "not_editable"  # PTB drops the prefix
    assert edit_refusal("Bad Request: chat not found") is None
