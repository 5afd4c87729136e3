"""pbbot plugged into a city's existing python-telegram-bot Application."""

from __future__ import annotations

import pytest
import telegram
from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes

from pbbot.runtime import build_runtime
from pbbot.server.ptb_bridge import attach
from tests.fakes import telegram_updates as tg
from tests.fakes.telegram_api import TOKEN, FakeTelegramAPI
from tests.server.harness import EDITION, FAST_LIMITS, TODAY, settle


async def test_the_engine_answers_through_the_citys_application(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    own: list[str] = []

    async def city_news(update: telegram.Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        own.append("news")

    runtime = build_runtime(EDITION, database_url, TODAY)
    async with FakeTelegramAPI() as api:
        application = ApplicationBuilder().token(TOKEN).base_url(f"{api.base_url}/bot").build()
        application.add_handler(CommandHandler("news", city_news))
        bridge = attach(application, runtime, group=1, limits=FAST_LIMITS)
        async with application:
            await bridge.start()
            for data in (
                tg.text_message("/news", update_id=1, language_code="en"),
                tg.text_message("??", update_id=2, language_code="en"),
            ):
                update = telegram.Update.de_json(data, application.bot)
                await application.process_update(update)
            await settle(bridge.pipeline, bridge.outbox, runtime)
            english = next(
                button["callback_data"]
                for row in api.calls_to("sendMessage")[-1].params["reply_markup"]["inline_keyboard"]
                for button in row
                if button["text"] == "English"
            )
            tap = tg.callback_query(english, update_id=3, language_code="en")
            await application.process_update(telegram.Update.de_json(tap, application.bot))
            await settle(bridge.pipeline, bridge.outbox, runtime)
            await bridge.stop()
    await runtime.close()

    assert own == ["news"]  # the city's own handlers keep working
    texts = [str(call.params["text"]) for call in api.calls_to("sendMessage")]
    # "/news" reached pbbot too, as a first contact; "??" is not a language.
    assert "Choose a language" in texts[0]
    assert texts[1] == "Please tap one of the buttons."
    assert texts[-1].endswith("Do you agree?")
    assert [call.params["callback_query_id"] for call in api.calls_to("answerCallbackQuery")] == [
        "1771265243981963719"
    ]
