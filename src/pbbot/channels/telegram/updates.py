"""Telegram updates into `InboundUpdate`s, for both Telegram drivers.

aiogram's and python-telegram-bot's update objects mirror the Bot API with the
same attribute names (`update.message.from_user.language_code`, ...), so one
parser, typed against the small protocols below, serves both.

What is kept: private-chat messages (text, `/start <payload>`, the resident's
own contact, a location, a photo; a voice note, sticker, video or file as its
kind in `media` with an empty text, so the engine can say it reads text only)
and button taps (with the id of the message the button was under, so that
the answer can replace it). What is dropped (None, answered 200 and
ignored): other update types, edited messages, group chats (a ballot is
secret, the bot does not talk in groups).

A command ("/accept 12 5000") comes as a `CommandUpdate`, which also says who
sent it: staff commands are allowed by Telegram user id and recorded with the
staff member's name, neither of which the resident's `Inbound` carries.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from pbbot.channels.base import InboundUpdate
from pbbot.channels.text import clean_text
from pbbot.domain.messages import Inbound, Location

__all__ = [
    "CHANNEL",
    "MAX_TEXT_CHARS",
    "START_PARAM",
    "CommandUpdate",
    "Sender",
    "parse_update",
    "update_key",
]

CHANNEL = "telegram"
# What Telegram lets a resident send: texts of up to 4,096 characters (captions
# 1,024), button data of up to 64 bytes (so at most 64 characters), and
# language codes are IETF tags (35 characters at most). Anything longer did not
# come from Telegram and is cut or dropped rather than stored.
MAX_TEXT_CHARS = 4096
_MAX_PAYLOAD_CHARS = 64
_MAX_LANGUAGE_CHARS = 35
_MAX_PHONE_DIGITS = 15  # E.164
# Deep-link payloads (t.me/bot?start=...): Telegram allows 1-64 of these characters.
START_PARAM = re.compile(r"[A-Za-z0-9_-]{1,64}")
_START = re.compile(r"/start(?:@\w+)?(?:\s+(?P<param>.*))?", re.DOTALL)
_COMMAND = re.compile(r"/[A-Za-z]")
_MAX_NAME_CHARS = 64  # Telegram's limit for first and last names (usernames: 32)
# Message attributes (the same in aiogram and python-telegram-bot) of what pbbot
# does not read, most specific first: an animation also comes as a document.
_MEDIA = ("voice", "video_note", "audio", "video", "animation", "sticker", "document")


class UserLike(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def language_code(self) -> str | None: ...
    @property
    def first_name(self) -> str: ...
    @property
    def last_name(self) -> str | None: ...
    @property
    def username(self) -> str | None: ...


class ChatLike(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def type(self) -> str: ...


class ContactLike(Protocol):
    @property
    def phone_number(self) -> str: ...
    @property
    def user_id(self) -> int | None: ...


class LocationLike(Protocol):
    @property
    def latitude(self) -> float: ...
    @property
    def longitude(self) -> float: ...


class FileLike(Protocol):
    @property
    def file_id(self) -> str: ...


class PhotoSizeLike(FileLike, Protocol):
    @property
    def width(self) -> int: ...
    @property
    def height(self) -> int: ...


class MessageLike(Protocol):
    @property
    def chat(self) -> ChatLike: ...
    @property
    def from_user(self) -> UserLike | None: ...
    @property
    def date(self) -> datetime: ...
    @property
    def text(self) -> str | None: ...
    @property
    def caption(self) -> str | None: ...
    @property
    def contact(self) -> ContactLike | None: ...
    @property
    def location(self) -> LocationLike | None: ...
    @property
    def photo(self) -> Sequence[PhotoSizeLike] | None: ...
    @property
    def voice(self) -> FileLike | None: ...


class TappedMessageLike(Protocol):
    """The message a button was under (a `Message`, or an `InaccessibleMessage`)."""

    @property
    def message_id(self) -> int: ...


class CallbackQueryLike(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def from_user(self) -> UserLike: ...
    @property
    def data(self) -> str | None: ...
    @property
    def message(self) -> TappedMessageLike | None: ...


class UpdateLike(Protocol):
    """What both `aiogram.types.Update` and `telegram.Update` offer."""

    @property
    def update_id(self) -> int: ...
    @property
    def message(self) -> MessageLike | None: ...
    @property
    def callback_query(self) -> CallbackQueryLike | None: ...


@dataclass(frozen=True, slots=True)
class Sender:
    """The Telegram user who sent a command: their id and the name they show."""

    user_id: int
    name: str


@dataclass(frozen=True, slots=True)
class CommandUpdate(InboundUpdate):
    """A private-chat message starting with a /command, with its sender."""

    sender: Sender | None = None


def update_key(bot_id: int, update_id: int) -> str:
    """The exactly-once key: update ids are only unique per bot."""
    return f"{CHANNEL}:{bot_id}:{update_id}"


def parse_update(update: UpdateLike, bot_id: int) -> InboundUpdate | None:
    """The normalized update, or None for an update pbbot does not handle."""
    key = update_key(bot_id, update.update_id)
    if update.message is not None:
        inbound = _from_message(update.message)
        if inbound is None:
            return None
        user = update.message.from_user
        if user is not None and _COMMAND.match(inbound.text):
            return CommandUpdate(key=key, inbound=inbound, sender=_sender(user))
        return InboundUpdate(key=key, inbound=inbound)
    query = update.callback_query
    if query is not None and query.data and len(query.data) <= _MAX_PAYLOAD_CHARS:
        inbound = Inbound(
            channel=CHANNEL,
            address=str(query.from_user.id),
            payload=query.data,
            language_hint=_language(query.from_user),
            message_ref=_tapped_message(query.message),
        )
        return InboundUpdate(key=key, inbound=inbound, callback_query_id=query.id)
    return None


def _from_message(message: MessageLike) -> Inbound | None:
    sender = message.from_user
    if message.chat.type != "private" or sender is None:
        return None
    text = clean_text(message.text or message.caption or "", max_chars=MAX_TEXT_CHARS)
    start_param = None
    start = _START.fullmatch(text.strip())
    if start:
        # An invalid payload (too long, odd characters) is a plain /start.
        param = (start["param"] or "").strip()
        start_param = param if START_PARAM.fullmatch(param) else None
        text = "/start"
    contact = message.contact
    location = message.location
    media = next((kind for kind in _MEDIA if getattr(message, kind, None) is not None), None)
    return Inbound(
        channel=CHANNEL,
        address=str(message.chat.id),
        text=text,
        start_param=start_param,
        language_hint=_language(sender),
        # Only the resident's own number: a forwarded address-book card is not consent.
        contact_phone=(
            _e164(contact.phone_number)
            if contact is not None and contact.user_id == sender.id
            else None
        ),
        location=Location(location.latitude, location.longitude) if location else None,
        media=media,
        # Only a voice note can be an answer (an idea's description); other media get
        # "I can only read text here", so their files are not worth a reference.
        media_id=message.voice.file_id if message.voice is not None else None,
        photo_id=(
            max(message.photo, key=lambda size: size.width * size.height).file_id
            if message.photo
            else None
        ),
        received_at=message.date,
    )


def _tapped_message(message: TappedMessageLike | None) -> str | None:
    """The id of the message whose button was tapped, where the bot can still edit it.

    Telegram sends an inaccessible message (deleted, or too old to show) with
    the date 0 (aiogram keeps the 0, python-telegram-bot makes it 1970-01-01);
    a tap on a message sent through inline mode comes with no message at all.
    """
    if message is None:
        return None
    date = getattr(message, "date", None)
    if not date or (isinstance(date, datetime) and date.timestamp() == 0):
        return None
    return str(message.message_id)


def _sender(user: UserLike) -> Sender:
    parts = (user.first_name, user.last_name, f"@{user.username}" if user.username else None)
    name = " ".join(" ".join(part.split()) for part in parts if part)
    return Sender(user.id, clean_text(name, max_chars=3 * _MAX_NAME_CHARS))


def _language(user: UserLike) -> str | None:
    code = user.language_code
    return code if code and len(code) <= _MAX_LANGUAGE_CHARS else None


def _e164(phone_number: str) -> str | None:
    """Telegram sends "32470123456" (sometimes with "+"); pbbot stores "+32470123456"."""
    digits = "".join(char for char in phone_number[:64] if char.isdigit())
    return f"+{digits}" if len(digits) <= _MAX_PHONE_DIGITS else None
