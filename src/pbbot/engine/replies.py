"""Matching what a resident typed against what was offered.

A reply is accepted as the option's number (also in Arabic-Indic digits), the
button payload, or the option's label in the resident's language, ignoring
case, accents and surrounding punctuation.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from pbbot.domain.payloads import resolve_payload

__all__ = ["match_choice", "normalize", "parse_number"]

_TATWEEL = "\u0640"
_EDGE_PUNCTUATION = re.compile(r"^[\s.,;:!?()\[\]'\"«»“”‘’#*-]+|[\s.,;:!?()\[\]'\"«»“”‘’#*-]+$")


def normalize(text: str) -> str:
    """Case-, accent- and spacing-insensitive form for comparing words."""
    decomposed = unicodedata.normalize("NFKD", text.replace(_TATWEEL, ""))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = _EDGE_PUNCTUATION.sub("", stripped)
    return " ".join(stripped.casefold().split())


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
    wanted = normalize(text)
    if not wanted:
        return None
    return next((p for p in offered if p in labels and normalize(labels[p]) == wanted), None)
