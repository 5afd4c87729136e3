"""Render an `Outbound` as Telegram messages: split text, buttons, request widgets.

The result is plain data (no aiogram types) so that both Telegram drivers, the
aiogram default and the optional python-telegram-bot one, send the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal, cast

from pbbot.domain.messages import Outbound
from pbbot.domain.payloads import callback_data_for
from pbbot.i18n.catalogs import N_, translator

__all__ = [
    "MAX_TEXT_UNITS",
    "InlineButton",
    "InlineKeyboard",
    "ReplyKeyboard",
    "TelegramMessage",
    "render_telegram",
    "split_text",
]

# Telegram refuses texts over 4096 characters, counted in UTF-16 code units.
MAX_TEXT_UNITS = 4096

RequestKind = Literal["contact", "location"]

# The labels of the request buttons, in the catalogs (msgids in English).
_REQUEST_LABELS: dict[str, str] = {
    "contact": N_("Share my phone number"),
    "location": N_("Share my location"),
}


@dataclass(frozen=True, slots=True)
class InlineButton:
    label: str
    callback_data: str


@dataclass(frozen=True, slots=True)
class InlineKeyboard:
    """Buttons under a message; a tap sends a callback query with the button's data."""

    rows: tuple[tuple[InlineButton, ...], ...]


@dataclass(frozen=True, slots=True)
class ReplyKeyboard:
    """A one-time keyboard replacing the resident's own, for a contact or location.

    `request` is the widget of the first button (it shares the phone number or
    the location); `labels` are ordinary buttons that send their label as text.
    """

    request: RequestKind
    request_label: str
    labels: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TelegramMessage:
    """One Bot API call: a photo (`photo` set) or a text, with an optional keyboard."""

    text: str = ""
    keyboard: InlineKeyboard | ReplyKeyboard | None = None
    photo: bytes | None = None


def render_telegram(outbound: Outbound) -> list[TelegramMessage]:
    """The messages that show `outbound`; the keyboard goes with the last one.

    Choices become one inline button per row (labels are sentences in some
    languages and need the width). A request for a contact or location becomes
    a one-time reply keyboard instead, with the choices as plain text buttons
    (the engine accepts a choice's label as the answer).
    """
    messages = [TelegramMessage(photo=outbound.image)] if outbound.image else []
    messages.extend(TelegramMessage(text=chunk) for chunk in split_text(outbound.text))
    keyboard = _keyboard(outbound)
    if keyboard is not None:
        if not messages:
            raise ValueError("an Outbound with choices or a request needs a text or an image")
        messages[-1] = replace(messages[-1], keyboard=keyboard)
    return messages


def _keyboard(outbound: Outbound) -> InlineKeyboard | ReplyKeyboard | None:
    if outbound.request in _REQUEST_LABELS:
        request = cast(RequestKind, outbound.request)
        return ReplyKeyboard(
            request=request,
            request_label=translator(outbound.locale).gettext(_REQUEST_LABELS[request]),
            labels=tuple(choice.label for choice in outbound.choices),
        )
    if outbound.request is not None:
        raise ValueError(f"unknown request {outbound.request!r}; expected contact or location")
    if not outbound.choices:
        return None
    return InlineKeyboard(
        rows=tuple(
            (InlineButton(choice.label, callback_data_for(choice.payload)),)
            for choice in outbound.choices
        )
    )


def split_text(text: str, limit: int = MAX_TEXT_UNITS) -> list[str]:
    """`text` in chunks of at most `limit` UTF-16 units, cut where a reader pauses.

    A chunk ends at the last paragraph break that fits, else the last line
    break, else the last space, else (one unbroken word) at the limit, never
    inside a surrogate pair. Whitespace at the cut is dropped.
    """
    chunks: list[str] = []
    rest = text.strip()
    while _units(rest) > limit:
        cut = _fitting_prefix(rest, limit)
        head = rest[:cut]
        for separator in ("\n\n", "\n", " "):
            at = head.rfind(separator)
            if at > 0:
                cut = at
                break
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        chunks.append(rest)
    return chunks


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _fitting_prefix(text: str, limit: int) -> int:
    """The number of characters of `text` that fit in `limit` UTF-16 units."""
    used = 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > limit:
            return index
    return len(text)
