"""Plugging pbbot's inbound into an existing python-telegram-bot `Application`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import Application, ContextTypes, TypeHandler

from pbbot.channels.base import InboundUpdate
from pbbot.channels.telegram.updates import parse_update

__all__ = ["add_inbound_handler"]


def add_inbound_handler(
    application: Application[Any, Any, Any, Any, Any, Any],
    handle: Callable[[InboundUpdate], Awaitable[None]],
    *,
    group: int = 0,
) -> TypeHandler[Update, Any, Any]:
    """Call `handle` with every update pbbot handles that `application` receives.

    The handler sees every `Update` (it is a `TypeHandler`), so it does not
    compete with the city's own handlers' filters; `group` orders it among
    them. Updates pbbot ignores (group chats, other types) are left alone.
    Returns the handler, so that it can be removed again.
    """

    async def _on_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        parsed = parse_update(update, context.bot.id)
        if parsed is not None:
            await handle(parsed)

    handler: TypeHandler[Update, Any, Any] = TypeHandler(Update, _on_update)
    application.add_handler(handler, group=group)
    return handler
