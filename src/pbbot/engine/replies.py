"""Matching what a resident typed against what was offered.

A reply is accepted as the option's number (also in Arabic-Indic digits), the
button payload, or the option's label in the resident's language, ignoring
case, accents and surrounding punctuation; a label's first part ("Ja" of
"Ja, akkoord") is enough where no other option starts the same way.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pbbot.domain.payloads import resolve_payload
from pbbot.domain.text import fold

__all__ = ["match_choice", "parse_number"]

_FIRST_PART = re.compile(r"[,،;:(]")


_NUMBER_EDGES = re.compile(r"^[\s.,;:!?()\[\]'\"«»“”‘’#*]+|[\s.,;:!?()\[\]'\"«»“”‘’#*-]+$")


def parse_number(text: str) -> int | None:
    """A whole number written with any script's decimal digits ("٣" is 3), else None."""
    cleaned = _NUMBER_EDGES.sub("", text.strip())  # a leading minus sign stays
    if not cleaned or len(cleaned) > 12:
        return None
    sign = -1 if cleaned.startswith("-") else 1
    digits = cleaned.removeprefix("-")
    if not digits.isdecimal():
        return None
    return sign * int(digits)  # int() reads every Unicode decimal digit


def match_choice(
    text: str, payload: str | None, offered: Sequence[str], labels: dict[str, str]
) -> str | None:
    """The payload of the chosen option, or None.

    `offered` lists payloads in the order shown; `labels` maps payload to the
    label in the resident's language.
    """
    if payload is not None:
        payload = resolve_payload(payload, offered)  # a long payload's button carries a reference
        return payload if payload in offered else None
    number = parse_number(text)
    if number is not None:
        return offered[number - 1] if 1 <= number <= len(offered) else None
    wanted = fold(text)
    if not wanted:
        return None
    exact = [p for p in offered if p in labels and fold(labels[p]) == wanted]
    if exact:
        return exact[0]
    first_parts = [
        p for p in offered if p in labels and fold(_FIRST_PART.split(labels[p])[0]) == wanted
    ]
    return first_parts[0] if len(first_parts) == 1 else None
