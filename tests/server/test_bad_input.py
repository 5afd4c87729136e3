"""Bad input: not genuine means 4xx and nothing stored; a resident's odd text
means a polite answer. Never a 500, never a crash."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select

from pbbot.storage.tables import InboundMessage, OutboundMessage
from tests.fakes.telegram_updates import location_message, text_message
from tests.server.harness import SECRET, City, running_city
from tests.server.raw_http import raw_post


@pytest.fixture
async def city(database_url: str) -> AsyncIterator[City]:
    async with running_city(database_url) as running:
        yield running


@pytest.mark.parametrize(
    ("body", "headers", "status"),
    [
        (b'{"update_id": 1, "message": ', {}, 400),  # malformed JSON
        (b"[1, 2, 3]", {}, 400),  # JSON, but not an update
        (b'{"update_id": "one"}', {}, 400),
        (b'{"update_id": 5, "message": {"chat": 3}}', {}, 400),
        (b"{}", {"X-Telegram-Bot-Api-Secret-Token": "wrong"}, 401),
        (b"{}", {"X-Telegram-Bot-Api-Secret-Token": None}, 401),
        (b'{"update_id": 1}' + b" " * (1024 * 1024), {}, 413),  # over the 1 MB limit
    ],
    ids=["truncated", "array", "bad-field", "bad-message", "wrong-secret", "no-secret", "huge"],
)
async def test_requests_that_are_not_genuine_updates_are_refused(
    city: City, body: bytes, headers: dict[str, str | None], status: int
) -> None:
    sent = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
    sent.update({name: value for name, value in headers.items() if value is not None})
    for name, value in headers.items():
        if value is None:
            del sent[name]
    response = await city.client.post("/telegram/webhook", data=io.BytesIO(body), headers=sent)
    assert response.status == status
    assert await city.inbound_count() == 0


@pytest.mark.parametrize(
    "text",
    [
        "x" * 10_000,
        "🎉🌳🚲 " * 50,
        "שלום, אני רוצה גן משחקים",
        "beep\x00\x07\x1b[31m boop",
        "'; DROP TABLE residents; --",
        "\u202eevil\u202c",
    ],
    ids=["10k", "emoji", "rtl", "control", "sql", "bidi"],
)
async def test_odd_texts_from_a_resident_get_a_polite_answer(city: City, text: str) -> None:
    await city.telegram(text_message("hello", update_id=1, language_code="en"))
    await city.settle()
    response = await city.telegram(text_message(text, update_id=2, language_code="en"))
    assert response.status == 200
    await city.settle()
    assert city.sent_texts()[-1] == "Please tap one of the buttons."


async def test_sms_bodies_that_are_not_sms_are_refused(city: City) -> None:
    # Correctly signed, but not an inbound message (no valid MessageSid).
    response = await city.sms("hello", sid="not-a-sid")
    assert response.status == 400
    assert await city.inbound_count() == 0


_FORM = b"application/x-www-form-urlencoded"
_MULTIPART_BODY = (
    b'--b\r\nContent-Disposition: form-data; name="Body"\r\n\r\nhallo\r\n'
    b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n'
    b"Content-Type: text/plain\r\n\r\nabc\r\n--b--\r\n"
)


@pytest.mark.parametrize("path", ["/sms/twilio", "/sms/twilio/status"])
@pytest.mark.parametrize(
    ("content_type", "body", "status"),
    [
        (_FORM, b"From=%2B32470123456&Body=h\xe9llo", 400),  # latin-1, not UTF-8
        (_FORM, b"From=%2B32470123456&Body=h%E9llo", 400),  # the same, percent-encoded
        (_FORM + b"; charset=klingon", b"Body=hallo", 415),
        (b"multipart/form-data; boundary=b", _MULTIPART_BODY, 415),  # with a file field
    ],
    ids=["latin-1", "latin-1-escaped", "unknown-charset", "multipart-file"],
)
async def test_twilio_bodies_that_are_no_twilio_form_are_refused_before_the_signature(
    city: City, path: str, content_type: bytes, body: bytes, status: int
) -> None:
    # Without credentials: these were 500s, the form read before the signature.
    headers = [(b"Content-Type", content_type), (b"X-Twilio-Signature", b"Zm9yZ2Vk")]
    assert await raw_post(city.client, path, headers, body) == status
    assert await city.inbound_count() == 0


async def test_a_secret_header_with_a_byte_that_is_not_utf8_is_refused(city: City) -> None:
    body = json.dumps(text_message("hallo", update_id=1)).encode()
    headers = [
        (b"Content-Type", b"application/json"),
        (b"X-Telegram-Bot-Api-Secret-Token", SECRET.encode() + b"\xff"),
    ]
    assert await raw_post(city.client, "/telegram/webhook", headers, body) == 401
    assert await city.inbound_count() == 0


def _with_chat_id(update: dict[str, Any], chat_id: object) -> dict[str, Any]:
    update["message"]["chat"] = {**update["message"]["chat"], "id": chat_id}
    return update


def _with_latitude(latitude: object) -> dict[str, Any]:
    update = location_message(update_id=5)
    update["message"]["location"] = {**update["message"]["location"], "latitude": latitude}
    return update


@pytest.mark.parametrize(
    "body",
    [
        b'{"update_id": 1, "message": ' * 3000 + b"{}" + b"}" * 3000,
        b'{"update_id": ' + b"1" * 5000 + b"}",
        # A key or an address longer than its column: PostgreSQL refused it in
        # the transaction (it was a 503, and Telegram sent the update again forever).
        json.dumps(text_message("hallo", update_id=10**195)).encode(),
        json.dumps(_with_chat_id(text_message("hallo", update_id=3), "4" * 140)).encode(),
        # A NaN the database's JSON refuses (PostgreSQL) or stores as no number (SQLite).
        json.dumps(_with_latitude("NaN")).encode(),
    ],
    ids=["deep", "5000-digits", "long-key", "long-address", "nan"],
)
async def test_updates_no_telegram_sends_are_refused_with_the_secret(
    city: City, body: bytes
) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
    response = await city.client.post("/telegram/webhook", data=body, headers=headers)
    assert response.status == 400
    assert await city.inbound_count() == 0
    response = await city.telegram(text_message("hallo", update_id=6))  # the next one: answered
    assert response.status == 200
    await city.settle()
    assert city.sent_texts()


async def test_status_callbacks_no_twilio_sends_are_refused_and_change_nothing(
    city: City,
) -> None:
    await city.sms("hallo", sid="SM" + "1" * 32)
    await city.settle()
    async with city.runtime.sessionmaker() as session:
        reply = (
            await session.scalars(select(OutboundMessage).order_by(OutboundMessage.id))
        ).first()
    assert reply is not None and reply.status == "sent"
    sid = reply.provider_id
    assert sid is not None
    for form in (
        {"MessageSid": sid + "\x00", "MessageStatus": "delivered"},  # PostgreSQL: 500
        {"MessageSid": sid, "MessageStatus": "failed", "ErrorCode": "3" * 5000},  # int(): 500
        {"MessageSid": sid, "MessageStatus": "failed", "ErrorCode": "³"},  # isdigit, not int
    ):
        response = await city.status(form)
        assert response.status == 400, form
    async with city.runtime.sessionmaker() as session:
        assert (
            await session.scalar(
                select(OutboundMessage.status).where(OutboundMessage.id == reply.id)
            )
            == "sent"
        )


async def _stored_texts(city: City) -> list[str]:
    async with city.runtime.sessionmaker() as session:
        rows = await session.scalars(select(InboundMessage).order_by(InboundMessage.id))
        return [row.body["text"] for row in rows]


async def test_stored_texts_are_cut_at_what_the_provider_takes(city: City) -> None:
    await city.telegram(text_message("é" * 100_000, update_id=1))
    await city.sms("ü" * 100_000, sid="SM" + "2" * 32)
    assert await _stored_texts(city) == ["é" * 4096, "ü" * 1600]


async def test_health(city: City) -> None:
    response = await city.client.get("/healthz")
    assert response.status == 200
    assert await response.json() == {
        "status": "ok",
        "oldest_unprocessed_inbound_seconds": 0.0,
        "oldest_due_reply_seconds": 0.0,
    }
