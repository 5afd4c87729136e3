"""Long polling, for a city without a public URL (`pbbot serve --polling`).

An update is confirmed to Telegram (the next offset) only after `handle` has
returned, so an update that was not stored is fetched again after a crash;
the inbound store's unique key makes the second delivery harmless.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramRetryAfter

from pbbot.channels.base import InboundUpdate
from pbbot.channels.telegram.updates import parse_update
from pbbot.channels.telegram.webhook import ALLOWED_UPDATES

__all__ = ["poll_updates"]

_log = logging.getLogger(__name__)
_PAUSE_AFTER_ERROR = 5.0


async def poll_updates(
    bot: Bot,
    handle: Callable[[InboundUpdate], Awaitable[None]],
    *,
    timeout: int = 30,
) -> None:
    """Fetch updates forever and hand each one pbbot handles to `handle`.

    Removes any webhook first (Telegram refuses polling while one is set).
    Runs until cancelled; an exception from `handle` ends it, unconfirmed.
    """
    await bot.delete_webhook(drop_pending_updates=False)
    offset: int | None = None
    while True:
        try:
            updates = await bot.get_updates(
                offset=offset, timeout=timeout, allowed_updates=list(ALLOWED_UPDATES)
            )
        except TelegramRetryAfter as error:
            await asyncio.sleep(error.retry_after)
            continue
        except TelegramAPIError as error:
            _log.warning("getUpdates failed, retrying in %gs: %s", _PAUSE_AFTER_ERROR, error)
            await asyncio.sleep(_PAUSE_AFTER_ERROR)
            continue
        for update in updates:
            parsed = parse_update(update, bot.id)
            if parsed is not None:
                await handle(parsed)
            offset = update.update_id + 1
