"""Sending rendered messages to Telegram, whichever library talks to the Bot API.

A driver supplies a `TelegramTransport`: the Bot API calls, raising pbbot's
channel errors, never the library's. `TelegramSender` does the rest, the same
for both drivers: render, send the parts in order (or edit the tapped message
in place), answer button taps.

An envelope that `edits` a message (the list whose button the resident tapped)
is shown in it with `editMessageText` when it is one text with inline buttons
or none; a photo, a contact or location request or a text that needs several
messages is sent anew. Telegram's "message is not modified" (the same text
and buttons) is as good as an edit; a message it cannot edit any more
(deleted, or refused) falls back to a new message.
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

__all__ = ["MessageNotEditable", "TelegramSender", "TelegramTransport", "edit_refusal"]

_log = logging.getLogger(__name__)

Keyboard = InlineKeyboard | ReplyKeyboard
_CHAT_ID = re.compile(r"-?[0-9]{1,20}")
_MESSAGE_ID = re.compile(r"[0-9]{1,20}")

# How Telegram words its refusals of an edit (its descriptions, lower-cased).
_UNCHANGED = ("message is not modified",)
_NOT_EDITABLE = (
    "message to edit not found",
    "message can't be edited",
    "message_id_invalid",
    "there is no text in the message to edit",
)


class MessageNotEditable(ChannelError):
    """Telegram will not edit that message (deleted, too old, not a text): send anew."""


def edit_refusal(description: str) -> str | None:
    """What a Bot API error answering `editMessageText` means, for the transports:
    "unchanged" (the message shows that already), "not_editable", or None (an
    error like any other)."""
    lowered = description.lower()
    if any(words in lowered for words in _UNCHANGED):
        return "unchanged"
    if any(words in lowered for words in _NOT_EDITABLE):
        return "not_editable"
    return None


class TelegramTransport(Protocol):
    """The Bot API calls pbbot makes; each returns the sent (or edited) message's id."""

    async def send_text(self, chat_id: int, text: str, keyboard: Keyboard | None) -> int: ...

    async def send_photo(self, chat_id: int, photo: bytes, keyboard: Keyboard | None) -> int: ...

    async def edit_text(
        self, chat_id: int, message_id: int, text: str, keyboard: InlineKeyboard | None
    ) -> int:
        """Show `text` and `keyboard` (None: no buttons) in the message `message_id`.

        Returns normally when Telegram says the message is not modified;
        raises `MessageNotEditable` when it cannot be edited.
        """
        ...

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
        edited = await self._edit(chat_id, envelope, messages)
        if edited is not None:
            return edited
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

    async def _edit(
        self, chat_id: int, envelope: OutboundEnvelope, messages: list[TelegramMessage]
    ) -> SendReceipt | None:
        """The receipt of showing `messages` in the message the envelope edits;
        None when it is to be sent anew (nothing to edit, or not editable)."""
        target = envelope.edits
        if target is None or not _MESSAGE_ID.fullmatch(target) or len(messages) != 1:
            return None
        [message] = messages
        keyboard = message.keyboard
        if message.photo is not None or isinstance(keyboard, ReplyKeyboard):
            return None
        try:
            provider_id = await self.transport.edit_text(
                chat_id, int(target), message.text, keyboard
            )
        except MessageNotEditable as error:
            _log.info(
                "message %s: Telegram message %s cannot be edited, sending it anew: %s",
                envelope.message_id,
                target,
                error,
            )
            return None
        return SendReceipt(provider_id=str(provider_id), segments=1)

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
