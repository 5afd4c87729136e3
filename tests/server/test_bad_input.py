"""Bad input: not genuine means 4xx and nothing stored; a resident's odd text
means a polite answer. Never a 500, never a crash."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator

import pytest

from tests.fakes.telegram_updates import text_message
from tests.server.harness import SECRET, City, running_city


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


async def test_health(city: City) -> None:
    response = await city.client.get("/healthz")
    assert response.status == 200
    assert await response.json() == {
        "status": "ok",
        "oldest_unprocessed_inbound_seconds": 0.0,
        "oldest_due_reply_seconds": 0.0,
    }

