"""The simulator's screen: how SMS and Telegram would show each bot message.

SMS shows the normalized text with its numbered choices and the segment count
(what the city pays for); Telegram shows the text with its buttons in brackets.
"""

from __future__ import annotations

from pbbot.channels.sim.wire import CONTACT_LINE
from pbbot.channels.sms.render import render_sms
from pbbot.channels.telegram.render import InlineKeyboard, ReplyKeyboard, render_telegram
from pbbot.domain.messages import Outbound
from pbbot.i18n.sms import sms_segments

__all__ = ["show"]


def show(message: Outbound, channel: str) -> str:
    if channel == "sms":
        text = render_sms(message)
        size = sms_segments(text)
        plural = "" if size.segments == 1 else "s"
        header = (
            f"--- SMS, {size.segments} segment{plural} ({size.encoding}, {size.characters} chars)"
        )
        return "\n".join([header, text])
    parts = []
    for rendered in render_telegram(message):
        parts.append("--- Telegram")
        parts.append(rendered.text)
        keyboard = rendered.keyboard
        if isinstance(keyboard, InlineKeyboard):
            number = 0
            for row in keyboard.rows:
                cells = []
                for button in row:
                    number += 1
                    cells.append(f"[#{number} {button.label}]")
                parts.append(" ".join(cells))
        elif isinstance(keyboard, ReplyKeyboard):
            typed = f" (type {CONTACT_LINE})" if keyboard.request == "contact" else ""
            parts.append(f"[{keyboard.request_label}]{typed}")
    return "\n".join(parts)
