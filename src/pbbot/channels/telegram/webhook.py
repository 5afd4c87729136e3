"""Telegram's webhook: register it, check its secret, read its body, answer taps in the reply.

Telegram sends the secret registered with `setWebhook` in the
`X-Telegram-Bot-Api-Secret-Token` header of every request; anything without it
is not Telegram and is refused before its body is even read.
"""

from __future__ import annotations

import hmac
import json
import re
from typing import Any

from aiogram import Bot
from aiogram.types import Update
from pydantic import ValidationError

from pbbot.channels.base import InboundUpdate
from pbbot.channels.telegram.updates import parse_update
from pbbot.errors import BadWebhook, SettingsError

__all__ = [
    "ALLOWED_UPDATES",
    "MAX_CONNECTIONS",
    "SECRET_HEADER",
    "parse_webhook_body",
    "set_webhook",
    "webhook_answer",
    "webhook_secret_ok",
]

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# The update types pbbot handles; Telegram then does not send the others.
ALLOWED_UPDATES = ("message", "callback_query")
# Telegram accepts 1-256 characters of these as a secret token.
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


def webhook_secret_ok(received: str | None, secret: str) -> bool:
    """Whether the header carries our secret; compared in constant time.

    Secrets are ASCII (Telegram's rule, checked by `set_webhook`), so a header
    that is not cannot be ours. A raw non-ASCII byte in it reaches us as a
    lone surrogate, which `str.encode` refuses.
    """
    if received is None or not received.isascii():
        return False
    return hmac.compare_digest(received.encode(), secret.encode())


def parse_webhook_body(body: bytes, bot_id: int) -> InboundUpdate | None:
    """The update in a webhook request's body; None for a type pbbot ignores.

    Raises `BadWebhook` (400) for a body that is not a Telegram update, so
    that the server answers 4xx and stores nothing.
    """
    try:
        data = json.loads(body)
    except RecursionError:  # nested deeper than the parser's stack
        raise BadWebhook("body is not a Telegram update (nested too deeply)") from None
    except ValueError as error:  # not JSON, not Unicode, an integer of over 4,300 digits
        raise BadWebhook(f"body is not JSON: {str(error)[:100]}") from None
    if not isinstance(data, dict):
        raise BadWebhook("body is not a Telegram update (not an object)")
    try:
        update = Update.model_validate(data)
    except ValidationError as error:
        raise BadWebhook(f"body is not a Telegram update: {error.error_count()} errors") from None
    _check_telegram_ranges(update)
    return parse_update(update, bot_id)


# Telegram's ids fit in a signed 64-bit integer (at most 52 significant bits).
_INT64 = range(-(2**63), 2**63)


def _check_telegram_ranges(update: Update) -> None:
    """`BadWebhook` for numbers no Telegram update holds, in the fields pbbot keeps.

    pydantic reads digits in a string ("999...9") as an int and "NaN" as a
    float, so valid JSON can still carry an update id or a chat id longer
    than its column (the key, the address) or a NaN that PostgreSQL's JSON
    refuses. Refused here, such an update costs no transaction.
    """
    ids = [update.update_id]
    message = update.message
    if message is not None:
        ids.append(message.chat.id)
        if message.from_user is not None:
            ids.append(message.from_user.id)
        if message.contact is not None and message.contact.user_id is not None:
            ids.append(message.contact.user_id)
        location = message.location
        # Written so that NaN, which compares false with everything, fails too.
        if location is not None and not (
            abs(location.latitude) <= 90 and abs(location.longitude) <= 180
        ):
            raise BadWebhook("body is not a Telegram update (a location off the globe)")
    if update.callback_query is not None:
        ids.append(update.callback_query.from_user.id)
    if any(number not in _INT64 for number in ids):
        raise BadWebhook("body is not a Telegram update (an id out of range)")


def webhook_answer(update: InboundUpdate) -> dict[str, Any] | None:
    """A Bot API call to put in the webhook's response body, or None.

    Telegram runs a method returned as the webhook's JSON response, so a tap is
    answered (and the spinner stops) without an extra request; in polling mode
    call `TelegramSender.answer_callback` instead.
    """
    if update.callback_query_id is None:
        return None
    return {"method": "answerCallbackQuery", "callback_query_id": update.callback_query_id}


# Telegram opens at most this many connections to the webhook at once (its
# maximum; the default is 40). pbbot stores and processes the updates that
# arrive together in one transaction, so more in flight means more per commit.
MAX_CONNECTIONS = 100


async def set_webhook(bot: Bot, url: str, secret: str) -> None:
    """Register `url` with Telegram, with the secret it must send back."""
    if not _SECRET.fullmatch(secret):
        raise SettingsError(
            "must be 1-256 characters of A-Z, a-z, 0-9, _ and -", source="PBBOT_TELEGRAM_SECRET"
        )
    if not url.startswith("https://"):
        raise SettingsError(
            f"Telegram only calls https URLs, got {url!r}", source="PBBOT_PUBLIC_URL"
        )
    await bot.set_webhook(
        url=url,
        secret_token=secret,
        allowed_updates=list(ALLOWED_UPDATES),
        max_connections=MAX_CONNECTIONS,
    )
