"""Telegram over the webhook, end to end, with both Telegram drivers sending."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from tests.fakes.telegram_updates import (
    callback_query,
    contact_message,
    edited_message,
    location_message,
    photo_message,
    text_message,
)
from tests.server.harness import City, running_city


@pytest.fixture(params=["aiogram", "ptb"])
async def city(
    request: pytest.FixtureRequest, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[City]:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # PTB 22 warns on RetryAfter otherwise
    async with running_city(database_url, driver=request.param) as running:
        yield running


def _buttons(call_params: dict) -> list[tuple[str, str]]:
    rows = call_params["reply_markup"]["inline_keyboard"]
    return [(button["text"], button["callback_data"]) for row in rows for button in row]


async def test_a_conversation_with_buttons(city: City) -> None:
    response = await city.telegram(text_message("/start wijk-7", update_id=1, language_code="fr"))
    assert response.status == 200
    await city.settle()
    first = city.telegram_api.calls_to("sendMessage")[-1]
    assert first.params["chat_id"] == 412345678
    # The client's language is a first guess: the language menu is in French.
    assert "Choisissez votre langue" in first.params["text"]
    labels = [label for label, _ in _buttons(first.params)]
    assert labels == ["Nederlands", "Français", "English", "Türkçe", "العربية"]

    english = dict(_buttons(first.params))["English"]
    response = await city.telegram(callback_query(english, update_id=2))
    # The tap is answered in the webhook's own response: the spinner stops at once.
    assert await response.json() == {
        "method": "answerCallbackQuery",
        "callback_query_id": "1771265243981963719",
    }
    await city.settle()
    texts = city.sent_texts()
    assert texts[-2].startswith("Welcome to the Mechelen Participatory Budget 2027!")
    assert texts[-1].endswith("Do you agree?")


async def test_a_stale_button_is_answered_and_explained(city: City) -> None:
    await city.telegram(text_message("hello", update_id=1, language_code="en"))
    await city.settle()
    response = await city.telegram(
        callback_query("main_menu.menu.timeline", update_id=2, language_code="en")
    )
    assert response.status == 200
    assert (await response.json())["method"] == "answerCallbackQuery"
    await city.settle()
    assert "That button belongs to an earlier question." in city.sent_texts()[-2]


async def _onboard_to_age(city: City) -> None:
    for update_id, text in enumerate(["hello", "3", "1", "2"], 1):
        await city.telegram(text_message(text, update_id=update_id, language_code="en"))
    await city.settle()


async def test_contact_location_and_photo_are_accepted_where_text_is_expected(city: City) -> None:
    await _onboard_to_age(city)
    for update_id, update in enumerate(
        [contact_message(update_id=20), location_message(update_id=21), photo_message(update_id=22)]
    ):
        response = await city.telegram(update)
        assert response.status == 200, update_id
    await city.settle()
    # The age question wants a number: each gets a polite re-prompt, never silence.
    assert city.sent_texts()[-1] == "I can only read text here. Please type your answer."


async def test_unknown_update_types_are_ignored_with_200(city: City) -> None:
    response = await city.telegram(edited_message(update_id=30))
    assert response.status == 200
    assert await city.inbound_count() == 0


async def test_long_polling_for_a_city_without_a_public_url(database_url: str) -> None:
    async with running_city(database_url, polling=True) as city:
        response = await city.telegram(text_message("hello", update_id=1, language_code="en"))
        assert response.status == 404  # no webhook route while polling
        city.telegram_api.push_updates(text_message("hello", update_id=5, language_code="en"))
        for _ in range(200):  # the poller fetches the update by itself
            if city.telegram_api.calls_to("sendMessage"):
                break
            await city.settle()
            await asyncio.sleep(0.02)
        assert city.sent_texts() == ["Choose a language"]  # English, as the phone is
        assert city.telegram_api.calls_to(
            "deleteWebhook"
        )  # polling and a webhook exclude each other
        tap = callback_query("onboarding.language.en", update_id=6, language_code="en")
        city.telegram_api.push_updates(tap)
        for _ in range(200):
            if city.telegram_api.calls_to("answerCallbackQuery"):
                break
            await asyncio.sleep(0.02)
        await city.settle()
        assert city.sent_texts()[-1].endswith("Do you agree?")


async def test_stop_and_start_on_telegram(city: City) -> None:
    for update_id, text in enumerate(["hello", "3", "1", "2", "40"], 1):
        await city.telegram(text_message(text, update_id=update_id, language_code="en"))
    await city.telegram(text_message("STOP", update_id=10, language_code="en"))
    await city.settle()
    assert city.sent_texts()[-1].startswith("You will get no more messages.")
    await city.telegram(text_message("when is the vote?", update_id=11, language_code="en"))
    await city.settle()
    assert city.sent_texts()[-1].startswith("You have stopped the messages.")
    await city.telegram(text_message("/start", update_id=12, language_code="en"))
    await city.settle()
    assert "What would you like to do?" in city.sent_texts()[-1]
