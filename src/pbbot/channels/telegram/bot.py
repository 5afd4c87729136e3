"""The aiogram driver: an `aiogram.Bot` for pbbot's settings, and its transport.

This is where aiogram's exceptions become pbbot's: `TelegramRetryAfter` is
`RateLimited`, a 403 (blocked by the user, user deactivated) or a chat that no
longer exists is `RecipientBlocked`, anything else is `ChannelError`. An edit
that Telegram refuses as not modified counts as done, and one it cannot make
is `MessageNotEditable` (the sender then sends anew).
"""

from __future__ import annotations

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramRetryAfter,
)
from aiogram.methods import Response
from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
)

from pbbot.channels.telegram.render import InlineKeyboard, ReplyKeyboard
from pbbot.channels.telegram.sending import (
    Keyboard,
    MessageNotEditable,
    TelegramSender,
    edit_refusal,
)
from pbbot.errors import ChannelError, RateLimited, RecipientBlocked

__all__ = ["AiogramTransport", "aiogram_sender", "make_bot", "translate_error"]

# aiogram validates every answer as `Response[<what the method returns>]`, and
# pydantic keeps such generic models only weakly: each time the garbage
# collector frees one, the next call builds it again (about 10 ms). Held here
# for the calls the sender makes, a broadcast's thousands a second stay cheap.
_RESPONSE_MODELS = (Response[Message], Response[bool], Response[Message | bool])

# Bad requests that mean the chat is gone for good, not that pbbot sent something wrong.
_GONE = ("chat not found", "user not found")


def make_bot(token: str, *, api_url: str | None = None) -> Bot:
    """A Bot for `token`, talking to `api_url` (`PBBOT_TELEGRAM_API_URL`) if given.

    A self-hosted Bot API server, or the fake one the tests run, is reached the
    way aiogram documents it: a session whose API server is built from the base URL.
    """
    session = AiohttpSession(api=TelegramAPIServer.from_base(api_url)) if api_url else None
    return Bot(token=token, session=session)


def aiogram_sender(token: str, *, api_url: str | None = None) -> TelegramSender:
    """The default Telegram sender."""
    return TelegramSender(AiogramTransport(make_bot(token, api_url=api_url)))


def translate_error(error: TelegramAPIError) -> ChannelError:
    """pbbot's error for an aiogram API error."""
    if isinstance(error, TelegramRetryAfter):
        return RateLimited(float(error.retry_after))
    if isinstance(error, TelegramForbiddenError):
        return RecipientBlocked(error.message)
    if isinstance(error, TelegramBadRequest) and any(g in error.message.lower() for g in _GONE):
        return RecipientBlocked(error.message)
    return ChannelError(f"Telegram: {error.message}")


class AiogramTransport:
    """`TelegramTransport` over an `aiogram.Bot`."""

    def __init__(self, bot: Bot):
        self.bot = bot

    async def send_text(self, chat_id: int, text: str, keyboard: Keyboard | None) -> int:
        try:
            sent = await self.bot.send_message(chat_id, text, reply_markup=_markup(keyboard))
        except TelegramAPIError as error:
            raise translate_error(error) from error
        return sent.message_id

    async def send_photo(self, chat_id: int, photo: bytes, keyboard: Keyboard | None) -> int:
        try:
            sent = await self.bot.send_photo(
                chat_id, BufferedInputFile(photo, "image.png"), reply_markup=_markup(keyboard)
            )
        except TelegramAPIError as error:
            raise translate_error(error) from error
        return sent.message_id

    async def edit_text(
        self, chat_id: int, message_id: int, text: str, keyboard: InlineKeyboard | None
    ) -> int:
        try:
            await self.bot.edit_message_text(
                text=text,
                chat_id=chat_id,
                message_id=message_id,
                reply_markup=_inline_markup(keyboard),
            )
        except TelegramBadRequest as error:
            refusal = edit_refusal(error.message)
            if refusal == "not_editable":
                raise MessageNotEditable(f"Telegram: {error.message}") from error
            if refusal is None:
                raise translate_error(error) from error
        except TelegramAPIError as error:
            raise translate_error(error) from error
        return message_id

    async def answer_callback(self, callback_query_id: str) -> None:
        try:
            await self.bot.answer_callback_query(callback_query_id)
        except TelegramAPIError as error:
            raise translate_error(error) from error

    async def close(self) -> None:
        await self.bot.session.close()


def _inline_markup(keyboard: InlineKeyboard | None) -> InlineKeyboardMarkup | None:
    if keyboard is None:
        return None
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=b.label, callback_data=b.callback_data) for b in row]
            for row in keyboard.rows
        ]
    )


def _markup(keyboard: Keyboard | None) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | None:
    if isinstance(keyboard, InlineKeyboard):
        return _inline_markup(keyboard)
    if isinstance(keyboard, ReplyKeyboard):
        request = KeyboardButton(
            text=keyboard.request_label,
            request_contact=keyboard.request == "contact" or None,
            request_location=keyboard.request == "location" or None,
        )
        return ReplyKeyboardMarkup(
            keyboard=[[request], *([KeyboardButton(text=label)] for label in keyboard.labels)],
            one_time_keyboard=True,
            resize_keyboard=True,
        )
    return None
