"""Reading an `ask` step's free answer: a number said in a few words, a phone
number, a photo, a location or a text of the allowed length.

An answer that does not fit is never an exception: the problem comes back as
a catalog msgid with its values, for the re-prompt.
"""

from __future__ import annotations

from typing import Any

from pbbot.domain.messages import Inbound
from pbbot.engine.replies import parse_number_in_words
from pbbot.flows.model import AskStep
from pbbot.i18n.catalogs import N_

__all__ = ["read_answer"]

_MAX_TEXT_ANSWER = 2000  # characters kept of a free-text answer


def read_answer(
    current: AskStep, inbound: Inbound
) -> tuple[Any, tuple[str, dict[str, int]] | None]:
    """The value of a free answer, or the problem: a catalog msgid and its values."""
    text = inbound.text.strip()
    if current.expect == "number":
        number = parse_number_in_words(text)
        low = current.min if current.min is not None else 0
        high = current.max if current.max is not None else 10**9
        if number is None or not low <= number <= high:
            return None, (
                N_("Please send a number from {min} to {max}."),
                {"min": low, "max": high},
            )
        return number, None
    if current.expect == "phone":
        phone = (inbound.contact_phone or text).strip()
        digits = "".join(ch for ch in phone if ch.isdigit())
        if not 8 <= len(digits) <= 15:
            return None, (N_("Please send a phone number, for example +32 470 12 34 56."), {})
        return ("+" if phone.startswith("+") else "") + digits, None
    if current.expect == "photo":
        if not inbound.photo_id:
            return None, (N_("Please send a photo."), {})
        return inbound.photo_id, None
    if current.expect == "location":
        if inbound.location is None:
            return None, (N_("Please share a location."), {})
        return {
            "latitude": inbound.location.latitude,
            "longitude": inbound.location.longitude,
        }, None
    low = current.min or 1
    high = current.max or _MAX_TEXT_ANSWER
    if not low <= len(text) <= high:
        return None, (
            N_("Please send a text of {min} to {max} characters."),
            {"min": low, "max": high},
        )
    return text, None
