from __future__ import annotations

import telegram
from telegram.ext import Application, ApplicationBuilder, CommandHandler, ContextTypes

from pbbot.channels.base import InboundUpdate
from pbbot.channels.telegram.ptb import add_inbound_handler
from tests.fakes import telegram_updates as tg
from tests.fakes.telegram_api import TOKEN, FakeTelegramAPI


async def test_inbound_handler_sees_updates_beside_the_citys_own_handlers() -> None:
    received: list[InboundUpdate] = []
    own: list[str] = []

    async def handle(update: InboundUpdate) -> None:
        received.append(update)

    async def city_help(update: telegram.Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        own.append("help")

    async with FakeTelegramAPI() as api:
        application: Application = (  # type: ignore[type-arg]
            ApplicationBuilder().token(TOKEN).base_url(f"{api.base_url}/bot").build()
        )
        application.add_handler(CommandHandler("help", city_help))
        add_inbound_handler(application, handle, group=1)
        async with application:
            for data in (
                tg.text_message("/help", update_id=815000700),
                tg.group_message(update_id=815000701),
                tg.callback_query("menu", update_id=815000702),
            ):
                await application.process_update(telegram.Update.de_json(data, application.bot))
    assert [u.key for u in received] == [
        "telegram:7000000001:815000700",
        "telegram:7000000001:815000702",
    ]
    assert own == ["help"]
