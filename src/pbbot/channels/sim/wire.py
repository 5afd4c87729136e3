"""What the simulator sends is what the live channels receive.

Each line a person types becomes the very wire message the channel would
deliver (a Twilio webhook form, a Telegram `Update` parsed by aiogram) and
goes through the same parser as a webhook does, so carrier keywords, start
words and normalization cannot differ between what staff try and what
residents get. A real SMS carries no language; on Telegram `language_code`
stands for the phone's language.
"""

from __future__ import annotations

import itertools
import secrets
import time
import uuid
from dataclasses import dataclass, field

from pbbot.channels.base import InboundUpdate
from pbbot.channels.sms.inbound import parse_twilio_sms
from pbbot.channels.telegram.updates import parse_update

__all__ = ["CONTACT_LINE", "SIM_BOT_ID", "SimulatedResident", "SmsWire", "TelegramWire"]

# The simulated bot's Telegram id: the first part of a bot token.
SIM_BOT_ID = 1


@dataclass
class SmsWire:
    """Twilio webhook forms from one phone number."""

    phone: str
    to: str = "+32460000000"

    def form(self, text: str) -> dict[str, str]:
        """The form Twilio posts to the SMS webhook for `text`."""
        return {
            "MessageSid": f"SM{uuid.uuid4().hex}",
            "AccountSid": f"AC{'0' * 32}",
            "From": self.phone,
            "To": self.to,
            "Body": text,
            "NumSegments": "1",
        }

    def parse(self, form: dict[str, str]) -> InboundUpdate:
        return parse_twilio_sms(form)


@dataclass
class TelegramWire:
    """Telegram updates from one private chat, as aiogram parses them."""

    user_id: int
    language_code: str | None = None
    # Update ids are exactly-once keys: a new run must not repeat an earlier run's
    # ids on the same database, or the server (rightly) ignores the messages.
    _ids: itertools.count[int] = field(
        default_factory=lambda: itertools.count(secrets.randbelow(2**31) + 1)
    )

    def message(self, text: str) -> dict[str, object]:
        """The update JSON Telegram sends for a typed `text`."""
        return {"update_id": next(self._ids), "message": {**self._message(), "text": text}}

    def contact(self, phone: str) -> dict[str, object]:
        """The update JSON for the resident sharing their own contact."""
        card = {"phone_number": phone, "first_name": "Resident", "user_id": self.user_id}
        return {"update_id": next(self._ids), "message": {**self._message(), "contact": card}}

    def tap(self, payload: str) -> dict[str, object]:
        """The update JSON Telegram sends when a button with `payload` is tapped."""
        query = {
            "id": str(next(self._ids)),
            "from": self._user(),
            "chat_instance": "1",
            "data": payload,
            "message": self._message(),
        }
        return {"update_id": next(self._ids), "callback_query": query}

    def parse(self, update: dict[str, object]) -> InboundUpdate:
        from aiogram.types import Update  # the Telegram library loads only for Telegram

        parsed = parse_update(Update.model_validate(update), SIM_BOT_ID)
        assert parsed is not None, "a private chat's text or tap is always handled"
        return parsed

    def _user(self) -> dict[str, object]:
        user: dict[str, object] = {"id": self.user_id, "is_bot": False, "first_name": "Resident"}
        if self.language_code:
            user["language_code"] = self.language_code
        return user

    def _message(self) -> dict[str, object]:
        return {
            "message_id": next(self._ids),
            "date": int(time.time()),
            "chat": {"id": self.user_id, "type": "private"},
            "from": self._user(),
        }


_TAP_PREFIX = "#"
# Telegram's "share my contact" button, typed: the resident's own number.
CONTACT_LINE = "/contact"


class SimulatedResident:
    """One resident at the simulator's keyboard: each typed line becomes a wire
    update; on Telegram "#2" taps the second button of the last buttons shown,
    and "/contact" shares the resident's own number."""

    def __init__(self, channel: str, phone: str, language_code: str | None = None):
        if channel not in ("sms", "telegram"):
            raise ValueError(f"no such channel: {channel!r}")
        self.channel = channel
        self.buttons: list[str] = []
        self.phone = phone
        self._sms = SmsWire(phone)
        digits = "".join(char for char in phone if char.isdigit())
        self._telegram = TelegramWire(int(digits or "1"), language_code)

    def wire(self, line: str) -> dict[str, object]:
        """What the channel delivers for a typed line: a Twilio form or a Telegram update."""
        if self.channel == "sms":
            return dict(self._sms.form(line))
        text = line.strip()
        if text.startswith(_TAP_PREFIX) and text[1:].isdigit():
            number = int(text[1:])
            if 1 <= number <= len(self.buttons):
                return self._telegram.tap(self.buttons[number - 1])
        if text == CONTACT_LINE:
            return self._telegram.contact(self.phone)
        return self._telegram.message(line)

    def update(self, line: str) -> InboundUpdate:
        """The typed line as the live channel's parser reads it."""
        wire = self.wire(line)
        if self.channel == "sms":
            return self._sms.parse({name: str(value) for name, value in wire.items()})
        return self._telegram.parse(wire)

    def saw(self, choices: list[str]) -> None:
        """Remember the buttons of the last message that had any."""
        self.buttons = choices or self.buttons
