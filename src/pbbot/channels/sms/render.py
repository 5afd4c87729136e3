"""Render an `Outbound` as the body of one SMS: the text, then the choices numbered.

Residents answer a numbered list by sending the number (or the label), which
the engine matches against the choices it offered, in the same order.
"""

from __future__ import annotations

from babel import Locale, UnknownLocaleError

from pbbot.domain.messages import Outbound
from pbbot.i18n.sms import normalize_for_sms

__all__ = ["render_sms"]

# A right-to-left mark starts every choice line of a right-to-left text, so that
# a line like "1 WhatsApp" (a digit, then Latin) still reads from the right.
_RLM = "\u200f"


def render_sms(outbound: Outbound) -> str:
    """The SMS body for `outbound`, normalized so that it stays in GSM-7 where it can.

    Choices become "1 Label" lines, one per choice, after the text. The
    widget requests of Telegram (`request="contact"`, `"location"`) have no SMS
    form: the sender's number is already the address.
    """
    lines = [outbound.text] if outbound.text else []
    mark = _RLM if _is_rtl(outbound.locale) else ""
    lines.extend(
        f"{mark}{number} {choice.label}" for number, choice in enumerate(outbound.choices, start=1)
    )
    return normalize_for_sms("\n".join(lines))


def _is_rtl(locale: str) -> bool:
    try:
        return Locale.parse(locale).text_direction == "rtl"
    except (ValueError, UnknownLocaleError):
        return False
