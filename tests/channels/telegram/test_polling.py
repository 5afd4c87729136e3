from __future__ import annotations

import asyncio

import pytest

from pbbot.channels.base import InboundUpdate
from pbbot.channels.telegram.bot import make_bot
from pbbot.channels.telegram.polling import poll_updates
from tests.fakes import telegram_updates as tg
from tests.fakes.telegram_api import TOKEN, FakeTelegramAPI


async def test_polling_hands_over_updates_and_confirms_them() -> None:
    received: list[InboundUpdate] = []
    done = asyncio.Event()

    async def handle(update: InboundUpdate) -> None:
        received.append(update)
        if len(received) == 2:
            done.set()

    async with FakeTelegramAPI() as api:
        api.webhook = {"url": "https://old.example/hook"}
        api.push_updates(
            tg.text_message("hallo", update_id=815000500),
            tg.group_message(update_id=815000501),  # ignored, but confirmed
            tg.callback_query("menu", update_id=815000502),
        )
        bot = make_bot(TOKEN, api_url=api.base_url)
        polling = asyncio.create_task(poll_updates(bot, handle, timeout=1))
        try:
            await asyncio.wait_for(done.wait(), timeout=10)
            api.push_updates(tg.text_message("nog eens", update_id=815000503))
            while len(received) < 3:
                await asyncio.sleep(0.01)
        finally:
            polling.cancel()
            await bot.session.close()
    assert [u.key.rsplit(":", 1)[1] for u in received] == ["815000500", "815000502", "815000503"]
    assert api.calls_to("deleteWebhook")
    offsets = [c.params.get("offset") for c in api.calls_to("getUpdates")]
    assert offsets[:2] == [None, 815000503]


async def test_an_update_that_could_not_be_handled_is_not_confirmed() -> None:
    async def failing(update: InboundUpdate) -> None:
        raise RuntimeError("database down")

    async with FakeTelegramAPI() as api:
        api.push_updates(tg.text_message("hallo", update_id=815000600))
        bot = make_bot(TOKEN, api_url=api.base_url)
        try:
            with pytest.raises(RuntimeError):
                await poll_updates(bot, failing, timeout=1)
        finally:
            await bot.session.close()
        assert [c.params.get("offset") for c in api.calls_to("getUpdates")] == [None]
