from __future__ import annotations

import json

import pytest

from pbbot.channels.telegram.bot import make_bot
from pbbot.channels.telegram.webhook import (
    parse_webhook_body,
    set_webhook,
    webhook_answer,
    webhook_secret_ok,
)
from pbbot.errors import BadWebhook, SettingsError
from tests.fakes import telegram_updates as tg
from tests.fakes.telegram_api import TOKEN, FakeTelegramAPI

BOT_ID = 7000000001


def test_secret_check() -> None:
    assert webhook_secret_ok("s3cr3t-T0ken_x", "s3cr3t-T0ken_x")
    assert not webhook_secret_ok("s3cr3t-T0ken_y", "s3cr3t-T0ken_x")
    assert not webhook_secret_ok(None, "s3cr3t-T0ken_x")
    assert not webhook_secret_ok("", "s3cr3t-T0ken_x")
    assert not webhook_secret_ok("s3cr3t-T0kén_x", "s3cr3t-T0ken_x")  # non-ASCII: no TypeError
    # A raw byte 0xff in the header, as aiohttp decodes it: str.encode() refuses it.
    assert not webhook_secret_ok(b"s3cr3t-T0k\xffn_x".decode(errors="surrogateescape"), "s3cr3t")


def test_webhook_body_is_parsed() -> None:
    body = json.dumps(tg.callback_query("menu", update_id=815000300)).encode()
    parsed = parse_webhook_body(body, BOT_ID)
    assert parsed is not None
    assert (parsed.key, parsed.inbound.payload) == ("telegram:7000000001:815000300", "menu")
    assert webhook_answer(parsed) == {
        "method": "answerCallbackQuery",
        "callback_query_id": "1771265243981963719",
    }


def test_messages_need_no_webhook_answer() -> None:
    parsed = parse_webhook_body(json.dumps(tg.text_message("hallo")).encode(), BOT_ID)
    assert parsed is not None
    assert webhook_answer(parsed) is None


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"\xff\xfe",
        b"[1, 2]",
        b'"update"',
        b"{}",
        b'{"update_id": "twelve"}',
        b'{"update_id": 1, "message": "hallo"}',
        b'{"update_id": 1, "message": {"message_id": 1}}',
    ],
)
def test_a_body_that_is_no_update_is_a_bad_webhook(body: bytes) -> None:
    with pytest.raises(BadWebhook) as raised:
        parse_webhook_body(body, BOT_ID)
    assert raised.value.status == 400


def _update_with(**changes: object) -> bytes:
    update = tg.location_message(update_id=815000500)
    message = update["message"]
    for name, value in changes.items():
        if name == "update_id":
            update[name] = value
        elif name in ("latitude", "longitude"):
            message["location"] = {**message["location"], name: value}
        else:  # "chat" or "from": their id
            message[name] = {**message[name], "id": value}
    return json.dumps(update).encode()


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,  # RecursionError in json.loads
        b'{"update_id": 1, "x": ' + b'{"a": ' * 5000 + b"1" + b"}" * 5001,
        b'{"update_id": ' + b"9" * 5000 + b"}",  # over Python's 4,300 digits for int()
        # Longer than the key's and the address's columns, once in the store:
        _update_with(update_id=10**195),
        _update_with(update_id="9" * 195),  # pydantic reads digits in a string as an int
        _update_with(chat=10**140),
        _update_with(**{"from": -(2**63) - 1}),
        # A NaN that the database's JSON refuses, or no place on earth:
        _update_with(latitude="NaN"),
        _update_with(longitude=float("inf")),  # json.dumps writes Infinity
        _update_with(latitude=90.5),
    ],
    ids=[
        "deep-array",
        "deep-object",
        "5000-digits",
        "long-update-id",
        "long-update-id-string",
        "long-chat-id",
        "long-user-id",
        "nan-latitude",
        "infinite-longitude",
        "latitude-past-the-pole",
    ],
)
def test_a_body_no_telegram_sends_is_a_bad_webhook(body: bytes) -> None:
    with pytest.raises(BadWebhook) as raised:
        parse_webhook_body(body, BOT_ID)
    assert raised.value.status == 400


def test_ids_and_places_telegram_sends_are_taken() -> None:
    body = _update_with(
        update_id=2**31, chat=-(2**52), latitude=-90.0, longitude=180.0, **{"from": 2**52}
    )
    parsed = parse_webhook_body(body, BOT_ID)
    assert parsed is not None
    assert (parsed.key, parsed.inbound.address) == (
        f"telegram:{BOT_ID}:{2**31}",
        str(-(2**52)),
    )


def test_unknown_update_types_are_ignored() -> None:
    future = {"update_id": 815000400, "some_future_update": {"id": 1}}
    assert parse_webhook_body(json.dumps(future).encode(), BOT_ID) is None
    blocked = tg.my_chat_member_blocked()
    assert parse_webhook_body(json.dumps(blocked).encode(), BOT_ID) is None


async def test_set_webhook_registers_url_secret_and_update_types() -> None:
    async with FakeTelegramAPI() as api:
        bot = make_bot(TOKEN, api_url=api.base_url)
        try:
            await set_webhook(bot, "https://pb.mechelen.be/telegram/webhook", "s3cr3t-T0ken_x")
        finally:
            await bot.session.close()
    assert api.webhook == {
        "url": "https://pb.mechelen.be/telegram/webhook",
        "secret_token": "s3cr3t-T0ken_x",
        "allowed_updates": ["message", "callback_query"],
        "max_connections": 100,
    }


@pytest.mark.parametrize(
    ("url", "secret", "source"),
    [
        ("https://pb.example/telegram/webhook", "has space", "PBBOT_TELEGRAM_SECRET"),
        ("https://pb.example/telegram/webhook", "", "PBBOT_TELEGRAM_SECRET"),
        ("http://pb.example/telegram/webhook", "ok", "PBBOT_PUBLIC_URL"),
    ],
)
async def test_set_webhook_refuses_what_telegram_would(url: str, secret: str, source: str) -> None:
    bot = make_bot(TOKEN, api_url="http://127.0.0.1:9")  # never reached
    try:
        with pytest.raises(SettingsError) as raised:
            await set_webhook(bot, url, secret)
    finally:
        await bot.session.close()
    assert raised.value.source == source
