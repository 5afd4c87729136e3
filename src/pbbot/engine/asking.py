"""Reading an `ask` step's free answer of the kinds it accepts: a text of the
allowed length, a number said in a few words, a phone number (typed or
shared), the resident's own number shared with Telegram's contact button
(`contact`: Telegram vouches that it is theirs, a typed one is not taken), a
photo, a voice message or a location.

What is recorded (documented with `AskStep`): text, number and phone as plain
values; a photo, a voice message and a location as a mapping that names the
kind. An answer that does not fit is never an exception: the problem comes
back as a catalog msgid with its values, for the re-prompt.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pbbot.domain.amounts import parse_amount
from pbbot.domain.freetext import limit, visible_length
from pbbot.domain.messages import Inbound
from pbbot.engine.replies import parse_number_in_words
from pbbot.flows.model import AskStep
from pbbot.i18n.catalogs import N_
from pbbot.i18n.formatting import format_money

__all__ = ["MAX_TEXT_ANSWER", "Problem", "read_answer", "sent_kind"]

MAX_TEXT_ANSWER = 2000  # characters kept of a free-text answer
_TYPED = ("number", "amount", "phone", "text")  # the kinds a resident can type
# The amount a re-prompt shows as an example, written as the locale writes money.
_EXAMPLE_AMOUNT = 12_500

# A shared contact answers a question for the own number and one for any number.
_ANSWERS_TO: dict[str | None, tuple[str, ...]] = {"contact": ("contact", "phone")}
Problem = tuple[str, dict[str, int | str]]  # a catalog msgid and its values
# (the step, the message, the resident's locale) -> the value, or the problem
_Reader = Callable[[AskStep, Inbound, str], tuple[Any, Problem | None]]


def sent_kind(inbound: Inbound) -> str | None:
    """What came besides text: "photo", "location", "contact" (the resident's
    own number, shared), or the media the channel named ("voice", "sticker",
    ...); None for text."""
    if inbound.photo_id:
        return "photo"
    if inbound.location is not None:
        return "location"
    if inbound.contact_phone:
        return "contact"
    return inbound.media


def read_answer(current: AskStep, inbound: Inbound, locale: str) -> tuple[Any, Problem | None]:
    """The value of a free answer, or the problem with it."""
    came = sent_kind(inbound)
    kind = next((k for k in _ANSWERS_TO.get(came, (came,)) if k in current.expect), None)
    if kind is not None:
        return _READERS[kind](current, inbound, locale)
    typed = [kind for kind in current.expect if kind in _TYPED]
    if not typed or not inbound.text.strip():
        return None, _READERS[current.expect[0]](current, inbound, locale)[1]
    first_problem: Problem | None = None
    for kind in typed:  # "[number, text]": a number if it reads as one, else the text
        value, problem = _READERS[kind](current, inbound, locale)
        if problem is None:
            return value, None
        first_problem = first_problem or problem
    return None, first_problem


def _number(current: AskStep, inbound: Inbound, locale: str) -> tuple[Any, Problem | None]:
    number = parse_number_in_words(inbound.text.strip())
    low = current.min if current.min is not None else 0
    high = current.max if current.max is not None else 10**9
    if number is None or not low <= number <= high:
        return None, (N_("Please send a number from {min} to {max}."), {"min": low, "max": high})
    return number, None


def _phone(current: AskStep, inbound: Inbound, locale: str) -> tuple[Any, Problem | None]:
    phone = (inbound.contact_phone or inbound.text).strip()
    digits = "".join(ch for ch in phone if ch.isdigit())
    if not 8 <= len(digits) <= 15:
        return None, (N_("Please send a phone number, for example +32 470 12 34 56."), {})
    return ("+" if phone.startswith("+") else "") + digits, None


def _contact(current: AskStep, inbound: Inbound, locale: str) -> tuple[Any, Problem | None]:
    shared = inbound.contact_phone or ""
    # E.164, as the channel writes it: a card without a usable number is asked again.
    if not (shared.startswith("+") and shared[1:].isdigit() and 8 <= len(shared) - 1 <= 15):
        return None, (N_("Please tap the button below to share your phone number."), {})
    return shared, None


def _photo(current: AskStep, inbound: Inbound, locale: str) -> tuple[Any, Problem | None]:
    if not inbound.photo_id:
        return None, (N_("Please send a photo."), {})
    return {"kind": "photo", "file_id": inbound.photo_id}, None


def _voice(current: AskStep, inbound: Inbound, locale: str) -> tuple[Any, Problem | None]:
    if inbound.media != "voice":
        return None, (N_("Please send a voice message."), {})
    return {"kind": "voice", "file_id": inbound.media_id}, None


def _location(current: AskStep, inbound: Inbound, locale: str) -> tuple[Any, Problem | None]:
    if inbound.location is None:
        return None, (N_("Please share a location."), {})
    return {
        "kind": "location",
        "latitude": inbound.location.latitude,
        "longitude": inbound.location.longitude,
    }, None


def _text(current: AskStep, inbound: Inbound, locale: str) -> tuple[Any, Problem | None]:
    low = current.min or 1
    text, too_long_by = limit(inbound.text, current.max or MAX_TEXT_ANSWER)
    if too_long_by is not None:
        return None, (
            N_("Please make it shorter: at most {max} characters ({over} too many)."),
            {"max": current.max or MAX_TEXT_ANSWER, "over": too_long_by},
        )
    if visible_length(text) < low:
        return None, (
            N_("Please send a text of {min} to {max} characters."),
            {"min": low, "max": current.max or MAX_TEXT_ANSWER},
        )
    return text, None


def _amount(current: AskStep, inbound: Inbound, locale: str) -> tuple[Any, Problem | None]:
    amount = parse_amount(inbound.text, locale)
    low = current.min if current.min is not None else 1
    high = current.max
    if amount is None or amount < low:
        example = format_money(_EXAMPLE_AMOUNT, "EUR", locale)
        return None, (
            N_("Please send an amount in euros, for example {example}."),
            {"example": example},
        )
    if high is not None and amount > high:
        return None, (
            N_("That is more than {max}. Please send a lower amount."),
            {"max": format_money(high, "EUR", locale)},
        )
    return int(amount.to_integral_value()), None


_READERS: dict[str, _Reader] = {
    "text": _text,
    "number": _number,
    "amount": _amount,
    "phone": _phone,
    "contact": _contact,
    "photo": _photo,
    "voice": _voice,
    "location": _location,
}
