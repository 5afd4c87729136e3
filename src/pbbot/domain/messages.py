"""Normalized messages: what every channel turns its wire format into and out of.

The engine only ever sees `Inbound` and produces `Outbound`; choices travel as
data so that Telegram can render buttons and SMS a numbered list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

__all__ = ["Channel", "Choice", "Inbound", "Location", "Outbound"]

# The channel names stored with residents and messages.
Channel = str  # "telegram" | "sms" | "sim"


@dataclass(frozen=True, slots=True)
class Location:
    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True)
class Inbound:
    """One message from a resident, whatever channel it came from.

    `payload` is set when the resident tapped a button (Telegram callback data);
    `text` holds what they typed. `start_param` is the `/start <payload>` code
    that intermediaries' links carry. `language_hint` is the client's language
    (Telegram's `language_code`), a first guess only. `media` names what the
    resident sent besides text and photos ("voice", "sticker", "video", ...),
    and `media_id` the channel's file id for it (a voice note is kept as that id),
    so that a step that reads text only can say so. Carrier words such as
    STOP are the engine's to recognize (`engine.keywords`), on every channel alike.
    `message_ref` is the channel's id of the message whose button was tapped
    (Telegram's message id), so that a reply can be shown in its place.
    """

    channel: Channel
    address: str
    text: str = ""
    payload: str | None = None
    start_param: str | None = None
    language_hint: str | None = None
    contact_phone: str | None = None
    location: Location | None = None
    photo_id: str | None = None
    media: str | None = None
    media_id: str | None = None
    received_at: datetime | None = None
    message_ref: str | None = None


@dataclass(frozen=True, slots=True)
class Choice:
    """An option offered to the resident: a stable payload and its translated label."""

    payload: str
    label: str


@dataclass(frozen=True, slots=True)
class Outbound:
    """One message to a resident: translated text and the choices that go with it.

    `locale` is the language the text is in (SMS renderers need it to pick the
    encoding; right-to-left languages need it for layout). `request` asks the
    channel for a special input widget: "contact" or "location". `replaces`:
    show this in place of the message whose button was tapped, where the
    channel can (Telegram edits it); elsewhere it is simply sent. `secret`: it
    shows how the resident votes (a basket, a vote cast), so its text is not
    kept once it has left.
    """

    text: str
    locale: str
    choices: tuple[Choice, ...] = ()
    request: str | None = None
    image: bytes | None = field(default=None, repr=False)
    replaces: bool = False
    secret: bool = False
