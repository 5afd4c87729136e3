"""Render an `Outbound` as the body of one SMS: the text, then the choices numbered.

Residents answer a numbered list by sending the number (or the label), which
the engine matches against the choices it offered, in the same order.
"""

from __future__ import annotations

from babel import Locale, UnknownLocaleError

from pbbot.domain.messages import Outbound
from pbbot.i18n.sms import sms_body

__all__ = ["render_sms"]


def render_sms(outbound: Outbound) -> str:
    """The SMS body for `outbound`, normalized so that it stays in GSM-7 where it can.

    Choices become "1 Label" lines, one per choice, after the text. The
    widget requests of Telegram (`request="contact"`, `"location"`) have no SMS
    form: the sender's number is already the address.
    """
    labels = [choice.label for choice in outbound.choices]
    return sms_body(outbound.text, labels, rtl=_is_rtl(outbound.locale))


def _is_rtl(locale: str) -> bool:
    try:
        return Locale.parse(locale).text_direction == "rtl"
    except (ValueError, UnknownLocaleError):
        return False
