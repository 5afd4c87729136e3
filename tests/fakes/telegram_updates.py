"""Telegram updates as Telegram sends them (Bot API JSON), for webhook and polling tests.

The shapes follow updates captured from the real Bot API: `from` and `chat` of
a private chat, `entities` for commands, `chat_instance` on callback queries,
photo sizes from small to large, contacts with and without `user_id`.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "RESIDENT_ID",
    "callback_query",
    "contact_message",
    "edited_message",
    "group_message",
    "location_message",
    "my_chat_member_blocked",
    "photo_message",
    "sticker_message",
    "text_message",
]

RESIDENT_ID = 412345678
_DATE = 1767258000  # 2026-01-01 09:00 UTC

_RESIDENT = {
    "id": RESIDENT_ID,
    "is_bot": False,
    "first_name": "Sara",
    "last_name": "Janssens",
    "username": "sara_j",
    "language_code": "nl",
}
_CHAT = {
    "id": RESIDENT_ID,
    "first_name": "Sara",
    "last_name": "Janssens",
    "username": "sara_j",
    "type": "private",
}
_BOT = {"id": 7000000001, "is_bot": True, "first_name": "PB Bot", "username": "pb_test_bot"}


def _sender(language_code: str | None) -> dict[str, Any]:
    sender = dict(_RESIDENT)
    if language_code is None:
        del sender["language_code"]
    else:
        sender["language_code"] = language_code
    return sender


def _message(update_id: int, language_code: str | None, **content: Any) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": 100 + update_id % 1000,
            "from": _sender(language_code),
            "chat": _CHAT,
            "date": _DATE,
            **content,
        },
    }


def text_message(
    text: str, *, update_id: int = 815000001, language_code: str | None = "nl"
) -> dict[str, Any]:
    """A typed text; a leading /command gets its `bot_command` entity, as Telegram sends."""
    content: dict[str, Any] = {"text": text}
    if text.startswith("/"):
        command = text.split(" ", 1)[0]
        content["entities"] = [{"offset": 0, "length": len(command), "type": "bot_command"}]
    return _message(update_id, language_code, **content)


def callback_query(
    data: str,
    *,
    update_id: int = 815000002,
    language_code: str | None = "nl",
    message_id: int = 57,
) -> dict[str, Any]:
    """A tap on a button of the bot's message `message_id`."""
    return {
        "update_id": update_id,
        "callback_query": {
            "id": "1771265243981963719",
            "from": _sender(language_code),
            "message": {
                "message_id": message_id,
                "from": _BOT,
                "chat": _CHAT,
                "date": _DATE - 60,
                "text": "Kies een taal",
                "reply_markup": {
                    "inline_keyboard": [[{"text": "Nederlands", "callback_data": data}]]
                },
            },
            "chat_instance": "-5185284911446713187",
            "data": data,
        },
    }


def contact_message(
    phone_number: str = "32470123456",
    *,
    user_id: int | None = RESIDENT_ID,
    update_id: int = 815000003,
) -> dict[str, Any]:
    """A shared contact; `user_id` is absent when it is someone's address book entry."""
    contact: dict[str, Any] = {"phone_number": phone_number, "first_name": "Sara"}
    if user_id is not None:
        contact["user_id"] = user_id
    return _message(update_id, "nl", contact=contact)


def location_message(*, update_id: int = 815000004) -> dict[str, Any]:
    return _message(
        update_id,
        "nl",
        location={"latitude": 51.027931, "longitude": 4.478321, "horizontal_accuracy": 12.5},
    )


def photo_message(caption: str | None = None, *, update_id: int = 815000005) -> dict[str, Any]:
    sizes = [
        {
            "file_id": "AgACAgQAAxkBAAIBsmT1_s",
            "file_unique_id": "AQADs",
            "file_size": 1519,
            "width": 90,
            "height": 68,
        },
        {
            "file_id": "AgACAgQAAxkBAAIBsmT1_m",
            "file_unique_id": "AQADm",
            "file_size": 20125,
            "width": 320,
            "height": 240,
        },
        {
            "file_id": "AgACAgQAAxkBAAIBsmT1_x",
            "file_unique_id": "AQADx",
            "file_size": 96233,
            "width": 800,
            "height": 600,
        },
        {
            "file_id": "AgACAgQAAxkBAAIBsmT1_y",
            "file_unique_id": "AQADy",
            "file_size": 170981,
            "width": 1280,
            "height": 960,
        },
    ]
    content: dict[str, Any] = {"photo": sizes}
    if caption is not None:
        content["caption"] = caption
    return _message(update_id, "nl", **content)


def sticker_message(*, update_id: int = 815000006) -> dict[str, Any]:
    sticker = {
        "file_id": "CAACAgIAAxkBAAIBs2T1",
        "file_unique_id": "AgADBQAD",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "emoji": "👍",
    }
    return _message(update_id, "nl", sticker=sticker)


def voice_message(*, update_id: int = 815000011) -> dict[str, Any]:
    voice = {
        "file_id": "AwACAgQAAxkBAAIBt2T1",
        "file_unique_id": "AgADCAAD",
        "duration": 4,
        "mime_type": "audio/ogg",
    }
    return _message(update_id, "nl", voice=voice)


def group_message(*, update_id: int = 815000007) -> dict[str, Any]:
    update = text_message("hallo iedereen", update_id=update_id)
    update["message"]["chat"] = {
        "id": -1001234567890,
        "title": "Buurt Nekkerspoel",
        "type": "supergroup",
    }
    return update


def edited_message(*, update_id: int = 815000008) -> dict[str, Any]:
    update = text_message("hallo, verbeterd", update_id=update_id)
    update["edited_message"] = update.pop("message")
    update["edited_message"]["edit_date"] = _DATE + 30
    return update


def my_chat_member_blocked(*, update_id: int = 815000009) -> dict[str, Any]:
    """What Telegram sends when the resident blocks the bot."""
    return {
        "update_id": update_id,
        "my_chat_member": {
            "chat": _CHAT,
            "from": _sender("nl"),
            "date": _DATE,
            "old_chat_member": {"user": _BOT, "status": "member"},
            "new_chat_member": {"user": _BOT, "status": "kicked", "until_date": 0},
        },
    }
