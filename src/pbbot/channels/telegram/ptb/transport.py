"""Sending through a python-telegram-bot `Bot`, with its errors made pbbot's.

`RetryAfter` is `RateLimited`, `Forbidden` (blocked by the user, user
deactivated) or a chat that no longer exists is `RecipientBlocked`, any other
`TelegramError` is `ChannelError`: the same mapping as the aiogram driver, and
the same reading of an edit's refusals (not modified: done; not editable:
`MessageNotEditable`).
"""

from __future__ import annotations

import warnings
from datetime import timedelta

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.warnings import PTBDeprecationWarning

from pbbot.channels.telegram.render import InlineKeyboard, ReplyKeyboard
from pbbot.channels.telegram.sending import (
    Keyboard,
    MessageNotEditable,
    TelegramSender,
    edit_refusal,
)
from pbbot.errors import ChannelError, RateLimited, RecipientBlocked

__all__ = ["PtbTransport", "make_ptb_bot", "ptb_sender", "translate_error"]

_GONE = ("chat not found", "user not found")


def make_ptb_bot(token: str, *, api_url: str | None = None) -> Bot:
    """A python-telegram-bot `Bot`, talking to `api_url` (a Bot API server base) if given."""
    if api_url:
        return Bot(token=token, base_url=f"{api_url.rstrip('/')}/bot")
    return Bot(token=token)


def ptb_sender(bot: Bot) -> TelegramSender:
    """A Telegram sender over `bot` (e.g. an existing `Application.bot`)."""
    return TelegramSender(PtbTransport(bot))


def translate_error(error: TelegramError) -> ChannelError:
    """pbbot's error for a python-telegram-bot error."""
    if isinstance(error, RetryAfter):
        return RateLimited(_seconds(error))
    if isinstance(error, Forbidden):
        return RecipientBlocked(error.message)
    if isinstance(error, BadRequest) and any(g in error.message.lower() for g in _GONE):
        return RecipientBlocked(error.message)
    return ChannelError(f"Telegram: {error.message}")


def _seconds(error: RetryAfter) -> float:
    # PTB 22 moves `retry_after` from int to timedelta and warns on the old
    # reading unless PTB_TIMEDELTA is set; accept both without the warning.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class PtbTransport:
    """`TelegramTransport` over a python-telegram-bot `Bot`."""

    def __init__(self, bot: Bot):
        self.bot = bot

    async def send_text(self, chat_id: int, text: str, keyboard: Keyboard | None) -> int:
        try:
            await self.bot.initialize()
            sent = await self.bot.send_message(chat_id, text, reply_markup=_markup(keyboard))
        except TelegramError as error:
            raise translate_error(error) from error
        return sent.message_id

    async def send_photo(self, chat_id: int, photo: bytes, keyboard: Keyboard | None) -> int:
        try:
            await self.bot.initialize()
            sent = await self.bot.send_photo(chat_id, photo, reply_markup=_markup(keyboard))
        except TelegramError as error:
            raise translate_error(error) from error
        return sent.message_id

    async def edit_text(
        self, chat_id: int, message_id: int, text: str, keyboard: InlineKeyboard | None
    ) -> int:
        try:
            await self.bot.initialize()
            await self.bot.edit_message_text(
                text,
                chat_id=chat_id,
                message_id=message_id,
                reply_markup=_inline_markup(keyboard),
            )
        except BadRequest as error:
            refusal = edit_refusal(error.message)
            if refusal == "not_editable":
                raise MessageNotEditable(f"Telegram: {error.message}") from error
            if refusal is None:
                raise translate_error(error) from error
        except TelegramError as error:
            raise translate_error(error) from error
        return message_id

    async def answer_callback(self, callback_query_id: str) -> None:
        try:
            await self.bot.initialize()
            await self.bot.answer_callback_query(callback_query_id)
        except TelegramError as error:
            raise translate_error(error) from error

    async def close(self) -> None:
        await self.bot.shutdown()


def _inline_markup(keyboard: InlineKeyboard | None) -> InlineKeyboardMarkup | None:
    if keyboard is None:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.label, callback_data=b.callback_data) for b in row]
            for row in keyboard.rows
        ]
    )


def _markup(keyboard: Keyboard | None) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | None:
    if isinstance(keyboard, InlineKeyboard):
        return _inline_markup(keyboard)
    if isinstance(keyboard, ReplyKeyboard):
        request = KeyboardButton(
            keyboard.request_label,
            request_contact=keyboard.request == "contact" or None,
            request_location=keyboard.request == "location" or None,
        )
        return ReplyKeyboardMarkup(
            [[request], *([KeyboardButton(label)] for label in keyboard.labels)],
            one_time_keyboard=True,
            resize_keyboard=True,
        )
    return None
