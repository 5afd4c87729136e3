"""`pbbot telegram set-webhook`: tell Telegram where to send updates, with our secret."""

from __future__ import annotations

import argparse
import asyncio

from pbbot.commands.serve import add_settings_option, server_settings
from pbbot.errors import SettingsError

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("telegram", help="Telegram set-up")
    actions = parser.add_subparsers(dest="telegram_command", required=True, metavar="ACTION")
    action = actions.add_parser(
        "set-webhook", help="register PBBOT_PUBLIC_URL/telegram/webhook and the secret"
    )
    add_settings_option(action)
    action.set_defaults(run=lambda args: asyncio.run(_set_webhook(args)))


async def _set_webhook(args: argparse.Namespace) -> int:
    settings = server_settings(args)
    if settings.telegram is None or settings.telegram.secret is None:
        raise SettingsError("needed to register the webhook", source="PBBOT_TELEGRAM_TOKEN")
    if settings.public_url is None:
        raise SettingsError("needed to register the webhook", source="PBBOT_PUBLIC_URL")
    # aiogram and its pydantic models take seconds to import: only once the settings are right.
    from pbbot.channels.telegram.bot import make_bot
    from pbbot.channels.telegram.webhook import set_webhook
    from pbbot.server.app import TELEGRAM_PATH

    bot = make_bot(settings.telegram.token, api_url=settings.telegram.api_url)
    url = settings.public_url + TELEGRAM_PATH
    try:
        await set_webhook(bot, url, settings.telegram.secret)
    finally:
        await bot.session.close()
    print(f"Telegram will send updates to {url}")
    return 0
