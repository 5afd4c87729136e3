"""Sending rendered messages to Telegram, whichever library talks to the Bot API.

A driver supplies a `TelegramTransport`: three Bot API calls that raise pbbot's
channel errors, never the library's. `TelegramSender` does the rest, the same
for both drivers: render, send the parts in order, answer button taps.
"""

from __future__ import annotations

import logging
import re
from typing import Protocol

from pbbot.channels.base import OutboundEnvelope, SendReceipt
from pbbot.channels.telegram.render import (
    InlineKeyboard,
    ReplyKeyboard,
    TelegramMessage,
    render_telegram,
)
from pbbot.channels.telegram.updates import CHANNEL
from pbbot.domain.messages import Channel
from pbbot.errors import ChannelError, RecipientBlocked

__all__ = ["TelegramSender", "TelegramTransport"]

_log = logging.getLogger(__name__)

Keyboard = InlineKeyboard | ReplyKeyboard
_CHAT_ID = re.compile(r"-?[0-9]{1,20}")


class TelegramTransport(Protocol):
    """The Bot API calls pbbot makes; each returns the sent message's id."""

    async def send_text(self, chat_id: int, text: str, keyboard: Keyboard | None) -> int: ...

    async def send_photo(self, chat_id: int, photo: bytes, keyboard: Keyboard | None) -> int: ...

    async def answer_callback(self, callback_query_id: str) -> None: ...

    async def close(self) -> None: ...


class TelegramSender:
    """The Telegram `ChannelSender`.

    A long text goes out in several parts. When a part fails after earlier
    parts went out (a 429 in the middle), the sender remembers how far it got,
    and the outbox's retry of the same message resumes there instead of
    sending the first parts twice.
    """

    def __init__(self, transport: TelegramTransport):
        self.transport = transport
        self._parts_sent: dict[str, int] = {}

    @property
    def channel(self) -> Channel:
        return CHANNEL

    async def send(self, envelope: OutboundEnvelope) -> SendReceipt:
        if not _CHAT_ID.fullmatch(envelope.address):
            raise RecipientBlocked(f"not a Telegram chat id: {envelope.address!r}")
        chat_id = int(envelope.address)
        messages = render_telegram(envelope.outbound)
        if not messages:
            raise ChannelError("nothing to send: the message has no text")
        start = self._parts_sent.get(envelope.message_id, 0)
        provider_id = 0
        try:
            for index in range(start, len(messages)):
                provider_id = await self._send_one(chat_id, messages[index])
                self._parts_sent[envelope.message_id] = index + 1
        except RecipientBlocked:
            self._parts_sent.pop(envelope.message_id, None)
            raise
        self._parts_sent.pop(envelope.message_id, None)
        return SendReceipt(provider_id=str(provider_id), segments=len(messages) - start)

    async def _send_one(self, chat_id: int, message: TelegramMessage) -> int:
        if message.photo is not None:
            return await self.transport.send_photo(chat_id, message.photo, message.keyboard)
        return await self.transport.send_text(chat_id, message.text, message.keyboard)

    async def answer_callback(self, callback_query_id: str) -> bool:
        """Stop the spinner on the resident's button; whether Telegram took the answer.

        Never raises: an answer that fails (a tap older than Telegram keeps,
        a rate limit) costs the resident a spinner, not their message.
        """
        try:
            await self.transport.answer_callback(callback_query_id)
        except ChannelError as error:
            _log.info("callback query %s not answered: %s", callback_query_id, error)
            return False
        return True

    async def close(self) -> None:
        await self.transport.close()
